//! One peer connection: what the peer holds, the download we run from it and the
//! upload it asked for. Rules from p2p-media-loader 2.3.1 (PROTOCOL.md §4).

use crate::table::IdSet;

use crate::engine::io::ConnId;
use super::partials::Partial;
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
    /// When the SegmentData header arrived: the request's round trip ends
    /// there, and the transfer's rate is measured from there.
    pub header_ms: Option<u64>,
    /// The last time bytes (or the SegmentData header) arrived.
    pub last_progress_ms: u64,
    /// The start of the segment, kept from an earlier transfer that was given
    /// up: this one asked for the rest (`byte_from`), as p2p-media-loader does.
    pub resumed: Option<Partial>,
}

impl Download {
    /// The whole segment's size, when known: what was kept plus what this
    /// transfer announced, or what the playlist says.
    pub fn total_size(&self) -> Option<usize> {
        self.size.map(|s| s + self.kept()).or(self.expected_size)
    }

    /// Bytes kept from the transfers this one resumes.
    pub fn kept(&self) -> usize {
        self.resumed.as_ref().map_or(0, |r| r.bytes.len())
    }

    /// Bytes of the segment held so far, kept ones included.
    pub fn held(&self) -> usize {
        self.kept() + self.bytes.len()
    }

    /// How long its bytes have been arriving: from the SegmentData header (or
    /// the request, before one), so a rate leaves the round trip out.
    pub fn receiving_ms(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.header_ms.unwrap_or(self.started_ms))
    }
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
    pub loaded: IdSet,
    pub loading: IdSet,
    pub download: Option<Download>,
    /// Our SDP (offer or answer) once ICE gathering completed.
    pub local_sdp: Option<String>,
    /// Downloads that timed out since the last success; 3 closes the connection.
    pub timeouts: u32,
    /// Bits per second of its transfers (EWMA, from each one's SegmentData
    /// header to its end), for choosing peers; 0 until measured.
    pub throughput_bps: f64,
    /// Milliseconds from a request to its answer's first message (EWMA); 0
    /// until measured.
    pub rtt_ms: f64,
    /// When we last asked it for a segment (requests spread by it).
    pub last_asked_ms: u64,
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
            loaded: IdSet::new(),
            loading: IdSet::new(),
            download: None,
            local_sdp: None,
            timeouts: 0,
            throughput_bps: 0.0,
            rtt_ms: 0.0,
            last_asked_ms: 0,
            downloaded_bytes: 0,
            uploaded_bytes: 0,
        }
    }

    /// Record a transfer's speed.
    pub fn sample_throughput(&mut self, bytes: usize, elapsed_ms: u64) {
        let bps = bytes as f64 * 8000.0 / elapsed_ms.max(1) as f64;
        self.throughput_bps = ewma(self.throughput_bps, bps);
    }

    /// Record a request's round trip.
    pub fn sample_rtt(&mut self, ms: u64) {
        // At least a millisecond, so a measured peer never reads as unmeasured.
        self.rtt_ms = ewma(self.rtt_ms, ms.max(1) as f64);
    }

    /// How long `bits` would take from this peer (seconds): its round trip
    /// plus the transfer at its measured rate, or at `unmeasured_bps` for a
    /// peer not measured yet.
    pub fn delivery_s(&self, bits: f64, unmeasured_bps: f64) -> f64 {
        let bps = if self.throughput_bps > 0.0 { self.throughput_bps } else { unmeasured_bps };
        self.rtt_ms / 1000.0 + bits / bps.max(1.0)
    }
}

/// An exponentially weighted moving average that starts at its first sample.
fn ewma(old: f64, sample: f64) -> f64 {
    if old == 0.0 {
        sample
    } else {
        0.7 * old + 0.3 * sample
    }
}
