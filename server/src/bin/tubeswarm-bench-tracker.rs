//! `tubeswarm-bench-tracker --url ws://HOST:PORT/PATH --pid PID [--clients N]
//! [--hashes K] [--rate R] [--seconds S] [--json]`: a WebSocket load generator for
//! a WebTorrent tracker. It opens N sockets (at most ~500 at once while
//! connecting), each joins K info_hashes, then every socket announces on each of
//! its info_hashes R times per second (spread evenly, with jitter) for S seconds.
//! `--rate 0` is the saturation mode instead: every socket keeps one announce in
//! flight per info_hash, sending the next as soon as one is answered, so the
//! answered rate is what the tracker (and this one-thread client) can carry.
//! It counts the announces the tracker answered (an `announce` reply with
//! `interval` or `complete`), the failures, and the tracker process's resident
//! memory (`VmRSS` of /proc/PID/status) at the end of the steady phase.
//!
//! The same client talks to tubeswarm's tracker and to npm's `bittorrent-tracker`:
//! the messages are WebTorrent announces without offers (`numwant: 0`), so the
//! figure is the tracker's own work per announce, not WebRTC relaying.
//! Raise `ulimit -n` above N + 100 first (bench/tracker.mjs does).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::Message;

struct Args {
    url: String,
    pid: Option<u32>,
    clients: usize,
    hashes: usize,
    rate: f64,
    seconds: f64,
    json: bool,
}

#[derive(Default)]
struct Counters {
    connected: AtomicU64,
    connect_failed: AtomicU64,
    sent: AtomicU64,
    answered: AtomicU64,
    failures: AtomicU64,
    closed: AtomicU64,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args { url: String::new(), pid: None, clients: 1000, hashes: 2, rate: 0.5, seconds: 10.0, json: false };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--json" {
            a.json = true;
            continue;
        }
        let v = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let num = |v: &str| v.parse::<f64>().map_err(|_| format!("{flag}: not a number: {v}"));
        match flag.as_str() {
            "--url" => a.url = v,
            "--pid" => a.pid = Some(num(&v)? as u32),
            "--clients" => a.clients = num(&v)? as usize,
            "--hashes" => a.hashes = num(&v)?.max(1.0) as usize,
            "--rate" => a.rate = num(&v)?,
            "--seconds" => a.seconds = num(&v)?,
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if a.url.is_empty() {
        return Err("--url is required".into());
    }
    Ok(a)
}

/// A 20-character id (the trackers take 20-byte binary strings; ASCII is one byte each).
fn id20(prefix: &str, n: usize) -> String {
    format!("{prefix}{n:0>width$}", width = 20 - prefix.len())
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One simulated viewer: connect, announce `started` on each hash, then announce
/// steadily until `steady_from + seconds`. Answers are counted only in the steady
/// phase, so that connection set-up does not dilute the rate.
async fn client(
    n: usize,
    args: Arc<Args>,
    counters: Arc<Counters>,
    connecting: Arc<Semaphore>,
    steady_from: Instant,
    stop_at: Instant,
) {
    let permit = connecting.acquire().await;
    let ws = match tokio::time::timeout(Duration::from_secs(20), tokio_tungstenite::connect_async(&args.url)).await {
        Ok(Ok((ws, _))) => ws,
        _ => {
            counters.connect_failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    drop(permit);
    counters.connected.fetch_add(1, Ordering::Relaxed);
    let (mut tx, mut rx) = ws.split();
    let peer_id = id20("-BENCH-", n);
    let hashes: Vec<String> = (0..args.hashes).map(|k| id20("bench-hash-", (n + k * 7919) % 1000)).collect();
    let announce = |hash: &str, event: Option<&str>| {
        let mut m = json!({"action": "announce", "info_hash": hash, "peer_id": peer_id, "numwant": 0,
            "uploaded": 0, "downloaded": 0, "offers": []});
        if let Some(e) = event {
            m["event"] = json!(e);
        }
        Message::text(m.to_string())
    };
    let reader_counters = counters.clone();
    // Saturation mode: each answer lets the writer send the next announce.
    let (answered_tx, mut answered_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let reader = tokio::spawn(async move {
        while let Some(Ok(msg)) = rx.next().await {
            let Message::Text(text) = msg else { continue };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else { continue };
            if v.get("failure reason").is_some() {
                reader_counters.failures.fetch_add(1, Ordering::Relaxed);
            } else if v["action"] == "announce" && (v.get("interval").is_some() || v.get("complete").is_some()) {
                if Instant::now() >= steady_from && Instant::now() < stop_at {
                    reader_counters.answered.fetch_add(1, Ordering::Relaxed);
                }
                let _ = answered_tx.send(());
            }
        }
        reader_counters.closed.fetch_add(1, Ordering::Relaxed);
    });
    for hash in &hashes {
        if tx.send(announce(hash, Some("started"))).await.is_err() {
            return;
        }
    }
    if args.rate <= 0.0 {
        // The `started` answers arrive during the ramp; from the steady phase on,
        // one new announce per answer, round-robin over the hashes.
        tokio::time::sleep_until(steady_from.into()).await;
        while answered_rx.try_recv().is_ok() {} // the `started` answers: not ours to follow
        for hash in &hashes {
            if tx.send(announce(hash, None)).await.is_err() {
                return;
            }
            counters.sent.fetch_add(1, Ordering::Relaxed);
        }
        let mut next = 0;
        while let Ok(Some(())) = tokio::time::timeout_at(stop_at.into(), answered_rx.recv()).await {
            next = (next + 1) % hashes.len();
            if tx.send(announce(&hashes[next], None)).await.is_err() {
                return;
            }
            counters.sent.fetch_add(1, Ordering::Relaxed);
        }
        let _ = tx.send(Message::Close(None)).await;
        reader.abort();
        return;
    }
    // Steady phase: one announce per hash every 1/rate s, phase-shifted per client.
    let period = Duration::from_secs_f64(1.0 / args.rate.max(0.001));
    let offset = period.mul_f64(fastrand::f64());
    let start = steady_from.max(Instant::now()) + offset;
    let mut tick = tokio::time::interval_at(start.into(), period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if Instant::now() >= stop_at {
            break;
        }
        for hash in &hashes {
            if tx.send(announce(hash, None)).await.is_err() {
                return;
            }
            counters.sent.fetch_add(1, Ordering::Relaxed);
        }
    }
    // Let the last answers arrive, then leave.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = tx.send(Message::Close(None)).await;
    reader.abort();
}

fn main() {
    let args = match parse_args() {
        Ok(a) => Arc::new(a),
        Err(e) => {
            eprintln!("tubeswarm-bench-tracker: {e}");
            std::process::exit(2);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
    let report = runtime.block_on(async {
        let counters = Arc::new(Counters::default());
        let connecting = Arc::new(Semaphore::new(500));
        let rss_before = args.pid.and_then(rss_kib);
        // Connection ramp: allow ~1 s per 1,000 clients, at least 3 s.
        let ramp = Duration::from_secs_f64((args.clients as f64 / 1000.0).max(3.0));
        let t0 = Instant::now();
        let steady_from = t0 + ramp;
        let stop_at = steady_from + Duration::from_secs_f64(args.seconds);
        let mut tasks = Vec::with_capacity(args.clients);
        for n in 0..args.clients {
            tasks.push(tokio::spawn(client(n, args.clone(), counters.clone(), connecting.clone(), steady_from, stop_at)));
        }
        // Peak memory: sampled during the steady phase, every 250 ms.
        let mut rss_peak = 0;
        while Instant::now() < stop_at {
            tokio::time::sleep(Duration::from_millis(250)).await;
            if let Some(r) = args.pid.and_then(rss_kib) {
                rss_peak = rss_peak.max(r);
            }
        }
        let rss_end = args.pid.and_then(rss_kib);
        for t in tasks {
            let _ = t.await;
        }
        let c = &counters;
        let answered = c.answered.load(Ordering::Relaxed);
        json!({
            "clients": args.clients,
            "hashes_per_client": args.hashes,
            "rate_per_hash": args.rate,
            "seconds": args.seconds,
            "connected": c.connected.load(Ordering::Relaxed),
            "connect_failed": c.connect_failed.load(Ordering::Relaxed),
            "sent": c.sent.load(Ordering::Relaxed),
            "answered": answered,
            "failures": c.failures.load(Ordering::Relaxed),
            "answered_per_s": answered as f64 / args.seconds,
            "offered_per_s": if args.rate > 0.0 { Some(args.clients as f64 * args.hashes as f64 * args.rate) } else { None },
            "rss_before_kib": rss_before,
            "rss_peak_kib": rss_peak,
            "rss_end_kib": rss_end,
        })
    });
    runtime.shutdown_timeout(Duration::from_secs(1));
    if args.json {
        println!("{report}");
    } else {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    }
}
