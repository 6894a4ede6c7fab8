//! One RTCPeerConnection (with one data channel) per `ConnId`, for the engine's
//! `CreateOffer`, `CreateAnswer`, `AcceptAnswer`, `PeerSend` and `ClosePeer`.
//!
//! Signalling is not trickled (WebTorrent trackers relay whole SDPs only): the
//! offer or answer is reported once ICE gathering is complete (or after 5 s with
//! what was gathered), without its `a=ice-options:trickle` line. The offerer makes
//! the one data channel (default options: reliable, ordered, negotiated in-band;
//! a 40-hex-digit label, as p2p-media-loader does); the answerer takes the channel
//! that arrives. Binary messages are ArrayBuffers.
//!
//! Reports: `OfferReady`/`AnswerReady`, `PeerOpen` when the channel opens,
//! `PeerData` per message, `PeerWritable` when the channel's buffer falls to
//! [`LOW_WATER_MARK`], and `PeerClosed` exactly once when anything fails (a
//! rejected step, the channel closing or failing, the connection failing, or no
//! open channel [`CONNECT_TIMEOUT_MS`] after the connection was created). After
//! `ClosePeer` nothing more is reported. No decisions are made here: whom to
//! connect to, and what to do when a connection closes, are the engine's.

use std::cell::{Cell, RefCell};
use crate::table::Table;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use js_sys::{Array, ArrayBuffer, Function, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MessageEvent, RtcConfiguration, RtcDataChannel, RtcDataChannelEvent, RtcDataChannelState, RtcDataChannelType,
    RtcIceGatheringState, RtcIceServer, RtcPeerConnection, RtcPeerConnectionState, RtcSdpType, RtcSessionDescriptionInit,
};

use super::tracker_socket::{js_error, Report};
use crate::engine::{ConnId, Input};

/// How long to wait for ICE gathering before sending what was gathered.
pub const GATHERING_TIMEOUT_MS: i32 = 5_000;
/// A connection whose channel is not open this long after it was created is
/// closed and reported (`PeerClosed { reason: "timeout" }`).
pub const CONNECT_TIMEOUT_MS: i32 = 30_000;
/// `bufferedAmountLowThreshold`: `PeerWritable` when the send buffer falls to it.
pub const LOW_WATER_MARK: u32 = 256 * 1024;

/// One ICE server, as JS writes an `RTCIceServer`
/// (`{urls: "stun:…" | ["turn:…", …], username?, credential?}`; see options.rs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServer {
    pub urls: Vec<String>,
    pub username: Option<String>,
    pub credential: Option<String>,
}

/// A JS event handler (or timer callback), kept alive as long as it is registered.
type Handler = Closure<dyn FnMut(JsValue)>;

struct Peer {
    /// Tells this connection from an earlier one with the same `ConnId`.
    serial: u64,
    pc: RtcPeerConnection,
    channel: Option<RtcDataChannel>,
    open: bool,
    /// The connection timeout.
    timer: Option<i32>,
    /// Resolves the wait for ICE gathering, so a closed peer stops waiting.
    wake: Option<Function>,
    handlers: Vec<Handler>,
}

impl Peer {
    /// Remove every handler (no more reports), then close channel and connection.
    fn close(self) {
        if let Some(t) = self.timer {
            clear_timeout(t);
        }
        if let Some(wake) = &self.wake {
            let _ = wake.call0(&JsValue::UNDEFINED);
        }
        self.pc.set_onconnectionstatechange(None);
        self.pc.set_ondatachannel(None);
        if let Some(channel) = &self.channel {
            detach(channel);
            channel.close();
        }
        self.pc.close();
        // The handlers are dropped here. One of them may be running (a channel
        // that reports its own close): wasm-bindgen frees it when it returns.
    }
}

fn detach(channel: &RtcDataChannel) {
    channel.set_onopen(None);
    channel.set_onmessage(None);
    channel.set_onbufferedamountlow(None);
    channel.set_onclose(None);
    channel.set_onerror(None);
}

struct Shared {
    report: Report,
    config: RtcConfiguration,
    connect_timeout_ms: Cell<i32>,
    peers: RefCell<Table<ConnId, Peer>>,
    next_serial: Cell<u64>,
}

impl Shared {
    fn is_current(&self, conn: ConnId, serial: u64) -> bool {
        self.peers.borrow().get(&conn).is_some_and(|p| p.serial == serial)
    }

    /// Remove the peer if it is still this one.
    fn take(&self, conn: ConnId, serial: u64) -> Option<Peer> {
        let mut peers = self.peers.borrow_mut();
        match peers.get(&conn) {
            Some(p) if p.serial == serial => peers.remove(&conn),
            _ => None,
        }
    }

    /// Close the peer and report `PeerClosed` (once: a peer already gone, closed
    /// by the engine or reported, reports nothing).
    fn fail(&self, conn: ConnId, serial: u64, reason: String) {
        if let Some(peer) = self.take(conn, serial) {
            peer.close();
            (self.report)(Input::PeerClosed { conn, reason });
        }
    }

    /// The channel is open: stop the connection timeout, report `PeerOpen` once.
    fn opened(&self, conn: ConnId, serial: u64) {
        let first = {
            let mut peers = self.peers.borrow_mut();
            match peers.get_mut(&conn) {
                Some(p) if p.serial == serial && !p.open => {
                    p.open = true;
                    if let Some(t) = p.timer.take() {
                        clear_timeout(t);
                    }
                    true
                }
                _ => false,
            }
        };
        if first {
            (self.report)(Input::PeerOpen { conn });
        }
    }
}

/// The peer connections, by `ConnId`.
pub struct Rtc {
    shared: Rc<Shared>,
}

impl Rtc {
    /// `ice_servers` go into every connection's `RTCConfiguration` (none: host
    /// candidates only, which is enough between viewers of one network).
    pub fn new(ice_servers: &[IceServer], report: Report) -> Rtc {
        let shared = Shared {
            report,
            config: configuration(ice_servers),
            connect_timeout_ms: Cell::new(CONNECT_TIMEOUT_MS),
            peers: RefCell::default(),
            next_serial: Cell::new(0),
        };
        Rtc { shared: Rc::new(shared) }
    }

    /// Another connection timeout than [`CONNECT_TIMEOUT_MS`] (for tests).
    #[cfg(test)]
    pub fn with_connect_timeout(self, ms: i32) -> Rtc {
        self.shared.connect_timeout_ms.set(ms);
        self
    }

    /// `CreateOffer`: a connection with one data channel; `OfferReady` follows.
    /// A connection the browser refuses at once comes back here as `PeerClosed`.
    pub fn create_offer(&self, conn: ConnId) -> Option<Input> {
        let (pc, serial) = match self.new_peer(conn, false) {
            Ok(p) => p,
            Err(input) => return Some(input),
        };
        let weak = Rc::downgrade(&self.shared);
        attach(&weak, &self.shared, conn, serial, pc.create_data_channel(&random_label()));
        wasm_bindgen_futures::spawn_local(async move {
            let steps = async {
                let offer = step(pc.create_offer(), "createOffer").await?;
                step(pc.set_local_description(offer.unchecked_ref()), "setLocalDescription").await
            };
            let steps = steps.await.map(drop);
            describe(&weak, conn, serial, &pc, steps, |conn, sdp| Input::OfferReady { conn, sdp }).await;
        });
        None
    }

    /// `CreateAnswer`: a connection for the remote offer; `AnswerReady` follows,
    /// and the data channel arrives from the peer.
    pub fn create_answer(&self, conn: ConnId, offer_sdp: &str) -> Option<Input> {
        let (pc, serial) = match self.new_peer(conn, true) {
            Ok(p) => p,
            Err(input) => return Some(input),
        };
        let weak = Rc::downgrade(&self.shared);
        let offer = description(RtcSdpType::Offer, offer_sdp);
        wasm_bindgen_futures::spawn_local(async move {
            let steps = async {
                step(pc.set_remote_description(&offer), "setRemoteDescription(offer)").await?;
                let answer = step(pc.create_answer(), "createAnswer").await?;
                step(pc.set_local_description(answer.unchecked_ref()), "setLocalDescription").await
            };
            let steps = steps.await.map(drop);
            describe(&weak, conn, serial, &pc, steps, |conn, sdp| Input::AnswerReady { conn, sdp }).await;
        });
        None
    }

    /// `AcceptAnswer`: the remote answer for a connection made by `create_offer`
    /// (a refused answer is reported as `PeerClosed`).
    pub fn accept_answer(&self, conn: ConnId, answer_sdp: &str) {
        let Some((pc, serial)) = self.shared.peers.borrow().get(&conn).map(|p| (p.pc.clone(), p.serial)) else { return };
        let weak = Rc::downgrade(&self.shared);
        let answer = description(RtcSdpType::Answer, answer_sdp);
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(reason) = step(pc.set_remote_description(&answer), "setRemoteDescription(answer)").await {
                if let Some(shared) = weak.upgrade() {
                    shared.fail(conn, serial, reason);
                }
            }
        });
    }

    /// `PeerSend`: one message. A channel that is not open, or a send the browser
    /// refuses, closes the connection and comes back here as `PeerClosed`. A
    /// connection that is gone (closed or reported) takes nothing and says nothing.
    pub fn send(&self, conn: ConnId, data: &[u8]) -> Option<Input> {
        let (serial, result) = {
            let peers = self.shared.peers.borrow();
            let peer = peers.get(&conn)?;
            let result = match &peer.channel {
                Some(c) if c.ready_state() == RtcDataChannelState::Open => c.send_with_u8_array(data).map_err(|e| js_error(&e)),
                _ => Err("the data channel is not open".to_string()),
            };
            (peer.serial, result)
        };
        let reason = result.err()?;
        self.shared.take(conn, serial)?.close();
        Some(Input::PeerClosed { conn, reason: format!("send failed: {reason}") })
    }

    /// The bytes queued on the connection's data channel (0 without one), for
    /// the engine's flow control when it wants more than `PeerWritable`.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn buffered_amount(&self, conn: ConnId) -> u32 {
        let peers = self.shared.peers.borrow();
        peers.get(&conn).and_then(|p| p.channel.as_ref()).map_or(0, RtcDataChannel::buffered_amount)
    }

    /// `ClosePeer`: close without reporting.
    pub fn close(&self, conn: ConnId) {
        let peer = self.shared.peers.borrow_mut().remove(&conn);
        if let Some(peer) = peer {
            peer.close();
        }
    }

    /// Close every connection without reporting (the player is destroyed).
    pub fn close_all(&self) {
        let peers: Vec<Peer> = crate::table::drain(&mut self.shared.peers.borrow_mut()).map(|(_, p)| p).collect();
        for peer in peers {
            peer.close();
        }
    }

    /// A new RTCPeerConnection for `conn` (replacing, silently, one it has), with
    /// its connection-state handler, its timeout, and (`answerer`) the handler
    /// that takes the peer's data channel.
    fn new_peer(&self, conn: ConnId, answerer: bool) -> Result<(RtcPeerConnection, u64), Input> {
        self.close(conn);
        let pc = RtcPeerConnection::new_with_configuration(&self.shared.config)
            .map_err(|e| Input::PeerClosed { conn, reason: format!("RTCPeerConnection: {}", js_error(&e)) })?;
        let serial = self.shared.next_serial.get();
        self.shared.next_serial.set(serial + 1);
        let weak = Rc::downgrade(&self.shared);

        let on_state = handler(&weak, move |shared, _| {
            let state = shared.peers.borrow().get(&conn).filter(|p| p.serial == serial).map(|p| p.pc.connection_state());
            match state {
                Some(RtcPeerConnectionState::Failed) => shared.fail(conn, serial, "connection failed".into()),
                Some(RtcPeerConnectionState::Closed) => shared.fail(conn, serial, "connection closed".into()),
                _ => {}
            }
        });
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        let mut handlers = vec![on_state];
        if answerer {
            let w = weak.clone();
            let on_channel = handler(&weak, move |shared, event| {
                attach(&w, shared, conn, serial, event.unchecked_into::<RtcDataChannelEvent>().channel());
            });
            pc.set_ondatachannel(Some(on_channel.as_ref().unchecked_ref()));
            handlers.push(on_channel);
        }
        let on_timeout = handler(&weak, move |shared, _| {
            let open = shared.peers.borrow().get(&conn).filter(|p| p.serial == serial).map(|p| p.open);
            if open == Some(false) {
                shared.fail(conn, serial, "timeout".into());
            }
        });
        let timer = set_timeout(on_timeout.as_ref().unchecked_ref(), self.shared.connect_timeout_ms.get());
        handlers.push(on_timeout);

        let peer = Peer { serial, pc: pc.clone(), channel: None, open: false, timer, wake: None, handlers };
        self.shared.peers.borrow_mut().insert(conn, peer);
        Ok((pc, serial))
    }
}

impl Drop for Rtc {
    fn drop(&mut self) {
        self.close_all();
    }
}

/// Make `channel` the connection's data channel and report what it does. A
/// second channel from the peer is closed: the protocol uses exactly one.
fn attach(weak: &Weak<Shared>, shared: &Shared, conn: ConnId, serial: u64, channel: RtcDataChannel) {
    let free = shared.peers.borrow().get(&conn).is_some_and(|p| p.serial == serial && p.channel.is_none());
    if !free {
        channel.close();
        return;
    }
    channel.set_binary_type(RtcDataChannelType::Arraybuffer);
    channel.set_buffered_amount_low_threshold(LOW_WATER_MARK);

    let on_open = handler(weak, move |shared, _| shared.opened(conn, serial));
    let on_message = handler(weak, move |shared, event| {
        if !shared.is_current(conn, serial) {
            return;
        }
        let data = event.unchecked_into::<MessageEvent>().data();
        let bytes: Arc<[u8]> = if let Some(buffer) = data.dyn_ref::<ArrayBuffer>() {
            super::bytes::arc_from_js(&Uint8Array::new(buffer))
        } else if let Some(text) = data.as_string() {
            text.into_bytes().into()
        } else {
            // binaryType is "arraybuffer": no Blob can come.
            web_sys::console::warn_1(&"tubeswarm: a data channel message that is neither text nor ArrayBuffer: ignored".into());
            return;
        };
        (shared.report)(Input::PeerData { conn, data: bytes });
    });
    let on_low = handler(weak, move |shared, _| {
        if shared.is_current(conn, serial) {
            (shared.report)(Input::PeerWritable { conn });
        }
    });
    let on_close = handler(weak, move |shared, _| shared.fail(conn, serial, "data channel closed".into()));
    let on_error = handler(weak, move |shared, event| {
        let error = js_sys::Reflect::get(&event, &"error".into()).unwrap_or(event);
        shared.fail(conn, serial, format!("data channel error: {}", js_error(&error)));
    });
    channel.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    channel.set_onbufferedamountlow(Some(on_low.as_ref().unchecked_ref()));
    channel.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    channel.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    let already_open = channel.ready_state() == RtcDataChannelState::Open;
    if let Some(peer) = shared.peers.borrow_mut().get_mut(&conn) {
        peer.channel = Some(channel);
        peer.handlers.extend([on_open, on_message, on_low, on_close, on_error]);
    }
    if already_open {
        shared.opened(conn, serial);
    }
}

/// Await one step of the offer/answer exchange; a rejection becomes the reason.
async fn step(promise: Promise, what: &str) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| format!("{what} failed: {}", js_error(&e)))
}

/// After the steps: wait for ICE gathering, then report the local description
/// (`ready`), or report `PeerClosed` if a step failed.
async fn describe(
    weak: &Weak<Shared>,
    conn: ConnId,
    serial: u64,
    pc: &RtcPeerConnection,
    steps: Result<(), String>,
    ready: fn(ConnId, String) -> Input,
) {
    if let Err(reason) = steps {
        if let Some(shared) = weak.upgrade() {
            shared.fail(conn, serial, reason);
        }
        return;
    }
    gathered(weak, conn, serial, pc).await;
    let Some(shared) = weak.upgrade() else { return };
    if !shared.is_current(conn, serial) {
        return;
    }
    match pc.local_description() {
        Some(d) => (shared.report)(ready(conn, without_trickle(&d.sdp()))),
        None => shared.fail(conn, serial, "no local description".into()),
    }
}

/// Resolves when ICE gathering is complete, after [`GATHERING_TIMEOUT_MS`], or
/// when the peer is closed, whichever comes first.
async fn gathered(weak: &Weak<Shared>, conn: ConnId, serial: u64, pc: &RtcPeerConnection) {
    if pc.ice_gathering_state() == RtcIceGatheringState::Complete {
        return;
    }
    let mut resolve = None;
    let done = Promise::new(&mut |r, _| resolve = Some(r));
    let Some(resolve) = resolve else { return };
    {
        let Some(shared) = weak.upgrade() else { return };
        let mut peers = shared.peers.borrow_mut();
        let Some(peer) = peers.get_mut(&conn).filter(|p| p.serial == serial) else { return };
        peer.wake = Some(resolve.clone());
    }
    let (watched, r) = (pc.clone(), resolve.clone());
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if watched.ice_gathering_state() == RtcIceGatheringState::Complete {
            let _ = r.call0(&JsValue::UNDEFINED);
        }
    });
    pc.set_onicegatheringstatechange(Some(on_change.as_ref().unchecked_ref()));
    let timer = set_timeout(&resolve, GATHERING_TIMEOUT_MS);
    let _ = JsFuture::from(done).await;
    pc.set_onicegatheringstatechange(None);
    if let Some(t) = timer {
        clear_timeout(t);
    }
    if let Some(shared) = weak.upgrade() {
        if let Some(peer) = shared.peers.borrow_mut().get_mut(&conn).filter(|p| p.serial == serial) {
            peer.wake = None;
        }
    }
}

/// The SDP without its `a=ice-options:trickle` line: every candidate is in it.
pub fn without_trickle(sdp: &str) -> String {
    sdp.split_inclusive('\n').filter(|line| line.trim_end() != "a=ice-options:trickle").collect()
}

fn description(kind: RtcSdpType, sdp: &str) -> RtcSessionDescriptionInit {
    let d = RtcSessionDescriptionInit::new(kind);
    d.set_sdp(sdp);
    d
}

fn configuration(servers: &[IceServer]) -> RtcConfiguration {
    let list = Array::new();
    for s in servers {
        let server = RtcIceServer::new();
        let urls: Array = s.urls.iter().map(JsValue::from).collect();
        server.set_urls(&urls);
        if let Some(u) = &s.username {
            server.set_username(u);
        }
        if let Some(c) = &s.credential {
            server.set_credential(c);
        }
        list.push(&server);
    }
    let config = RtcConfiguration::new();
    config.set_ice_servers(&list);
    config
}

/// 20 random bytes as 40 hex digits (a label, not a secret).
fn random_label() -> String {
    let mut bytes = [0u8; 20];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok());
    if crypto.is_none_or(|c| c.get_random_values_with_u8_array(&mut bytes).is_err()) {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn set_timeout(f: &Function, ms: i32) -> Option<i32> {
    web_sys::window()?.set_timeout_with_callback_and_timeout_and_arguments_0(f, ms).ok()
}

fn clear_timeout(handle: i32) {
    if let Some(w) = web_sys::window() {
        w.clear_timeout_with_handle(handle);
    }
}

/// A handler that does nothing once the adapter is gone.
fn handler(weak: &Weak<Shared>, f: impl Fn(&Shared, JsValue) + 'static) -> Handler {
    let weak = weak.clone();
    Closure::new(move |event: JsValue| {
        if let Some(shared) = weak.upgrade() {
            f(&shared, event);
        }
    })
}
