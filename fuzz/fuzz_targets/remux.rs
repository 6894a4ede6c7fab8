//! Fuzzes the MPEG-TS demuxer and remuxer (src/remux/): the input as a run of TS
//! segments (`tubeswarm_fuzz::records`, after two header bytes) through one
//! `Remuxer`, in a row, as the engine appends a live stream's segments. In the first
//! header byte, bit 2k says that segment k directly follows segment k − 1, and bit
//! 2k + 1 that it starts a new discontinuity sequence; the second byte picks where on
//! the playlist's timeline the first one starts (a sum of EXTINFs: up to infinity).
//! The first segment also goes through `probe`.
//!
//! Invariants: nothing panics; the fragment is at most a small multiple of its
//! segment (src/remux/mod.rs promises no amplification); its time span is finite and ordered;
//! the init segment's codecs, read back by `codecs_from_init`, are the ones reported.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::codecs::codecs_from_init;
use tubeswarm::remux::{probe, Remuxer, SegmentInfo};

/// Segments per input: two bits of the first header byte each.
const MAX_SEGMENTS: usize = 4;

fuzz_target!(|data: &[u8]| {
    let Some((&[header, timeline], data)) = data.split_first_chunk::<2>() else { return };
    let first_start = [0.0, 3.5, 1e6, 1e12, 1e300, f64::INFINITY, f64::NAN][usize::from(timeline) % 7];
    let mut remuxer = Remuxer::new();
    let mut discontinuity_sequence = 0;
    for (k, ts) in tubeswarm_fuzz::records(data).take(MAX_SEGMENTS).enumerate() {
        if k == 0 {
            let _ = probe(ts);
        }
        let bit = |n: usize| header >> n & 1 == 1;
        let new_sequence = bit(2 * k + 1);
        discontinuity_sequence += u64::from(new_sequence);
        let info = SegmentInfo { start: first_start + k as f64 * 4.0, discontinuity_sequence, contiguous: k > 0 && !new_sequence && bit(2 * k) };
        let Ok(out) = remuxer.remux(ts, info) else { continue };
        assert!(out.media.len() <= 8 * ts.len() + 4096, "{} bytes of fragment from {} of TS", out.media.len(), ts.len());
        assert!(out.start.is_finite() && out.end.is_finite() && out.start <= out.end, "{} .. {}", out.start, out.end);
        assert!(out.has_video || out.has_audio);
        // An MP3 track has no codec in its sample entry (`.mp3`) for the reader to find.
        let without_mp3: Vec<&str> = out.codecs.split(',').filter(|c| *c != "mp3").collect();
        assert_eq!(codecs_from_init(&out.init), Some(without_mp3.join(",")).filter(|c| !c.is_empty()));
    }
});
