//! The seeder's progress line: segments held, peers, bytes uploaded and the
//! upload rate since the last line.

use std::time::Instant;

/// What the seeder is doing, as the progress line and the tests see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Status {
    /// Verified segments held, of all the segments of the seeded streams.
    pub held: usize,
    pub total: usize,
    /// Connected peers (data channel open), over all streams.
    pub peers: usize,
    pub uploaded_bytes: u64,
    /// Every segment was tried.
    pub fetched: bool,
}

/// Remembers the last line, for the rate.
pub struct Progress {
    last_at: Instant,
    last_uploaded: u64,
}

impl Progress {
    pub fn new(now: Instant) -> Progress {
        Progress { last_at: now, last_uploaded: 0 }
    }

    /// The line for `status` now, e.g. `segments 412/412 held, 3 peers, uploaded
    /// 12.5 MB (1.20 Mbit/s)`.
    pub fn line(&mut self, status: &Status, now: Instant) -> String {
        let secs = now.duration_since(self.last_at).as_secs_f64().max(1e-3);
        let rate = status.uploaded_bytes.saturating_sub(self.last_uploaded) as f64 * 8.0 / secs / 1e6;
        self.last_at = now;
        self.last_uploaded = status.uploaded_bytes;
        let fetching = if status.fetched { "" } else { " (fetching)" };
        format!(
            "segments {}/{} held{fetching}, {} peer{}, uploaded {:.1} MB ({rate:.2} Mbit/s)",
            status.held,
            status.total,
            status.peers,
            if status.peers == 1 { "" } else { "s" },
            status.uploaded_bytes as f64 / 1e6
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_rate_is_since_the_last_line() {
        let t0 = Instant::now();
        let mut p = Progress::new(t0);
        let mut s = Status { held: 3, total: 10, peers: 1, uploaded_bytes: 1_000_000, fetched: false };
        assert_eq!(p.line(&s, t0 + Duration::from_secs(2)), "segments 3/10 held (fetching), 1 peer, uploaded 1.0 MB (4.00 Mbit/s)");
        s.fetched = true;
        s.peers = 2;
        assert_eq!(p.line(&s, t0 + Duration::from_secs(4)), "segments 3/10 held, 2 peers, uploaded 1.0 MB (0.00 Mbit/s)");
    }
}
