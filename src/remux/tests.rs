//! The pipeline on small hand-made streams (the ffmpeg-made ones are in tests/remux_ffmpeg.rs).

use super::*;
use crate::remux::adts::tests::header as adts_header;
use crate::remux::ts::tests::{packet, pat, pes, pmt};

const SPS: [u8; 25] = [
    0x67, 0x64, 0x00, 0x1e, 0xac, 0xd9, 0x40, 0xa0, 0x2f, 0xf9, 0x70, 0x11, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00,
    0x03, 0x00, 0x3c, 0x0f, 0x16, 0x2d,
];

/// A PES split into packets of `pid`, continuing the counter in `cc`.
fn packets(ts: &mut Vec<u8>, pid: u16, cc: &mut u8, pes: &[u8]) {
    for (i, chunk) in pes.chunks(184).enumerate() {
        ts.extend(packet(pid, i == 0, *cc, chunk));
        *cc = (*cc + 1) & 15;
    }
}

/// `frames` video frames at 30 fps (the first a keyframe, optionally) and AAC at 48 kHz,
/// starting at `pts0` (the DTS two frames earlier, like x264 with B-frames).
pub(crate) fn segment(pts0: u64, frames: u64, first_key: bool) -> Vec<u8> {
    let mut ts = pat(0x1000);
    ts.extend(pmt(0x1000, &[(0x1B, 0x100, &[]), (0x0F, 0x101, &[])]));
    let (mut vcc, mut acc) = (0u8, 0u8);
    for i in 0..frames {
        let mut au = vec![0, 0, 0, 1, 0x09, 0xF0];
        if i == 0 {
            au.extend_from_slice(&[0, 0, 0, 1]);
            au.extend_from_slice(&SPS);
            au.extend_from_slice(&[0, 0, 1, 0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0]);
        }
        let nal = if i == 0 && first_key { 0x65 } else { 0x41 };
        au.extend_from_slice(&[0, 0, 1, nal]);
        au.extend(std::iter::repeat_n(0x55, 300));
        let t = pts0 + i * 3000;
        packets(&mut ts, 0x100, &mut vcc, &pes(0xE0, t, Some(t - 6000), &au, false));
    }
    // AAC: 1024-sample frames at 48 kHz = 1920 ticks; three frames per PES.
    let audio_frames = frames * 3000 / 1920;
    for k in (0..audio_frames).step_by(3) {
        let mut body = Vec::new();
        for _ in k..(k + 3).min(audio_frames) {
            body.extend(adts_header(2, 3, 2, 20, false));
            body.extend([0x21u8; 20]);
        }
        packets(&mut ts, 0x101, &mut acc, &pes(0xC0, pts0 + k * 1920, None, &body, true));
    }
    ts
}

fn info(start: f64, contiguous: bool) -> SegmentInfo {
    SegmentInfo { start, discontinuity_sequence: 0, contiguous }
}

#[test]
fn a_segment_becomes_init_and_fragment() {
    let mut r = Remuxer::new();
    let out = r.remux(&segment(900_000, 30, true), info(10.0, false)).unwrap();
    assert!(out.init_changed);
    assert_eq!(out.codecs, "avc1.64001e,mp4a.40.2");
    assert!(out.has_video && out.has_audio);
    assert!((out.start - 10.0).abs() < 1e-9, "{}", out.start);
    assert!((out.end - 11.0).abs() < 0.05, "{}", out.end);
    assert_eq!(out.warnings, Vec::<String>::new());
    assert_eq!(&out.media[4..8], b"moof");
    assert_eq!(&out.init[4..8], b"ftyp");
    // The next segment: same init, contiguous times.
    let next = r.remux(&segment(990_000, 30, true), info(11.0, true)).unwrap();
    assert!(!next.init_changed);
    assert!(Arc::ptr_eq(&out.init, &next.init));
    assert!((next.start - 11.0).abs() < 1e-9, "{}", next.start);
    let p = probe(&segment(900_000, 30, true)).unwrap();
    assert_eq!((p.width, p.height, p.codecs.as_str()), (640, 360, "avc1.64001e,mp4a.40.2"));
}

#[test]
fn leading_non_keyframes_are_dropped_unless_contiguous() {
    let mut r = Remuxer::new();
    let out = r.remux(&segment(900_000, 30, false), info(0.0, false)).unwrap();
    assert!(out.warnings.iter().any(|w| w.contains("before the first keyframe")), "{:?}", out.warnings);
    let mut r = Remuxer::new();
    r.remux(&segment(810_000, 30, true), info(0.0, false)).unwrap();
    let out = r.remux(&segment(900_000, 30, false), info(1.0, true)).unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn errors_are_named() {
    let mut r = Remuxer::new();
    assert_eq!(r.remux(&[], info(0.0, false)).err(), Some(RemuxError::NotTransportStream));
    assert_eq!(r.remux(&[0x47; 100], info(0.0, false)).err(), Some(RemuxError::NotTransportStream));
    let mut ts = pat(0x1000);
    ts.extend(pmt(0x1000, &[(0x1B, 0x100, &[]), (0x81, 0x101, &[])]));
    assert_eq!(
        r.remux(&ts, info(0.0, false)).err(),
        Some(RemuxError::UnsupportedCodec("AC-3 (stream type 0x81)".into()))
    );
    let mut ts = pat(0x1000);
    ts.extend(pmt(0x1000, &[]));
    assert!(matches!(r.remux(&ts, info(0.0, false)), Err(RemuxError::NoMedia(_))));
}

/// Every byte position flipped, every truncation: never a panic.
#[test]
fn damaged_segments_never_panic() {
    let good = segment(900_000, 8, true);
    let mut r = Remuxer::new();
    for i in (0..good.len()).step_by(7) {
        let mut bad = good.clone();
        bad[i] ^= 0x5A;
        let _ = r.remux(&bad, info(0.0, i % 2 == 0));
        let _ = r.remux(&good[..i], info(0.0, false));
        let _ = probe(&good[i..]);
    }
    let mut x = 1u32;
    let noise: Vec<u8> = (0..50_000)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            if i % 188 == 0 {
                0x47
            } else {
                x as u8
            }
        })
        .collect();
    let _ = r.remux(&noise, info(f64::NAN, true));
    let _ = r.remux(&noise, SegmentInfo { start: f64::INFINITY, discontinuity_sequence: u64::MAX, contiguous: true });
}
