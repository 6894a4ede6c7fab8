//! `tubeswarm-samples <out>`: the demo's sample media, rendered by ffmpeg.
//!
//! ```text
//! <out>/vod/<videoUUID>-master.m3u8              split audio + captions + 3 variants
//! <out>/vod/<fileUUID>-<res>.m3u8                240, 480, 720 and 0 (audio)
//! <out>/vod/<fileUUID>-<res>-fragmented.mp4      one byte-range fMP4 per rendition
//! <out>/vod/<videoUUID>-segments-sha256.json     PeerTube's VOD hash map
//! <out>/vod/captions-en.vtt, captions-en.m3u8    a cue every 5 s, one-segment playlist
//! <out>/vod/chapters.json, storyboards.json, storyboard.jpg
//! <out>/live/init.mp4, seg000.m4s … seg059.m4s   the looped live source (360p + AAC)
//! <out>/live/manifest.json                       what the demo server loops over
//! <out>/web/<videoUUID>-<res>.mp4                 PeerTube's web videos (progressive MP4)
//! <out>/corrupt.m3u8                             a playlist the player must reject
//! <out>/.complete                                generator version, written last
//! ```
//! Generation is skipped when `.complete` holds the current [`GENERATOR_VERSION`].

mod ffmpeg;
pub mod layout;
pub mod playlist;
pub mod writers;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use anyhow::{bail, Context};

pub use layout::GENERATOR_VERSION;
use layout::*;
use writers::*;

use crate::live::{LiveManifest, LiveSourceSegment, MANIFEST_FILE};

/// What a run did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// `.complete` already matched: nothing was done.
    pub up_to_date: bool,
    /// Wall time of the whole run, and of the two (concurrent) ffmpeg runs.
    pub total_seconds: f64,
    pub ffmpeg_seconds: f64,
}

/// Makes the sample media in `out` unless it is already there (or `force`).
pub fn generate(out: &Path, force: bool) -> anyhow::Result<Report> {
    let started = Instant::now();
    let complete = out.join(".complete");
    if !force && fs::read_to_string(&complete).is_ok_and(|v| v.trim() == GENERATOR_VERSION) {
        return Ok(Report {
            up_to_date: true,
            total_seconds: 0.0,
            ffmpeg_seconds: 0.0,
        });
    }
    check_ffmpeg()?;
    let _ = fs::remove_file(&complete);
    let vod = out.join("vod");
    let live = out.join("live");
    for dir in [&vod, &live, &out.join(WEB_DIR)] {
        if dir.exists() {
            fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
        }
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }

    // The two encodes run side by side: the VOD's filter graph leaves a core idle
    // part of the time.
    let encode_started = Instant::now();
    let live_source = "source.m3u8";
    let vod_run = spawn_ffmpeg(&vod, &ffmpeg::vod_args(), &out.join(".ffmpeg-vod.log"))?;
    let live_run = spawn_ffmpeg(
        &live,
        &ffmpeg::live_args(live_source),
        &out.join(".ffmpeg-live.log"),
    );
    let vod_result = vod_run.wait();
    let live_result = live_run.and_then(FfmpegRun::wait);
    vod_result.context("the VOD encode failed")?;
    live_result.context("the live encode failed")?;
    let ffmpeg_seconds = encode_started.elapsed().as_secs_f64();

    write_vod_extras(&vod)?;
    write_web_videos(&vod, &out.join(WEB_DIR))?;
    write_live_manifest(&live, live_source)?;
    fs::write(out.join(CORRUPT_FILE), CORRUPT_PLAYLIST)?;
    fs::write(&complete, format!("{GENERATOR_VERSION}\n"))?;
    Ok(Report {
        up_to_date: false,
        total_seconds: started.elapsed().as_secs_f64(),
        ffmpeg_seconds,
    })
}

fn check_ffmpeg() -> anyhow::Result<()> {
    let status = Command::new("ffmpeg")
        .arg("-version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("ffmpeg was not found on PATH (apt-get install ffmpeg)")?;
    if !status.success() {
        bail!("`ffmpeg -version` failed");
    }
    Ok(())
}

struct FfmpegRun {
    child: Child,
    log: PathBuf,
}

fn spawn_ffmpeg(dir: &Path, args: &[String], log: &Path) -> anyhow::Result<FfmpegRun> {
    let log_file =
        fs::File::create(log).with_context(|| format!("cannot create {}", log.display()))?;
    let child = Command::new("ffmpeg")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .context("cannot start ffmpeg")?;
    Ok(FfmpegRun {
        child,
        log: log.to_path_buf(),
    })
}

impl FfmpegRun {
    /// Waits; on failure the error carries ffmpeg's messages. The log is removed
    /// on success.
    fn wait(mut self) -> anyhow::Result<()> {
        let status = self.child.wait().context("waiting for ffmpeg")?;
        let messages = fs::read_to_string(&self.log).unwrap_or_default();
        if !status.success() {
            bail!("ffmpeg exited with {status}:\n{}", messages.trim());
        }
        let _ = fs::remove_file(&self.log);
        Ok(())
    }
}

/// Reads one rendition's playlist and file: its spans and segment hashes.
fn read_rendition(
    dir: &Path,
    playlist: &str,
    file: &str,
) -> anyhow::Result<(Vec<SegmentSpan>, SegmentHashes)> {
    let text = fs::read_to_string(dir.join(playlist))
        .with_context(|| format!("ffmpeg wrote no {playlist}"))?;
    let spans = playlist::single_file_spans(playlist, &text, file).map_err(anyhow::Error::msg)?;
    let data = fs::read(dir.join(file)).with_context(|| format!("ffmpeg wrote no {file}"))?;
    let hashes = hash_spans(file, &data, &spans).map_err(anyhow::Error::msg)?;
    Ok((spans, hashes))
}

/// The master playlist, the hash file, captions, chapters and the storyboard's JSON.
fn write_vod_extras(vod: &Path) -> anyhow::Result<()> {
    let (audio_playlist, audio_file) = VideoRendition::audio_names(AUDIO_FILE_UUID);
    let mut hash_files = Vec::new();
    let mut variants = Vec::new();
    let mut video = Vec::new();
    for r in VIDEO_RENDITIONS {
        let (spans, hashes) = read_rendition(vod, &r.playlist(), &r.file())?;
        hash_files.push((r.file(), hashes));
        video.push((r, bitrates(&spans)));
    }
    let (audio_spans, audio_hashes) = read_rendition(vod, &audio_playlist, &audio_file)?;
    hash_files.push((audio_file, audio_hashes));
    let (audio_peak, audio_average) = bitrates(&audio_spans);
    for (r, (peak, average)) in video {
        variants.push(MasterVariant {
            uri: r.playlist(),
            width: r.width,
            height: r.height,
            bandwidth: peak + audio_peak,
            average_bandwidth: average + audio_average,
        });
    }
    fs::write(vod.join(hashes_name()), segments_sha256_json(&hash_files))?;
    let master = MasterPlaylist {
        audio_uri: audio_playlist,
        subtitles_uri: CAPTIONS_PLAYLIST.into(),
        codecs: CODECS.into(),
        frame_rate: f64::from(FPS),
        variants,
    };
    fs::write(vod.join(master_name()), master_playlist(&master))?;
    fs::write(
        vod.join(CAPTIONS_VTT),
        captions_vtt(VOD_DURATION_S, CAPTION_EVERY_S),
    )?;
    fs::write(
        vod.join(CAPTIONS_PLAYLIST),
        captions_playlist(CAPTIONS_VTT, VOD_DURATION_S),
    )?;
    fs::write(vod.join(CHAPTERS_FILE), chapters_json(CHAPTERS))?;

    let b = STORYBOARD;
    let jpeg = fs::read(vod.join(b.file)).with_context(|| format!("ffmpeg wrote no {}", b.file))?;
    let (total_width, total_height) =
        jpeg_size(&jpeg).with_context(|| format!("{} is not a readable JPEG", b.file))?;
    if (total_width, total_height) != (b.sprite_width * b.columns, b.sprite_height * b.rows) {
        bail!(
            "{} is {total_width}x{total_height}, not a {}x{} grid of tiles",
            b.file,
            b.columns,
            b.rows
        );
    }
    let board = Storyboard {
        path: format!("/media/vod/{}", b.file),
        total_width,
        total_height,
        sprite_width: b.sprite_width,
        sprite_height: b.sprite_height,
        sprite_duration: b.sprite_duration,
    };
    fs::write(vod.join(STORYBOARDS_FILE), storyboards_json(&board))?;
    Ok(())
}

/// PeerTube's web videos of the VOD: one progressive MP4 per resolution, video
/// and audio together, `moov` first (`+faststart`), copied from the HLS files
/// without re-encoding (a second each).
fn write_web_videos(vod: &Path, web: &Path) -> anyhow::Result<()> {
    let (_, audio_file) = VideoRendition::audio_names(AUDIO_FILE_UUID);
    // ffmpeg runs in `web`: give it absolute inputs.
    let vod = fs::canonicalize(vod).with_context(|| format!("cannot find {}", vod.display()))?;
    for r in VIDEO_RENDITIONS {
        let target = PathBuf::from(web_video_name(r.height));
        let args = ffmpeg::web_video_args(&vod.join(r.file()), &vod.join(&audio_file), &target);
        let log = web.join(format!(".ffmpeg-web-{}.log", r.height));
        spawn_ffmpeg(web, &args, &log)?.wait().with_context(|| format!("the {}p web video failed", r.height))?;
    }
    Ok(())
}

/// Turns ffmpeg's VOD playlist of the live source into `manifest.json`.
fn write_live_manifest(live: &Path, source: &str) -> anyhow::Result<()> {
    let text = fs::read_to_string(live.join(source))
        .with_context(|| format!("ffmpeg wrote no live/{source}"))?;
    let listed = playlist::read_media_playlist(source, &text).map_err(anyhow::Error::msg)?;
    let mut segments = Vec::with_capacity(listed.len());
    for segment in listed {
        if segment.range.is_some() {
            bail!("live/{source}: byte ranges where separate segment files were expected");
        }
        let bytes = fs::metadata(live.join(&segment.file))
            .with_context(|| format!("live/{source} lists a missing {}", segment.file))?
            .len();
        segments.push(LiveSourceSegment {
            uri: segment.file,
            duration: segment.duration,
            bytes,
        });
    }
    let spans: Vec<SegmentSpan> = segments
        .iter()
        .map(|s| SegmentSpan {
            offset: 0,
            length: s.bytes,
            duration: s.duration,
        })
        .collect();
    let (bandwidth, average_bandwidth) = bitrates(&spans);
    if !live.join("init.mp4").is_file() {
        bail!("ffmpeg wrote no live/init.mp4");
    }
    let manifest = LiveManifest {
        init: "init.mp4".into(),
        resolution: format!("{LIVE_WIDTH}x{LIVE_HEIGHT}"),
        codecs: CODECS.into(),
        frame_rate: f64::from(FPS),
        bandwidth,
        average_bandwidth,
        segments,
    };
    fs::write(
        live.join(MANIFEST_FILE),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    // The manifest replaces it; a VOD playlist left here would only mislead.
    fs::remove_file(live.join(source))?;
    Ok(())
}
