//! One peer connection: what the peer holds, the download we run from it and the
//! upload it asked for. Rules from p2p-media-loader 2.3.1 (PROTOCOL.md §4).

use std::collections::BTreeSet;

use crate::engine::io::ConnId;
use crate::p2p::Reassembler;

/// How a connection came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// We created the offer.
    Offerer,
    /// We answered the peer's offer.
    Answerer,
}

/// A segment download from this peer.
#[derive(Debug, Clone)]
pub struct Download {
    pub segment_id: i64,
    pub request_id: i64,
    /// The size the peer announced in SegmentData (`None` until it arrives).
    pub size: Option<usize>,
    /// The size the playlist says, when it has a byte range.
    pub expected_size: Option<usize>,
    pub bytes: Vec<u8>,
    pub started_ms: u64,
    /// The last time bytes (or the SegmentData header) arrived.
    pub last_progress_ms: u64,
}

#[derive(Debug)]
pub struct Peer {
    pub conn: ConnId,
    pub role: Role,
    /// The remote peer id, once the tracker told us.
    pub peer_id: Option<String>,
    /// The offer id this connection belongs to (offers we made, or answered).
    pub offer_id: Option<String>,
    pub open: bool,
    pub created_ms: u64,
    pub reassembler: Reassembler,
    /// Its last announcement: ids held, and ids it is fetching over HTTP.
    pub loaded: BTreeSet<i64>,
    pub loading: BTreeSet<i64>,
    pub download: Option<Download>,
    /// Our SDP (offer or answer) once ICE gathering completed.
    pub local_sdp: Option<String>,
    /// Downloads that timed out since the last success; 3 closes the connection.
    pub timeouts: u32,
    /// Bytes per second of its completed downloads (EWMA), for choosing peers.
    pub throughput_bps: f64,
    pub downloaded_bytes: u64,
    pub uploaded_bytes: u64,
}

impl Peer {
    pub fn new(conn: ConnId, role: Role, now_ms: u64) -> Peer {
        Peer {
            conn,
            role,
            peer_id: None,
            offer_id: None,
            open: false,
            created_ms: now_ms,
            reassembler: Reassembler::new(),
            loaded: BTreeSet::new(),
            loading: BTreeSet::new(),
            download: None,
            local_sdp: None,
            timeouts: 0,
            throughput_bps: 0.0,
            downloaded_bytes: 0,
            uploaded_bytes: 0,
        }
    }

    /// Record a finished download's speed.
    pub fn sample_throughput(&mut self, bytes: usize, elapsed_ms: u64) {
        let bps = bytes as f64 * 8000.0 / elapsed_ms.max(1) as f64;
        self.throughput_bps = if self.throughput_bps == 0.0 { bps } else { 0.7 * self.throughput_bps + 0.3 * bps };
    }
}
