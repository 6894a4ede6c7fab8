//! The tracker's settings and limits, and the per-address announce counter.
//!
//! Every limit has a default and, when hit, a failure reply that says which limit
//! and its value (see [`crate::tracker::messages::Failure`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Everything a [`crate::tracker::Tracker`] can be told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackerConfig {
    /// The `interval` sent in announce replies (bittorrent-tracker: 120 s for
    /// WebSocket clients). A peer that does not announce again within twice this is
    /// dropped from the swarm.
    pub interval: Duration,
    pub limits: Limits,
    /// Seed of the random choice of the peers that get an announce's offers;
    /// `None` seeds from the system.
    pub seed: Option<u64>,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        TrackerConfig {
            interval: Duration::from_secs(120),
            limits: Limits::default(),
            seed: None,
        }
    }
}

impl TrackerConfig {
    /// How long a peer stays in a swarm after its last announce: interval × 2.
    pub fn peer_ttl(&self) -> Duration {
        self.interval.saturating_mul(2)
    }
}

/// The limits. Each has a default; each refusal is a failure reply naming it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest message handled, in bytes of the WebSocket message (65536, as
    /// aquatic_ws). A larger one gets a failure reply and is otherwise ignored.
    pub max_message_size: usize,
    /// A message larger than this is abuse: the WebSocket layer refuses it and the
    /// connection is closed. Default 16 × `max_message_size` (1 MiB).
    pub max_frame_size: usize,
    /// Offers in one announce (10, as aquatic_ws; p2p-media-loader sends 5).
    pub max_offers: usize,
    /// Announces one IP address may make for one info_hash per
    /// `announce_window` (PeerTube: 15 per 5 min). Answers and `stopped` are not
    /// counted. 0 disables the limit.
    pub max_announces_per_window: u32,
    pub announce_window: Duration,
    /// Open WebSocket connections to the tracker. One past this gets a failure
    /// reply and is closed (code 1013, try again later).
    pub max_connections: usize,
    /// Peers in one swarm; a new peer past this gets a failure reply.
    pub max_peers_per_swarm: usize,
    /// Swarms one connection may be in at once (p2p-media-loader joins one per
    /// rendition).
    pub max_swarms_per_connection: usize,
    /// Info-hashes in one scrape request, and swarms listed by a scrape without
    /// an info_hash.
    pub max_scrape_hashes: usize,
    /// Messages waiting to be written to one connection; past this, messages
    /// relayed to it are dropped (a slow reader does not grow the server's memory).
    pub max_queued_messages: usize,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 65_536,
            max_frame_size: 16 * 65_536,
            max_offers: 10,
            max_announces_per_window: 15,
            announce_window: Duration::from_secs(5 * 60),
            max_connections: 4096,
            max_peers_per_swarm: 1000,
            max_swarms_per_connection: 64,
            max_scrape_hashes: 64,
            max_queued_messages: 256,
            idle_timeout: Duration::from_secs(5 * 60),
        }
    }
}

/// Counts announces per (IP address, info_hash) in fixed windows that start at
/// the first announce of the key (PeerTube resets all its counters every 5 min).
#[derive(Debug, Default)]
pub struct AnnounceCounter {
    windows: HashMap<(IpAddr, String), Window>,
}

#[derive(Debug)]
struct Window {
    start: Instant,
    count: u32,
}

/// An announce that went over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// This announce's number in the window (> the limit).
    pub count: u32,
}

impl AnnounceCounter {
    /// Counts one announce at `now`; `Err` when it is past `limits`' count.
    /// Refused announces are counted too (a client that keeps hammering stays
    /// refused until the window ends).
    pub fn count(
        &mut self,
        ip: IpAddr,
        info_hash: &str,
        now: Instant,
        limits: &Limits,
    ) -> Result<(), OverLimit> {
        if limits.max_announces_per_window == 0 {
            return Ok(());
        }
        let window = self
            .windows
            .entry((ip, info_hash.to_owned()))
            .or_insert(Window {
                start: now,
                count: 0,
            });
        if now.saturating_duration_since(window.start) >= limits.announce_window {
            *window = Window {
                start: now,
                count: 0,
            };
        }
        window.count = window.count.saturating_add(1);
        if window.count > limits.max_announces_per_window {
            Err(OverLimit {
                count: window.count,
            })
        } else {
            Ok(())
        }
    }

    /// Forgets the windows that have ended.
    pub fn sweep(&mut self, now: Instant, window: Duration) {
        self.windows
            .retain(|_, w| now.saturating_duration_since(w.start) < window);
    }

    pub fn len(&self) -> usize {
        self.windows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.windows.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_ip_and_info_hash_in_windows() {
        let limits = Limits {
            max_announces_per_window: 2,
            announce_window: Duration::from_secs(10),
            ..Limits::default()
        };
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        let mut counter = AnnounceCounter::default();
        assert!(counter.count(a, "h1", t0, &limits).is_ok());
        assert!(counter.count(a, "h1", t0, &limits).is_ok());
        assert_eq!(
            counter.count(a, "h1", t0, &limits),
            Err(OverLimit { count: 3 })
        );
        // Another address, another info_hash: their own counts.
        assert!(counter.count(b, "h1", t0, &limits).is_ok());
        assert!(counter.count(a, "h2", t0, &limits).is_ok());
        // Still refused just before the window ends, allowed at its end.
        let late = t0 + Duration::from_millis(9_999);
        assert!(counter.count(a, "h1", late, &limits).is_err());
        let next = t0 + Duration::from_secs(10);
        assert!(counter.count(a, "h1", next, &limits).is_ok());
        counter.sweep(t0 + Duration::from_secs(10), limits.announce_window);
        assert_eq!(counter.len(), 1);
        counter.sweep(t0 + Duration::from_secs(30), limits.announce_window);
        assert!(counter.is_empty());
    }

    #[test]
    fn zero_disables_the_announce_limit() {
        let limits = Limits {
            max_announces_per_window: 0,
            ..Limits::default()
        };
        let mut counter = AnnounceCounter::default();
        let ip: IpAddr = "::1".parse().unwrap();
        for _ in 0..100 {
            assert!(counter.count(ip, "h", Instant::now(), &limits).is_ok());
        }
        assert!(counter.is_empty());
    }
}
