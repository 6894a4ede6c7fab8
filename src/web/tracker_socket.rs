//! One WebSocket per tracker, for the engine's `TrackerConnect`, `TrackerSend` and
//! `TrackerDisconnect` outputs.
//!
//! It reports `TrackerOpen` when the socket opens, one `TrackerMessage` per text
//! frame, and `TrackerClosed` exactly once when the socket closes or fails (unless
//! the engine closed it with `TrackerDisconnect`). It makes no decisions: when to
//! announce, reconnect or give up is the engine's.

use std::cell::{Cell, RefCell};
use crate::table::Table;
use std::rc::{Rc, Weak};

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::engine::{Input, TrackerId};

/// Where the adapters deliver what happened (the driver feeds it to the engine).
pub type Report = Rc<dyn Fn(Input)>;

/// A JS event handler, kept alive as long as it is registered.
type Handler = Closure<dyn FnMut(JsValue)>;

struct Socket {
    /// Tells this socket from an earlier one of the same tracker.
    serial: u64,
    ws: WebSocket,
    /// Frames the engine sent before the socket opened; sent on open, in order.
    pending: Vec<String>,
    _handlers: Vec<Handler>,
}

impl Socket {
    /// Remove the handlers (no more reports), then close.
    fn close(self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
        // The handlers are dropped here. One of them may be running (a socket
        // that reports its own close): wasm-bindgen frees it when it returns.
    }
}

struct Shared {
    report: Report,
    sockets: RefCell<Table<TrackerId, Socket>>,
    next_serial: Cell<u64>,
}

impl Shared {
    fn is_current(&self, tracker: TrackerId, serial: u64) -> bool {
        self.sockets.borrow().get(&tracker).is_some_and(|s| s.serial == serial)
    }

    /// Forget the socket and report `TrackerClosed` (once: a second close or
    /// error of the same socket finds it gone).
    fn closed(&self, tracker: TrackerId, serial: u64, reason: String) {
        let socket = {
            let mut sockets = self.sockets.borrow_mut();
            match sockets.get(&tracker) {
                Some(s) if s.serial == serial => sockets.remove(&tracker),
                _ => None,
            }
        };
        if let Some(socket) = socket {
            socket.close();
            (self.report)(Input::TrackerClosed { tracker, reason });
        }
    }
}

/// The trackers' WebSockets, by `TrackerId`.
pub struct TrackerSockets {
    shared: Rc<Shared>,
}

impl TrackerSockets {
    pub fn new(report: Report) -> TrackerSockets {
        TrackerSockets { shared: Rc::new(Shared { report, sockets: RefCell::default(), next_serial: Cell::new(0) }) }
    }

    /// `TrackerConnect`: open a WebSocket to `url` (replacing, silently, one the
    /// tracker already has). A URL the browser refuses at once comes back here as
    /// `TrackerClosed`, for the caller to feed in; everything later is reported.
    pub fn connect(&self, tracker: TrackerId, url: &str) -> Option<Input> {
        if let Some(old) = self.shared.sockets.borrow_mut().remove(&tracker) {
            old.close();
        }
        let ws = match WebSocket::new(url) {
            Ok(ws) => ws,
            Err(e) => return Some(Input::TrackerClosed { tracker, reason: format!("cannot open {url}: {}", js_error(&e)) }),
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let serial = self.shared.next_serial.get();
        self.shared.next_serial.set(serial + 1);
        let weak = Rc::downgrade(&self.shared);

        let on_open = handler(&weak, move |shared, _| {
            let pending = {
                let mut sockets = shared.sockets.borrow_mut();
                let Some(s) = sockets.get_mut(&tracker).filter(|s| s.serial == serial) else { return };
                let pending = std::mem::take(&mut s.pending);
                pending.into_iter().map(|text| s.ws.send_with_str(&text)).find_map(Result::err)
            };
            match pending {
                None => (shared.report)(Input::TrackerOpen { tracker }),
                Some(e) => shared.closed(tracker, serial, format!("send failed: {}", js_error(&e))),
            }
        });
        let on_message = handler(&weak, move |shared, event| {
            if !shared.is_current(tracker, serial) {
                return;
            }
            let data = event.unchecked_into::<MessageEvent>().data();
            match data.as_string() {
                Some(text) => (shared.report)(Input::TrackerMessage { tracker, text }),
                // Trackers speak JSON in text frames; a binary frame means nothing.
                None => web_sys::console::warn_1(&format!("tubeswarm: tracker {tracker} sent a binary frame: ignored").into()),
            }
        });
        let on_close = handler(&weak, move |shared, event| {
            let event: CloseEvent = event.unchecked_into();
            let reason = match event.reason() {
                r if r.is_empty() => format!("closed (code {})", event.code()),
                r => format!("closed (code {}): {r}", event.code()),
            };
            shared.closed(tracker, serial, reason);
        });
        // Browsers give no detail on a WebSocket error (a `close` follows it).
        let on_error = handler(&weak, move |shared, _| shared.closed(tracker, serial, "WebSocket error".into()));

        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let socket = Socket { serial, ws, pending: Vec::new(), _handlers: vec![on_open, on_message, on_close, on_error] };
        self.shared.sockets.borrow_mut().insert(tracker, socket);
        None
    }

    /// `TrackerSend`: one text frame. Before the socket is open the frame waits
    /// and goes out on open, in order (the engine sends only after `TrackerOpen`
    /// anyway). To a tracker with no socket (closed, reported or disconnected) it
    /// is dropped with a console warning: the engine has been told, or asked for it.
    /// A send the browser refuses closes the socket and returns `TrackerClosed`.
    pub fn send(&self, tracker: TrackerId, text: String) -> Option<Input> {
        let (serial, result) = {
            let mut sockets = self.shared.sockets.borrow_mut();
            let Some(s) = sockets.get_mut(&tracker) else {
                web_sys::console::warn_1(&format!("tubeswarm: tracker {tracker} has no socket: message dropped").into());
                return None;
            };
            if s.ws.ready_state() == WebSocket::CONNECTING {
                s.pending.push(text);
                return None;
            }
            // Once CLOSING or CLOSED the browser drops the frame itself; `close`
            // is on its way and will be reported.
            (s.serial, s.ws.send_with_str(&text))
        };
        let e = result.err()?;
        let socket = self.shared.sockets.borrow_mut().remove(&tracker).filter(|s| s.serial == serial)?;
        socket.close();
        Some(Input::TrackerClosed { tracker, reason: format!("send failed: {}", js_error(&e)) })
    }

    /// `TrackerDisconnect`: close without reporting.
    pub fn disconnect(&self, tracker: TrackerId) {
        let socket = self.shared.sockets.borrow_mut().remove(&tracker);
        if let Some(socket) = socket {
            socket.close();
        }
    }

    /// Close every socket without reporting (the player is destroyed).
    pub fn close_all(&self) {
        let sockets: Vec<Socket> = crate::table::drain(&mut self.shared.sockets.borrow_mut()).map(|(_, s)| s).collect();
        for socket in sockets {
            socket.close();
        }
    }
}

impl Drop for TrackerSockets {
    fn drop(&mut self) {
        self.close_all();
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

/// The message of a JS exception (a string thrown, an Error's or a
/// DOMException's message), or its JSON. Not `{e:?}`: JsValue's Debug would
/// bring core's escaping and its Unicode tables into the module for this.
pub(super) fn js_error(e: &JsValue) -> String {
    let text = |v: JsValue| v.as_string().filter(|s| !s.is_empty());
    text(e.clone())
        .or_else(|| js_sys::Reflect::get(e, &"message".into()).ok().and_then(text))
        .or_else(|| js_sys::Reflect::get(e, &"name".into()).ok().and_then(text))
        .or_else(|| js_sys::JSON::stringify(e).ok().and_then(|s| text(s.into())))
        .unwrap_or_else(|| "an exception that says nothing".into())
}
