//! `tubeswarm-bench-remux FILE.ts... [--repeats N]`: times tubeswarm's MPEG-TS →
//! fMP4 remuxer (`tubeswarm::remux`, the code the wasm build runs) natively over
//! segments in order (one remuxer, contiguous, as a live plays), N times after one
//! warm-up, and prints JSON: `{"segments", "bytes", "repeats", "median_ms",
//! "min_ms", "mb_per_s"}` (input MB per second). bench/remux.mjs gives it the
//! demo live's segments, the same ones the Chromium page remuxes.

use std::time::Instant;

use tubeswarm::remux::{Remuxer, SegmentInfo};

fn main() {
    let mut files = Vec::new();
    let mut repeats = 10usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--repeats" {
            repeats = args.next().and_then(|n| n.parse().ok()).unwrap_or(10);
        } else {
            files.push(a);
        }
    }
    if files.is_empty() {
        eprintln!("usage: tubeswarm-bench-remux FILE.ts... [--repeats N]");
        std::process::exit(2);
    }
    let segments: Vec<Vec<u8>> = files
        .iter()
        .map(|f| {
            std::fs::read(f).unwrap_or_else(|e| {
                eprintln!("tubeswarm-bench-remux: {f}: {e}");
                std::process::exit(1);
            })
        })
        .collect();
    let bytes: usize = segments.iter().map(Vec::len).sum();
    let run = || {
        let mut remuxer = Remuxer::new();
        let mut out = 0usize;
        for (k, s) in segments.iter().enumerate() {
            let info = SegmentInfo { start: k as f64 * 4.0, discontinuity_sequence: 0, contiguous: k > 0 };
            match remuxer.remux(s, info) {
                Ok(r) => out += r.media.len(),
                Err(e) => {
                    eprintln!("tubeswarm-bench-remux: {}: {e}", files[k]);
                    std::process::exit(1);
                }
            }
        }
        out
    };
    run();
    let mut times: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(run());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let out = serde_json::json!({
        "segments": segments.len(),
        "bytes": bytes,
        "repeats": times.len(),
        "median_ms": median,
        "min_ms": times[0],
        "mb_per_s": bytes as f64 / 1e6 / (median / 1000.0),
    });
    println!("{out}");
}
