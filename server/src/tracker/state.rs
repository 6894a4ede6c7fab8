//! The tracker itself: swarms, connections and announce counters behind one lock,
//! and what each request does to them. Synchronous and socket-free: a
//! [`Connection`] takes a message's text and gives back the reply for its own
//! socket; messages for other peers (relayed offers and answers) go to their
//! connections' queues.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::clock::Clock;
use super::limits::{AnnounceCounter, TrackerConfig};
use super::messages::{
    parse_request, to_json, Action, AnnounceReply, AnnounceRequest, AnswerRelay, BinStr, Event,
    Failure, FileStats, OfferRelay, Request, ScrapeFlags, ScrapeReply, ScrapeRequest,
};
use super::swarm::{ConnId, Swarm};

/// A WebTorrent tracker. Cheap to clone: clones share the same swarms.
#[derive(Clone)]
pub struct Tracker {
    inner: Arc<Inner>,
}

struct Inner {
    config: TrackerConfig,
    clock: Clock,
    state: Mutex<State>,
}

struct State {
    swarms: HashMap<BinStr, Swarm>,
    conns: HashMap<ConnId, Conn>,
    counter: AnnounceCounter,
    rng: fastrand::Rng,
    next_conn: ConnId,
    next_sweep: Instant,
}

struct Conn {
    ip: IpAddr,
    outbox: mpsc::Sender<String>,
    /// (info_hash, peer_id) of the peers this connection holds.
    peers: HashSet<(BinStr, BinStr)>,
}

/// Numbers about a tracker, for tests and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    pub connections: usize,
    pub swarms: usize,
    pub peers: usize,
}

impl Tracker {
    pub fn new(config: TrackerConfig) -> Self {
        Self::with_clock(config, Clock::System)
    }

    /// A tracker that reads the time from `clock` (tests pass a
    /// [`super::ManualClock`]).
    pub fn with_clock(config: TrackerConfig, clock: Clock) -> Self {
        let rng = match config.seed {
            Some(seed) => fastrand::Rng::with_seed(seed),
            None => fastrand::Rng::new(),
        };
        let now = clock.now();
        Tracker {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    swarms: HashMap::new(),
                    conns: HashMap::new(),
                    counter: AnnounceCounter::default(),
                    rng,
                    next_conn: 1,
                    next_sweep: now + sweep_period(&config),
                }),
                config,
                clock,
            }),
        }
    }

    pub fn config(&self) -> &TrackerConfig {
        &self.inner.config
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing under this lock panics; if something did, the data is still sound.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens a connection from `ip`, or refuses it (the failure reply to send
    /// before closing) when the tracker has `max_connections` already.
    pub fn connect(&self, ip: IpAddr) -> Result<Connection, String> {
        let limits = &self.inner.config.limits;
        let mut state = self.lock();
        if state.conns.len() >= limits.max_connections {
            return Err(to_json(&Failure::new(format!(
                "too many connections: the limit is {}",
                limits.max_connections
            ))));
        }
        let (outbox, inbox) = mpsc::channel(limits.max_queued_messages.max(1));
        let id = state.next_conn;
        state.next_conn += 1;
        state.conns.insert(
            id,
            Conn {
                ip,
                outbox,
                peers: HashSet::new(),
            },
        );
        Ok(Connection {
            id,
            tracker: self.clone(),
            inbox,
        })
    }

    /// Drops the peers that have not announced for interval × 2, now, and forgets
    /// finished announce windows. (Also done by itself every interval / 4, on the
    /// next message.)
    pub fn sweep(&self) {
        let now = self.inner.clock.now();
        let mut state = self.lock();
        state.sweep(now, &self.inner.config);
    }

    pub fn stats(&self) -> Stats {
        let state = self.lock();
        Stats {
            connections: state.conns.len(),
            swarms: state.swarms.len(),
            peers: state.swarms.values().map(Swarm::len).sum(),
        }
    }

    fn handle(&self, conn: ConnId, text: &str) -> Option<String> {
        let config = &self.inner.config;
        if text.len() > config.limits.max_message_size {
            return Some(to_json(&Failure::new(format!(
                "message too large: {} bytes, the limit is {}",
                text.len(),
                config.limits.max_message_size
            ))));
        }
        let request = match parse_request(text) {
            Ok(request) => request,
            Err(e) => return Some(to_json(&e.to_failure())),
        };
        let now = self.inner.clock.now();
        let mut state = self.lock();
        if now >= state.next_sweep {
            state.sweep(now, config);
        }
        let reply = match request {
            Request::Announce(a) if a.answer.is_some() => state.answer(conn, a, now, config),
            Request::Announce(a) => state.announce(conn, a, now, config),
            Request::Scrape(s) => state.scrape(s, now, config),
        };
        reply.map(|r| r.unwrap_or_else(|failure| to_json(&failure)))
    }

    fn disconnect(&self, conn: ConnId) {
        self.lock().disconnect(conn);
    }
}

fn sweep_period(config: &TrackerConfig) -> Duration {
    (config.interval / 4).max(Duration::from_secs(1))
}

/// Who holds a peer id in a swarm, seen from one connection.
enum Holder {
    Nobody,
    This,
    Other { conn: ConnId, same_ip: bool },
}

type Reply = Option<Result<String, Failure>>;

impl State {
    fn sweep(&mut self, now: Instant, config: &TrackerConfig) {
        let hashes: Vec<BinStr> = self.swarms.keys().cloned().collect();
        for hash in &hashes {
            self.expire(hash, now);
        }
        self.counter.sweep(now, config.limits.announce_window);
        self.next_sweep = now + sweep_period(config);
    }

    /// Drops the swarm's expired peers, and the swarm if that empties it.
    fn expire(&mut self, info_hash: &BinStr, now: Instant) {
        let Some(swarm) = self.swarms.get_mut(info_hash) else {
            return;
        };
        for (peer_id, conn) in swarm.expire(now) {
            if let Some(conn) = self.conns.get_mut(&conn) {
                conn.peers.remove(&(info_hash.clone(), peer_id));
            }
        }
        if swarm.is_empty() {
            self.swarms.remove(info_hash);
        }
    }

    fn holder(&self, conn: ConnId, info_hash: &BinStr, peer_id: &BinStr) -> Holder {
        let Some(peer) = self.swarms.get(info_hash).and_then(|s| s.get(peer_id)) else {
            return Holder::Nobody;
        };
        if peer.conn == conn {
            return Holder::This;
        }
        let ip = |c: ConnId| self.conns.get(&c).map(|c| c.ip);
        Holder::Other {
            conn: peer.conn,
            same_ip: ip(peer.conn).is_some() && ip(peer.conn) == ip(conn),
        }
    }

    fn send(&self, conn: ConnId, message: String) {
        if let Some(conn) = self.conns.get(&conn) {
            // A full queue: the peer reads too slowly; this message is dropped.
            let _ = conn.outbox.try_send(message);
        }
    }

    fn counts(&self, info_hash: &BinStr) -> (usize, usize) {
        self.swarms
            .get(info_hash)
            .map_or((0, 0), |s| (s.complete(), s.incomplete()))
    }

    fn announce(
        &mut self,
        conn: ConnId,
        request: AnnounceRequest,
        now: Instant,
        config: &TrackerConfig,
    ) -> Reply {
        let limits = &config.limits;
        let info_hash = &request.info_hash;
        let peer_id = &request.peer_id;
        let fail = |reason: String| Some(Err(Failure::announce(info_hash, reason)));
        let ip = self.conns.get(&conn)?.ip;
        let offers = request.offers.as_deref().unwrap_or(&[]);
        if offers.len() > limits.max_offers {
            return fail(format!(
                "too many offers: {}, the limit is {}",
                offers.len(),
                limits.max_offers
            ));
        }
        if request.event != Event::Stopped {
            if let Err(over) = self.counter.count(ip, info_hash.as_str(), now, limits) {
                return fail(format!(
                    "too many announces for this info_hash from {ip}: {} in {} s, the limit is {}",
                    over.count,
                    limits.announce_window.as_secs_f64(),
                    limits.max_announces_per_window
                ));
            }
        }
        self.expire(info_hash, now);

        let exists = match self.holder(conn, info_hash, peer_id) {
            Holder::Nobody => false,
            Holder::This => true,
            Holder::Other { same_ip: false, .. } => {
                return fail("peer_id is in use by another connection".into())
            }
            // Most likely the same client, reconnected before its old socket was
            // seen closing: the peer moves to this connection.
            Holder::Other {
                conn: old,
                same_ip: true,
            } => {
                if let Some(old) = self.conns.get_mut(&old) {
                    old.peers.remove(&(info_hash.clone(), peer_id.clone()));
                }
                true
            }
        };

        if request.event == Event::Stopped {
            if let Some(swarm) = self.swarms.get_mut(info_hash) {
                swarm.remove(peer_id);
                if swarm.is_empty() {
                    self.swarms.remove(info_hash);
                }
            }
            if let Some(conn) = self.conns.get_mut(&conn) {
                conn.peers.remove(&(info_hash.clone(), peer_id.clone()));
            }
            return Some(Ok(self.announce_reply(info_hash, config)));
        }

        if !exists {
            let in_swarm = self.swarms.get(info_hash).map_or(0, Swarm::len);
            if in_swarm >= limits.max_peers_per_swarm {
                return fail(format!(
                    "swarm is full: the limit is {} peers",
                    limits.max_peers_per_swarm
                ));
            }
            let held = self.conns.get(&conn).map_or(0, |c| c.peers.len());
            if held >= limits.max_swarms_per_connection {
                return fail(format!(
                    "too many swarms on this connection: the limit is {}",
                    limits.max_swarms_per_connection
                ));
            }
        }
        let expires = now + config.peer_ttl();
        self.swarms.entry(info_hash.clone()).or_default().upsert(
            peer_id,
            conn,
            expires,
            request.left == Some(0.0),
            request.event == Event::Completed,
        );
        if let Some(conn) = self.conns.get_mut(&conn) {
            conn.peers.insert((info_hash.clone(), peer_id.clone()));
        }
        let reply = self.announce_reply(info_hash, config);

        // Each offer to a different peer, at most numwant of them.
        let wanted = request
            .numwant
            .map_or(offers.len(), |n| usize::try_from(n).unwrap_or(usize::MAX))
            .min(offers.len());
        if wanted > 0 {
            let targets: Vec<ConnId> = match self.swarms.get(info_hash) {
                Some(swarm) => swarm
                    .pick(&mut self.rng, peer_id, wanted, now)
                    .into_iter()
                    .map(|(_, conn)| conn)
                    .collect(),
                None => Vec::new(),
            };
            for (offer, target) in offers.iter().zip(targets) {
                let relay = OfferRelay {
                    action: Action::Announce.as_str(),
                    offer: &offer.offer,
                    offer_id: &offer.offer_id,
                    peer_id,
                    info_hash,
                };
                self.send(target, to_json(&relay));
            }
        }
        Some(Ok(reply))
    }

    fn announce_reply(&self, info_hash: &BinStr, config: &TrackerConfig) -> String {
        let (complete, incomplete) = self.counts(info_hash);
        to_json(&AnnounceReply {
            complete,
            incomplete,
            action: Action::Announce.as_str(),
            interval: config.interval.as_secs(),
            info_hash,
        })
    }

    /// Relays an answer to its offerer. No reply on success (as bittorrent-tracker).
    fn answer(
        &mut self,
        conn: ConnId,
        request: AnnounceRequest,
        now: Instant,
        config: &TrackerConfig,
    ) -> Reply {
        let info_hash = &request.info_hash;
        let fail = |reason: &str| Some(Err(Failure::announce(info_hash, reason)));
        let (Some(answer), Some(to_peer_id), Some(offer_id)) =
            (&request.answer, &request.to_peer_id, &request.offer_id)
        else {
            return fail("an answer needs to_peer_id and offer_id");
        };
        self.expire(info_hash, now);
        match self.holder(conn, info_hash, &request.peer_id) {
            Holder::Other { same_ip: false, .. } => {
                return fail("peer_id is in use by another connection")
            }
            Holder::This => {
                // An answer is a sign of life too, as in bittorrent-tracker.
                if let Some(swarm) = self.swarms.get_mut(info_hash) {
                    swarm.upsert(
                        &request.peer_id,
                        conn,
                        now + config.peer_ttl(),
                        false,
                        false,
                    );
                }
            }
            _ => {}
        }
        let target = self
            .swarms
            .get(info_hash)
            .and_then(|s| s.get(to_peer_id))
            .filter(|p| p.expires > now)
            .map(|p| p.conn);
        let Some(target) = target else {
            return fail("no peer with that to_peer_id in this swarm");
        };
        let relay = AnswerRelay {
            action: Action::Announce.as_str(),
            answer,
            offer_id,
            peer_id: &request.peer_id,
            info_hash,
        };
        self.send(target, to_json(&relay));
        None
    }

    fn scrape(&mut self, request: ScrapeRequest, now: Instant, config: &TrackerConfig) -> Reply {
        let max = config.limits.max_scrape_hashes;
        let hashes = match request.info_hash {
            Some(list) => {
                if list.len() > max {
                    return Some(Err(Failure::scrape(format!(
                        "too many info_hashes: {}, the limit is {max}",
                        list.len()
                    ))));
                }
                let mut seen = HashSet::new();
                list.into_iter()
                    .filter(|h| seen.insert(h.clone()))
                    .collect()
            }
            None => {
                self.sweep(now, config);
                let mut all: Vec<BinStr> = self.swarms.keys().cloned().collect();
                all.sort();
                all.truncate(max);
                all
            }
        };
        let files = hashes
            .into_iter()
            .map(|hash| {
                self.expire(&hash, now);
                let stats = self.swarms.get(&hash).map_or(
                    FileStats {
                        complete: 0,
                        incomplete: 0,
                        downloaded: 0,
                    },
                    Swarm::stats,
                );
                (hash, stats)
            })
            .collect();
        Some(Ok(to_json(&ScrapeReply {
            action: Action::Scrape.as_str(),
            files,
            flags: ScrapeFlags {
                min_request_interval: config.interval.as_secs(),
            },
        })))
    }

    fn disconnect(&mut self, conn: ConnId) {
        let Some(gone) = self.conns.remove(&conn) else {
            return;
        };
        for (info_hash, peer_id) in gone.peers {
            if let Some(swarm) = self.swarms.get_mut(&info_hash) {
                if swarm.get(&peer_id).is_some_and(|p| p.conn == conn) {
                    swarm.remove(&peer_id);
                }
                if swarm.is_empty() {
                    self.swarms.remove(&info_hash);
                }
            }
        }
    }
}

/// One client's connection to a [`Tracker`]. Dropping it removes the client's
/// peers from every swarm.
pub struct Connection {
    id: ConnId,
    tracker: Tracker,
    inbox: mpsc::Receiver<String>,
}

impl Connection {
    pub fn id(&self) -> ConnId {
        self.id
    }

    /// Handles one text message; returns the reply for this connection, if any.
    pub fn handle_text(&self, text: &str) -> Option<String> {
        self.tracker.handle(self.id, text)
    }

    /// Handles one binary message: read as UTF-8 JSON text, as bittorrent-tracker
    /// (Node's `ws`) does.
    pub fn handle_binary(&self, bytes: &[u8]) -> Option<String> {
        let max = self.tracker.config().limits.max_message_size;
        if bytes.len() > max {
            return Some(to_json(&Failure::new(format!(
                "message too large: {} bytes, the limit is {max}",
                bytes.len()
            ))));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => self.handle_text(text),
            Err(_) => Some(to_json(&Failure::new(
                "invalid message: a binary message must be UTF-8 JSON text",
            ))),
        }
    }

    /// The next message relayed to this connection by other peers (offers and
    /// answers).
    pub async fn relayed(&mut self) -> Option<String> {
        self.inbox.recv().await
    }

    /// A relayed message if one is waiting.
    pub fn try_relayed(&mut self) -> Option<String> {
        self.inbox.try_recv().ok()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.tracker.disconnect(self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracker::ManualClock;
    use serde_json::{json, Value};

    const HASH: &str = "4phHtw9IMImWFGckq9fz";

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, last])
    }

    fn peer(n: u32) -> String {
        format!("-TS0001-{n:012}")
    }

    fn announce(peer_id: &str, extra: Value) -> String {
        let mut v = json!({"action": "announce", "info_hash": HASH, "peer_id": peer_id});
        if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
            v.extend(extra);
        }
        v.to_string()
    }

    fn reply(conn: &Connection, text: &str) -> Value {
        serde_json::from_str(&conn.handle_text(text).expect("a reply")).unwrap()
    }

    fn tracker() -> (Tracker, ManualClock) {
        let clock = ManualClock::new();
        let config = TrackerConfig {
            seed: Some(1),
            ..TrackerConfig::default()
        };
        (
            Tracker::with_clock(config, Clock::Manual(clock.clone())),
            clock,
        )
    }

    #[test]
    fn a_peer_id_is_not_taken_from_another_address() {
        let (tracker, _) = tracker();
        let a = tracker.connect(ip(1)).unwrap();
        let b = tracker.connect(ip(2)).unwrap();
        let c = tracker.connect(ip(1)).unwrap();
        assert_eq!(reply(&a, &announce(&peer(1), json!({})))["incomplete"], 1);
        let refused = reply(&b, &announce(&peer(1), json!({"event": "stopped"})));
        assert_eq!(
            refused["failure reason"],
            "peer_id is in use by another connection"
        );
        assert_eq!(refused["info_hash"], HASH);
        // The same address takes it over (a reconnect): closing the old
        // connection then leaves the peer in place.
        assert_eq!(reply(&c, &announce(&peer(1), json!({})))["incomplete"], 1);
        drop(a);
        assert_eq!(tracker.stats().peers, 1);
        drop(c);
        assert_eq!(
            tracker.stats(),
            Stats {
                connections: 1,
                swarms: 0,
                peers: 0
            }
        );
    }

    #[test]
    fn an_answer_cannot_be_sent_as_someone_else() {
        let (tracker, _) = tracker();
        let a = tracker.connect(ip(1)).unwrap();
        let b = tracker.connect(ip(2)).unwrap();
        reply(&a, &announce(&peer(1), json!({})));
        reply(&b, &announce(&peer(2), json!({})));
        let answer = json!({"answer": {"type": "answer", "sdp": "x"}, "to_peer_id": peer(2),
            "offer_id": "aaaaaaaaaaaaaaaaaaaa"});
        let refused = reply(&b, &announce(&peer(1), answer.clone()));
        assert_eq!(
            refused["failure reason"],
            "peer_id is in use by another connection"
        );
        // To a peer that is not there.
        let lost = json!({"answer": {"type": "answer"}, "to_peer_id": peer(9),
            "offer_id": "aaaaaaaaaaaaaaaaaaaa"});
        let refused = reply(&a, &announce(&peer(1), lost));
        assert_eq!(
            refused["failure reason"],
            "no peer with that to_peer_id in this swarm"
        );
        assert!(a.handle_text(&announce(&peer(1), answer)).is_none());
    }

    #[test]
    fn announces_keep_a_peer_and_answers_too() {
        let (tracker, clock) = tracker();
        let mut a = tracker.connect(ip(1)).unwrap();
        let b = tracker.connect(ip(2)).unwrap();
        reply(&a, &announce(&peer(1), json!({})));
        reply(&b, &announce(&peer(2), json!({"left": 0})));
        clock.advance(Duration::from_secs(200));
        // b answers (a sign of life); a says nothing.
        let answer = json!({"answer": {"type": "answer"}, "to_peer_id": peer(1),
            "offer_id": "aaaaaaaaaaaaaaaaaaaa"});
        assert!(b.handle_text(&announce(&peer(2), answer)).is_none());
        assert!(a.try_relayed().is_some());
        clock.advance(Duration::from_secs(40));
        tracker.sweep();
        assert_eq!(tracker.stats().peers, 1);
        let scrape = reply(
            &b,
            &json!({"action": "scrape", "info_hash": HASH}).to_string(),
        );
        assert_eq!(
            scrape["files"][HASH],
            json!({"complete": 1, "incomplete": 0, "downloaded": 0})
        );
        clock.advance(Duration::from_secs(200));
        tracker.sweep();
        assert_eq!(
            tracker.stats(),
            Stats {
                connections: 2,
                swarms: 0,
                peers: 0
            }
        );
    }

    #[test]
    fn completed_counts_a_download() {
        let (tracker, _) = tracker();
        let a = tracker.connect(ip(1)).unwrap();
        reply(
            &a,
            &announce(&peer(1), json!({"event": "started", "left": 100})),
        );
        let done = reply(&a, &announce(&peer(1), json!({"event": "completed"})));
        assert_eq!(
            (done["complete"].clone(), done["incomplete"].clone()),
            (json!(1), json!(0))
        );
        let scrape = reply(&a, r#"{"action":"scrape"}"#);
        assert_eq!(scrape["files"][HASH]["downloaded"], 1);
    }
}
