//! One peer connection (with one data channel) per `ConnId`, on the `webrtc`
//! crate, for the swarm's `CreateOffer`, `CreateAnswer`, `AcceptAnswer`,
//! `PeerSend` and `ClosePeer`: the native side of what `src/web/rtc.rs` does in
//! the browser, with the same contract.
//!
//! Signalling is not trickled (WebTorrent trackers relay whole SDPs): the offer
//! or answer is reported once ICE gathering is complete (or after
//! [`GATHERING_TIMEOUT`] with what was gathered), without `a=ice-options:trickle`.
//! The offerer makes the one data channel (reliable, ordered, negotiated in-band,
//! a 40-hex-digit label as p2p-media-loader does); the answerer takes the channel
//! that arrives.
//!
//! Reports: `OfferReady`/`AnswerReady`, `PeerOpen` when the channel opens,
//! `PeerData` per message, and `PeerClosed` exactly once when anything fails. After
//! `close` nothing more is reported. Each connection's messages go out in order
//! through its own writer, which waits while more than [`HIGH_WATER_MARK`] bytes
//! are queued in the channel, so a seeder serving many peers does not pile
//! segments up in memory faster than the peers take them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::Notify;
use tubeswarm::engine::{ConnId, Input};
use webrtc::api::setting_engine::SettingEngine;
use webrtc::api::{APIBuilder, API};
use webrtc::data_channel::data_channel_message::DataChannelMessage;
use webrtc::data_channel::RTCDataChannel;
use webrtc::peer_connection::configuration::RTCConfiguration;
use webrtc::peer_connection::peer_connection_state::RTCPeerConnectionState;
use webrtc::peer_connection::sdp::session_description::RTCSessionDescription;
use webrtc::peer_connection::RTCPeerConnection;

/// How long to wait for ICE gathering before sending what was gathered.
pub const GATHERING_TIMEOUT: Duration = Duration::from_secs(5);
/// A connection whose channel is not open this long after it was created is
/// closed and reported (`PeerClosed { reason: "timeout" }`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
/// The writer waits while the channel holds more than this, until it falls to
/// [`LOW_WATER_MARK`].
pub const HIGH_WATER_MARK: usize = 1024 * 1024;
pub const LOW_WATER_MARK: usize = 256 * 1024;

struct Peer {
    serial: u64,
    /// None until the crate has made it (the swarm may close it before that).
    pc: Option<Arc<RTCPeerConnection>>,
    /// Messages for the channel's writer (which starts when the channel opens).
    outgoing: UnboundedSender<Bytes>,
    /// Taken by the writer when the channel opens.
    queue: Option<UnboundedReceiver<Bytes>>,
    has_channel: bool,
    open: bool,
}

struct Shared {
    report: UnboundedSender<Input>,
    peers: Mutex<HashMap<ConnId, Peer>>,
    next_serial: Mutex<u64>,
}

impl Shared {
    fn is_current(&self, conn: ConnId, serial: u64) -> bool {
        self.peers.lock().unwrap().get(&conn).is_some_and(|p| p.serial == serial)
    }

    fn take(&self, conn: ConnId, serial: u64) -> Option<Peer> {
        let mut peers = self.peers.lock().unwrap();
        match peers.get(&conn) {
            Some(p) if p.serial == serial => peers.remove(&conn),
            _ => None,
        }
    }

    /// Close the peer and report `PeerClosed`, once: a peer already gone (closed
    /// by the swarm, or reported) reports nothing.
    fn fail(&self, conn: ConnId, serial: u64, reason: String) {
        if let Some(peer) = self.take(conn, serial) {
            shut(peer.pc);
            let _ = self.report.send(Input::PeerClosed { conn, reason });
        }
    }

    fn report(&self, conn: ConnId, serial: u64, input: Input) {
        if self.is_current(conn, serial) {
            let _ = self.report.send(input);
        }
    }
}

/// Close a connection in the background (closing waits for the transports).
fn shut(pc: Option<Arc<RTCPeerConnection>>) {
    if let Some(pc) = pc {
        tokio::spawn(async move {
            let _ = pc.close().await;
        });
    }
}

/// The peer connections, by `ConnId`, reporting into an `Input` channel.
pub struct Rtc {
    api: Arc<API>,
    shared: Arc<Shared>,
}

impl Rtc {
    /// Host candidates only (no STUN/TURN: the seeder is meant to be reachable),
    /// loopback included so viewers on the same machine can reach it too. Remote
    /// mDNS candidates (Chromium hides its addresses behind them) are resolved when
    /// the network allows; otherwise the viewer's checks still reach us and ICE
    /// pairs with their source address.
    pub fn new(report: UnboundedSender<Input>) -> Rtc {
        let mut settings = SettingEngine::default();
        settings.set_include_loopback_candidate(true);
        let api = APIBuilder::new().with_setting_engine(settings).build();
        let shared = Shared { report, peers: Mutex::default(), next_serial: Mutex::new(0) };
        Rtc { api: Arc::new(api), shared: Arc::new(shared) }
    }

    /// `CreateOffer`: a connection with one data channel; `OfferReady` follows.
    pub fn create_offer(&self, conn: ConnId) {
        let (api, shared) = (self.api.clone(), self.shared.clone());
        let serial = self.reserve(conn);
        tokio::spawn(async move {
            let pc = api.new_peer_connection(RTCConfiguration::default()).await;
            let Some(pc) = start(&shared, conn, serial, pc).await else { return };
            let steps = async {
                let channel = pc.create_data_channel(&random_label(), None).await.map_err(|e| format!("createDataChannel: {e}"))?;
                attach(&shared, conn, serial, channel);
                let offer = pc.create_offer(None).await.map_err(|e| format!("createOffer: {e}"))?;
                let gathered = pc.gathering_complete_promise().await;
                pc.set_local_description(offer).await.map_err(|e| format!("setLocalDescription: {e}"))?;
                Ok::<_, String>(gathered)
            };
            describe(&shared, conn, serial, &pc, steps.await, |conn, sdp| Input::OfferReady { conn, sdp }).await;
        });
    }

    /// `CreateAnswer`: a connection for the remote offer; `AnswerReady` follows,
    /// and the data channel arrives from the peer.
    pub fn create_answer(&self, conn: ConnId, offer_sdp: String) {
        let (api, shared) = (self.api.clone(), self.shared.clone());
        let serial = self.reserve(conn);
        tokio::spawn(async move {
            let pc = api.new_peer_connection(RTCConfiguration::default()).await;
            let Some(pc) = start(&shared, conn, serial, pc).await else { return };
            let weak = Arc::downgrade(&shared);
            pc.on_data_channel(Box::new(move |channel: Arc<RTCDataChannel>| {
                if let Some(shared) = weak.upgrade() {
                    attach(&shared, conn, serial, channel);
                }
                Box::pin(async {})
            }));
            let steps = async {
                let offer = RTCSessionDescription::offer(offer_sdp).map_err(|e| format!("the offer: {e}"))?;
                pc.set_remote_description(offer).await.map_err(|e| format!("setRemoteDescription(offer): {e}"))?;
                let answer = pc.create_answer(None).await.map_err(|e| format!("createAnswer: {e}"))?;
                let gathered = pc.gathering_complete_promise().await;
                pc.set_local_description(answer).await.map_err(|e| format!("setLocalDescription: {e}"))?;
                Ok::<_, String>(gathered)
            };
            describe(&shared, conn, serial, &pc, steps.await, |conn, sdp| Input::AnswerReady { conn, sdp }).await;
        });
    }

    /// `AcceptAnswer`: the remote answer for a connection made by `create_offer`
    /// (a refused answer is reported as `PeerClosed`).
    pub fn accept_answer(&self, conn: ConnId, answer_sdp: String) {
        let Some((pc, serial)) = self.shared.peers.lock().unwrap().get(&conn).and_then(|p| Some((p.pc.clone()?, p.serial))) else { return };
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let set = async {
                let answer = RTCSessionDescription::answer(answer_sdp).map_err(|e| format!("the answer: {e}"))?;
                pc.set_remote_description(answer).await.map_err(|e| format!("setRemoteDescription(answer): {e}"))
            };
            if let Err(reason) = set.await {
                shared.fail(conn, serial, reason);
            }
        });
    }

    /// `PeerSend`: one message, queued in order for the channel's writer. A
    /// connection that is gone takes nothing and says nothing.
    pub fn send(&self, conn: ConnId, data: &[u8]) {
        if let Some(p) = self.shared.peers.lock().unwrap().get(&conn) {
            let _ = p.outgoing.send(Bytes::copy_from_slice(data));
        }
    }

    /// `ClosePeer`: close without reporting.
    pub fn close(&self, conn: ConnId) {
        let peer = self.shared.peers.lock().unwrap().remove(&conn);
        if let Some(peer) = peer {
            shut(peer.pc);
        }
    }

    /// Close every connection without reporting, and wait (at most `limit`) for
    /// them to end.
    pub async fn close_all(&self, limit: Duration) {
        let peers: Vec<Peer> = self.shared.peers.lock().unwrap().drain().map(|(_, p)| p).collect();
        let closing = peers.into_iter().filter_map(|p| p.pc).map(|pc| async move {
            let _ = pc.close().await;
        });
        let _ = tokio::time::timeout(limit, futures_util::future::join_all(closing)).await;
    }

    /// Register a new connection for `conn` (replacing, silently, one it has)
    /// before the crate makes it, so a `ClosePeer` in between is not lost.
    fn reserve(&self, conn: ConnId) -> u64 {
        self.close(conn);
        let serial = {
            let mut next = self.shared.next_serial.lock().unwrap();
            *next += 1;
            *next
        };
        let (outgoing, queue) = unbounded_channel();
        let peer = Peer { serial, pc: None, outgoing, queue: Some(queue), has_channel: false, open: false };
        self.shared.peers.lock().unwrap().insert(conn, peer);
        serial
    }
}

/// Give the reserved connection its RTCPeerConnection (or report why there is
/// none), with its connection-state handler and its timeout. None: closed
/// meanwhile, or failed.
async fn start(shared: &Arc<Shared>, conn: ConnId, serial: u64, pc: webrtc::error::Result<RTCPeerConnection>) -> Option<Arc<RTCPeerConnection>> {
    let pc = match pc {
        Ok(pc) => Arc::new(pc),
        Err(e) => {
            shared.fail(conn, serial, format!("RTCPeerConnection: {e}"));
            return None;
        }
    };
    {
        let mut peers = shared.peers.lock().unwrap();
        match peers.get_mut(&conn) {
            Some(p) if p.serial == serial => p.pc = Some(pc.clone()),
            _ => {
                drop(peers);
                shut(Some(pc));
                return None;
            }
        }
    }
    let weak = Arc::downgrade(shared);
    pc.on_peer_connection_state_change(Box::new(move |state| {
        if let Some(shared) = weak.upgrade() {
            match state {
                RTCPeerConnectionState::Failed => shared.fail(conn, serial, "connection failed".into()),
                RTCPeerConnectionState::Closed => shared.fail(conn, serial, "connection closed".into()),
                _ => {}
            }
        }
        Box::pin(async {})
    }));
    let weak = Arc::downgrade(shared);
    tokio::spawn(async move {
        tokio::time::sleep(CONNECT_TIMEOUT).await;
        let Some(shared) = weak.upgrade() else { return };
        let open = shared.peers.lock().unwrap().get(&conn).filter(|p| p.serial == serial).map(|p| p.open);
        if open == Some(false) {
            shared.fail(conn, serial, "timeout".into());
        }
    });
    Some(pc)
}

/// Make `channel` the connection's data channel and report what it does. A
/// second channel from the peer is closed: the protocol uses exactly one.
fn attach(shared: &Arc<Shared>, conn: ConnId, serial: u64, channel: Arc<RTCDataChannel>) {
    let free = {
        let mut peers = shared.peers.lock().unwrap();
        match peers.get_mut(&conn) {
            Some(p) if p.serial == serial && !p.has_channel => {
                p.has_channel = true;
                true
            }
            _ => false,
        }
    };
    if !free {
        tokio::spawn(async move {
            let _ = channel.close().await;
        });
        return;
    }
    let weak = Arc::downgrade(shared);
    let dc = channel.clone();
    channel.on_open(Box::new(move || {
        Box::pin(async move {
            if let Some(shared) = weak.upgrade() {
                opened(&shared, conn, serial, dc).await;
            }
        })
    }));
    let weak = Arc::downgrade(shared);
    channel.on_message(Box::new(move |message: DataChannelMessage| {
        if let Some(shared) = weak.upgrade() {
            shared.report(conn, serial, Input::PeerData { conn, data: Arc::from(&message.data[..]) });
        }
        Box::pin(async {})
    }));
    let weak = Arc::downgrade(shared);
    channel.on_close(Box::new(move || {
        if let Some(shared) = weak.upgrade() {
            shared.fail(conn, serial, "data channel closed".into());
        }
        Box::pin(async {})
    }));
    let weak = Arc::downgrade(shared);
    channel.on_error(Box::new(move |e| {
        if let Some(shared) = weak.upgrade() {
            shared.fail(conn, serial, format!("data channel error: {e}"));
        }
        Box::pin(async {})
    }));
}

/// The channel is open: report `PeerOpen` once and start its writer.
async fn opened(shared: &Arc<Shared>, conn: ConnId, serial: u64, channel: Arc<RTCDataChannel>) {
    let queue = {
        let mut peers = shared.peers.lock().unwrap();
        match peers.get_mut(&conn) {
            Some(p) if p.serial == serial && !p.open => {
                p.open = true;
                p.queue.take()
            }
            _ => None,
        }
    };
    let Some(queue) = queue else { return };
    let _ = shared.report.send(Input::PeerOpen { conn });
    channel.set_buffered_amount_low_threshold(LOW_WATER_MARK).await;
    let drained = Arc::new(Notify::new());
    let notify = drained.clone();
    channel
        .on_buffered_amount_low(Box::new(move || {
            notify.notify_one();
            Box::pin(async {})
        }))
        .await;
    tokio::spawn(write(Arc::downgrade(shared), conn, serial, channel, queue, drained));
}

/// Send the connection's messages in order, holding back while the channel's
/// buffer is above the high-water mark. Ends when the connection is gone.
async fn write(
    shared: std::sync::Weak<Shared>,
    conn: ConnId,
    serial: u64,
    channel: Arc<RTCDataChannel>,
    mut queue: UnboundedReceiver<Bytes>,
    drained: Arc<Notify>,
) {
    while let Some(message) = queue.recv().await {
        while channel.buffered_amount().await > HIGH_WATER_MARK {
            // The timeout guards against a low-water event that fired between the
            // check and the wait.
            let _ = tokio::time::timeout(Duration::from_millis(200), drained.notified()).await;
            if shared.upgrade().is_none_or(|s| !s.is_current(conn, serial)) {
                return;
            }
        }
        if let Err(e) = channel.send(&message).await {
            if let Some(shared) = shared.upgrade() {
                shared.fail(conn, serial, format!("send failed: {e}"));
            }
            return;
        }
    }
}

/// After the steps: wait for ICE gathering, then report the local description
/// (`ready`), or `PeerClosed` if a step failed.
async fn describe(
    shared: &Arc<Shared>,
    conn: ConnId,
    serial: u64,
    pc: &RTCPeerConnection,
    steps: Result<tokio::sync::mpsc::Receiver<()>, String>,
    ready: fn(ConnId, String) -> Input,
) {
    let mut gathered = match steps {
        Ok(gathered) => gathered,
        Err(reason) => return shared.fail(conn, serial, reason),
    };
    let _ = tokio::time::timeout(GATHERING_TIMEOUT, gathered.recv()).await;
    match pc.local_description().await {
        Some(d) => shared.report(conn, serial, ready(conn, without_trickle(&d.sdp))),
        None => shared.fail(conn, serial, "no local description".into()),
    }
}

/// The SDP without its `a=ice-options:trickle` line: every candidate is in it.
pub fn without_trickle(sdp: &str) -> String {
    sdp.split_inclusive('\n').filter(|line| line.trim_end() != "a=ice-options:trickle").collect()
}

/// 20 random bytes as 40 hex digits (a label, not a secret).
fn random_label() -> String {
    (0..20).map(|_| format!("{:02x}", fastrand::u8(..))).collect()
}
