//! Helpers for tests/remux_ffmpeg.rs: ffmpeg-made fixtures cached under
//! `target/remux-fixtures/<name>/`, ffprobe's packet lists, and a reader for the
//! fragments the remuxer writes (to check its own timeline where ffprobe is not run).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

/// Bump to remake every cached fixture.
const FIXTURE_VERSION: &str = "remux-fixtures-1";

static MAKING: Mutex<()> = Mutex::new(());

pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target").join("remux-fixtures")
}

fn require(tool: &str) {
    let ok = Command::new(tool).arg("-version").output().map(|o| o.status.success()).unwrap_or(false);
    assert!(ok, "{tool} is needed by tests/remux_ffmpeg.rs and was not found on PATH (Debian: apt-get install ffmpeg)");
}

/// A directory made by running ffmpeg with `args` inside it, once: a stamp file
/// holding the arguments marks it done, so later runs reuse it.
pub fn fixture(name: &str, args: &[&str]) -> PathBuf {
    let _guard = MAKING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = fixtures_root().join(name);
    let stamp = format!("{FIXTURE_VERSION}\n{}\n", args.join(" "));
    if std::fs::read_to_string(dir.join("stamp")).ok().as_deref() == Some(stamp.as_str()) {
        return dir;
    }
    require("ffmpeg");
    require("ffprobe");
    let tmp = fixtures_root().join(format!("{name}.tmp"));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let out = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-v", "error", "-y"])
        .args(args)
        .current_dir(&tmp)
        .output()
        .expect("running ffmpeg");
    assert!(out.status.success(), "ffmpeg {} failed:\n{}", args.join(" "), String::from_utf8_lossy(&out.stderr));
    std::fs::write(tmp.join("stamp"), &stamp).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::rename(&tmp, &dir).unwrap();
    dir
}

/// The segments of a variant, in order: `<prefix>000000.ts`, `<prefix>000001.ts`, ...
pub fn segments(dir: &Path, prefix: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for i in 0.. {
        match std::fs::read(dir.join(format!("{prefix}{i:06}.ts"))) {
            Ok(b) => out.push(b),
            Err(_) => break,
        }
    }
    assert!(!out.is_empty(), "no segments {prefix}* in {}", dir.display());
    out
}

/// One packet as ffprobe lists it, times in its stream's time base.
#[derive(Debug, Clone, Copy)]
pub struct ProbedPacket {
    pub video: bool,
    pub pts: i64,
    pub dts: i64,
    pub duration: i64,
}

#[derive(Debug)]
pub struct Probed {
    pub streams: Value,
    pub video: Vec<ProbedPacket>,
    pub audio: Vec<ProbedPacket>,
}

impl Probed {
    pub fn stream(&self, kind: &str) -> &Value {
        self.streams
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["codec_type"] == kind)
            .unwrap_or_else(|| panic!("no {kind} stream"))
    }
}

/// `ffprobe -show_streams -show_packets` of a file; panics with ffprobe's words if it fails.
pub fn ffprobe(path: &Path) -> Probed {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_streams", "-show_packets", "-of", "json"])
        .arg(path)
        .output()
        .expect("running ffprobe");
    assert!(out.status.success(), "ffprobe {} failed: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut probed = Probed { streams: v["streams"].clone(), video: Vec::new(), audio: Vec::new() };
    let int = |p: &Value, k: &str| p[k].as_i64().or_else(|| p[k].as_str().and_then(|s| s.parse().ok()));
    for p in v["packets"].as_array().cloned().unwrap_or_default() {
        let video = p["codec_type"] == "video";
        let Some(pts) = int(&p, "pts") else { continue };
        let pkt =
            ProbedPacket { video, pts, dts: int(&p, "dts").unwrap_or(pts), duration: int(&p, "duration").unwrap_or(0) };
        if video {
            probed.video.push(pkt);
        } else if p["codec_type"] == "audio" {
            probed.audio.push(pkt);
        }
    }
    probed
}

/// One track's run in a fragment, as the remuxer wrote it.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub track_id: u32,
    pub base: u64,
    /// (duration, size, flags, composition offset)
    pub samples: Vec<(u32, u32, u32, i32)>,
}

impl Run {
    pub fn end(&self) -> i64 {
        self.base as i64 + self.samples.iter().map(|s| i64::from(s.0)).sum::<i64>()
    }
    /// (decode time, presentation time) of each sample.
    pub fn times(&self) -> Vec<(i64, i64)> {
        let mut t = self.base as i64;
        self.samples
            .iter()
            .map(|s| {
                let r = (t, t + i64::from(s.3));
                t += i64::from(s.0);
                r
            })
            .collect()
    }
}

fn boxes(mut b: &[u8]) -> Vec<([u8; 4], &[u8])> {
    let mut out = Vec::new();
    while b.len() >= 8 {
        let size = u32::from_be_bytes(b[..4].try_into().unwrap()) as usize;
        assert!(size >= 8 && size <= b.len(), "bad box size {size}");
        out.push((b[4..8].try_into().unwrap(), &b[8..size]));
        b = &b[size..];
    }
    out
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

/// The runs of a moof+mdat, by track id (1 video, 2 audio); also checks each
/// trun's data offset lands inside the mdat with its sizes.
pub fn read_fragment(media: &[u8]) -> (u32, Vec<Run>) {
    let top = boxes(media);
    assert_eq!(top.len(), 2, "moof + mdat");
    assert_eq!(&top[0].0, b"moof");
    assert_eq!(&top[1].0, b"mdat");
    let moof_size = top[0].1.len() + 8;
    let mdat_len = top[1].1.len();
    let mut seq = 0;
    let mut runs = Vec::new();
    for (kind, body) in boxes(top[0].1) {
        if &kind == b"mfhd" {
            seq = be32(body, 4);
        }
        if &kind != b"traf" {
            continue;
        }
        let mut run = Run::default();
        for (k, b) in boxes(body) {
            match &k {
                b"tfhd" => run.track_id = be32(b, 4),
                b"tfdt" => run.base = u64::from_be_bytes(b[4..12].try_into().unwrap()),
                b"trun" => {
                    let version = b[0];
                    let flags = be32(b, 0) & 0xFF_FFFF;
                    let count = be32(b, 4) as usize;
                    let data_offset = be32(b, 8) as usize;
                    let mut at = 12;
                    for _ in 0..count {
                        let mut field = |present: bool| {
                            if present {
                                at += 4;
                                be32(b, at - 4)
                            } else {
                                0
                            }
                        };
                        let d = field(flags & 0x100 != 0);
                        let s = field(flags & 0x200 != 0);
                        let f = field(flags & 0x400 != 0);
                        let c = field(flags & 0x800 != 0);
                        let c = if version == 1 { c as i32 } else { i32::try_from(c).unwrap() };
                        run.samples.push((d, s, f, c));
                    }
                    let size: usize = run.samples.iter().map(|s| s.1 as usize).sum();
                    assert!(data_offset >= moof_size + 8 && data_offset + size <= moof_size + 8 + mdat_len);
                }
                _ => {}
            }
        }
        runs.push(run);
    }
    (seq, runs)
}

pub fn track(runs: &[Run], id: u32) -> Option<&Run> {
    runs.iter().find(|r| r.track_id == id)
}

/// A fixed-seed xorshift32, for reproducible damage.
pub struct XorShift(pub u32);

impl XorShift {
    pub fn next(&mut self) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        self.0
    }
}
