//! When a peer may be asked for a segment, under what deadline, and when its
//! transfer moves to another peer or is given up for HTTP: the timing side of
//! the engine's P2P decisions (`peering.rs` has the rest). Every rule leaves
//! HTTP enough lead to fetch the segment itself when a peer fails, so nothing a
//! peer does can stall playback while HTTP can serve.

use super::io::{ConnId, Track};
use super::Engine;
use crate::hls::Segment;

/// A peer download whose segment starts closer than this to the playhead is
/// abandoned for HTTP, which then has this much buffer to work with.
pub const P2P_GIVE_UP_AHEAD_S: f64 = 6.0;

/// Inside the high-demand window, a peer's transfer must fit this many times
/// over in the lead it has before the give-up point...
const IN_WINDOW_DELIVERY_FACTOR: f64 = 2.0;
/// ...plus this margin (seconds): round trips, the peer's queue, jitter.
const IN_WINDOW_MARGIN_S: f64 = 1.0;
/// The throughput assumed of a peer not measured yet (bits/s): a cautious guess
/// (a slow home uplink), so the first transfer from it starts with lead to spare.
const UNMEASURED_PEER_BPS: f64 = 2e6;

/// Closer to the playhead than the give-up point, a peer may still be asked
/// under a deadline (`PeerFetch::deadline_ms`) that leaves HTTP this long (or
/// twice its expected transfer, with a margin, if longer) after it...
const DEADLINE_HTTP_RESERVE_S: f64 = 2.0;
/// ...when the deadline is at least this far off...
const DEADLINE_MIN_BUDGET_S: f64 = 1.0;
/// ...and the peer's transfer, at its measured rate or this optimistic guess
/// for an unmeasured one, fits in it: a wrong guess costs the wasted transfer,
/// never a stall, as HTTP takes over at the deadline with its reserve intact.
const DEADLINE_UNMEASURED_PEER_BPS: f64 = super::swarm::UNMEASURED_OPTIMISTIC_BPS;

/// How often a peer transfer under way is checked for being on course to
/// arrive before it would be given up.
const SLOW_PEER_CHECK_MS: u64 = 500;

/// A segment being fetched from a peer for a track.
#[derive(Debug, Clone)]
pub struct PeerFetch {
    pub conn: ConnId,
    pub segment_id: i64,
    pub segment: Segment,
    /// Given up for HTTP at this time (ms) rather than by position: a fetch
    /// asked for closer to the playhead than the give-up point.
    pub deadline_ms: Option<u64>,
    /// When it was last checked for being on course (`move_slow_peer_fetches`).
    pub checked_ms: u64,
}

impl Engine {
    /// Inside the high-demand window: ask a peer that holds the segment when the
    /// lead before it (its start minus the playhead: what is buffered before it)
    /// leaves room for the peer's delivery, twice over, and a margin, before the
    /// give-up point where `abandon_late_peer_fetches` hands it to HTTP; false
    /// (HTTP now) otherwise. Never waits for the swarm here: inside the window
    /// either a peer is asked now or HTTP is.
    pub(super) fn p2p_in_window(&mut self, now_ms: u64, i: usize, segment: &Segment, position: f64) -> bool {
        let track = self.tracks[i].track;
        if !self.config.p2p_in_high_demand {
            return false;
        }
        let give_up = self.give_up_ahead(track);
        let lead = segment.start - position;
        let bits = self.segment_bits(track, segment);
        let id = self.wire_id(track, segment);
        let Some(swarm) = self.swarm_of(track) else { return false };
        if bits <= 0.0 {
            return false;
        }
        // What is left of it, when a given-up transfer's first bytes are kept.
        let bits = (bits - swarm.partial_len(id) as f64 * 8.0).max(0.0);
        let Some(conn) = swarm.best_peer_for(id, bits) else { return false };
        let delivery_s = swarm.delivery_s(conn, bits, UNMEASURED_PEER_BPS).unwrap_or(f64::INFINITY);
        if lead >= give_up + IN_WINDOW_MARGIN_S + IN_WINDOW_DELIVERY_FACTOR * delivery_s {
            self.ask_peer(now_ms, i, conn, id, segment);
            return true;
        }
        // Closer than that: under a deadline that leaves HTTP its reserve.
        let budget = lead - self.http_reserve_s(track, segment);
        let guess_s = swarm.delivery_s(conn, bits, DEADLINE_UNMEASURED_PEER_BPS).unwrap_or(f64::INFINITY);
        if budget < DEADLINE_MIN_BUDGET_S || IN_WINDOW_DELIVERY_FACTOR * guess_s > budget {
            return false;
        }
        self.ask_peer(now_ms, i, conn, id, segment);
        if let Some(f) = self.tracks[i].peer_fetch.as_mut() {
            f.deadline_ms = Some(now_ms + (budget * 1000.0) as u64);
        }
        true
    }

    /// A segment's size in bits: its byte range's, or the stream's bandwidth
    /// times its duration.
    pub(super) fn segment_bits(&self, track: Track, segment: &Segment) -> f64 {
        match segment.resource.range {
            Some(r) => r.length as f64 * 8.0,
            None => self.bandwidth_of(track) as f64 * segment.duration,
        }
    }

    /// The buffer HTTP must still have when a peer fetch under a deadline is
    /// given up: `DEADLINE_HTTP_RESERVE_S`, or twice the segment's transfer at
    /// the measured HTTP rate plus a margin if longer (all of the lead when
    /// nothing is measured yet).
    pub(super) fn http_reserve_s(&self, track: Track, segment: &Segment) -> f64 {
        DEADLINE_HTTP_RESERVE_S.max(self.http_transfer_s(track, segment))
    }

    /// Twice a segment's transfer at the measured HTTP rate, plus a margin
    /// (all of any lead when nothing is measured yet).
    pub(super) fn http_transfer_s(&self, track: Track, segment: &Segment) -> f64 {
        let http_s = self.segment_bits(track, segment) / self.bandwidth.bps().max(1.0);
        IN_WINDOW_DELIVERY_FACTOR * http_s + IN_WINDOW_MARGIN_S
    }

    /// The earliest deadline of a peer fetch (`PeerFetch::deadline_ms`), or
    /// its next check for being on course.
    pub(super) fn next_peer_deadline(&self) -> Option<u64> {
        let fetches = self.tracks.iter().filter_map(|t| t.peer_fetch.as_ref());
        fetches.flat_map(|f| [f.deadline_ms, Some(f.checked_ms + SLOW_PEER_CHECK_MS)]).flatten().min()
    }

    /// A peer transfer that, at the rate its bytes arrive, would not be done
    /// before it is given up (its deadline, or its segment reaching the give-up
    /// point) moves to another peer holding the segment whose expected delivery
    /// of the rest fits in that time twice over: that peer is asked for the rest
    /// (the wire's `byte_from`), the bytes received kept. Without such a peer
    /// the transfer runs on, and HTTP takes over at the give-up point as before.
    pub(super) fn move_slow_peer_fetches(&mut self, now_ms: u64) {
        let pos = self.pending_seek.unwrap_or(self.playhead.time);
        for i in 0..self.tracks.len() {
            let track = self.tracks[i].track;
            let give_up = self.give_up_ahead(track);
            let Some(f) = self.tracks[i].peer_fetch.as_mut().filter(|f| f.checked_ms + SLOW_PEER_CHECK_MS <= now_ms) else { continue };
            f.checked_ms = now_ms;
            let f = f.clone();
            let Some(swarm) = self.swarm_of(track) else { continue };
            let Some(d) = swarm.peers.get(&f.conn).and_then(|p| p.download.as_ref()) else { continue };
            let Some(total) = d.total_size() else { continue };
            let receiving_ms = d.receiving_ms(now_ms);
            if d.header_ms.is_none() || receiving_ms < SLOW_PEER_CHECK_MS {
                continue; // too early to tell its rate
            }
            let left_s = match f.deadline_ms {
                Some(deadline) => deadline.saturating_sub(now_ms) as f64 / 1000.0,
                None => f.segment.start - pos - give_up,
            };
            let rest_bits = total.saturating_sub(d.held()) as f64 * 8.0;
            let rate_bps = d.bytes.len() as f64 * 8000.0 / receiving_ms as f64;
            if rest_bits <= rate_bps * left_s {
                continue; // on course
            }
            let Some(other) = swarm.best_peer_except(f.segment_id, rest_bits, Some(f.conn)) else { continue };
            let other_s = swarm.delivery_s(other, rest_bits, UNMEASURED_PEER_BPS).unwrap_or(f64::INFINITY);
            if IN_WINDOW_DELIVERY_FACTOR * other_s > left_s {
                continue;
            }
            let mut out = Vec::new();
            if let Some(s) = self.swarm_of_mut(track) {
                s.cancel_download(now_ms, f.conn, &mut out);
            }
            self.outputs.extend(out);
            self.stats.p2p_moved_requests += 1;
            self.ask_peer(now_ms, i, other, f.segment_id, &f.segment);
            if let Some(g) = self.tracks[i].peer_fetch.as_mut() {
                g.deadline_ms = f.deadline_ms;
            }
        }
    }

    /// Ask `conn` for the segment a track needs next (`id` on the wire), and
    /// remember the download as the track's one in flight.
    pub(super) fn ask_peer(&mut self, now_ms: u64, i: usize, conn: ConnId, id: i64, segment: &Segment) {
        let track = self.tracks[i].track;
        let expected = segment.resource.range.map(|r| r.length as usize);
        let mut out = Vec::new();
        if let Some(swarm) = self.swarm_of_mut(track) {
            swarm.request(now_ms, conn, id, expected, &mut out);
        }
        self.outputs.extend(out);
        self.tracks[i].peer_fetch = Some(PeerFetch { conn, segment_id: id, segment: segment.clone(), deadline_ms: None, checked_ms: now_ms });
    }

    /// How close to the playhead a peer download may come before it is given up
    /// for HTTP: P2P_GIVE_UP_AHEAD_S, never more than the track's HTTP window.
    pub(super) fn give_up_ahead(&self, track: Track) -> f64 {
        P2P_GIVE_UP_AHEAD_S.min(self.high_demand_window(track))
    }

    /// Give up a peer download whose segment is now close to the playhead (never
    /// later than the HTTP window's edge, so HTTP has that much time), or whose
    /// deadline passed.
    pub(super) fn abandon_late_peer_fetches(&mut self, now_ms: u64) {
        self.move_slow_peer_fetches(now_ms);
        let pos = self.pending_seek.unwrap_or(self.playhead.time);
        let give_up: Vec<(Track, f64)> = self.tracks.iter().map(|t| (t.track, self.give_up_ahead(t.track))).collect();
        let mut out = Vec::new();
        for t in &mut self.tracks {
            let ahead = give_up.iter().find(|(k, _)| *k == t.track).map_or(P2P_GIVE_UP_AHEAD_S, |g| g.1);
            let late = t.peer_fetch.as_ref().is_some_and(|f| match f.deadline_ms {
                Some(deadline) => now_ms >= deadline || f.segment.end() < pos,
                None => f.segment.start < pos + ahead || f.segment.end() < pos,
            });
            if late {
                let f = t.peer_fetch.take().expect("checked");
                if let Some(s) = self.swarms.iter_mut().find(|s| s.owns(f.conn)) {
                    s.cancel_download(now_ms, f.conn, &mut out);
                }
            }
        }
        self.outputs.extend(out);
    }
}
