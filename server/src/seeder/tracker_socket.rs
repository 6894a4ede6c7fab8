//! One WebSocket per `TrackerId` (tokio-tungstenite), for the swarm's
//! `TrackerConnect`, `TrackerSend` and `TrackerDisconnect`: the native side of
//! what `src/web/tracker_socket.rs` does in the browser.
//!
//! Reports `TrackerOpen`, one `TrackerMessage` per text frame, and
//! `TrackerClosed` exactly once when the socket fails or closes. After
//! `disconnect` nothing more is reported. Reconnecting is the swarm's decision.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::{SinkExt, StreamExt};
use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tubeswarm::engine::{Input, TrackerId};

struct Socket {
    /// Tells this socket from an earlier one with the same id.
    serial: u64,
    /// Frames to send; `None` closes the socket.
    frames: UnboundedSender<Option<String>>,
    task: Option<JoinHandle<()>>,
}

#[derive(Default)]
struct Shared {
    sockets: Mutex<HashMap<TrackerId, Socket>>,
    next_serial: Mutex<u64>,
    /// Sockets being closed by `disconnect`, still sending their last frames.
    closing: Mutex<Vec<JoinHandle<()>>>,
}

impl Shared {
    fn is_current(&self, tracker: TrackerId, serial: u64) -> bool {
        self.sockets.lock().unwrap().get(&tracker).is_some_and(|s| s.serial == serial)
    }

    /// Forget the socket if it is still this one; true if it was.
    fn take(&self, tracker: TrackerId, serial: u64) -> bool {
        let mut sockets = self.sockets.lock().unwrap();
        if sockets.get(&tracker).is_some_and(|s| s.serial == serial) {
            sockets.remove(&tracker);
            true
        } else {
            false
        }
    }
}

/// The tracker sockets, reporting into `report`.
pub struct TrackerSockets {
    shared: Arc<Shared>,
    report: UnboundedSender<Input>,
}

impl TrackerSockets {
    pub fn new(report: UnboundedSender<Input>) -> TrackerSockets {
        TrackerSockets { shared: Arc::default(), report }
    }

    /// `TrackerConnect` (replacing, silently, a socket with the same id).
    pub fn connect(&self, tracker: TrackerId, url: &str) {
        let (frames, mut outgoing) = unbounded_channel::<Option<String>>();
        let serial = {
            let mut next = self.shared.next_serial.lock().unwrap();
            *next += 1;
            *next
        };
        self.shared.sockets.lock().unwrap().insert(tracker, Socket { serial, frames, task: None });
        let (shared, report, url) = (self.shared.clone(), self.report.clone(), url.to_string());
        let task = tokio::spawn(async move {
            let closed = |reason: String| {
                if shared.take(tracker, serial) {
                    let _ = report.send(Input::TrackerClosed { tracker, reason });
                }
            };
            let ws = match tokio_tungstenite::connect_async(url.as_str()).await {
                Ok((ws, _)) => ws,
                Err(e) => return closed(format!("cannot connect to {url}: {e}")),
            };
            if !shared.is_current(tracker, serial) {
                return;
            }
            let _ = report.send(Input::TrackerOpen { tracker });
            let (mut sink, mut stream) = ws.split();
            loop {
                tokio::select! {
                    frame = outgoing.recv() => match frame {
                        Some(Some(text)) => {
                            if let Err(e) = sink.send(Message::text(text)).await {
                                return closed(format!("send failed: {e}"));
                            }
                        }
                        // Disconnected (or replaced): close politely, report nothing.
                        Some(None) | None => {
                            let _ = sink.send(Message::Close(None)).await;
                            return;
                        }
                    },
                    message = stream.next() => match message {
                        Some(Ok(Message::Text(text))) => {
                            if shared.is_current(tracker, serial) {
                                let _ = report.send(Input::TrackerMessage { tracker, text: text.to_string() });
                            }
                        }
                        Some(Ok(Message::Close(frame))) => {
                            let why = frame.map(|f| format!("closed by the tracker: {} {}", f.code, f.reason)).unwrap_or_else(|| "closed by the tracker".into());
                            return closed(why);
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return closed(format!("{e}")),
                        None => return closed("connection ended".into()),
                    },
                }
            }
        });
        if let Some(s) = self.shared.sockets.lock().unwrap().get_mut(&tracker).filter(|s| s.serial == serial) {
            s.task = Some(task);
        }
    }

    /// `TrackerSend`. A socket not open yet queues the frame; a gone one drops it.
    pub fn send(&self, tracker: TrackerId, text: String) {
        if let Some(s) = self.shared.sockets.lock().unwrap().get(&tracker) {
            let _ = s.frames.send(Some(text));
        }
    }

    /// `TrackerDisconnect`: frames already sent go out first, then a close frame.
    pub fn disconnect(&self, tracker: TrackerId) {
        if let Some(s) = self.shared.sockets.lock().unwrap().remove(&tracker) {
            let _ = s.frames.send(None);
            self.shared.closing.lock().unwrap().extend(s.task);
        }
    }

    /// Wait (at most `limit`) for disconnected sockets to send their last frames
    /// (the "stopped" announce) and close.
    pub async fn flush(&self, limit: Duration) {
        let tasks: Vec<JoinHandle<()>> = std::mem::take(&mut *self.shared.closing.lock().unwrap());
        let _ = tokio::time::timeout(limit, futures_util::future::join_all(tasks)).await;
    }
}
