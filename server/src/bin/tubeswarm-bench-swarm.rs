//! `tubeswarm-bench-swarm [--json FILE] [--viewers 10,30,100] [--vod-only]`: the
//! swarm simulator's figures, each run
//! beside the same run with the high-demand window HTTP's alone ("window off",
//! as before issue 13) and with P2P off. Viewers join over a minute, on a 3-minute
//! VOD (one level, 800 kbit/s) and on a live stream (sliding window of 15 × 4 s,
//! played 6 segments behind the edge, PeerTube's "high latency" idea). Then churn
//! and loss at 30 viewers: Poisson arrivals with 30 % leaving early (half of them
//! crashing), and 10 % of data-channel messages lost (each costs a retransmission
//! timeout), and a third of the viewers' uplinks slower than the stream (40 kB/s,
//! peers for the peer choice to tell apart). Virtual time and seeded randomness:
//! the same figures every run.

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
    runs.push(("VOD 3 min, a third of uplinks at 40 kB/s".into(), Scenario { viewers: 30, slow_uplinks: 1.0 / 3.0, ..Scenario::default() }));

    let mut rows: Vec<(String, [Report; 3], f64)> = Vec::new();
    println!("| stream | viewers | offload ÷ ceiling (now / window off) | origin ÷ one copy (now / window off / HTTP only) | origin MB (now / window off / HTTP only) | stalls, s (now / window off / HTTP only) | startup median/max ms (now / window off / HTTP only) |");
    println!("|---|---|---|---|---|---|---|");
    for (name, base) in runs {
        let started = Instant::now();
        // "now": this build's policy; "window off": the high-demand window
        // HTTP's alone (p2p_in_high_demand off, as before issue 13); P2P off.
        let reports = [base.run(), Scenario { p2p_in_high_demand: false, ..base }.run(), Scenario { p2p: false, ..base }.run()];
        let secs = started.elapsed().as_secs_f64();
        let each = |f: &dyn Fn(&Report) -> String| reports.iter().map(f).collect::<Vec<_>>().join(" / ");
        println!(
            "| {} | {} | {:.1} % ({:.3}) / {:.1} % ({:.3}) | {} | {} | {} | {} |",
            name,
            base.viewers,
            reports[0].offload * 100.0,
            reports[0].offload_of_ceiling,
            reports[1].offload * 100.0,
            reports[1].offload_of_ceiling,
            each(&|r| format!("{:.2}", r.origin_per_copy)),
            each(&|r| format!("{:.1}", r.origin_bytes as f64 / 1e6)),
            each(&|r| format!("{} ({:.1})", r.stalls, r.stall_seconds)),
            each(&|r| format!("{}/{}", r.startup_median_ms, r.startup_max_ms)),
        );
        rows.push((name, reports, secs));
    }
    let ceiling: Vec<String> =
        counts.iter().map(|&n| n as f64).map(|n| format!("{:.1} % for {n}", (n - 1.0) / n * 100.0)).collect();
    println!("\nOffload ceiling (N-1)/N: {}. Simulated in {:.1} s.", ceiling.join(", "), rows.iter().map(|r| r.2).sum::<f64>());
    if let Some(path) = json_path {
        let json: Vec<serde_json::Value> =
            rows.iter().map(|(name, [now, window_off, http], s)| serde_json::json!({"name": name, "p2p": now, "p2p_window_off": window_off, "http_only": http, "simulated_in_s": s})).collect();
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
