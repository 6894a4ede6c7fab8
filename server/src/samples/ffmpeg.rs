//! The two ffmpeg runs: the VOD (three video renditions, split audio and the
//! storyboard sprite from one rendering of the source) and the live loop source.

use std::path::Path;

use super::layout::{
    VideoRendition, AUDIO_BITRATE, AUDIO_FILE_UUID, AUDIO_SOURCE_DURATION, FPS, GOP,
    LIVE_DURATION_S, LIVE_MASTER, LIVE_RENDITIONS, PRESET, SEGMENT_S, STORYBOARD,
    VIDEO_RENDITIONS, VOD_DURATION_S,
};

const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// `fontfile=…:` when the DejaVu font is installed; otherwise drawtext asks
/// fontconfig for its default font.
fn font() -> String {
    if Path::new(FONT).is_file() {
        format!("fontfile={FONT}:")
    } else {
        String::new()
    }
}

/// A big running timecode in the middle of the picture.
fn timecode(prefix: &str, size: u32) -> String {
    format!(
        "drawtext={}text='{prefix}%{{pts\\:hms}}':fontsize={size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=12:x=(w-tw)/2:y=(h-th)/2",
        font()
    )
}

/// A label in the top right corner (the rendition's height); testsrc2 writes its
/// own small counter in the top left.
fn label(text: &str, size: u32) -> String {
    format!(
        "drawtext={}text='{text}':fontsize={size}:fontcolor=yellow:box=1:boxcolor=black@0.6:boxborderw=6:x=w-tw-{m}:y={m}",
        font(),
        m = size / 3
    )
}

fn s<T: ToString>(items: &[T]) -> Vec<String> {
    items.iter().map(ToString::to_string).collect()
}

/// Common H.264 settings: main profile level 3.1 (`avc1.4d401f`), a keyframe
/// every 2 s and none elsewhere, so segments align across renditions.
fn x264(bitrate_k: u32) -> Vec<String> {
    let mut args = s(&[
        "-c:v",
        "libx264",
        "-profile:v",
        "main",
        "-level:v",
        "3.1",
        "-pix_fmt",
        "yuv420p",
    ]);
    args.extend(s(&["-preset", PRESET]));
    args.extend(s(&[
        "-g",
        &GOP.to_string(),
        "-keyint_min",
        &GOP.to_string(),
        "-sc_threshold",
        "0",
    ]));
    args.extend(s(&[
        "-b:v",
        &format!("{bitrate_k}k"),
        "-maxrate",
        &format!("{}k", bitrate_k * 3 / 2),
        "-bufsize",
        &format!("{}k", bitrate_k * 2),
    ]));
    args
}

fn aac() -> Vec<String> {
    s(&[
        "-c:a",
        "aac",
        "-b:a",
        &format!("{AUDIO_BITRATE}k"),
        "-ac",
        "2",
        "-ar",
        "48000",
    ])
}

/// PeerTube's VOD packaging: one fragmented MP4 per rendition, byte-range HLS.
fn hls_single_file(playlist: &str, file: &str) -> Vec<String> {
    let mut args = s(&[
        "-f",
        "hls",
        "-hls_time",
        &SEGMENT_S.to_string(),
        "-hls_playlist_type",
        "vod",
    ]);
    args.extend(s(&[
        "-hls_segment_type",
        "fmp4",
        "-hls_flags",
        "single_file+independent_segments",
    ]));
    args.extend(s(&["-hls_segment_filename", file, playlist]));
    args
}

fn quiet() -> Vec<String> {
    s(&[
        "-hide_banner",
        "-nostdin",
        "-nostats",
        "-loglevel",
        "error",
        "-y",
    ])
}

/// Arguments of the VOD run, to be started in the VOD folder.
pub fn vod_args() -> Vec<String> {
    let mut args = quiet();
    args.extend(s(&[
        "-f",
        "lavfi",
        "-i",
        &format!("testsrc2=size=1280x720:rate={FPS}:duration={VOD_DURATION_S}"),
    ]));
    args.extend(s(&[
        "-f",
        "lavfi",
        "-i",
        &format!(
            "sine=frequency=440:beep_factor=4:sample_rate=48000:duration={AUDIO_SOURCE_DURATION}"
        ),
    ]));
    // Render the source once, then split it: one branch per rendition plus the
    // storyboard.
    let mut graph = format!(
        "[0:v]{},split={}",
        timecode("", 96),
        VIDEO_RENDITIONS.len() + 1
    );
    for r in VIDEO_RENDITIONS {
        graph.push_str(&format!("[s{}]", r.height));
    }
    graph.push_str("[sb]");
    for r in VIDEO_RENDITIONS {
        let size = (r.height / 11).max(16);
        graph.push_str(&format!(
            ";[s{h}]scale={w}:{h},setsar=1,{}[v{h}]",
            label(&format!("{}p", r.height), size),
            w = r.width,
            h = r.height
        ));
    }
    // One frame every `sprite_duration` s, the first of each interval (exactly at
    // 0, 2, 4 s…, where `fps=1/2` would take the frames at 0.96, 2.96…), so tile n
    // shows the timecode n · sprite_duration.
    let b = STORYBOARD;
    graph.push_str(&format!(
        ";[sb]select='not(mod(n,{}))',scale={}:{},tile={}x{}[board]",
        b.sprite_duration * FPS,
        b.sprite_width,
        b.sprite_height,
        b.columns,
        b.rows
    ));
    args.extend(s(&["-filter_complex", &graph]));
    for r in VIDEO_RENDITIONS {
        args.extend(s(&["-map", &format!("[v{}]", r.height)]));
        args.extend(x264(r.bitrate_k));
        args.extend(hls_single_file(&r.playlist(), &r.file()));
    }
    let audio = VideoRendition::audio_names(AUDIO_FILE_UUID);
    args.extend(s(&["-map", "1:a"]));
    args.extend(aac());
    args.extend(hls_single_file(&audio.0, &audio.1));
    args.extend(s(&[
        "-map",
        "[board]",
        "-frames:v",
        "1",
        "-q:v",
        "4",
        b.file,
    ]));
    args
}

/// One web video from a rendition's fragmented MP4 and the audio's: streams
/// copied, `moov` moved to the front.
pub fn web_video_args(video: &Path, audio: &Path, out: &Path) -> Vec<String> {
    let mut args = quiet();
    for input in [video, audio] {
        args.extend(s(&["-i", &input.to_string_lossy()]));
    }
    args.extend(s(&["-map", "0:v", "-map", "1:a", "-c", "copy", "-movflags", "+faststart", "-f", "mp4", &out.to_string_lossy()]));
    args
}

/// Arguments of the live run, to be started in `live/src/`: PeerTube's live
/// transcoding (`packages/ffmpeg/src/ffmpeg-live.ts`): one source split and
/// scaled per rendition, x264 with PeerTube's options (`-preset`, `-b_strategy 1
/// -bf 16`, a keyframe every 2 s, `-sc_threshold 0`), AAC mapped into each
/// variant (`v:i,a:i`), and `addDefaultLiveHLSParams`'s HLS muxer settings: TS
/// segments (no `hls_segment_type`), `%v-%06d.ts`, 4 s, `independent_segments`
/// and `program_date_time`, `-master_pl_name`. Two differences, both because the
/// recording is made once and played in a loop rather than streamed: every
/// segment is kept (`-hls_list_size 0`, no `delete_segments`), and the source is
/// rendered as fast as the machine allows rather than in real time.
pub fn live_args() -> Vec<String> {
    let mut args = quiet();
    args.extend(s(&["-f", "lavfi", "-i", &format!("testsrc2=size=640x360:rate={FPS}:duration={LIVE_DURATION_S}")]));
    args.extend(s(&["-f", "lavfi", "-i", &format!("sine=frequency=660:beep_factor=2:sample_rate=48000:duration={LIVE_DURATION_S}")]));
    let n = LIVE_RENDITIONS.len();
    let mut graph = format!("[0:v]{},split={n}", timecode("LIVE ", 48));
    for k in 0..n {
        graph.push_str(&format!("[vtemp{k}]"));
    }
    for (k, (w, h, _)) in LIVE_RENDITIONS.iter().enumerate() {
        graph.push_str(&format!(";[vtemp{k}]scale={w}:{h},setsar=1,{}[vout{k}]", label(&format!("{h}p"), (h / 11).max(16))));
    }
    args.extend(s(&["-filter_complex", &graph, "-sc_threshold", "0"]));
    for k in 0..n {
        args.extend(s(&["-map", &format!("[vout{k}]"), "-map", "1:a"]));
    }
    args.extend(s(&["-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", PRESET, "-b_strategy", "1", "-bf", "16"]));
    args.extend(s(&["-g", &GOP.to_string(), "-keyint_min", &GOP.to_string(), "-r", &FPS.to_string()]));
    for (k, (_, _, kbps)) in LIVE_RENDITIONS.iter().enumerate() {
        args.extend(s(&[&format!("-b:v:{k}"), &format!("{kbps}k"), &format!("-maxrate:v:{k}"), &format!("{kbps}k"), &format!("-bufsize:v:{k}"), &format!("{}k", kbps * 2)]));
    }
    args.extend(aac());
    let map: Vec<String> = (0..n).map(|k| format!("v:{k},a:{k}")).collect();
    args.extend(s(&["-f", "hls", "-hls_time", &SEGMENT_S.to_string(), "-hls_list_size", "0"]));
    args.extend(s(&["-hls_flags", "independent_segments+program_date_time", "-hls_segment_filename", "%v-%06d.ts"]));
    args.extend(s(&["-master_pl_name", LIVE_MASTER, "-var_stream_map", &map.join(" "), "%v.m3u8"]));
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(args: &[String], pair: &[&str]) -> bool {
        args.windows(pair.len())
            .any(|w| w.iter().zip(pair).all(|(a, b)| a == b))
    }

    #[test]
    fn vod_run_packages_like_peertube() {
        let args = vod_args();
        assert_eq!(args.iter().filter(|a| *a == "libx264").count(), 3);
        assert!(has(&args, &["-profile:v", "main", "-level:v", "3.1"]));
        assert!(has(
            &args,
            &["-g", "50", "-keyint_min", "50", "-sc_threshold", "0"]
        ));
        assert!(has(
            &args,
            &["-hls_flags", "single_file+independent_segments"]
        ));
        for r in VIDEO_RENDITIONS {
            assert!(has(
                &args,
                &["-hls_segment_filename", &r.file(), &r.playlist()]
            ));
        }
        let (audio_playlist, audio_file) = VideoRendition::audio_names(AUDIO_FILE_UUID);
        assert!(has(
            &args,
            &["-hls_segment_filename", &audio_file, &audio_playlist]
        ));
        assert!(has(
            &args,
            &["-c:a", "aac", "-b:a", "96k", "-ac", "2", "-ar", "48000"]
        ));
        assert!(args.last().unwrap() == STORYBOARD.file);
        let graph = &args[args.iter().position(|a| a == "-filter_complex").unwrap() + 1];
        assert!(
            graph.contains("split=4")
                && graph.contains("tile=10x9")
                && graph.contains("%{pts\\:hms}")
        );
    }

    #[test]
    fn live_run_muxes_as_peertube_does() {
        let args = live_args();
        assert!(!args.iter().any(|a| a == "-hls_segment_type"), "TS: no segment type");
        assert!(has(&args, &["-hls_segment_filename", "%v-%06d.ts"]));
        assert!(has(&args, &["-hls_flags", "independent_segments+program_date_time"]));
        assert!(has(&args, &["-master_pl_name", "master.m3u8", "-var_stream_map", "v:0,a:0 v:1,a:1", "%v.m3u8"]));
        assert!(has(&args, &["-b_strategy", "1", "-bf", "16"]));
        assert!(has(&args, &["-map", "[vout0]", "-map", "1:a", "-map", "[vout1]", "-map", "1:a"]));
    }
}
