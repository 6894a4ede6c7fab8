//! `tubeswarm-bench-swarm [--json FILE] [--viewers 10,30,100] [--vod-only]`: the
//! swarm simulator's figures, each run
//! beside the same run with P2P off. Viewers join over a minute, on a 3-minute
//! VOD (one level, 800 kbit/s) and on a live stream (sliding window of 15 × 4 s,
//! played 6 segments behind the edge, PeerTube's "high latency" idea). Then churn
//! and loss at 30 viewers: Poisson arrivals with 30 % leaving early (half of them
//! crashing), and 10 % of data-channel messages lost (each costs a retransmission
//! timeout). Virtual time and seeded randomness: the same figures every run.

use std::time::Instant;

use tubeswarm::sim::{Report, Scenario};

fn main() {
    let arg = |flag: &str| std::env::args().skip_while(|a| a != flag).nth(1);
    let json_path = arg("--json");
    let counts: Vec<usize> = arg("--viewers")
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 30, 100]);
    let streams: &[bool] = if std::env::args().any(|a| a == "--vod-only") { &[false] } else { &[false, true] };
    let mut runs: Vec<(String, Scenario)> = Vec::new();
    for &live in streams {
        for &viewers in &counts {
            runs.push((stream_name(live).into(), Scenario { viewers, live, ..Scenario::default() }));
        }
    }
    let churn = Scenario { viewers: 30, poisson: true, leave_early: 0.3, ..Scenario::default() };
    for &live in streams {
        runs.push((format!("{}, Poisson joins, 30 % leave early (half crash)", stream_name(live)), Scenario { live, ..churn }));
    }
    runs.push(("VOD 3 min, 10 % of P2P messages lost".into(), Scenario { viewers: 30, p2p_loss: 0.1, ..Scenario::default() }));

    let mut rows: Vec<(String, Report, Report, f64)> = Vec::new();
    println!("| stream | viewers | offload (P2P) | origin MB (P2P / HTTP only) | stalls, s (P2P / HTTP only) | startup median/max ms (P2P / HTTP only) |");
    println!("|---|---|---|---|---|---|");
    for (name, base) in runs {
        let started = Instant::now();
        let with = base.run();
        let without = Scenario { p2p: false, ..base }.run();
        let secs = started.elapsed().as_secs_f64();
        println!(
            "| {} | {} | {:.1} % | {:.1} / {:.1} | {} ({:.1}) / {} ({:.1}) | {}/{} / {}/{} |",
            name,
            base.viewers,
            with.offload * 100.0,
            with.origin_bytes as f64 / 1e6,
            without.origin_bytes as f64 / 1e6,
            with.stalls,
            with.stall_seconds,
            without.stalls,
            without.stall_seconds,
            with.startup_median_ms,
            with.startup_max_ms,
            without.startup_median_ms,
            without.startup_max_ms,
        );
        rows.push((name, with, without, secs));
    }
    let ceiling: Vec<String> =
        counts.iter().map(|&n| n as f64).map(|n| format!("{:.1} % for {n}", (n - 1.0) / n * 100.0)).collect();
    println!("\nOffload ceiling (N-1)/N: {}. Simulated in {:.1} s.", ceiling.join(", "), rows.iter().map(|r| r.3).sum::<f64>());
    if let Some(path) = json_path {
        let json: Vec<serde_json::Value> =
            rows.iter().map(|(name, w, wo, s)| serde_json::json!({"name": name, "p2p": w, "http_only": wo, "simulated_in_s": s})).collect();
        if let Err(e) = std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap_or_default()) {
            eprintln!("tubeswarm-bench-swarm: cannot write {path}: {e}");
            std::process::exit(1);
        }
    }
}

fn stream_name(live: bool) -> &'static str {
    if live {
        "live"
    } else {
        "VOD 3 min"
    }
}
