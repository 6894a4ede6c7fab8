//! The remuxer (src/remux) against ffmpeg-made MPEG-TS and ffprobe's reading of
//! both sides. Fixtures are made at test time with PeerTube's live encoding
//! options and cached under target/remux-fixtures/ (a second run is fast).

mod remux_support;

use std::path::Path;

use remux_support::*;
use tubeswarm::remux::{probe, RemuxError, Remuxed, Remuxer, SegmentInfo};

/// PeerTube's live transcoding (two variants, audio in each), 24 s in 4 s segments.
fn peertube_live() -> std::path::PathBuf {
    let mut args = words(
        "-f lavfi -i testsrc2=size=640x360:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 24 \
         -filter_complex [0:v]split=2[a][b];[a]scale=-2:360[v360];[b]scale=-2:240[v240] \
         -map [v360] -map [v240] -map 1:a -map 1:a -c:v libx264 -preset veryfast -b_strategy 1 -bf 16 \
         -sc_threshold 0 -g 60 -keyint_min 60 -r 30 -b:v:0 800k -b:v:1 400k -c:a aac -b:a 96k \
         -f hls -hls_time 4 -hls_list_size 0 -hls_flags independent_segments+program_date_time \
         -hls_segment_filename %v-%06d.ts -master_pl_name master.m3u8",
    );
    args.extend(["-var_stream_map".to_string(), "v:0,a:0 v:1,a:1".to_string(), "%v.m3u8".to_string()]);
    fixture("peertube360", &args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A command line's words (none of these fixtures' arguments holds a space).
fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

/// A single-variant HLS run: video `size`@`fps`, a sine at `rate`, `extra` codec options.
fn simple_hls(name: &str, size: &str, fps: u32, rate: u32, seconds: u32, extra: &str) -> std::path::PathBuf {
    let g = 2 * fps;
    let line = format!(
        "-f lavfi -i testsrc2=size={size}:rate={fps} -f lavfi -i sine=frequency=440:sample_rate={rate} -t {seconds} \
         -c:v libx264 -preset veryfast -bf 16 -b_strategy 1 -sc_threshold 0 -g {g} -keyint_min {g} {extra} \
         -f hls -hls_time 4 -hls_list_size 0 -hls_flags independent_segments -hls_segment_filename s-%06d.ts index.m3u8"
    );
    let args = words(&line);
    fixture(name, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

/// A single MPEG-TS file from a command line ending in its name.
fn ts_file(name: &str, line: &str) -> Vec<u8> {
    let args = words(line);
    let dir = fixture(name, &args.iter().map(String::as_str).collect::<Vec<_>>());
    std::fs::read(dir.join(args.last().unwrap())).unwrap()
}

fn info(start: f64, discontinuity_sequence: u64, contiguous: bool) -> SegmentInfo {
    SegmentInfo { start, discontinuity_sequence, contiguous }
}

/// Remux segments in order, as one contiguous run from 0 s.
fn remux_all(segments: &[Vec<u8>]) -> Vec<Remuxed> {
    let mut r = Remuxer::new();
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| r.remux(s, info(i as f64 * 4.0, 0, i > 0)).unwrap_or_else(|e| panic!("segment {i}: {e}")))
        .collect()
}

/// init + every fragment, as one file (all inits must be the same).
fn write_mp4(path: &Path, out: &[Remuxed]) {
    let mut file = out[0].init.to_vec();
    for o in out {
        assert_eq!(o.init, out[0].init);
        file.extend_from_slice(&o.media);
    }
    std::fs::write(path, file).unwrap();
}

fn concat(path: &Path, segments: &[Vec<u8>]) {
    std::fs::write(path, segments.concat()).unwrap();
}

/// The output of a contiguous run checked against ffprobe's reading of the input:
/// every video PTS/DTS the input's minus the anchor (the earliest PTS), every audio
/// PTS within one sample, the A/V start offset kept, the total duration within a frame.
fn check_against_ffprobe(dir: &Path, prefix: &str, audio_codec: &str, rate: i64, size: (i64, i64)) {
    let segs = segments(dir, prefix);
    let out = remux_all(&segs);
    assert!(out[0].init_changed);
    assert!(out[1..].iter().all(|o| !o.init_changed));
    for o in &out {
        assert!(o.warnings.is_empty(), "{:?}", o.warnings);
    }
    let ts = dir.join(format!("{prefix}all.ts"));
    let mp4 = dir.join(format!("{prefix}remuxed.mp4"));
    concat(&ts, &segs);
    write_mp4(&mp4, &out);
    let input = ffprobe(&ts);
    let output = ffprobe(&mp4);
    assert_eq!(output.stream("video")["codec_name"], "h264");
    assert_eq!(output.stream("audio")["codec_name"], audio_codec);
    assert_eq!(
        (output.stream("video")["width"].as_i64(), output.stream("video")["height"].as_i64()),
        (Some(size.0), Some(size.1))
    );
    assert_eq!(output.stream("audio")["time_base"], format!("1/{rate}"));

    let anchor = input.video.iter().chain(&input.audio).map(|p| p.pts).min().unwrap();
    assert_eq!(input.video.len(), output.video.len(), "every video frame kept");
    let mut prev_dts = -1;
    for (i, (a, b)) in input.video.iter().zip(&output.video).enumerate() {
        assert!((b.pts - (a.pts - anchor)).abs() <= 1, "video {i}: pts {} for {}", b.pts, a.pts - anchor);
        // tfdt cannot be negative: the first DTS (B-frame delay) are raised to 0, 1, …
        let expected_dts = (a.dts - anchor).max(prev_dts + 1);
        assert!((b.dts - expected_dts).abs() <= 1, "video {i}: dts {} for {}", b.dts, expected_dts);
        prev_dts = b.dts;
    }
    let to_samples = |t: i64| (t * rate + 45_000).div_euclid(90_000);
    assert!(input.audio.len() <= output.audio.len() + 1 && output.audio.len() <= input.audio.len() + 1);
    for (i, (a, b)) in input.audio.iter().zip(&output.audio).enumerate() {
        assert!(
            (b.pts - to_samples(a.pts - anchor)).abs() <= 1,
            "audio {i}: pts {} for {}",
            b.pts,
            to_samples(a.pts - anchor)
        );
    }
    // The A/V start offset, in seconds.
    let av_in = (input.audio[0].pts - input.video.iter().map(|p| p.pts).min().unwrap()) as f64 / 90_000.0;
    let av_out =
        output.audio[0].pts as f64 / rate as f64 - output.video.iter().map(|p| p.pts).min().unwrap() as f64 / 90_000.0;
    assert!((av_in - av_out).abs() <= 1.0 / rate as f64 + 1.0 / 90_000.0, "A/V offset {av_in} became {av_out}");
    // Duration: the end of the last frame.
    let end = |p: &[ProbedPacket], base: i64| p.iter().map(|p| p.pts + p.duration).max().unwrap() - base;
    let frame = 90_000 / 30;
    let (in_end, out_end) = (end(&input.video, anchor), end(&output.video, 0));
    assert!((in_end - out_end).abs() <= frame, "video ends at {out_end}, input at {in_end}");
    let last = out.last().unwrap();
    assert!((last.end - in_end as f64 / 90_000.0).abs() < 0.05, "Remuxed::end {}", last.end);
}

#[test]
fn peertube_live_variant_matches_ffprobe() {
    let dir = peertube_live();
    check_against_ffprobe(&dir, "0-", "aac", 48_000, (640, 360));
    let p = probe(&segments(&dir, "0-")[0]).unwrap();
    assert_eq!((p.width, p.height, p.has_video, p.has_audio), (640, 360, true, true));
    assert!(p.codecs.starts_with("avc1.64") && p.codecs.ends_with(",mp4a.40.2"), "{}", p.codecs);
}

#[test]
fn aac_at_44100_matches_ffprobe_without_drift() {
    let dir = simple_hls("aac44k", "320x180", 30, 44_100, 20, "-c:a aac -b:a 64k");
    check_against_ffprobe(&dir, "s-", "aac", 44_100, (320, 180));
}

#[test]
fn mp3_in_ts_becomes_an_mp3_track() {
    let dir = simple_hls("mp3", "320x180", 30, 44_100, 12, "-c:a libmp3lame -b:a 128k");
    let segs = segments(&dir, "s-");
    let out = remux_all(&segs);
    assert!(out[0].codecs.ends_with(",mp3"), "{}", out[0].codecs);
    let mp4 = dir.join("remuxed.mp4");
    write_mp4(&mp4, &out);
    let output = ffprobe(&mp4);
    assert_eq!(output.stream("audio")["codec_name"], "mp3");
    assert_eq!(output.stream("audio")["sample_rate"], "44100");
    let input = ffprobe(&{
        let p = dir.join("all.ts");
        concat(&p, &segs);
        p
    });
    let anchor = input.video.iter().chain(&input.audio).map(|p| p.pts).min().unwrap();
    for (a, b) in input.audio.iter().zip(&output.audio) {
        assert!((b.pts - ((a.pts - anchor) * 44_100 + 45_000).div_euclid(90_000)).abs() <= 1);
    }
}

#[test]
fn level_switch_gives_a_new_init_and_keeps_time() {
    let dir = peertube_live();
    let (v0, v1) = (segments(&dir, "0-"), segments(&dir, "1-"));
    let mut r = Remuxer::new();
    let mut out = Vec::new();
    for i in 0..6 {
        let seg = if i < 3 { &v0[i] } else { &v1[i] };
        out.push(r.remux(seg, info(i as f64 * 4.0, 0, i > 0)).unwrap());
    }
    let changed: Vec<bool> = out.iter().map(|o| o.init_changed).collect();
    assert_eq!(changed, [true, false, false, true, false, false]);
    assert_eq!(probe(&v1[3]).unwrap().height, 240);
    let runs: Vec<Vec<Run>> = out.iter().map(|o| read_fragment(&o.media).1).collect();
    for id in [1, 2] {
        for k in 1..6 {
            let (prev, next) = (track(&runs[k - 1], id).unwrap(), track(&runs[k], id).unwrap());
            assert_eq!(
                prev.end(),
                next.base as i64,
                "track {id}: a gap or overlap between fragments {} and {k}",
                k - 1
            );
        }
    }
    // Both variants share ffmpeg's PTS base: the switched segment lands where its PTS says.
    let anchor = {
        let p = ffprobe(&dir.join("0-000000.ts"));
        p.video.iter().chain(&p.audio).map(|p| p.pts).min().unwrap()
    };
    let switched = ffprobe(&dir.join("1-000003.ts"));
    let first_pts = switched.video.iter().map(|p| p.pts).min().unwrap() - anchor;
    let video = track(&runs[3], 1).unwrap();
    assert_eq!(video.times().iter().map(|t| t.1).min().unwrap(), first_pts);
    assert!((out[3].start - 12.0).abs() < 0.05, "{}", out[3].start);
}

#[test]
fn hevc_ac3_and_mp2_are_refused_by_name() {
    let bytes = ts_file(
        "hevc",
        "-f lavfi -i testsrc2=size=128x72:rate=10 -t 1 -c:v libx265 -x265-params log-level=error -f mpegts hevc.ts",
    );
    match Remuxer::new().remux(&bytes, info(0.0, 0, false)) {
        Err(RemuxError::UnsupportedCodec(name)) => assert!(name.contains("HEVC") && name.contains("0x24"), "{name}"),
        other => panic!("HEVC: {:?}", other.map(|o| o.codecs)),
    }
    let bytes = ts_file(
        "ac3",
        "-f lavfi -i testsrc2=size=128x72:rate=10 -f lavfi -i sine=sample_rate=48000 -t 1 -c:v libx264 -c:a ac3 \
         -f mpegts ac3.ts",
    );
    let err = probe(&bytes).err();
    assert!(matches!(&err, Some(RemuxError::UnsupportedCodec(n)) if n.starts_with("AC-3")), "{err:?}");
    assert!(err.unwrap().to_string().contains("AC-3"));
    // MPEG-1 Layer II shares MP3's stream type; the frames tell them apart.
    let bytes = ts_file(
        "mp2",
        "-f lavfi -i testsrc2=size=128x72:rate=10 -f lavfi -i sine=sample_rate=48000 -t 1 -c:v libx264 -c:a mp2 \
         -f mpegts mp2.ts",
    );
    let err = Remuxer::new().remux(&bytes, info(0.0, 0, false)).err();
    assert!(matches!(&err, Some(RemuxError::UnsupportedCodec(n)) if n.contains("Layer II")), "{err:?}");
}

#[test]
fn a_pts_wrap_inside_the_stream_stays_continuous() {
    // 2^33 / 90 kHz = 95443.7 s: the wrap falls in the first segment's successor.
    let dir = simple_hls("wrap", "320x180", 30, 48_000, 12, "-c:a aac -output_ts_offset 95440");
    let segs = segments(&dir, "s-");
    let out = remux_all(&segs);
    let runs: Vec<Vec<Run>> = out.iter().map(|o| read_fragment(&o.media).1).collect();
    for id in [1, 2] {
        for k in 1..runs.len() {
            assert_eq!(
                track(&runs[k - 1], id).unwrap().end(),
                track(&runs[k], id).unwrap().base as i64,
                "track {id} at {k}"
            );
        }
    }
    let video_end = track(runs.last().unwrap(), 1).unwrap().end() as f64 / 90_000.0;
    let audio_end = track(runs.last().unwrap(), 2).unwrap().end() as f64 / 48_000.0;
    assert!((video_end - 12.0).abs() < 0.2 && (audio_end - 12.0).abs() < 0.2, "{video_end} {audio_end}");
    let mp4 = dir.join("remuxed.mp4");
    write_mp4(&mp4, &out);
    let output = ffprobe(&mp4);
    let last = output.video.iter().map(|p| p.pts).max().unwrap();
    assert!(last < 13 * 90_000, "no jump of 2^33 in the output: {last}");
    assert!(output.video.windows(2).all(|w| w[1].dts > w[0].dts));
}

#[test]
fn a_discontinuity_is_anchored_at_its_start() {
    let a = simple_hls("disc-a", "160x90", 10, 48_000, 8, "-c:a aac");
    let b = simple_hls("disc-b", "160x90", 10, 48_000, 8, "-c:a aac -output_ts_offset 5000");
    let (a, b) = (segments(&a, "s-"), segments(&b, "s-"));
    let mut r = Remuxer::new();
    let a0 = r.remux(&a[0], info(0.0, 0, false)).unwrap();
    let a1 = r.remux(&a[1], info(4.0, 0, true)).unwrap();
    let b0 = r.remux(&b[0], info(8.0, 1, false)).unwrap();
    let b1 = r.remux(&b[1], info(12.0, 1, true)).unwrap();
    // A later segment starts where its PTS says: its first audio (muxed a little
    // ahead of the keyframe that starts the segment) just before 4 s.
    assert!(a0.start.abs() < 1e-6 && (a1.start - 4.0).abs() < 0.25, "{} {}", a0.start, a1.start);
    assert!((b0.start - 8.0).abs() < 1e-6, "the new sequence's first PTS lands on its start: {}", b0.start);
    assert!((b1.start - b0.start - (a1.start - a0.start)).abs() < 1e-6, "{} {}", b1.start, b0.start);
    // Seeking back into the first sequence: its anchor was kept.
    let again = r.remux(&a[1], info(4.0, 0, false)).unwrap();
    assert!((again.start - a1.start).abs() < 1e-9);
}

/// Damage that must never panic: Ok (ffprobe still reads the output) or a clear Err.
#[test]
fn damaged_segments_are_survived() {
    let dir = peertube_live();
    let segs = segments(&dir, "0-");
    let mut rng = XorShift(0x1234_5678);
    let lossy: Vec<Vec<u8>> =
        segs.iter().map(|s| s.chunks(188).filter(|_| rng.next() % 100 != 0).flatten().copied().collect()).collect();
    let flipped: Vec<Vec<u8>> = segs
        .iter()
        .map(|s| {
            let mut s = s.clone();
            for _ in 0..50 {
                let i = rng.next() as usize % s.len();
                s[i] ^= 1 << (rng.next() % 8);
            }
            s
        })
        .collect();
    let truncated: Vec<Vec<u8>> = segs.iter().map(|s| s[..(s.len() * 2 / 3) | 1].to_vec()).collect();
    let garbage: Vec<Vec<u8>> = vec![(0..100_000).map(|_| rng.next() as u8).collect()];
    let empty: Vec<Vec<u8>> = vec![Vec::new()];
    for (name, case) in
        [("lossy", &lossy), ("flipped", &flipped), ("truncated", &truncated), ("garbage", &garbage), ("empty", &empty)]
    {
        let mut r = Remuxer::new();
        let mut file: Vec<u8> = Vec::new();
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        for (i, s) in case.iter().enumerate() {
            match r.remux(s, info(i as f64 * 4.0, 0, i > 0)) {
                Ok(o) => {
                    if file.is_empty() {
                        file.extend_from_slice(&o.init);
                    }
                    if !o.init_changed || file.len() == o.init.len() {
                        file.extend_from_slice(&o.media);
                    }
                    warnings.extend(o.warnings);
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    errors.push(e);
                }
            }
        }
        match name {
            "garbage" => {
                assert!(matches!(errors[..], [RemuxError::NotTransportStream | RemuxError::NoMedia(_)]), "{errors:?}")
            }
            "empty" => assert_eq!(errors, [RemuxError::NotTransportStream]),
            _ => {
                assert!(errors.is_empty(), "{name}: {errors:?}");
                assert!(!warnings.is_empty(), "{name}: damage should be reported");
                let path = dir.join(format!("damaged-{name}.mp4"));
                std::fs::write(&path, &file).unwrap();
                let p = ffprobe(&path);
                assert!(!p.video.is_empty() && !p.audio.is_empty(), "{name}");
            }
        }
        if name == "lossy" {
            assert!(warnings.iter().any(|w| w.contains("continuity")), "{warnings:?}");
        }
    }
}

/// A few hundred random mutations of real segments (flips, cuts, splices, repeats),
/// fed to one long-lived remuxer with random segment info: never a panic.
/// `REMUX_MUTATIONS=5000` runs longer (a poor man's fuzzer until libFuzzer's turn).
#[test]
fn random_mutations_never_panic() {
    let rounds = std::env::var("REMUX_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(240);
    let segs = segments(&peertube_live(), "0-");
    let mut rng = XorShift(0x0BAD_5EED);
    let mut r = Remuxer::new();
    let (mut ok, mut err) = (0, 0);
    for round in 0..rounds {
        let mut s = segs[round % segs.len()].clone();
        let mut pick = |n: usize| rng.next() as usize % n.max(1);
        match round % 4 {
            0 => {
                for _ in 0..1 + pick(40) {
                    let i = pick(s.len());
                    s[i] = pick(256) as u8;
                }
            }
            1 => {
                let (a, n) = (pick(s.len()), pick(5000));
                s.drain(a..(a + n).min(s.len()));
            }
            2 => {
                let (a, n) = (pick(s.len()), pick(3000));
                let copy = s[a..(a + n).min(s.len())].to_vec();
                let at = pick(s.len());
                s.splice(at..at, copy);
            }
            _ => s.truncate(pick(s.len())),
        }
        let seg_info = info(pick(100) as f64 * 4.0 - 8.0, pick(3) as u64, pick(2) == 0);
        match r.remux(&s, seg_info) {
            Ok(o) => {
                ok += 1;
                assert!(o.media.len() <= 2 * s.len() + 4096, "output bounded by the input");
                read_fragment(&o.media);
            }
            Err(_) => err += 1,
        }
        if round % 60 == 59 {
            r.reset();
        }
    }
    assert!(ok > rounds / 2, "most damaged segments still play: {ok} ok, {err} errors");
}

/// Ten minutes of contiguous 44.1 kHz segments: at every segment, and at the end,
/// each track's output matches its input PTS (video exactly, audio within a frame).
#[test]
fn ten_minutes_keep_audio_and_video_in_step() {
    let dir = simple_hls("drift600", "160x90", 10, 44_100, 600, "-c:a aac -b:a 32k");
    let segs = segments(&dir, "s-");
    assert!(segs.len() >= 150);
    let input = ffprobe(&{
        let p = dir.join("all.ts");
        concat(&p, &segs);
        p
    });
    let anchor = input.video.iter().chain(&input.audio).map(|p| p.pts).min().unwrap();
    let out = remux_all(&segs);
    let (mut video, mut audio) = (Vec::new(), Vec::new());
    for o in &out {
        let (_, runs) = read_fragment(&o.media);
        video.extend(track(&runs, 1).unwrap().times());
        audio.extend(track(&runs, 2).unwrap().times());
    }
    assert_eq!(video.len(), input.video.len());
    let last_video_in = input.video.last().unwrap();
    assert_eq!(video.last().unwrap().1, last_video_in.pts - anchor);
    let last_audio_in = input.audio.last().unwrap();
    let expected = ((last_audio_in.pts - anchor) * 44_100 + 45_000) / 90_000;
    let got = audio.last().unwrap().0;
    assert!((got - expected).abs() <= 1024, "audio ends {} samples off its PTS", got - expected);
    // And at every frame: the audio never strays from its PTS by a frame.
    assert!(audio.len().abs_diff(input.audio.len()) <= 1);
    let worst = audio
        .iter()
        .zip(&input.audio)
        .map(|(o, i)| (o.0 - ((i.pts - anchor) * 44_100 + 45_000) / 90_000).abs())
        .max()
        .unwrap();
    assert!(worst <= 1024, "audio strayed {worst} samples");
}

/// The silent AAC-LC frames that fill audio holes (hls.js's) decode to silence.
#[test]
fn silent_aac_frames_decode_to_silence() {
    let dir = remux_support::fixtures_root().join("silence");
    std::fs::create_dir_all(&dir).unwrap();
    for (channels, frame) in [
        (1u8, &[0x00u8, 0xC8, 0x00, 0x80, 0x23, 0x80][..]),
        (2, &[0x21, 0x00, 0x49, 0x90, 0x02, 0x19, 0x00, 0x23, 0x80]),
    ] {
        let mut adts = Vec::new();
        for _ in 0..10 {
            let len = frame.len() + 7;
            adts.extend_from_slice(&[
                0xFF,
                0xF1,
                0x4C | (channels >> 2),
                ((channels & 3) << 6) | (len >> 11) as u8,
                (len >> 3) as u8,
                ((len & 7) << 5) as u8 | 0x1F,
                0xFC,
            ]);
            adts.extend_from_slice(frame);
        }
        let path = dir.join(format!("silence{channels}.aac"));
        std::fs::write(&path, adts).unwrap();
        let out = std::process::Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-f", "aac", "-i"])
            .arg(&path)
            .args(["-f", "s16le", "-"])
            .output()
            .expect("running ffmpeg");
        assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.stdout.len(), 10 * 1024 * 2 * usize::from(channels));
        assert!(out.stdout.iter().all(|&b| b == 0));
    }
}

/// `cargo test --release --test remux_ffmpeg -- --ignored --nocapture throughput`
#[test]
#[ignore]
fn throughput() {
    let segs = segments(&peertube_live(), "0-");
    let bytes: usize = segs.iter().map(Vec::len).sum::<usize>() * 20;
    let t = std::time::Instant::now();
    for _ in 0..20 {
        std::hint::black_box(remux_all(&segs));
    }
    let s = t.elapsed().as_secs_f64();
    println!("remuxed {:.1} MB in {:.3} s: {:.0} MB/s", bytes as f64 / 1e6, s, bytes as f64 / 1e6 / s);
}
