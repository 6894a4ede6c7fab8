//! Segment requests that stall while the buffer runs low.
//!
//! The host reports a request only when it ends (`HttpDone`, `HttpFailed`), so a
//! connection that stopped sending looks like one still working until the hard
//! timeout (`Config::request_timeout_ms`, 20 s): long enough to drain the buffer
//! and stall playback although a mirror, or the origin on a fresh connection,
//! could serve at once. So each segment request is given the time its bytes
//! should take at the bandwidth estimate (twice over, at least a second,
//! doubled on each new attempt). A request past that time is abandoned and
//! asked again (from a mirror, or from the origin at once) only if the buffer
//! ahead of its track is low (under 4 s, or under twice that time): with a full buffer a slow answer costs nothing and
//! waiting wastes no bytes. Tested in `tests.rs` and, in browsers, against the
//! demo server's stalling origin (`tests/e2e/faults.test.mjs`).

use super::*;

/// No segment request is late before this.
const MIN_PATIENCE_MS: u64 = 1_000;
/// A late request is abandoned when the buffer ahead is below this (or below
/// twice its expected time).
const LOW_BUFFER_MS: u64 = 4_000;
/// How often a late request is looked at again while the buffer is fine.
const RECHECK_MS: u64 = 250;
/// A segment is abandoned for lateness at most this many times; after that its
/// request runs to the hard timeout (a link that slow is better waited for than
/// restarted, and a request that keeps being late must not end in a fatal error).
const MAX_ABANDONS: usize = 2;
/// Without a playlist bitrate, what a segment is assumed to weigh (bits per second).
const FALLBACK_BPS: u64 = 1_000_000;

impl Engine {
    /// When a request for `purpose`/`resource`, on its `attempt`-th try, is late;
    /// `None` for what is not a media segment.
    pub(super) fn late_at(&self, purpose: &Purpose, resource: &Resource, attempt: usize, now_ms: u64) -> Option<u64> {
        let Purpose::Segment { level, segment, .. } = purpose else { return None };
        if attempt >= MAX_ABANDONS {
            return None;
        }
        let expected = self.expected_load_ms(*level, segment, resource);
        Some(now_ms + ((2 * expected).max(MIN_PATIENCE_MS) << attempt))
    }

    /// How long a segment's bytes should take at the bandwidth estimate, sharing
    /// the link with the other segment requests under way.
    fn expected_load_ms(&self, level: Option<usize>, segment: &Segment, resource: &Resource) -> u64 {
        let size = |level: Option<usize>, segment: &Segment, resource: &Resource| {
            resource.range.map(|r| r.length).unwrap_or_else(|| {
                let bps = level.and_then(|l| self.levels.get(l)).map_or(FALLBACK_BPS, |l| l.info.bandwidth);
                (bps as f64 * segment.duration / 8.0) as u64
            })
        };
        let others: u64 = self
            .requests
            .active
            .values()
            .filter(|r| r.resource != *resource)
            .map(|r| match &r.purpose {
                Purpose::Segment { level, segment, .. } => size(*level, segment, &r.resource),
                _ => 0,
            })
            .sum();
        let bytes = size(level, segment, resource) + others;
        (bytes as f64 * 8_000.0 / self.bandwidth.bps().max(1.0)) as u64
    }

    /// The earliest moment a request turns late (for `next_timeout`).
    pub(super) fn next_late_check(&self) -> Option<u64> {
        self.requests.active.values().filter_map(|r| r.late_ms).min()
    }

    /// Abandons, and asks again elsewhere, every late segment request whose track
    /// is about to run dry; looks again later at the others.
    pub(super) fn abandon_late_requests(&mut self, now_ms: u64) {
        let late: Vec<RequestId> =
            self.requests.active.iter().filter(|(_, r)| r.late_ms.is_some_and(|t| t <= now_ms)).map(|(id, _)| *id).collect();
        for id in late {
            let Some(req) = self.requests.active.get(&id) else { continue };
            let Purpose::Segment { track, level, segment } = &req.purpose else { continue };
            let expected = self.expected_load_ms(*level, segment, &req.resource);
            let ahead_ms = self
                .tracks
                .iter()
                .find(|t| t.track == *track)
                .map_or(0.0, |t| buffered_ahead(&t.buffered, self.playhead.time) * 1000.0) as u64;
            if ahead_ms >= LOW_BUFFER_MS.max(2 * expected) {
                if let Some(r) = self.requests.active.get_mut(&id) {
                    r.late_ms = Some(now_ms + RECHECK_MS);
                }
                continue;
            }
            let Some(req) = self.requests.active.remove(&id) else { continue };
            let waited = now_ms - req.started_ms;
            self.outputs.push_back(Output::Cancel { id });
            self.clear_in_flight(&req.purpose, id);
            // Tenths of a second by integer arithmetic: a `{:.1}` of an f64 links
            // core's exact float formatter into the wasm build (~5 KB) for this one message.
            let reason = format!("no answer in {waited} ms with {}.{} s buffered", ahead_ms / 1000, ahead_ms % 1000 / 100);
            // Another source now; every one tried, the next round at once (twice the patience).
            self.retry_after_failure(now_ms, req, None, reason, false);
        }
    }
}
