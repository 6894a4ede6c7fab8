//! A WebTorrent tracker: the WebSocket signalling server that PeerTube serves at
//! `/tracker/socket` and that p2p-media-loader viewers use to find each other.
//!
//! Protocol (bittorrent-tracker 11's WebSocket server, as p2p-media-loader 2.3.1
//! uses it): JSON text frames; binary 20-byte ids as strings of chars
//! U+0000–U+00FF ([`messages::BinStr`]).
//! - `announce` (`event` started / stopped / completed / none, `numwant`,
//!   `offers`) → `{"complete","incomplete","action":"announce","interval","info_hash"}`;
//!   each offer goes to a different random peer of the swarm (at most
//!   min(numwant, offers)) as `{"action":"announce","offer","offer_id","peer_id","info_hash"}`.
//! - an announce with `answer`, `to_peer_id`, `offer_id` is relayed to that peer
//!   as `{"action":"announce","answer","offer_id","peer_id","info_hash"}`.
//! - `scrape` → `{"action":"scrape","files":{hash:{"complete","incomplete","downloaded"}},"flags"}`.
//! - refusals: `{"action"?,"failure reason","info_hash"?}`; the socket stays open.
//!
//! Files: [`messages`] (the JSON), [`swarm`] (peers per info_hash, expiry),
//! [`limits`] (settings, the announce counter), [`clock`], [`state`] (the
//! tracker: what each request does), [`server`] (axum WebSocket endpoint and a
//! standalone server, used by the `tubeswarm-tracker` binary).

pub mod clock;
pub mod limits;
pub mod messages;
pub mod server;
pub mod state;
pub mod swarm;

pub use clock::{Clock, ManualClock};
pub use limits::{Limits, TrackerConfig};
pub use server::{endpoint, router, start, RunningTracker};
pub use state::{Connection, Stats, Tracker};
