//! `tubeswarm-samples <out>`: the demo's sample media, rendered by ffmpeg.
//!
//! ```text
//! <out>/vod/<videoUUID>-master.m3u8              split audio + captions + 3 variants
//! <out>/vod/<fileUUID>-<res>.m3u8                240, 480, 720 and 0 (audio)
//! <out>/vod/<fileUUID>-<res>-fragmented.mp4      one byte-range fMP4 per rendition
//! <out>/vod/<videoUUID>-segments-sha256.json     PeerTube's VOD hash map
//! <out>/vod/captions-en.vtt, captions-en.m3u8    a cue every 5 s, one-segment playlist
//! <out>/vod/chapters.json, storyboards.json, storyboard.jpg
//! <out>/live/src/master.m3u8, 0.m3u8, 1.m3u8,     the live recording, as ffmpeg's HLS
//!   0-000000.ts … 1-000059.ts                    muxer wrote it with PeerTube's live
//!                                                options (360p and 240p, AAC in each);
//!                                                with its VOD playlists, the TS VOD sample
//! <out>/live/src/segments-sha256.json            its flat hash map
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

use crate::live::{LiveLoop, LiveManifest, LiveSourceSegment, LiveVariant, MANIFEST_FILE};
use sha2::Digest;

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
    let live_src = live.join(LIVE_SOURCE_DIR);
    fs::create_dir_all(&live_src).with_context(|| format!("cannot create {}", live_src.display()))?;
    let vod_run = spawn_ffmpeg(&vod, &ffmpeg::vod_args(), &out.join(".ffmpeg-vod.log"))?;
    let live_run = spawn_ffmpeg(&live_src, &ffmpeg::live_args(), &out.join(".ffmpeg-live.log"));
    let vod_result = vod_run.wait();
    let live_result = live_run.and_then(FfmpegRun::wait);
    vod_result.context("the VOD encode failed")?;
    live_result.context("the live encode failed")?;
    let ffmpeg_seconds = encode_started.elapsed().as_secs_f64();

    write_vod_extras(&vod)?;
    write_web_videos(&vod, &out.join(WEB_DIR))?;
    write_live_manifest(&live)?;
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

/// Reads what ffmpeg's live muxer wrote in `live/src/` (the master, one playlist
/// and its `.ts` files per variant) into `manifest.json`, hashing every segment
/// (PeerTube's live map), and writes the recording's own hash map beside its VOD
/// playlists (the TS VOD sample).
fn write_live_manifest(live: &Path) -> anyhow::Result<()> {
    let src = live.join(LIVE_SOURCE_DIR);
    let master = fs::read_to_string(src.join(LIVE_MASTER)).with_context(|| format!("ffmpeg wrote no live/{LIVE_SOURCE_DIR}/{LIVE_MASTER}"))?;
    let mut variants = Vec::new();
    let mut hashes = serde_json::Map::new();
    for k in 0..LIVE_RENDITIONS.len() {
        let name = k.to_string();
        let playlist = format!("{name}.m3u8");
        let text = fs::read_to_string(src.join(&playlist)).with_context(|| format!("ffmpeg wrote no live/{LIVE_SOURCE_DIR}/{playlist}"))?;
        let listed = playlist::read_media_playlist(&playlist, &text).map_err(anyhow::Error::msg)?;
        let mut segments = Vec::with_capacity(listed.len());
        for (i, segment) in listed.into_iter().enumerate() {
            let expected = crate::live::segment_name(&name, i as u64);
            if segment.range.is_some() || segment.file != expected {
                bail!("live/{LIVE_SOURCE_DIR}/{playlist}: segment {i} is {} (expected the file {expected})", segment.file);
            }
            let bytes = fs::read(src.join(&segment.file)).with_context(|| format!("{playlist} lists a missing {}", segment.file))?;
            let sha256 = hex::encode(sha2::Sha256::digest(&bytes));
            hashes.insert(segment.file.clone(), serde_json::Value::from(sha256.as_str()));
            segments.push(LiveSourceSegment { duration: segment.duration, bytes: bytes.len() as u64, sha256 });
        }
        variants.push(LiveVariant { name, segments });
    }
    let manifest = LiveManifest { master, variants };
    // Checks the variants line up, as the server needs them to.
    LiveLoop::new(manifest.clone(), crate::live::WINDOW_SEGMENTS).map_err(anyhow::Error::msg)?;
    fs::write(live.join(MANIFEST_FILE), serde_json::to_string_pretty(&manifest)? + "\n")?;
    fs::write(src.join(crate::live::HASHES_FILE), serde_json::Value::Object(hashes).to_string())?;
    Ok(())
}
