//! `tubeswarm-bench-parse FILE [--repeats N]`: times tubeswarm's playlist parser
//! (`tubeswarm::hls::parse_playlist`, the code the wasm build runs) natively over
//! one playlist file, N times after one warm-up, and prints JSON:
//! `{"segments", "bytes", "repeats", "median_ms", "min_ms", "mb_per_s"}`.
//! bench/parse.mjs feeds it the same 10,000-segment playlist the Chromium pages parse.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: tubeswarm-bench-parse FILE [--repeats N]");
        std::process::exit(2);
    };
    let repeats: usize = match (args.next().as_deref(), args.next()) {
        (Some("--repeats"), Some(n)) => n.parse().unwrap_or(20),
        _ => 20,
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("tubeswarm-bench-parse: {path}: {e}");
            std::process::exit(1);
        }
    };
    let url = "https://example.org/static/streaming-playlists/hls/uuid/720.m3u8";
    let parse = || match tubeswarm::hls::parse_playlist(&text, url) {
        Ok(p) => tubeswarm::hls::Summary::of(&p),
        Err(e) => {
            eprintln!("tubeswarm-bench-parse: {path}: {e}");
            std::process::exit(1);
        }
    };
    let summary = parse(); // warm-up, and the segment count
    let mut times: Vec<f64> = (0..repeats.max(1))
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(parse());
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let out = serde_json::json!({
        "segments": serde_json::to_value(&summary).ok().and_then(|s| s.get("segments").cloned()),
        "bytes": text.len(),
        "repeats": times.len(),
        "median_ms": median,
        "min_ms": times[0],
        "mb_per_s": text.len() as f64 / 1e6 / (median / 1000.0),
    });
    println!("{out}");
}
