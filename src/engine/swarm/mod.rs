//! The peer-to-peer side of one stream: tracker signalling, peer connections,
//! segment requests to peers and uploads to them. Sans-IO like the rest of the
//! engine: it turns inputs into [`Output`]s and reports what matters to the
//! engine as [`SwarmEvent`]s; the engine decides what to load from whom.
//!
//! Compatible with p2p-media-loader 2.x viewers: same tracker messages, same
//! stream ids and info_hash, same wire protocol (`crate::p2p`).

mod download;
mod partials;
mod peer;
mod signalling;
pub mod tracker;
mod upload;

use crate::table::Table;
use std::sync::Arc;

use super::io::{ConnId, Input, Output, TrackerId, Track};
use super::store::{SegmentStore, StreamKey};
use crate::p2p::{data_chunks, Command, Received, DEFAULT_MAX_MESSAGE_SIZE};
pub use partials::Partial;
pub use peer::{Download, Peer, Role};
use partials::Partials;
pub use upload::UploadBudget;
use upload::UploadSlots;
use signalling::TrackerState;

/// Offers per announce, as p2p-media-loader 2.3.1 sends.
pub const OFFERS_PER_ANNOUNCE: usize = 5;
/// A download with no bytes for this long moves elsewhere (p2pml: 2 s).
pub const P2P_NO_BYTES_TIMEOUT_MS: u64 = 2_000;
/// Timeouts in a row after which a peer is dropped (p2pml: 3).
pub const MAX_PEER_TIMEOUTS: u32 = 3;
/// An offer nobody answered is dropped after this long (p2pml: 50 s).
pub const OFFER_TTL_MS: u64 = 50_000;
/// Announce again this often until the tracker says otherwise (p2pml: 30 s).
pub const DEFAULT_ANNOUNCE_INTERVAL_MS: u64 = 30_000;
/// Offers that have not gathered ICE after this long go out without the stragglers.
pub const OFFER_GATHER_WAIT_MS: u64 = 6_000;
/// A viewer left without a peer while the tracker knows others announces again
/// this long after (then twice as long each time, until the tracker's interval):
/// a failed handshake or a dropped peer is otherwise not retried for the whole
/// interval (120 s at PeerTube's and bittorrent-tracker's), the length of a
/// short video. 5, 10, 20, 40, 80 s: five early announces per interval, inside
/// PeerTube's limit of 15 per 5 minutes.
pub const EARLY_ANNOUNCE_MS: u64 = 5_000;
/// How long after its tracker first opens a swarm counts as forming: its first
/// connections take that long (tracker, ICE, DTLS, SCTP; ~0.8 s on one machine,
/// longer across the Internet), and meanwhile segments with lead to spare wait
/// for them rather than go to HTTP (`Swarm::forming_until`).
pub const FORMING_GRACE_MS: u64 = 2_500;
/// The rate guessed for a peer not measured yet when choosing whom to ask
/// (bits/s): optimistic, so a new peer is tried and measured.
pub const UNMEASURED_OPTIMISTIC_BPS: f64 = 8e6;
/// Peers whose expected delivery is within this factor of the best one's are
/// as good: the one asked least recently of them is asked, so requests spread
/// over the swarm's uplinks rather than all landing on one.
const COMPARABLE_DELIVERY: f64 = 1.5;

/// What the engine needs to know.
#[derive(Debug, Clone, PartialEq)]
pub enum SwarmEvent {
    /// A download from a peer completed with the announced number of bytes
    /// (not verified yet: the engine checks the hash before anything else).
    /// `also_from`: the peer ids that sent its first bytes, when it resumed a
    /// given-up transfer; they answer for the hash as much as `conn` does.
    Received { conn: ConnId, segment_id: i64, bytes: Arc<[u8]>, elapsed_ms: u64, also_from: Vec<String> },
    /// A download failed (absent, timeout, peer gone): fetch it elsewhere.
    Failed { conn: ConnId, segment_id: i64, reason: String },
    PeerConnected { conn: ConnId, peer_id: String },
    PeerLeft { conn: ConnId },
    /// A tracker refused us or sent something wrong.
    TrackerWarning { tracker: TrackerId, message: String },
}

/// Settings of one swarm.
#[derive(Debug, Clone)]
pub struct SwarmConfig {
    pub info_hash: String,
    pub peer_id: String,
    pub trackers: Vec<String>,
    pub max_peers: usize,
    pub upload: bool,
    pub stream: StreamKey,
    /// The SourceBuffer this stream feeds.
    pub track: Track,
    /// This swarm's tracker sockets are `tracker_base + i` for tracker URL i: each
    /// swarm has its own (p2pml shares one per URL; a tracker accepts either).
    pub tracker_base: TrackerId,
    /// Tests only: flip a byte of every segment uploaded.
    pub corrupt_uploads: bool,
    /// Upload at most this many bits per second on average (bursts of 2 s).
    pub upload_limit_bps: Option<u64>,
}

impl SwarmConfig {
    /// A swarm of the first video level's stream, sharing, with no upload
    /// limit, up to 8 peers: the rest as struct update syntax says.
    ///
    /// ```
    /// use tubeswarm::engine::swarm::SwarmConfig;
    /// let config = SwarmConfig { max_peers: 4, ..SwarmConfig::new("4phHtw9IMImWFGckq9fz", "-TS0001-aaaaaaaaaaaa", vec!["wss://tracker.example/announce".into()]) };
    /// assert!(config.upload && config.upload_limit_bps.is_none());
    /// ```
    pub fn new(info_hash: &str, peer_id: &str, trackers: Vec<String>) -> SwarmConfig {
        SwarmConfig {
            info_hash: info_hash.into(),
            peer_id: peer_id.into(),
            trackers,
            max_peers: 8,
            upload: true,
            stream: StreamKey::Level(0),
            track: Track::Main,
            tracker_base: 0,
            corrupt_uploads: false,
            upload_limit_bps: None,
        }
    }
}

/// One stream's swarm.
#[derive(Debug)]
pub struct Swarm {
    pub config: SwarmConfig,
    trackers: Vec<TrackerState>,
    pub peers: Table<ConnId, Peer>,
    /// The tracker each connection's signalling goes through.
    conn_tracker: Table<ConnId, TrackerId>,
    next_conn: ConnId,
    rng: u64,
    events: Vec<SwarmEvent>,
    /// Bytes that may be uploaded now under the limit, and when it was refilled:
    /// one bucket for every swarm of the engine (video and audio streams), as
    /// the limit is the viewer's uplink (`share_upload_budget`).
    upload_budget: UploadBudget,
    /// Who of the peers asking gets the limited uplink.
    upload_slots: UploadSlots,
    /// Peers that sent bytes failing their hash: never connected to again.
    banned: Table<String, ()>,
    pub uploaded_bytes: u64,
    pub downloaded_bytes: u64,
    /// When the swarm started (asked for its trackers) and when one of them
    /// first opened, and whether its forming time is over (the grace ran out).
    started_ms: Option<u64>,
    first_open_ms: Option<u64>,
    formed: bool,
    /// The first bytes of segments whose transfers were given up (newest last).
    partials: Partials,
}

impl Swarm {
    /// Upload from `budget`, shared with the engine's other swarms.
    pub fn share_upload_budget(&mut self, budget: UploadBudget) {
        self.upload_budget = budget;
    }

    /// `seed` drives every random choice (offer ids, request ids, peer choice).
    pub fn new(config: SwarmConfig, seed: u64, first_conn: ConnId) -> Swarm {
        let trackers = config
            .trackers
            .iter()
            .map(|url| TrackerState {
                url: url.clone(),
                open: false,
                retries: 0,
                reconnect_at: None,
                announce_at: None,
                interval_ms: DEFAULT_ANNOUNCE_INTERVAL_MS,
                started_sent: false,
                others: None,
                early_announces: 0,
                early: false,
                batch: Vec::new(),
                batch_started_ms: 0,
            })
            .collect();
        Swarm {
            config,
            trackers,
            peers: Table::new(),
            conn_tracker: Table::new(),
            next_conn: first_conn,
            rng: seed | 1,
            events: Vec::new(),
            banned: Default::default(),
            upload_budget: UploadBudget::default(),
            upload_slots: UploadSlots::default(),
            uploaded_bytes: 0,
            downloaded_bytes: 0,
            started_ms: None,
            first_open_ms: None,
            formed: false,
            partials: Partials::default(),
        }
    }

    /// xorshift64*: small, deterministic, seeded; no OS randomness in the engine.
    pub fn random(&mut self) -> u32 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        (self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 32) as u32
    }

    pub fn take_events(&mut self) -> Vec<SwarmEvent> {
        std::mem::take(&mut self.events)
    }

    /// Connected peers (data channel open).
    pub fn connected(&self) -> usize {
        self.peers.values().filter(|p| p.open).count()
    }

    /// While the swarm forms (no connected peer has said what it holds, less than
    /// `FORMING_GRACE_MS` since its tracker first opened, and no tracker said
    /// nobody else is there), until when; `None` otherwise. The first viewer of
    /// a video learns from the tracker's first reply that it is alone and does
    /// not wait.
    pub fn forming_until(&self, now_ms: u64) -> Option<u64> {
        // Formed once a connected peer said what it holds (its announce comes
        // right after the channel opens): asking it is then the peers' rule.
        let told = self.peers.values().any(|p| p.open && !(p.loaded.is_empty() && p.loading.is_empty()));
        self.young_until(now_ms).filter(|_| !told)
    }

    /// Until when the swarm's first connections may still be coming, whatever
    /// the peers connected so far said: `FORMING_GRACE_MS` after its tracker
    /// first opened (or after it started, while none has), unless a tracker
    /// said nobody else is there. A segment that no peer has or loads yet waits
    /// until then rather than go to HTTP. The swarm of a level is new when ABR
    /// first switches to it, a few hundred milliseconds into playback: counting
    /// from the tracker's opening only let the level's next 30 s go to HTTP,
    /// as fast as a near origin serves, before that tracker had even opened
    /// (Firefox's P2P test, one run in two: 35-44 % offload instead of 60-90 %).
    pub fn young_until(&self, now_ms: u64) -> Option<u64> {
        self.grace_end().filter(|until| now_ms < *until)
    }

    fn grace_end(&self) -> Option<u64> {
        let start = self.first_open_ms.or(self.started_ms).filter(|_| !self.formed)?;
        let mut open = self.trackers.iter().filter(|t| t.open).peekable();
        let alone = open.peek().is_some() && open.all(|t| t.others == Some(0));
        (!alone).then_some(start + FORMING_GRACE_MS)
    }

    pub fn owns(&self, conn: ConnId) -> bool {
        self.peers.contains_key(&conn)
    }

    pub fn owns_tracker(&self, tracker: TrackerId) -> bool {
        self.local(tracker).is_some()
    }

    /// The index of a tracker of this swarm, from its global id.
    fn local(&self, tracker: TrackerId) -> Option<usize> {
        tracker.checked_sub(self.config.tracker_base).filter(|i| *i < self.trackers.len())
    }

    fn global(&self, local: usize) -> TrackerId {
        self.config.tracker_base + local
    }

    pub fn start(&mut self, now_ms: u64, out: &mut Vec<Output>) {
        self.started_ms = Some(now_ms);
        for (i, t) in self.trackers.iter().enumerate() {
            out.push(Output::TrackerConnect { tracker: self.global(i), url: t.url.clone() });
        }
    }

    /// Leave: tell the trackers, close every connection.
    pub fn stop(&mut self, out: &mut Vec<Output>) {
        for (i, t) in self.trackers.iter().enumerate() {
            let tracker = self.global(i);
            if t.open {
                out.push(Output::TrackerSend { tracker, text: tracker::stopped(&self.config.info_hash, &self.config.peer_id) });
            }
            out.push(Output::TrackerDisconnect { tracker });
        }
        for conn in self.peers.keys() {
            out.push(Output::ClosePeer { conn: *conn });
        }
        self.peers.clear();
    }

    // ----- peers ---------------------------------------------------------------------

    /// The data channel opened. A second connection to a peer already connected
    /// is closed (p2pml keeps one per peer id).
    pub fn on_peer_open(&mut self, now_ms: u64, conn: ConnId, store: &SegmentStore, loading: &[i64], out: &mut Vec<Output>) {
        let Some(peer_id) = self.peers.get(&conn).and_then(|p| p.peer_id.clone()) else {
            return self.close(now_ms, conn, out);
        };
        if self.peers.values().any(|p| p.conn != conn && p.open && p.peer_id.as_deref() == Some(peer_id.as_str())) {
            return self.close(now_ms, conn, out);
        }
        if let Some(p) = self.peers.get_mut(&conn) {
            p.open = true;
        }
        self.events.push(SwarmEvent::PeerConnected { conn, peer_id });
        self.announce_to(conn, store, loading, out);
    }

    pub fn on_peer_closed(&mut self, now_ms: u64, conn: ConnId) {
        if let Some(mut p) = self.peers.remove(&conn) {
            if let Some(d) = p.download.take() {
                let segment_id = d.segment_id;
                self.partials.keep(p.peer_id.as_deref(), d);
                self.events.push(SwarmEvent::Failed { conn, segment_id, reason: "peer left".into() });
            }
            if p.open {
                self.events.push(SwarmEvent::PeerLeft { conn });
            }
            // A connected peer, or a handshake that had an answer: a loss. An
            // offer nobody answered is not one (most of an announce's are not).
            if p.open || p.peer_id.is_some() {
                self.announce_early_if_alone(now_ms);
            }
        }
        self.conn_tracker.remove(&conn);
    }

    fn close(&mut self, now_ms: u64, conn: ConnId, out: &mut Vec<Output>) {
        out.push(Output::ClosePeer { conn });
        self.on_peer_closed(now_ms, conn);
    }

    /// Tell one peer what we hold and what we fetch over HTTP.
    fn announce_to(&self, conn: ConnId, store: &SegmentStore, loading: &[i64], out: &mut Vec<Output>) {
        if !self.config.upload {
            return;
        }
        let loaded: Vec<i64> = store.ids(self.config.stream).into_iter().map(|id| id as i64).collect();
        let cmd = Command::SegmentsAnnouncement { loaded, loading: loading.to_vec() };
        send(conn, &cmd, out);
    }

    /// Tell every connected peer (after the store or the HTTP downloads changed).
    pub fn announce_all(&self, store: &SegmentStore, loading: &[i64], out: &mut Vec<Output>) {
        for p in self.peers.values().filter(|p| p.open) {
            self.announce_to(p.conn, store, loading, out);
        }
    }

    /// Whether any connected peer holds or is fetching `segment_id`.
    pub fn someone_has_or_loads(&self, segment_id: i64) -> bool {
        self.peers.values().any(|p| p.open && (p.loaded.contains(segment_id) || p.loading.contains(segment_id)))
    }

    /// One data-channel message. `known` says whether an id is in the playlist
    /// (unknown ids get no answer, as p2pml does).
    /// Route one peer-to-peer input (tracker or peer connection) of this swarm.
    /// `loading`: segments being fetched over HTTP (announced as loading to new
    /// peers); `known`: whether a segment id is in the stream (others are refused).
    pub fn on_input(&mut self, now_ms: u64, input: Input, store: &SegmentStore, loading: &[i64], known: impl Fn(i64) -> bool, out: &mut Vec<Output>) {
        match input {
            Input::TrackerOpen { tracker } => self.on_tracker_open(now_ms, tracker, out),
            Input::TrackerMessage { tracker, text } => self.on_tracker_message(now_ms, tracker, &text, out),
            Input::TrackerClosed { tracker, reason } => self.on_tracker_closed(now_ms, tracker, reason),
            Input::OfferReady { conn, sdp } => self.on_offer_ready(now_ms, conn, sdp, out),
            Input::AnswerReady { conn, sdp } => self.on_answer_ready(conn, sdp, out),
            Input::PeerOpen { conn } => self.on_peer_open(now_ms, conn, store, loading, out),
            Input::PeerData { conn, data } => self.on_peer_data(now_ms, conn, &data, store, known, out),
            Input::PeerClosed { conn, .. } => self.on_peer_closed(now_ms, conn),
            _ => {}
        }
    }

    pub fn on_peer_data(
        &mut self,
        now_ms: u64,
        conn: ConnId,
        data: &[u8],
        store: &SegmentStore,
        known: impl Fn(i64) -> bool,
        out: &mut Vec<Output>,
    ) {
        let Some(p) = self.peers.get_mut(&conn) else { return };
        match p.reassembler.receive(data.to_vec()) {
            None => {}
            Some(Received::Data(bytes)) => self.on_data(now_ms, conn, bytes, out),
            Some(Received::Command(cmd)) => self.on_command(now_ms, conn, cmd, store, known, out),
        }
    }

    fn on_data(&mut self, now_ms: u64, conn: ConnId, bytes: Vec<u8>, out: &mut Vec<Output>) {
        let Some(p) = self.peers.get_mut(&conn) else { return };
        // Data with no transfer under way (after a cancel, say) is dropped.
        let Some(d) = p.download.as_mut().filter(|d| d.size.is_some()) else { return };
        d.bytes.extend_from_slice(&bytes);
        d.last_progress_ms = now_ms;
        if d.bytes.len() > d.size.unwrap_or(0) {
            // More than announced: p2pml closes the connection for this.
            let id = d.segment_id;
            p.download = None;
            self.events.push(SwarmEvent::Failed { conn, segment_id: id, reason: "peer sent more bytes than announced".into() });
            self.close(now_ms, conn, out);
        }
    }

    fn on_command(
        &mut self,
        now_ms: u64,
        conn: ConnId,
        cmd: Command,
        store: &SegmentStore,
        known: impl Fn(i64) -> bool,
        out: &mut Vec<Output>,
    ) {
        let Some(p) = self.peers.get_mut(&conn) else { return };
        match cmd {
            Command::SegmentsAnnouncement { loaded, loading } => {
                // A full snapshot: it replaces what we knew.
                p.loaded = loaded.into_iter().collect();
                p.loading = loading.into_iter().collect();
            }
            Command::SegmentRequest { id, request_id, byte_from } => {
                let held = if self.config.upload && id >= 0 { store.get(self.config.stream, id as u64) } else { None };
                // Over the upload limit, or another peer's turn: "absent" (upload.rs).
                let requester = p.peer_id.as_deref().unwrap_or_default();
                let (slots, budget, limit) = (&mut self.upload_slots, &self.upload_budget, self.config.upload_limit_bps);
                let held = held.filter(|b| slots.grant(budget, limit, now_ms, requester, b.len()));
                match held {
                    Some(bytes) => {
                        let from = byte_from.unwrap_or(0).clamp(0, bytes.len() as i64) as usize;
                        let mut body = bytes[from..].to_vec();
                        if self.config.corrupt_uploads {
                            let middle = body.len() / 2;
                            if let Some(b) = body.get_mut(middle) {
                                *b ^= 0xff;
                            }
                        }
                        let body = &body[..];
                        let size = body.len() as i64;
                        send(conn, &Command::SegmentData { id, request_id, size }, out);
                        for chunk in data_chunks(body, DEFAULT_MAX_MESSAGE_SIZE) {
                            out.push(Output::PeerSend { conn, data: Arc::from(chunk) });
                        }
                        send(conn, &Command::SegmentDataSendingCompleted { id, request_id }, out);
                        p.uploaded_bytes += body.len() as u64;
                        self.uploaded_bytes += body.len() as u64;
                    }
                    None if known(id) => send(conn, &Command::SegmentAbsent { id, request_id }, out),
                    None => {}
                }
            }
            Command::SegmentData { id, request_id, size } => {
                let Some(d) = p.download.as_mut().filter(|d| d.segment_id == id && d.request_id == request_id && d.size.is_none()) else {
                    return;
                };
                let size = size.max(0) as usize;
                let whole = d.resumed.as_ref().map(|r| r.total).or(d.expected_size);
                if whole.is_some_and(|e| e != size + d.kept()) {
                    // The playlist (or the transfer it resumes) says otherwise:
                    // p2pml cancels and closes. Kept bytes whose size the
                    // playlist confirms stay for the next peer; unconfirmed
                    // ones go, as it may be their sender that was wrong.
                    send(conn, &Command::CancelSegmentRequest { id, request_id }, out);
                    let d = p.download.take().expect("matched");
                    if let Some(r) = d.resumed.filter(|r| d.expected_size == Some(r.total)) {
                        self.partials.put(r);
                    }
                    self.events.push(SwarmEvent::Failed { conn, segment_id: id, reason: format!("peer announced {size} bytes") });
                    return self.close(now_ms, conn, out);
                }
                d.size = Some(size);
                d.last_progress_ms = now_ms;
                d.header_ms = Some(now_ms);
                let rtt = now_ms.saturating_sub(d.started_ms);
                p.sample_rtt(rtt);
            }
            Command::SegmentDataSendingCompleted { id, request_id } => {
                let matches = p.download.as_ref().is_some_and(|d| d.segment_id == id && d.request_id == request_id && d.size.is_some());
                if !matches {
                    return;
                }
                let d = p.download.take().expect("checked");
                if Some(d.bytes.len()) != d.size {
                    self.events.push(SwarmEvent::Failed { conn, segment_id: id, reason: "transfer ended short".into() });
                    return self.close(now_ms, conn, out);
                }
                let elapsed_ms = now_ms.saturating_sub(d.started_ms);
                p.sample_throughput(d.bytes.len(), d.receiving_ms(now_ms));
                p.timeouts = 0;
                p.downloaded_bytes += d.bytes.len() as u64;
                self.downloaded_bytes += d.bytes.len() as u64;
                let (bytes, also_from) = match d.resumed {
                    Some(mut r) => {
                        r.bytes.extend_from_slice(&d.bytes);
                        (r.bytes, r.from)
                    }
                    None => (d.bytes, Vec::new()),
                };
                self.events.push(SwarmEvent::Received { conn, segment_id: id, bytes: Arc::from(bytes), elapsed_ms, also_from });
            }
            Command::SegmentAbsent { id, request_id } => {
                if p.download.as_ref().is_some_and(|d| d.segment_id == id && d.request_id == request_id) {
                    let d = p.download.take().expect("checked");
                    p.sample_rtt(now_ms.saturating_sub(d.started_ms));
                    p.loaded.remove(id);
                    if let Some(r) = d.resumed {
                        self.partials.put(r);
                    }
                    self.events.push(SwarmEvent::Failed { conn, segment_id: id, reason: "peer does not have it".into() });
                }
            }
            // Uploads are handed to the data channel whole, at once: by the time a
            // cancel arrives there is nothing left to stop.
            Command::CancelSegmentRequest { .. } => {}
        }
    }

    /// Turn sharing on or off. Off: one empty announcement (as p2pml sends), and
    /// every request is answered "absent" from then on.
    pub fn set_upload(&mut self, upload: bool, store: &SegmentStore, loading: &[i64], out: &mut Vec<Output>) {
        if self.config.upload == upload {
            return;
        }
        self.config.upload = upload;
        if upload {
            self.announce_all(store, loading, out);
        } else {
            let empty = Command::SegmentsAnnouncement { loaded: Vec::new(), loading: Vec::new() };
            for p in self.peers.values().filter(|p| p.open) {
                send(p.conn, &empty, out);
            }
        }
    }

    /// Per-peer figures for the stats.
    pub fn peer_stats(&self) -> Vec<PeerStats> {
        self.peers
            .values()
            .filter(|p| p.open)
            .map(|p| PeerStats {
                peer_id: p.peer_id.clone().unwrap_or_default(),
                downloaded_bytes: p.downloaded_bytes,
                uploaded_bytes: p.uploaded_bytes,
                throughput_bps: p.throughput_bps,
            })
            .collect()
    }

    /// The peer whose SHA-256 did not match: drop it, and never take it back.
    /// `also`: the peers that sent the segment's first bytes, when it resumed
    /// their transfers: which of them lied cannot be told, so all go (an honest
    /// one costs the swarm a peer, a liar kept would cost it every segment).
    pub fn ban(&mut self, now_ms: u64, conn: ConnId, also: &[String], out: &mut Vec<Output>) {
        if let Some(id) = self.peers.get(&conn).and_then(|p| p.peer_id.clone()) {
            self.banned.insert(id, ());
        }
        self.close(now_ms, conn, out);
        for id in also {
            self.banned.insert(id.clone(), ());
            let conns: Vec<ConnId> = self.peers.values().filter(|p| p.peer_id.as_ref() == Some(id)).map(|p| p.conn).collect();
            for c in conns {
                self.close(now_ms, c, out);
            }
        }
        self.partials.forget_from(also);
    }

    // ----- time ----------------------------------------------------------------------

    pub fn next_timeout(&self) -> Option<u64> {
        let trackers = self.trackers.iter().flat_map(|t| {
            let batch = (!t.batch.is_empty()).then_some(t.batch_started_ms + OFFER_GATHER_WAIT_MS);
            [t.reconnect_at, t.announce_at.filter(|_| t.open), batch]
        });
        let peers = self.peers.values().flat_map(|p| {
            let download = p.download.as_ref().map(|d| d.last_progress_ms + P2P_NO_BYTES_TIMEOUT_MS);
            let offer = (!p.open).then_some(p.created_ms + OFFER_TTL_MS);
            [download, offer]
        });
        trackers.chain(peers).chain([self.grace_end()]).flatten().min()
    }

    pub fn tick(&mut self, now_ms: u64, out: &mut Vec<Output>) {
        if self.grace_end().is_some_and(|until| until <= now_ms) {
            self.formed = true;
        }
        for tracker in 0..self.trackers.len() {
            let t = &self.trackers[tracker];
            if t.reconnect_at.is_some_and(|at| at <= now_ms) {
                self.trackers[tracker].reconnect_at = None;
                out.push(Output::TrackerConnect { tracker: self.global(tracker), url: self.trackers[tracker].url.clone() });
                continue;
            }
            if !t.batch.is_empty() && t.batch_started_ms + OFFER_GATHER_WAIT_MS <= now_ms {
                self.send_announce_if_ready(now_ms, tracker, true, out);
            } else if t.open && t.batch.is_empty() && t.announce_at.is_some_and(|at| at <= now_ms) {
                let t = &mut self.trackers[tracker];
                t.announce_at = None;
                if !std::mem::take(&mut t.early) {
                    t.early_announces = 0;
                }
                self.prepare_offers(now_ms, tracker, out);
            }
        }
        let stale_offers: Vec<ConnId> =
            self.peers.values().filter(|p| !p.open && p.created_ms + OFFER_TTL_MS <= now_ms).map(|p| p.conn).collect();
        for conn in stale_offers {
            self.close(now_ms, conn, out);
        }
        let stalled: Vec<ConnId> = self
            .peers
            .values()
            .filter(|p| p.download.as_ref().is_some_and(|d| d.last_progress_ms + P2P_NO_BYTES_TIMEOUT_MS <= now_ms))
            .map(|p| p.conn)
            .collect();
        for conn in stalled {
            // What it sent counts as its speed: asked again only if still the best.
            let Some(segment_id) = self.cancel_download(now_ms, conn, out) else { continue };
            let Some(p) = self.peers.get_mut(&conn) else { continue };
            p.timeouts += 1;
            let too_many = p.timeouts >= MAX_PEER_TIMEOUTS;
            self.events.push(SwarmEvent::Failed { conn, segment_id, reason: "no bytes for 2 s".into() });
            if too_many {
                self.close(now_ms, conn, out);
            }
        }
    }
}

/// Figures of one connected peer.
#[derive(Debug, Clone, PartialEq)]
pub struct PeerStats {
    pub peer_id: String,
    pub downloaded_bytes: u64,
    pub uploaded_bytes: u64,
    pub throughput_bps: f64,
}

fn send(conn: ConnId, cmd: &Command, out: &mut Vec<Output>) {
    for message in cmd.encode(DEFAULT_MAX_MESSAGE_SIZE) {
        out.push(Output::PeerSend { conn, data: Arc::from(message) });
    }
}

#[cfg(test)]
mod tests;
