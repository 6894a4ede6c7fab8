//! Tracker signalling of one swarm: the WebSocket tracker's socket state, the
//! offers of each announce (sent once their ICE gathering is done), the offers
//! and answers the tracker relays, and when to announce again: at the tracker's
//! interval, or early when this viewer lost its last peer while the tracker
//! counts others.

use super::peer::{Peer, Role};
use super::tracker::{self, Offer, TrackerEvent};
use super::{Swarm, SwarmEvent, EARLY_ANNOUNCE_MS, OFFERS_PER_ANNOUNCE};
use crate::engine::io::{ConnId, Output, TrackerId};

#[derive(Debug, Clone)]
pub(super) struct TrackerState {
    pub(super) url: String,
    pub(super) open: bool,
    /// Reconnect attempts since the last success.
    pub(super) retries: u32,
    pub(super) reconnect_at: Option<u64>,
    pub(super) announce_at: Option<u64>,
    pub(super) interval_ms: u64,
    pub(super) started_sent: bool,
    /// Other peers in the swarm, as the tracker's last announce reply counted
    /// them (`complete + incomplete`, less this viewer); `None` if it did not say.
    pub(super) others: Option<u64>,
    /// Early announces (`EARLY_ANNOUNCE_MS`) since the last one on the interval,
    /// and whether the one scheduled now is early.
    pub(super) early_announces: u32,
    pub(super) early: bool,
    /// Offers being prepared for the next announce, and since when.
    pub(super) batch: Vec<ConnId>,
    pub(super) batch_started_ms: u64,
}

impl Swarm {
    pub fn on_tracker_open(&mut self, now_ms: u64, tracker: TrackerId, out: &mut Vec<Output>) {
        let Some(tracker) = self.local(tracker) else { return };
        let Some(t) = self.trackers.get_mut(tracker) else { return };
        t.open = true;
        t.retries = 0;
        t.reconnect_at = None;
        self.first_open_ms.get_or_insert(now_ms);
        self.prepare_offers(now_ms, tracker, out);
    }

    pub fn on_tracker_closed(&mut self, now_ms: u64, tracker: TrackerId, reason: String) {
        let Some(tracker) = self.local(tracker) else { return };
        let jitter = u64::from(self.random() % 1000);
        let Some(t) = self.trackers.get_mut(tracker) else { return };
        t.open = false;
        t.announce_at = None;
        t.retries += 1;
        // Exponential backoff from 2 s, capped at 5 minutes, with jitter so a
        // restarted tracker is not hit by every viewer at once.
        let delay = (2_000u64 << t.retries.min(8)).min(300_000) + jitter;
        t.reconnect_at = Some(now_ms + delay);
        self.events.push(SwarmEvent::TrackerWarning { tracker, message: format!("tracker closed: {reason}; reconnecting in {delay} ms") });
    }

    /// Create the offers of the next announce; it goes out when they are ready.
    pub(super) fn prepare_offers(&mut self, now_ms: u64, tracker: TrackerId, out: &mut Vec<Output>) {
        let room = self.config.max_peers.saturating_sub(self.peers.len());
        let n = OFFERS_PER_ANNOUNCE.min(room);
        let mut batch = Vec::new();
        for _ in 0..n {
            let conn = self.new_conn();
            let mut p = Peer::new(conn, Role::Offerer, now_ms);
            p.offer_id = Some(tracker::binary_id(&mut || self.random_for_ids()));
            self.peers.insert(conn, p);
            self.conn_tracker.insert(conn, tracker);
            out.push(Output::CreateOffer { conn });
            batch.push(conn);
        }
        if let Some(t) = self.trackers.get_mut(tracker) {
            t.batch = batch;
            t.batch_started_ms = now_ms;
        }
        self.send_announce_if_ready(now_ms, tracker, false, out);
    }

    fn random_for_ids(&mut self) -> u32 {
        self.random()
    }

    fn new_conn(&mut self) -> ConnId {
        self.next_conn += 1;
        self.next_conn
    }

    pub fn on_offer_ready(&mut self, now_ms: u64, conn: ConnId, sdp: String, out: &mut Vec<Output>) {
        let Some(p) = self.peers.get_mut(&conn) else { return };
        p.local_sdp = Some(sdp);
        if let Some(&tracker) = self.conn_tracker.get(&conn) {
            self.send_announce_if_ready(now_ms, tracker, false, out);
        }
    }

    /// Announce once every offer of the batch has its SDP (or waited long enough).
    pub(super) fn send_announce_if_ready(&mut self, now_ms: u64, tracker: TrackerId, force: bool, out: &mut Vec<Output>) {
        let Some(t) = self.trackers.get(tracker) else { return };
        if !t.open || t.announce_at.is_some_and(|a| a > now_ms) && t.started_sent {
            return;
        }
        let ready: Vec<Offer> = t
            .batch
            .iter()
            .filter_map(|c| self.peers.get(c))
            .filter_map(|p| Some(Offer { offer_id: p.offer_id.clone()?, sdp: p.local_sdp.clone()? }))
            .collect();
        if ready.len() < t.batch.len() && !force {
            return;
        }
        let started = !t.started_sent;
        let text = tracker::announce(&self.config.info_hash, &self.config.peer_id, OFFERS_PER_ANNOUNCE, &ready, started);
        let t = &mut self.trackers[tracker];
        t.started_sent = true;
        t.batch.clear();
        t.announce_at = Some(now_ms + t.interval_ms);
        out.push(Output::TrackerSend { tracker: self.global(tracker), text });
    }

    pub fn on_tracker_message(&mut self, now_ms: u64, tracker: TrackerId, text: &str, out: &mut Vec<Output>) {
        let Some(tracker) = self.local(tracker) else { return };
        let Some(event) = tracker::parse(text, &self.config.info_hash, &self.config.peer_id) else { return };
        match event {
            TrackerEvent::Announced { interval_s, complete, incomplete } => {
                let Some(t) = self.trackers.get_mut(tracker) else { return };
                if complete.is_some() || incomplete.is_some() {
                    t.others = Some((complete.unwrap_or(0) + incomplete.unwrap_or(0)).saturating_sub(1));
                }
                if let Some(s) = interval_s {
                    t.interval_ms = (s.clamp(10, 3600)) * 1000;
                    t.announce_at = Some(now_ms + t.interval_ms);
                }
            }
            TrackerEvent::Offer { peer_id, offer_id, sdp } => {
                if self.peers.len() >= self.config.max_peers || self.has_peer(&peer_id) || self.banned.contains_key(&peer_id) {
                    return;
                }
                let conn = self.new_conn();
                let mut p = Peer::new(conn, Role::Answerer, now_ms);
                p.peer_id = Some(peer_id);
                p.offer_id = Some(offer_id);
                self.peers.insert(conn, p);
                self.conn_tracker.insert(conn, tracker);
                out.push(Output::CreateAnswer { conn, offer_sdp: sdp });
            }
            TrackerEvent::Answer { peer_id, offer_id, sdp } => {
                let already = self.has_peer(&peer_id) || self.banned.contains_key(&peer_id);
                let found = self.peers.iter_mut().map(|(_, p)| p).find(|p| {
                    p.role == Role::Offerer && p.peer_id.is_none() && p.offer_id.as_deref() == Some(offer_id.as_str())
                });
                let Some(p) = found else { return };
                if already {
                    return;
                }
                p.peer_id = Some(peer_id);
                out.push(Output::AcceptAnswer { conn: p.conn, answer_sdp: sdp });
            }
            TrackerEvent::Failure { reason } => self.events.push(SwarmEvent::TrackerWarning { tracker, message: reason }),
        }
    }

    fn has_peer(&self, peer_id: &str) -> bool {
        self.peers.values().any(|p| p.peer_id.as_deref() == Some(peer_id))
    }

    pub fn on_answer_ready(&mut self, conn: ConnId, sdp: String, out: &mut Vec<Output>) {
        let Some(p) = self.peers.get(&conn) else { return };
        let (Some(to), Some(offer_id), Some(&tracker)) = (p.peer_id.clone(), p.offer_id.clone(), self.conn_tracker.get(&conn)) else {
            return;
        };
        let text = tracker::answer(&self.config.info_hash, &self.config.peer_id, &to, &offer_id, &sdp);
        out.push(Output::TrackerSend { tracker: self.global(tracker), text });
    }

    /// No peer is connected any more, but a tracker counted others: announce to
    /// it again soon (`EARLY_ANNOUNCE_MS`, doubling) rather than at its interval.
    /// Peers this viewer banned do not count as others.
    pub(super) fn announce_early_if_alone(&mut self, now_ms: u64) {
        if self.peers.values().any(|p| p.open) {
            return;
        }
        let banned = self.banned.len() as u64;
        for t in &mut self.trackers {
            let others = t.others.is_none_or(|n| n > banned);
            let delay = EARLY_ANNOUNCE_MS << t.early_announces.min(16);
            if !t.open || !others || !t.batch.is_empty() || delay >= t.interval_ms {
                continue;
            }
            let at = now_ms + delay;
            if t.announce_at.is_none_or(|a| a > at) {
                t.announce_at = Some(at);
                t.early = true;
                t.early_announces += 1;
            }
        }
    }
}
