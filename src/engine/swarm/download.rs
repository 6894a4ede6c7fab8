//! Downloads from peers: whom to ask (expected delivery: round trip plus
//! transfer at the measured rate, requests spread over peers about as quick),
//! asking (resuming a given-up transfer from its byte offset), and giving up.
//! The answers are handled with the other commands in `mod.rs`.

use super::{send, Download, Peer, Swarm, COMPARABLE_DELIVERY, UNMEASURED_OPTIMISTIC_BPS};
use crate::engine::io::{ConnId, Output};
use crate::p2p::Command;

impl Swarm {
    /// A connected peer that holds `segment_id` and is not busy, for a segment
    /// of `bits`: a peer not measured yet first (so it gets measured), else
    /// among those whose expected delivery (round trip plus transfer at the
    /// measured rate) is within `COMPARABLE_DELIVERY` of the quickest, the one
    /// asked least recently.
    pub fn best_peer_for(&self, segment_id: i64, bits: f64) -> Option<ConnId> {
        self.best_peer_except(segment_id, bits, None)
    }

    /// `best_peer_for`, leaving out `except` (the peer a slow transfer is
    /// being moved away from).
    pub fn best_peer_except(&self, segment_id: i64, bits: f64, except: Option<ConnId>) -> Option<ConnId> {
        let idle: Vec<&Peer> = self
            .peers
            .values()
            .filter(|p| p.open && p.download.is_none() && p.loaded.contains(segment_id) && Some(p.conn) != except)
            .collect();
        let delivery = |p: &Peer| p.delivery_s(bits, UNMEASURED_OPTIMISTIC_BPS);
        if let Some(p) = idle.iter().filter(|p| p.throughput_bps == 0.0).min_by_key(|p| p.last_asked_ms) {
            return Some(p.conn);
        }
        let quickest = idle.iter().map(|p| delivery(p)).min_by(f64::total_cmp)?;
        idle.iter().filter(|p| delivery(p) <= quickest * COMPARABLE_DELIVERY).min_by_key(|p| (p.last_asked_ms, p.conn)).map(|p| p.conn)
    }

    /// The expected delivery (seconds) of `bits` from `conn`.
    pub fn delivery_s(&self, conn: ConnId, bits: f64, unmeasured_bps: f64) -> Option<f64> {
        self.peers.get(&conn).map(|p| p.delivery_s(bits, unmeasured_bps))
    }

    /// Ask `conn` for a segment. `expected_size`: from the playlist's byte range.
    /// When an earlier transfer of it was given up, only the rest is asked for
    /// (the wire's `byte_from`, as p2p-media-loader resumes).
    pub fn request(&mut self, now_ms: u64, conn: ConnId, segment_id: i64, expected_size: Option<usize>, out: &mut Vec<Output>) {
        let request_id = i64::from(self.random() % 1000);
        let Some(p) = self.peers.get_mut(&conn) else { return };
        let resumed = self.partials.take(segment_id).filter(|r| expected_size.is_none_or(|e| e == r.total));
        let byte_from = resumed.as_ref().map(|r| r.bytes.len() as i64);
        p.last_asked_ms = now_ms;
        p.download = Some(Download {
            segment_id,
            request_id,
            size: None,
            expected_size,
            bytes: Vec::new(),
            started_ms: now_ms,
            header_ms: None,
            last_progress_ms: now_ms,
            resumed,
        });
        send(conn, &Command::SegmentRequest { id: segment_id, request_id, byte_from }, out);
    }

    /// The segment came another way (HTTP, or whole from a peer): its kept
    /// first bytes are no longer needed.
    pub fn forget_partial(&mut self, segment_id: i64) {
        self.partials.forget(segment_id);
    }

    /// Bytes kept from given-up transfers, for a segment.
    pub fn partial_len(&self, segment_id: i64) -> usize {
        self.partials.len_of(segment_id)
    }

    /// Give up the download from `conn` (the engine found it too slow or no
    /// longer needed, or it went silent); its segment id. What it delivered
    /// counts as a speed sample (at least a byte: a peer that sent nothing is
    /// measured as slow, not left unmeasured), so a peer too slow for its
    /// deadlines is not asked again on a guess; its bytes are kept for the
    /// next peer asked.
    pub fn cancel_download(&mut self, now_ms: u64, conn: ConnId, out: &mut Vec<Output>) -> Option<i64> {
        let p = self.peers.get_mut(&conn)?;
        let d = p.download.take()?;
        p.sample_throughput(d.bytes.len().max(1), d.receiving_ms(now_ms));
        send(conn, &Command::CancelSegmentRequest { id: d.segment_id, request_id: d.request_id }, out);
        let segment_id = d.segment_id;
        self.partials.keep(p.peer_id.as_deref(), d);
        Some(segment_id)
    }
}
