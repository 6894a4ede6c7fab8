//! Faults the simulator can throw at its viewers, for the chaos property test
//! (`chaos_tests.rs`) and the loss and churn scenarios: an origin that fails,
//! resets, stalls or sends corrupted or cut bodies; a SourceBuffer out of quota;
//! garbage, forged commands and closed links from peers; a tracker that restarts
//! or says nonsense. Peers that lie in their uploads are `Behaviour`s (mod.rs).
//!
//! Body faults strike media segments only: the init segment and playlists are
//! not covered by the hash map, and a hash map that fails leaves HTTP segments
//! unverifiable by design (PeerTube's player plays them so too), so a corrupted
//! body there would prove nothing about the engine. Failures (a status, a reset,
//! a stall) strike anything but the hash map, whose own failure the engine tests
//! cover.

use std::collections::VecDeque;
use std::sync::Arc;

use super::{Delivery, SwarmSim, INIT};
use crate::engine::{ConnId, Input};
use crate::p2p::{Command, Decoded};

/// What happens to one HTTP response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFault {
    /// An error status (5xx, 404…).
    Status(u16),
    /// The connection is reset: a network error, no status.
    Reset,
    /// The response never comes (the engine's own timeout must end it).
    Stall,
    /// The body arrives with corrupted bytes.
    Corrupt,
    /// Only the first half of the body arrives (marked corrupt, as a wrong hash).
    Truncate,
}

/// One fault, thrown at once with [`SwarmSim::strike`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The viewer's next HTTP response this fault can strike gets it.
    Http { viewer: usize, fault: HttpFault },
    /// The viewer's next append fails with QuotaExceededError.
    AppendQuota { viewer: usize },
    /// These bytes arrive on the viewer's `link`-th data channel (in conn order).
    PeerMessage { viewer: usize, link: usize, bytes: Vec<u8> },
    /// The viewer's `link`-th connection closes (both ends see it).
    PeerClose { viewer: usize, link: usize },
    /// The tracker sends the viewer this text.
    TrackerText { viewer: usize, text: String },
    /// The tracker restarts: every socket closes and it forgets every swarm.
    TrackerRestart,
}

/// The faults waiting for a viewer's next response or append. Bounded: a burst
/// of failures, not an origin that is down for good.
#[derive(Debug, Default)]
pub struct Pending {
    http: VecDeque<HttpFault>,
    quota: u32,
    /// How many faults struck this viewer.
    pub struck: u32,
}

/// At most this many HTTP faults wait at once per viewer.
const MAX_PENDING_HTTP: usize = 3;

impl Pending {
    /// The outcome of a response to `url` after the next fault that applies to it;
    /// `None`: it stalls (never answered).
    pub(super) fn strike_http(&mut self, url: &str, result: Result<Vec<u8>, u16>) -> Option<Result<Vec<u8>, u16>> {
        let Some(&fault) = self.http.front() else { return Some(result) };
        if url.contains("segments-sha256") {
            return Some(result);
        }
        let body_fault = matches!(fault, HttpFault::Corrupt | HttpFault::Truncate);
        let media_segment = matches!(&result, Ok(b) if b.as_slice() != INIT) && url.ends_with(".mp4");
        if body_fault && !media_segment {
            return Some(result);
        }
        self.http.pop_front();
        self.struck += 1;
        match fault {
            HttpFault::Status(status) => Some(Err(status)),
            HttpFault::Reset => Some(Err(0)),
            HttpFault::Stall => None,
            HttpFault::Corrupt => Some(result.map(corrupt)),
            HttpFault::Truncate => Some(result.map(|mut b| {
                b.truncate(b.len() / 2);
                corrupt(b)
            })),
        }
    }

    /// No more faults wait (those that struck stay counted).
    pub fn clear(&mut self) {
        self.http.clear();
        self.quota = 0;
    }

    /// Whether this append fails for quota (and the fault is used up).
    pub(super) fn take_quota(&mut self) -> bool {
        let hit = self.quota > 0;
        if hit {
            self.quota -= 1;
            self.struck += 1;
        }
        hit
    }
}

/// Marks every padding byte of synthetic media corrupt (`,`), as the fake
/// SourceBuffer and the upload check recognise; the length stays.
pub fn mark_corrupt(bytes: &mut [u8]) {
    bytes.iter_mut().filter(|b| **b == b'.').for_each(|b| *b = b',');
}

/// A synthetic segment marked corrupt, even one without padding.
pub fn corrupt(mut body: Vec<u8>) -> Vec<u8> {
    mark_corrupt(&mut body);
    if !body.contains(&b',') {
        body.push(b',');
    }
    body
}

/// A command message as a lying peer sends it: a SegmentData header's size
/// 1,000 bytes off (others unchanged).
pub fn wrong_size(message: Vec<u8>) -> Vec<u8> {
    let body = &message[4..message.len() - 4];
    match Command::decode_body(body) {
        Ok(Decoded::Command(Command::SegmentData { id, request_id, size })) => {
            let size = if size > 1000 { size - 1000 } else { size + 1000 };
            let mut framed = Command::SegmentData { id, request_id, size }.encode(crate::p2p::DEFAULT_MAX_MESSAGE_SIZE);
            if framed.len() == 1 {
                framed.remove(0)
            } else {
                message
            }
        }
        _ => message,
    }
}

impl SwarmSim {
    /// Throws `fault` now.
    pub fn strike(&mut self, fault: Fault) {
        match fault {
            Fault::Http { viewer, fault } => {
                let pending = &mut self.viewers[viewer].faults;
                if pending.http.len() < MAX_PENDING_HTTP {
                    pending.http.push_back(fault);
                }
            }
            Fault::AppendQuota { viewer } => self.viewers[viewer].faults.quota = 1,
            Fault::PeerMessage { viewer, link, bytes } => {
                if let Some(conn) = self.link_of(viewer, link) {
                    self.viewers[viewer].faults.struck += 1;
                    self.feed(viewer, Input::PeerData { conn, data: Arc::from(bytes) });
                }
            }
            Fault::PeerClose { viewer, link } => {
                let Some(conn) = self.link_of(viewer, link) else { return };
                let Some(other) = self.links.remove(&(viewer, conn)) else { return };
                self.links.remove(&(other.viewer, other.conn));
                self.viewers[viewer].faults.struck += 1;
                let at = self.now + self.latency_ms;
                self.later(at, Delivery::Input(viewer, Input::PeerClosed { conn, reason: "connection lost".into() }));
                self.later(at, Delivery::Input(other.viewer, Input::PeerClosed { conn: other.conn, reason: "connection lost".into() }));
            }
            Fault::TrackerText { viewer, text } => {
                self.viewers[viewer].faults.struck += 1;
                self.feed(viewer, Input::TrackerMessage { tracker: 0, text });
            }
            Fault::TrackerRestart => {
                self.swarms.clear();
                self.tracker_restarts += 1;
                for v in 0..self.viewers.len() {
                    self.feed(v, Input::TrackerClosed { tracker: 0, reason: "tracker restarted".into() });
                }
            }
        }
    }

    /// The viewer's `link`-th open connection, in conn order (any, modulo).
    fn link_of(&self, viewer: usize, link: usize) -> Option<ConnId> {
        let mut conns: Vec<ConnId> = self.links.keys().filter(|(v, _)| *v == viewer).map(|(_, c)| *c).collect();
        conns.sort_unstable();
        (!conns.is_empty()).then(|| conns[link % conns.len()])
    }
}
