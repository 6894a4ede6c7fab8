//! The swarm's peer-to-peer outputs carried out natively: tracker WebSockets and
//! WebRTC peer connections, everything they report coming back as `Input`s on
//! one channel. Any driver of a `tubeswarm::engine::swarm::Swarm` can use it (the
//! seeder, and the tests' native viewer).
//!
//! ```no_run
//! # async fn demo() {
//! use tubeswarm_server::seeder::io::PeerIo;
//! let (io, mut inputs) = PeerIo::new();
//! io.carry_out(tubeswarm::engine::Output::TrackerConnect { tracker: 0, url: "ws://127.0.0.1:8000/".into() });
//! let first = inputs.recv().await; // TrackerOpen, or TrackerClosed with the reason
//! # }
//! ```

use std::time::Duration;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tubeswarm::engine::{Input, Output};

use super::rtc::Rtc;
use super::tracker_socket::TrackerSockets;

pub struct PeerIo {
    pub rtc: Rtc,
    pub trackers: TrackerSockets,
}

impl PeerIo {
    /// Must be called inside a tokio runtime (the sockets and peers are tasks).
    pub fn new() -> (PeerIo, UnboundedReceiver<Input>) {
        let (report, inputs) = unbounded_channel();
        let io = PeerIo { rtc: Rtc::new(report.clone()), trackers: TrackerSockets::new(report) };
        (io, inputs)
    }

    /// Carry out one peer-to-peer output (the playback ones mean nothing here).
    pub fn carry_out(&self, output: Output) {
        match output {
            Output::TrackerConnect { tracker, url } => self.trackers.connect(tracker, &url),
            Output::TrackerSend { tracker, text } => self.trackers.send(tracker, text),
            Output::TrackerDisconnect { tracker } => self.trackers.disconnect(tracker),
            Output::CreateOffer { conn } => self.rtc.create_offer(conn),
            Output::CreateAnswer { conn, offer_sdp } => self.rtc.create_answer(conn, offer_sdp),
            Output::AcceptAnswer { conn, answer_sdp } => self.rtc.accept_answer(conn, answer_sdp),
            Output::PeerSend { conn, data } => self.rtc.send(conn, &data),
            Output::ClosePeer { conn } => self.rtc.close(conn),
            _ => {}
        }
    }

    /// After the swarms' `stop` outputs were carried out: let the trackers get
    /// their "stopped" and close, and close every connection (at most `limit` each).
    pub async fn shutdown(&self, limit: Duration) {
        self.trackers.flush(limit).await;
        self.rtc.close_all(limit).await;
    }
}
