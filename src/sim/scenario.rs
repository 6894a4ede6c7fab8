//! Named swarm runs and their figures: what the benchmark prints and the tests
//! bound.

use serde::Serialize;

use super::{sample_live, sample_vod, Behaviour, Rng, SwarmSim};
use crate::engine::{Config, Event, LevelChoice};

/// A run: `viewers` join over `join_over_ms`, then everyone plays until
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
    /// Arrivals as a Poisson process (uniform times, sorted) rather than evenly spaced.
    pub poisson: bool,
    /// This share of viewers leaves before the end, at a uniform time of its
    /// stay: every other one closes its tab (peers and tracker are told), the
    /// rest vanish as a crashed browser does (peers notice 10 s later).
    pub leave_early: f64,
    /// The chance that a data-channel message is lost (`SwarmSim::p2p_loss`).
    pub p2p_loss: f64,
    /// `Config::p2p_in_high_demand`: false leaves the high-demand window to HTTP
    /// alone, as before issue 13, for the table's side-by-side column.
    pub p2p_in_high_demand: bool,
    /// This share of viewers uploads at `SLOW_UPLINK_BYTES_PER_MS` (a congested
    /// home uplink, slower than the stream's bitrate), the others at the link's
    /// rate: peers that differ, for the peer choice to tell apart.
    pub slow_uplinks: f64,
}

/// A slow viewer's uplink: 40 kB/s (0.32 Mbit/s, under the 0.8 Mbit/s stream).
pub const SLOW_UPLINK_BYTES_PER_MS: u32 = 40;

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            viewers: 10,
            join_over_ms: 60_000,
            duration_ms: 180_000,
            p2p: true,
            live: false,
            live_sync_segments: 6,
            poisson: false,
            leave_early: 0.0,
            p2p_loss: 0.0,
            p2p_in_high_demand: true,
            slow_uplinks: 0.0,
        }
    }
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
    /// Viewers who left before the end (closed or crashed).
    pub left_early: usize,
    /// One copy of what the viewers watched: the bytes of every distinct media
    /// segment any viewer appended.
    pub one_copy_bytes: u64,
    /// What the origin served of media (segments and init segments; not
    /// playlists or the hash map) ÷ `one_copy_bytes`: 1.0 is the physical limit
    /// of a swarm where every segment crosses the origin once.
    pub origin_per_copy: f64,
    /// `offload` ÷ the (N−1)/N ceiling of N viewers.
    pub offload_of_ceiling: f64,
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
        sim.p2p_loss = self.p2p_loss;
        let mut rng = Rng::new(0x5ce7 ^ self.viewers as u64);
        let step = self.join_over_ms / self.viewers.max(1) as u64;
        let mut joins: Vec<u64> = if self.poisson {
            (0..self.viewers).map(|_| (rng.unit() * self.join_over_ms as f64) as u64).collect()
        } else {
            (0..self.viewers as u64).map(|i| i * step).collect()
        };
        joins.sort_unstable();
        let mut left_early = 0;
        for (i, join_at) in joins.into_iter().enumerate() {
            sim.run(join_at.saturating_sub(sim.now));
            let behaviour = if rng.unit() < self.leave_early {
                left_early += 1;
                let at = join_at + 5_000 + (rng.unit() * self.duration_ms.saturating_sub(join_at + 5_000) as f64) as u64;
                if left_early % 2 == 1 { Behaviour::LeavesAt(at) } else { Behaviour::VanishesAt(at) }
            } else if (i as f64 + 0.5) * self.slow_uplinks % 1.0 < self.slow_uplinks {
                Behaviour::Slow(SLOW_UPLINK_BYTES_PER_MS)
            } else {
                Behaviour::Honest
            };
            let config = Config {
                trackers: if self.p2p { vec!["wss://tracker.test/announce".into()] } else { vec![] },
                segment_hashes_url: Some(hashes.clone()),
                start_level: Some(LevelChoice::Fixed(if self.live { 0 } else { 1 })),
                live_sync_segments: self.live_sync_segments,
                seed: 1000 + i as u64,
                p2p_in_high_demand: self.p2p_in_high_demand,
                ..Config::default()
            };
            sim.join(config, &master, behaviour);
        }
        sim.run(self.duration_ms.saturating_sub(sim.now));
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
        let one_copy_bytes = one_copy(&sim);
        let offload = if all == 0 { 0.0 } else { p2p as f64 / all as f64 };
        let n = self.viewers as f64;
        Report {
            viewers: self.viewers,
            p2p: self.p2p,
            live: self.live,
            offload,
            origin_bytes: sim.origin_bytes,
            stalls,
            stall_seconds: stalled_ms as f64 / 1000.0,
            startup_median_ms: startups.get(startups.len() / 2).copied().unwrap_or(0),
            startup_max_ms: startups.last().copied().unwrap_or(0),
            left_early,
            one_copy_bytes,
            origin_per_copy: if one_copy_bytes == 0 { 0.0 } else { sim.origin_media_bytes as f64 / one_copy_bytes as f64 },
            offload_of_ceiling: if n > 1.0 { offload / ((n - 1.0) / n) } else { 0.0 },
        }
    }
}

/// The bytes of every distinct media segment (track, level, sequence) that any
/// viewer appended, whatever its source.
fn one_copy(sim: &SwarmSim) -> u64 {
    let mut seen = std::collections::HashMap::new();
    for v in &sim.viewers {
        for e in &v.events {
            if let Event::Segment { track, level, sequence, bytes, .. } = e {
                seen.insert((*track, *level, *sequence), *bytes);
            }
        }
    }
    seen.values().sum()
}
