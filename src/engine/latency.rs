//! Live latency modes, as PeerTube offers them: how far behind the live edge a
//! viewer plays decides how many live segments peers can share at all, since
//! anything inside the high-demand window comes over HTTP.

use super::Config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LatencyMode {
    /// Five segments behind the edge (PeerTube's `liveSyncDurationCount` 5).
    #[default]
    Default,
    /// Further behind the edge, so segments are old enough for peers to share
    /// (PeerTube's "high latency": more P2P).
    High,
    /// As close to the edge as the stream allows; peer-to-peer is off, because a
    /// segment this new is never on a peer in time.
    Small,
}

impl LatencyMode {
    /// `"default"`, `"high"` or `"small"`.
    pub fn parse(text: &str) -> Option<LatencyMode> {
        match text {
            "default" => Some(LatencyMode::Default),
            "high" => Some(LatencyMode::High),
            "small" => Some(LatencyMode::Small),
            _ => None,
        }
    }

    /// Segments behind the live edge to start at.
    pub fn live_sync_segments(self) -> usize {
        match self {
            // PeerTube's player (hls-options-builder.ts): 5, 10 and 2.
            LatencyMode::Default => 5,
            LatencyMode::High => 10,
            LatencyMode::Small => 2,
        }
    }

    /// `config` changed for this mode (VOD playback is unaffected except that
    /// small latency turns peer-to-peer off for the whole session).
    pub fn apply(self, mut config: Config) -> Config {
        config.live_sync_segments = self.live_sync_segments();
        if self == LatencyMode::Small {
            config.p2p = false;
        }
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_latency_turns_p2p_off_and_high_plays_further_back() {
        let base = Config::default();
        let small = LatencyMode::Small.apply(base.clone());
        assert!(!small.p2p);
        assert!(small.live_sync_segments < base.live_sync_segments);
        let high = LatencyMode::High.apply(base.clone());
        assert!(high.p2p);
        // Far enough back that a segment leaves the 15 s HTTP window while it is
        // still ahead of the playhead (4 s segments: 8 behind is 32 s).
        assert!(high.live_sync_segments as f64 * 4.0 > base.high_demand_window_s + 8.0);
        assert_eq!(LatencyMode::Default.apply(base.clone()).live_sync_segments, base.live_sync_segments);
    }
}
