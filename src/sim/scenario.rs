//! Named swarm runs and their figures: what the benchmark prints and the tests
//! bound.

use serde::Serialize;

use super::{sample_live, sample_vod, Behaviour, SwarmSim};
use crate::engine::{Config, LevelChoice};

/// A run: `viewers` join evenly over `join_over_ms`, then everyone plays until
/// `duration_ms` after the first joined.
#[derive(Debug, Clone, Copy)]
pub struct Scenario {
    pub viewers: usize,
    pub join_over_ms: u64,
    pub duration_ms: u64,
    pub p2p: bool,
    pub live: bool,
    /// Live only: how many segments behind the edge viewers play (hls.js: 3).
    pub live_sync_segments: usize,
}

/// What a run measured, over all viewers.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub viewers: usize,
    pub p2p: bool,
    pub live: bool,
    /// Bytes from peers / all bytes received.
    pub offload: f64,
    pub origin_bytes: u64,
    pub stalls: u32,
    pub stall_seconds: f64,
    pub startup_median_ms: u64,
    pub startup_max_ms: u64,
}

impl Scenario {
    pub fn run(&self) -> Report {
        let (files, master, hashes, live) = if self.live {
            let s = sample_live(400, 15);
            (s.files, s.master, s.hashes, Some((s.playlist, s.window)))
        } else {
            let s = sample_vod(45);
            (s.files, s.master, s.hashes, None)
        };
        let mut sim = SwarmSim::new(files);
        sim.live = live;
        // A 20 Mbit/s link per viewer; peers at 10 Mbit/s.
        sim.http_bytes_per_ms = 2500.0;
        sim.p2p_bytes_per_ms = 1250.0;
        let step = self.join_over_ms / self.viewers.max(1) as u64;
        for i in 0..self.viewers {
            let config = Config {
                trackers: if self.p2p { vec!["wss://tracker.test/announce".into()] } else { vec![] },
                segment_hashes_url: Some(hashes.clone()),
                start_level: Some(LevelChoice::Fixed(if self.live { 0 } else { 1 })),
                live_sync_segments: self.live_sync_segments,
                seed: 1000 + i as u64,
                ..Config::default()
            };
            sim.join(config, &master, Behaviour::Honest);
            sim.run(step);
        }
        sim.run(self.duration_ms.saturating_sub(step * self.viewers as u64));
        let mut p2p = 0;
        let mut all = 0;
        let mut startups: Vec<u64> = Vec::new();
        let (mut stalls, mut stalled_ms) = (0, 0);
        for v in 0..sim.viewers.len() {
            let (p, a) = sim.bytes_of(v);
            p2p += p;
            all += a;
            let viewer = &sim.viewers[v];
            startups.push(viewer.startup_ms.unwrap_or(u64::MAX));
            stalls += viewer.stalls;
            stalled_ms += viewer.stalled_ms;
        }
        startups.sort_unstable();
        Report {
            viewers: self.viewers,
            p2p: self.p2p,
            live: self.live,
            offload: if all == 0 { 0.0 } else { p2p as f64 / all as f64 },
            origin_bytes: sim.origin_bytes,
            stalls,
            stall_seconds: stalled_ms as f64 / 1000.0,
            startup_median_ms: startups.get(startups.len() / 2).copied().unwrap_or(0),
            startup_max_ms: startups.last().copied().unwrap_or(0),
        }
    }
}
