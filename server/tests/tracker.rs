//! The WebTorrent tracker over real WebSockets: a tracker started in-process on a
//! free port (with a manual clock), real tokio-tungstenite clients.
//!
//! `compat_with_bittorrent_tracker` plays the same client script against the
//! reference server (npm `bittorrent-tracker`, see tracker-compat/README.md) when
//! it is installed, to check our reading of the protocol.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use tubeswarm_server::tracker::{
    self, Clock, Limits, ManualClock, RunningTracker, Tracker, TrackerConfig,
};

const HASH: &str = "4phHtw9IMImWFGckq9fz";
const HASH2: &str = "QZXxIsvEBaTKrSJyWwwq";
const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(300);

// ---------------------------------------------------------------------------------
// Helpers

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    async fn connect(url: &str) -> Client {
        let (ws, _) = tokio_tungstenite::connect_async(url)
            .await
            .unwrap_or_else(|e| panic!("connect {url}: {e}"));
        Client { ws }
    }

    async fn send(&mut self, message: &Value) {
        // serde_json writes chars U+0080–U+00FF raw: 2-byte UTF-8, as a browser does.
        self.send_text(&message.to_string()).await;
    }

    async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("send");
    }

    async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.ws
            .send(Message::Binary(bytes.into()))
            .await
            .expect("send");
    }

    /// The next text frame within `wait`, or `None` (timeout, close).
    async fn next_text(&mut self, wait: Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??;
            match frame {
                Ok(Message::Text(text)) => return Some(text.as_str().to_owned()),
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => continue,
                Ok(Message::Binary(_)) => panic!("the tracker sent a binary frame"),
                Ok(Message::Close(_)) | Err(_) => return None,
            }
        }
    }

    async fn recv_text(&mut self) -> String {
        self.next_text(WAIT)
            .await
            .expect("a message from the tracker")
    }

    async fn recv(&mut self) -> Value {
        let text = self.recv_text().await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    /// A plain announce (no event, no offers) as `peer(n)`; returns the reply.
    async fn announce(&mut self, info_hash: &str, n: u32) -> Value {
        self.send(&announce(info_hash, &peer(n), None, vec![]))
            .await;
        self.recv().await
    }

    /// Nothing arrives for a moment.
    async fn quiet(&mut self) {
        if let Some(text) = self.next_text(QUIET).await {
            panic!("unexpected message: {text}");
        }
    }

    /// The tracker closes this socket (within `WAIT`).
    async fn closed(&mut self) -> bool {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return false,
                Ok(None | Some(Err(_)) | Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    async fn close(mut self) {
        let _ = self.ws.close(None).await;
        // Wait for the server's close reply, so it has seen the close.
        while let Ok(Some(Ok(_))) = tokio::time::timeout(WAIT, self.ws.next()).await {}
    }
}

/// 20-char ASCII peer id, like p2p-media-loader's `-PM0203-` + 12 symbols.
fn peer(n: u32) -> String {
    format!("-TS0001-{n:012}")
}

/// A binary offer id: 20 bytes from `seed` on, most of them 0x80–0xFF, as
/// chars U+0000–U+00FF.
fn binary_id(seed: u8) -> String {
    (0..20u8)
        .map(|i| {
            char::from(
                0x80u8
                    .wrapping_add(seed.wrapping_mul(20))
                    .wrapping_add(i * 6)
                    | 0x80,
            )
        })
        .collect()
}

fn sdp(kind: &str, n: usize) -> Value {
    json!({"type": kind, "sdp": format!("v=0\r\no=- {n} 2 IN IP4 127.0.0.1\r\n")})
}

fn offers(count: usize, seed: u8) -> Vec<Value> {
    (0..count)
        .map(|i| json!({"offer": sdp("offer", i), "offer_id": binary_id(seed.wrapping_add(i as u8))}))
        .collect()
}

/// An announce as p2p-media-loader 2.3.1 sends it (its key order, no `left`).
fn announce(info_hash: &str, peer_id: &str, event: Option<&str>, offers: Vec<Value>) -> Value {
    let mut v = json!({"numwant": offers.len(), "uploaded": 0, "downloaded": 0});
    let m = v.as_object_mut().unwrap();
    if let Some(event) = event {
        m.insert("event".into(), json!(event));
    }
    m.insert("action".into(), json!("announce"));
    m.insert("info_hash".into(), json!(info_hash));
    m.insert("peer_id".into(), json!(peer_id));
    m.insert("offers".into(), Value::Array(offers));
    v
}

fn answer(info_hash: &str, peer_id: &str, to_peer_id: &str, offer_id: &Value) -> Value {
    json!({"action": "announce", "info_hash": info_hash, "peer_id": peer_id,
        "to_peer_id": to_peer_id, "answer": sdp("answer", 0), "offer_id": offer_id})
}

fn scrape(info_hash: Value) -> Value {
    json!({"action": "scrape", "info_hash": info_hash})
}

/// The top-level keys of a JSON object, in the order written.
fn keys(text: &str) -> Vec<String> {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(Keys)
        .unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A tracker with `limits`, a fixed seed and a manual clock, on a free port.
async fn start(limits: Limits) -> (RunningTracker, ManualClock) {
    let config = TrackerConfig {
        seed: Some(7),
        limits,
        ..TrackerConfig::default()
    };
    let clock = ManualClock::new();
    let tracker = Tracker::with_clock(config, Clock::Manual(clock.clone()));
    let running = tracker::start(tracker, "127.0.0.1", 0).await.unwrap();
    (running, clock)
}

async fn start_default() -> (RunningTracker, ManualClock) {
    start(Limits::default()).await
}

/// Waits until `want` messages have arrived across `clients` (index, message),
/// then checks that no more come.
async fn collect(clients: &mut [Client], want: usize) -> Vec<(usize, Value)> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut got = Vec::new();
    while got.len() < want && tokio::time::Instant::now() < deadline {
        for (i, c) in clients.iter_mut().enumerate() {
            if let Some(text) = c.next_text(Duration::from_millis(10)).await {
                got.push((i, serde_json::from_str(&text).unwrap()));
            }
        }
    }
    tokio::time::sleep(QUIET).await;
    for c in clients.iter_mut() {
        if let Some(text) = c.next_text(Duration::from_millis(1)).await {
            panic!("one message too many: {text}");
        }
    }
    got
}

/// complete / incomplete of `info_hash`, by scrape.
async fn counts(client: &mut Client, info_hash: &str) -> (u64, u64) {
    client.send(&scrape(json!(info_hash))).await;
    let reply = client.recv().await;
    let file = &reply["files"][info_hash];
    (
        file["complete"].as_u64().unwrap(),
        file["incomplete"].as_u64().unwrap(),
    )
}

/// Polls until the scrape counts are `want` (a socket close is seen by the
/// server a moment after the client's close).
async fn wait_counts(client: &mut Client, info_hash: &str, want: (u64, u64)) {
    let mut got = (u64::MAX, u64::MAX);
    for _ in 0..50 {
        got = counts(client, info_hash).await;
        if got == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("counts of {info_hash}: want {want:?}, got {got:?}");
}

// ---------------------------------------------------------------------------------
// Signalling

#[tokio::test]
async fn offer_is_relayed_and_answer_comes_back() {
    let (server, _) = start_default().await;
    let url = server.url();
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;

    a.send(&announce(HASH, &peer(1), Some("started"), offers(5, 0)))
        .await;
    let text = a.recv_text().await;
    assert_eq!(
        keys(&text),
        ["complete", "incomplete", "action", "interval", "info_hash"]
    );
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"complete": 0, "incomplete": 1, "action": "announce", "interval": 120, "info_hash": HASH})
    );

    let b_offers = offers(5, 50);
    b.send(&announce(HASH, &peer(2), Some("started"), b_offers.clone()))
        .await;
    let reply = b.recv().await;
    assert_eq!(
        (reply["complete"].clone(), reply["incomplete"].clone()),
        (json!(0), json!(2))
    );

    // a, the only other peer, gets exactly one of b's offers.
    let text = a.recv_text().await;
    assert_eq!(
        keys(&text),
        ["action", "offer", "offer_id", "peer_id", "info_hash"]
    );
    let relayed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(relayed["action"], "announce");
    assert_eq!(relayed["peer_id"], peer(2));
    assert_eq!(relayed["info_hash"], HASH);
    let sent = b_offers
        .iter()
        .find(|o| o["offer_id"] == relayed["offer_id"])
        .expect("one of b's offer ids");
    assert_eq!(relayed["offer"], sent["offer"]);
    a.quiet().await;

    // a answers; b gets it, a gets no reply.
    a.send(&answer(HASH, &peer(1), &peer(2), &relayed["offer_id"]))
        .await;
    let text = b.recv_text().await;
    assert_eq!(
        keys(&text),
        ["action", "answer", "offer_id", "peer_id", "info_hash"]
    );
    let relayed_answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        relayed_answer,
        json!({"action": "announce", "answer": sdp("answer", 0), "offer_id": relayed["offer_id"],
            "peer_id": peer(1), "info_hash": HASH})
    );
    a.quiet().await;
    b.quiet().await;
    server.stop().await.unwrap();
}

#[tokio::test]
async fn binary_ids_round_trip_byte_for_byte() {
    let (server, _) = start_default().await;
    let url = server.url();
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;
    // Every byte 0x80–0xFF once across the ids, plus the awkward ASCII ones.
    let mut specials: Vec<String> = (0x80u32..=0xFF)
        .collect::<Vec<_>>()
        .chunks(20)
        .map(|c| {
            c.iter()
                .map(|&b| char::from_u32(b).unwrap())
                .collect::<String>()
        })
        .collect();
    let last = specials.pop().unwrap(); // 8 chars: pad with controls and quotes
    specials.push(format!("{last}\u{0}\n\"\\/\u{7f}\u{1f}\t\r\u{8}\u{c}\u{1}"));
    assert!(specials.iter().all(|s| s.chars().count() == 20));
    // A peer id of bytes 0xEC–0xFF.
    let binary_peer: String = (0xECu8..=0xFF).map(char::from).collect();
    assert_eq!(binary_peer.chars().count(), 20);

    a.send(&announce(HASH, &binary_peer, None, vec![])).await;
    a.recv().await;
    for (i, id) in specials.iter().enumerate() {
        let offer = json!({"offer": sdp("offer", i), "offer_id": id});
        let message = announce(HASH, &peer(2), None, vec![offer]).to_string();
        // On the wire: 2 bytes of UTF-8 for each char 0x80–0xFF, no \u escape.
        assert!(message.len() > message.chars().count());
        b.send_text(&message).await;
        b.recv().await;
        let text = a.recv_text().await;
        let wire_id = format!("\"offer_id\":{}", serde_json::to_string(id).unwrap());
        assert!(text.contains(&wire_id), "{text} lacks {wire_id}");
        let relayed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(relayed["offer_id"].as_str(), Some(id.as_str()));

        a.send(&answer(HASH, &binary_peer, &peer(2), &relayed["offer_id"]))
            .await;
        let back: Value = b.recv().await;
        assert_eq!(back["offer_id"].as_str(), Some(id.as_str()));
        assert_eq!(back["peer_id"].as_str(), Some(binary_peer.as_str()));
    }
    server.stop().await.unwrap();
}

#[tokio::test]
async fn offers_go_to_distinct_peers_at_most_numwant() {
    let (server, _) = start_default().await;
    let url = server.url();
    let mut others = Vec::new();
    for n in 0..7 {
        let mut c = Client::connect(&url).await;
        c.announce(HASH, n).await;
        others.push(c);
    }
    let mut asker = Client::connect(&url).await;
    let sent = offers(5, 9);
    asker
        .send(&announce(HASH, &peer(99), None, sent.clone()))
        .await;
    assert_eq!(asker.recv().await["incomplete"], 8);
    let got = collect(&mut others, 5).await;
    let receivers: HashSet<usize> = got.iter().map(|(i, _)| *i).collect();
    assert_eq!(receivers.len(), 5, "5 offers, 5 different peers");
    let mut got_ids = HashSet::new();
    for (_, v) in &got {
        assert_eq!(v["peer_id"], peer(99));
        assert!(got_ids.insert(v["offer_id"].as_str().unwrap().to_owned()));
    }
    let sent_ids: HashSet<String> = sent
        .iter()
        .map(|o| o["offer_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(got_ids, sent_ids);

    // numwant 2 with 5 offers: 2 peers get one.
    let mut limited = announce(HASH, &peer(99), None, offers(5, 30));
    limited["numwant"] = json!(2);
    asker.send(&limited).await;
    asker.recv().await;
    let got = collect(&mut others, 2).await;
    let receivers: HashSet<usize> = got.iter().map(|(i, _)| *i).collect();
    assert_eq!(receivers.len(), 2);
    // numwant 0: nobody.
    limited["numwant"] = json!(0);
    asker.send(&limited).await;
    asker.recv().await;
    assert!(collect(&mut others, 0).await.is_empty());
    server.stop().await.unwrap();
}

#[tokio::test]
async fn stopped_and_close_remove_the_peer() {
    let (server, _) = start_default().await;
    let url = server.url();
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;
    let mut watcher = Client::connect(&url).await;
    a.send(&announce(HASH, &peer(1), Some("started"), vec![]))
        .await;
    a.recv().await;
    let mut seeder = announce(HASH, &peer(2), Some("started"), vec![]);
    seeder["left"] = json!(0);
    b.send(&seeder).await;
    let reply = b.recv().await;
    assert_eq!(
        (reply["complete"].clone(), reply["incomplete"].clone()),
        (json!(1), json!(1))
    );
    // One socket, two swarms, one peer id per swarm (as p2p-media-loader does).
    b.send(&announce(HASH2, &peer(3), Some("started"), vec![]))
        .await;
    assert_eq!(b.recv().await["incomplete"], 1);
    assert_eq!(server.tracker.stats().peers, 3);

    a.send(&announce(HASH, &peer(1), Some("stopped"), vec![]))
        .await;
    let reply = a.recv().await;
    assert_eq!(
        (reply["complete"].clone(), reply["incomplete"].clone()),
        (json!(1), json!(0))
    );
    assert_eq!(counts(&mut watcher, HASH).await, (1, 0));
    // Stopping twice is harmless.
    a.send(&announce(HASH, &peer(1), Some("stopped"), vec![]))
        .await;
    assert_eq!(a.recv().await["incomplete"], 0);

    b.close().await;
    wait_counts(&mut watcher, HASH, (0, 0)).await;
    wait_counts(&mut watcher, HASH2, (0, 0)).await;
    let stats = server.tracker.stats();
    assert_eq!((stats.swarms, stats.peers), (0, 0));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn scrape_one_several_or_all() {
    let (server, _) = start_default().await;
    let mut c = Client::connect(&server.url()).await;
    c.announce(HASH, 1).await;
    c.send(&announce(HASH2, &peer(2), Some("completed"), vec![]))
        .await;
    c.recv().await;

    c.send(&scrape(json!(HASH))).await;
    let text = c.recv_text().await;
    assert_eq!(keys(&text), ["action", "files", "flags"]);
    assert_eq!(
        serde_json::from_str::<Value>(&text).unwrap(),
        json!({"action": "scrape",
            "files": {HASH: {"complete": 0, "incomplete": 1, "downloaded": 0}},
            "flags": {"min_request_interval": 120}})
    );
    let unknown = "AAAAAAAAAAAAAAAAAAAA";
    c.send(&scrape(json!([HASH2, unknown, HASH2]))).await;
    let files = c.recv().await["files"].clone();
    assert_eq!(
        files,
        json!({HASH2: {"complete": 1, "incomplete": 0, "downloaded": 1},
            unknown: {"complete": 0, "incomplete": 0, "downloaded": 0}})
    );
    c.send(&json!({"action": "scrape"})).await;
    let files = c.recv().await["files"].clone();
    assert_eq!(files.as_object().unwrap().len(), 2);
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Limits

fn failure_of(reply: &Value) -> &str {
    reply["failure reason"]
        .as_str()
        .unwrap_or_else(|| panic!("not a failure: {reply}"))
}

#[tokio::test]
async fn message_size_limit() {
    let (server, _) = start(Limits {
        max_message_size: 2000,
        max_frame_size: 10_000,
        ..Limits::default()
    })
    .await;
    let mut c = Client::connect(&server.url()).await;
    let mut big = announce(HASH, &peer(1), None, vec![]);
    big["padding"] = json!("x".repeat(3000));
    c.send(&big).await;
    let reply = c.recv().await;
    assert!(
        failure_of(&reply).starts_with("message too large"),
        "{reply}"
    );
    assert!(failure_of(&reply).contains("the limit is 2000"), "{reply}");
    c.send_binary(big.to_string().into_bytes()).await;
    assert!(failure_of(&c.recv().await).starts_with("message too large"));
    // Still served.
    assert_eq!(c.announce(HASH, 1).await["incomplete"], 1);

    // Past max_frame_size it is abuse: that socket is closed, the others live.
    let mut other = Client::connect(&server.url()).await;
    c.send_text(&"y".repeat(20_000)).await;
    assert!(c.closed().await);
    assert_eq!(
        counts(&mut other, HASH).await,
        (0, 0),
        "its peer left with it"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn offers_per_announce_limit() {
    let (server, _) = start(Limits {
        max_offers: 3,
        ..Limits::default()
    })
    .await;
    let mut c = Client::connect(&server.url()).await;
    c.send(&announce(HASH, &peer(1), None, offers(4, 0))).await;
    let reply = c.recv().await;
    assert_eq!(failure_of(&reply), "too many offers: 4, the limit is 3");
    assert_eq!(reply["action"], "announce");
    assert_eq!(reply["info_hash"], HASH);
    assert_eq!(server.tracker.stats().peers, 0);
    c.send(&announce(HASH, &peer(1), None, offers(3, 0))).await;
    assert_eq!(c.recv().await["incomplete"], 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn announces_per_ip_per_info_hash_limit() {
    let (server, clock) = start(Limits {
        max_announces_per_window: 3,
        announce_window: Duration::from_secs(60),
        ..Limits::default()
    })
    .await;
    let mut a = Client::connect(&server.url()).await;
    let mut b = Client::connect(&server.url()).await; // same IP (loopback)
    for _ in 0..2 {
        assert_eq!(a.announce(HASH, 1).await["incomplete"], 1);
    }
    assert_eq!(b.announce(HASH, 2).await["incomplete"], 2);
    let reply = a.announce(HASH, 1).await;
    assert!(
        failure_of(&reply).starts_with(
            "too many announces for this info_hash from 127.0.0.1: 4 in 60 s, the limit is 3"
        ),
        "{reply}"
    );
    assert_eq!(reply["info_hash"], HASH);
    // Another info_hash has its own count; stopped and answers are not counted.
    assert_eq!(a.announce(HASH2, 1).await["incomplete"], 1);
    b.send(&answer(HASH, &peer(2), &peer(1), &json!(binary_id(1))))
        .await;
    assert!(a.recv().await["answer"].is_object());
    b.send(&announce(HASH, &peer(2), Some("stopped"), vec![]))
        .await;
    assert_eq!(b.recv().await["incomplete"], 1);
    // The window ends: allowed again.
    clock.advance(Duration::from_secs(60));
    assert_eq!(a.announce(HASH, 1).await["incomplete"], 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn connection_limit() {
    let (server, _) = start(Limits {
        max_connections: 2,
        ..Limits::default()
    })
    .await;
    let url = server.url();
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;
    a.announce(HASH, 1).await;
    b.announce(HASH, 2).await;
    let mut c = Client::connect(&url).await;
    let reply = c.recv().await;
    assert_eq!(failure_of(&reply), "too many connections: the limit is 2");
    assert!(c.closed().await);
    a.close().await;
    // A place is free again once the server has seen the close.
    let mut ok = false;
    for _ in 0..50 {
        let mut d = Client::connect(&url).await;
        d.send(&scrape(json!(HASH))).await;
        let reply = d.recv().await;
        if reply["action"] == "scrape" {
            assert_eq!(reply["files"][HASH]["incomplete"], 1);
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ok);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn peers_per_swarm_and_swarms_per_connection_limits() {
    let (server, _) = start(Limits {
        max_peers_per_swarm: 2,
        max_swarms_per_connection: 2,
        max_scrape_hashes: 2,
        ..Limits::default()
    })
    .await;
    let mut c = Client::connect(&server.url()).await;
    c.announce(HASH, 1).await;
    c.announce(HASH, 2).await;
    let reply = c.announce(HASH, 3).await;
    assert_eq!(failure_of(&reply), "swarm is full: the limit is 2 peers");
    assert_eq!(reply["info_hash"], HASH);
    // Members still re-announce.
    assert_eq!(c.announce(HASH, 2).await["incomplete"], 2);
    // This socket already holds 2 peers.
    assert_eq!(
        failure_of(&c.announce(HASH2, 4).await),
        "too many swarms on this connection: the limit is 2"
    );
    c.send(&scrape(json!([HASH, HASH2, "AAAAAAAAAAAAAAAAAAAA"])))
        .await;
    let reply = c.recv().await;
    assert_eq!(
        failure_of(&reply),
        "too many info_hashes: 3, the limit is 2"
    );
    assert_eq!(reply["action"], "scrape");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn peers_expire_after_twice_the_interval() {
    let (server, clock) = start_default().await;
    let url = server.url();
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;
    a.announce(HASH, 1).await;
    b.announce(HASH, 2).await;
    clock.advance(Duration::from_secs(239));
    assert_eq!(
        b.announce(HASH, 2).await["incomplete"],
        2,
        "not yet at 239 s"
    );
    clock.advance(Duration::from_secs(1));
    // a is gone at 240 s: b's offers find nobody.
    b.send(&announce(HASH, &peer(2), None, offers(2, 0))).await;
    assert_eq!(b.recv().await["incomplete"], 1);
    a.quiet().await;
    // a's socket is still open; announcing again brings it back.
    assert_eq!(a.announce(HASH, 1).await["incomplete"], 2);
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Bad input

#[tokio::test]
async fn bad_messages_get_a_failure_and_the_socket_stays() {
    let (server, _) = start_default().await;
    let mut c = Client::connect(&server.url()).await;
    let hash19 = &HASH[..19];
    let cases: Vec<(String, &str)> = vec![
        ("{".into(), "invalid JSON"),
        ("not json at all".into(), "invalid JSON"),
        ("".into(), "invalid JSON"),
        ("null".into(), "expected a JSON object"),
        ("[\"announce\"]".into(), "expected a JSON object"),
        (json!({"action": "connect"}).to_string(), "invalid action"),
        (json!({"action": 1}).to_string(), "invalid action"),
        (json!({"info_hash": HASH}).to_string(), "invalid action: missing"),
        (announce(hash19, &peer(1), None, vec![]).to_string(), "invalid info_hash: expected 20 characters, got 19"),
        (announce(&format!("{HASH}x"), &peer(1), None, vec![]).to_string(), "invalid info_hash"),
        (announce(&format!("{hash19}\u{100}"), &peer(1), None, vec![]).to_string(), "invalid info_hash: character U+0100"),
        (json!({"action": "announce", "info_hash": 12, "peer_id": peer(1)}).to_string(), "invalid info_hash: expected a string"),
        (json!({"action": "announce", "info_hash": [HASH], "peer_id": peer(1)}).to_string(), "invalid info_hash"),
        (json!({"action": "announce", "info_hash": HASH}).to_string(), "missing field `peer_id`"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": {"a": 1}}).to_string(), "invalid peer_id"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "numwant": "5"}).to_string(), "invalid numwant"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "numwant": -1}).to_string(), "invalid numwant"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "event": "paused!"}).to_string(), "invalid event"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "event": 3}).to_string(), "invalid event"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "offers": "x"}).to_string(), "invalid offers"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "offers": [1]}).to_string(), "invalid offers[0]"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "offers": [{"offer": {}}]}).to_string(), "missing field `offer_id`"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "offers": [{"offer": {}, "offer_id": "short"}]}).to_string(), "invalid offer_id"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "answer": {}, "offer_id": binary_id(0)}).to_string(), "invalid to_peer_id: required with answer"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "answer": {}, "to_peer_id": peer(2)}).to_string(), "invalid offer_id: required with answer"),
        (json!({"action": "announce", "info_hash": HASH, "peer_id": peer(1), "answer": "sdp", "to_peer_id": peer(2), "offer_id": binary_id(0)}).to_string(), "invalid answer"),
        (json!({"action": "scrape", "info_hash": hash19}).to_string(), "invalid info_hash"),
        (json!({"action": "scrape", "info_hash": 5}).to_string(), "invalid info_hash"),
        ("[".repeat(5000), "invalid JSON"),
        (format!("{{\"action\":\"announce\",\"info_hash\":\"{HASH}\",\"peer_id\":\"\\ud800{}\"}}", "a".repeat(19)), "invalid JSON"),
    ];
    for (text, reason) in &cases {
        c.send_text(text).await;
        let reply = c.recv().await;
        let got = failure_of(&reply);
        assert!(got.contains(reason), "{text:.80}: {got}");
    }
    // The action (and info_hash when valid) come back, so that a bittorrent-tracker
    // client takes the failure as a warning for its swarm, not as a broken socket.
    c.send(&json!({"action": "announce", "info_hash": HASH, "peer_id": "short"}))
        .await;
    let text = c.recv_text().await;
    assert_eq!(keys(&text), ["action", "failure reason", "info_hash"]);
    // Binary frames are read as UTF-8 JSON text.
    c.send_binary(vec![0xFF, 0xFE, 0x00]).await;
    assert!(failure_of(&c.recv().await).contains("UTF-8"));
    c.send_binary(
        announce(HASH, &peer(1), None, vec![])
            .to_string()
            .into_bytes(),
    )
    .await;
    assert_eq!(c.recv().await["incomplete"], 1);
    server.stop().await.unwrap();
}

#[tokio::test]
async fn garbage_frames_never_kill_the_server() {
    let (server, _) = start(Limits {
        max_message_size: 4096,
        max_frame_size: 8192,
        max_announces_per_window: 0,
        ..Limits::default()
    })
    .await;
    let url = server.url();
    let mut rng = fastrand::Rng::with_seed(2024);
    let valid = [
        announce(HASH, &peer(1), Some("started"), offers(3, 0)).to_string(),
        answer(HASH, &peer(1), &peer(2), &json!(binary_id(3))).to_string(),
        scrape(json!([HASH, HASH2])).to_string(),
    ];
    let mut fuzzer = Client::connect(&url).await;
    let mut victim = Client::connect(&url).await;
    victim.announce(HASH, 2).await;
    let mut replies = 0;
    for round in 0..400 {
        let base = valid[rng.usize(..valid.len())].as_bytes().to_vec();
        let bytes: Vec<u8> = match rng.u8(..6) {
            // Random bytes.
            0 => (0..rng.usize(..300)).map(|_| rng.u8(..)).collect(),
            // A valid message with bytes flipped.
            1 | 2 => {
                let mut b = base.clone();
                for _ in 0..rng.usize(1..8) {
                    let i = rng.usize(..b.len());
                    b[i] = rng.u8(..);
                }
                b
            }
            // Truncated, or repeated.
            3 => base[..rng.usize(..base.len())].to_vec(),
            4 => base.repeat(rng.usize(1..4)),
            // A valid message with a random field type swapped.
            _ => {
                let mut v: Value = serde_json::from_slice(&base).unwrap();
                let fields = [
                    "info_hash",
                    "peer_id",
                    "offers",
                    "numwant",
                    "event",
                    "answer",
                    "offer_id",
                    "to_peer_id",
                    "action",
                ];
                let junk = [
                    json!(null),
                    json!(1.5e300),
                    json!(-3),
                    json!([]),
                    json!({}),
                    json!("é"),
                    json!(true),
                ];
                v[fields[rng.usize(..fields.len())]] = junk[rng.usize(..junk.len())].clone();
                v.to_string().into_bytes()
            }
        };
        if round % 3 == 0 {
            fuzzer.send_binary(bytes).await;
        } else {
            fuzzer.send_text(&String::from_utf8_lossy(&bytes)).await;
        }
        // Take whatever came back so far (replies, relays to ourselves).
        while let Some(text) = fuzzer.next_text(Duration::from_millis(2)).await {
            serde_json::from_str::<Value>(&text).expect("always JSON");
            replies += 1;
        }
    }
    // The fuzzing socket still works...
    fuzzer.send(&scrape(json!(HASH))).await;
    loop {
        let reply = fuzzer.recv().await;
        if reply["action"] == "scrape" && reply.get("files").is_some() {
            break;
        }
        replies += 1;
    }
    // (nearly every frame is refused with a reply; valid answers get none)
    assert!(replies >= 200, "{replies} replies");
    // ...and so do others.
    let mut fresh = Client::connect(&url).await;
    assert_eq!(fresh.announce(HASH, 77).await["interval"], 120);
    victim.send(&scrape(json!(HASH))).await;
    loop {
        let v = victim.recv().await;
        if v["action"] == "scrape" {
            break;
        }
    }
    server.stop().await.unwrap();
}

// ---------------------------------------------------------------------------------
// Where it is served

#[tokio::test]
async fn the_demo_server_serves_the_tracker_at_tracker_socket() {
    let dir = std::env::temp_dir().join(format!("tubeswarm-tracker-demo-{}", std::process::id()));
    let config = tubeswarm_server::demo::Config {
        port: 0,
        www: dir.clone(),
        pkg: dir.clone(),
        media: dir.clone(),
        ..Default::default()
    };
    let server = tubeswarm_server::demo::start(config).await.unwrap();
    let url = format!("ws://{}/tracker/socket", server.addr);
    let mut a = Client::connect(&url).await;
    let mut b = Client::connect(&url).await;
    a.send(&announce(HASH, &peer(1), Some("started"), vec![]))
        .await;
    assert_eq!(a.recv().await["interval"], 120);
    b.send(&announce(HASH, &peer(2), Some("started"), offers(5, 0)))
        .await;
    assert_eq!(b.recv().await["incomplete"], 2);
    assert_eq!(a.recv().await["peer_id"], peer(2));
    // No announce limit there: every viewer of the demo is 127.0.0.1.
    for _ in 0..20 {
        assert_eq!(a.announce(HASH, 1).await["incomplete"], 2);
    }
    // A plain GET is told to use a WebSocket.
    let addr = server.addr;
    let status = tokio::task::spawn_blocking(move || {
        match ureq::get(&format!("http://{addr}/tracker/socket")).call() {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{e}"),
        }
    })
    .await
    .unwrap();
    assert_eq!(status, 426);
    a.close().await;
    b.close().await;
    server.stop().await.unwrap();
}

/// Kills the child on drop (a failed assertion must not leave it running).
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server process that prints its `ws://` URL on a line of its own.
fn spawn_with_url(command: &mut Command) -> (ChildGuard, String) {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().unwrap();
    let guard = ChildGuard(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    let url = line.trim().to_owned();
    assert!(
        url.starts_with("ws://127.0.0.1:") && url.ends_with('/'),
        "{url:?}"
    );
    (guard, url)
}

#[tokio::test]
async fn standalone_binary_prints_its_url_and_stops_on_ctrl_c() {
    let (mut child, url) =
        spawn_with_url(Command::new(env!("CARGO_BIN_EXE_tubeswarm-tracker")).args(["--port", "0"]));
    let mut c = Client::connect(&url).await;
    assert_eq!(c.announce(HASH, 1).await["incomplete"], 1);
    let pid = child.0.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let status = tokio::task::spawn_blocking(move || child.0.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status}");
}

// ---------------------------------------------------------------------------------
// The reference server

/// Where `bittorrent-tracker` is installed, if it is.
fn reference_modules() -> Option<PathBuf> {
    let dir = std::env::var_os("BITTORRENT_TRACKER_NODE_MODULES")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp/tubeswarm-tracker-compat/node_modules"));
    let found = dir.join("bittorrent-tracker").join("server.js").is_file();
    let node = Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    (found && node).then_some(dir)
}

/// What one server said at each step of the client script, for comparison.
#[derive(Debug)]
struct Step {
    name: &'static str,
    text: String,
    keys: Vec<String>,
    value: Value,
}

/// The client script: two p2p-media-loader-like peers, binary offer ids, an
/// answer, a scrape, a bad message, a stop, a close. Returns every message seen.
async fn client_script(url: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut record = |name: &'static str, text: String| {
        let value: Value = serde_json::from_str(&text).unwrap();
        steps.push(Step {
            name,
            keys: keys(&text),
            value,
            text,
        });
    };
    let mut a = Client::connect(url).await;
    let mut b = Client::connect(url).await;
    let mut w = Client::connect(url).await;
    a.send(&announce(HASH, &peer(1), Some("started"), offers(5, 0)))
        .await;
    record("announce reply", a.recv_text().await);
    // An offer id with the bytes JSON escapes (controls, quote, backslash) and
    // 0x7F–0xFF; an SDP object whose keys are not in sorted order.
    let awkward: String =
        "\u{0}\u{1}\u{8}\t\n\u{c}\r\u{1f}\"\\/\u{7f}\u{80}\u{9f}\u{a0}\u{e9}\u{fe}\u{ff}ab"
            .to_owned();
    assert_eq!(awkward.chars().count(), 20);
    let b_announce = format!(
        r#"{{"numwant":1,"uploaded":0,"downloaded":0,"event":"started","action":"announce","info_hash":"{HASH}","peer_id":"{}","offers":[{{"offer":{{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n","z":[1,{{"y":2,"b":"é"}}]}},"offer_id":{}}}]}}"#,
        peer(2),
        serde_json::to_string(&awkward).unwrap()
    );
    b.send_text(&b_announce).await;
    record("second announce reply", b.recv_text().await);
    let text = a.recv_text().await;
    let offer_id = serde_json::from_str::<Value>(&text).unwrap()["offer_id"].clone();
    record("relayed offer", text);
    a.send(&answer(HASH, &peer(1), &peer(2), &offer_id)).await;
    record("relayed answer", b.recv_text().await);
    a.quiet().await; // no reply to an answer
    w.send(&scrape(json!([HASH]))).await;
    record("scrape reply", w.recv_text().await);
    w.send(&announce(&HASH[..19], &peer(3), None, vec![])).await;
    record("19-char info_hash", w.recv_text().await);
    w.send(&json!({"action": "announce", "info_hash": HASH, "peer_id": peer(3), "event": "bogus"}))
        .await;
    record("invalid event", w.recv_text().await);
    b.send(&announce(HASH, &peer(2), Some("stopped"), vec![]))
        .await;
    record("stopped reply", b.recv_text().await);
    a.close().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.send(&scrape(json!(HASH))).await;
    record("scrape after close", w.recv_text().await);
    // One socket, two swarms, two peer ids (p2p-media-loader: one per stream), closed.
    let mut m = Client::connect(url).await;
    m.announce(HASH, 4).await;
    m.announce(HASH2, 5).await;
    m.close().await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.send(&scrape(json!([HASH, HASH2]))).await;
    record(
        "scrape after a two-swarm socket closed",
        w.recv_text().await,
    );
    steps
}

#[tokio::test]
async fn compat_with_bittorrent_tracker() {
    let ours = {
        let (server, _) = start_default().await;
        let steps = client_script(&server.url()).await;
        server.stop().await.unwrap();
        steps
    };
    let Some(modules) = reference_modules() else {
        eprintln!(
            "compat_with_bittorrent_tracker: SKIPPED the reference half (no node, or no \
             bittorrent-tracker: see server/tests/tracker-compat/README.md)"
        );
        return;
    };
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tracker-compat/server.mjs");
    let (_child, url) = spawn_with_url(Command::new("node").arg(script).arg(&modules));
    let theirs = client_script(&url).await;
    assert_eq!(ours.len(), theirs.len());
    for (o, t) in ours.iter().zip(&theirs) {
        eprintln!("{}:\n  ours:   {}\n  theirs: {}", o.name, o.text, t.text);
    }
    let by_name = |steps: &[Step], name: &str| -> (Vec<String>, Value) {
        let s = steps.iter().find(|s| s.name == name).unwrap();
        (s.keys.clone(), s.value.clone())
    };
    // Byte for byte the same text (key order, escapes, 2-byte UTF-8, the relayed
    // SDP objects as the client wrote them).
    let same_text = [
        "announce reply",
        "second announce reply",
        "relayed offer",
        "relayed answer",
        "stopped reply",
    ];
    for name in same_text {
        let o = ours.iter().find(|s| s.name == name).unwrap();
        let t = theirs.iter().find(|s| s.name == name).unwrap();
        assert_eq!(o.text, t.text, "{name}");
    }
    // Same keys, same order, same values.
    for name in same_text.into_iter().chain(["scrape after close"]) {
        let (ok, ov) = by_name(&ours, name);
        let (tk, tv) = by_name(&theirs, name);
        assert_eq!(ok, tk, "{name}: key order");
        if name != "scrape after close" {
            assert_eq!(ov, tv, "{name}");
        } else {
            assert_eq!(ov["files"], tv["files"].clone(), "{name}");
        }
    }
    // The scrape: same shape; `downloaded` differs by design (bittorrent-tracker
    // reports `complete` there; we count `completed` events), and so does
    // min_request_interval (it sends its HTTP interval, 600 s).
    let (ok, ov) = by_name(&ours, "scrape reply");
    let (tk, tv) = by_name(&theirs, "scrape reply");
    assert_eq!(ok, tk);
    for field in ["complete", "incomplete"] {
        assert_eq!(ov["files"][HASH][field], tv["files"][HASH][field]);
    }
    assert_eq!(
        keys(&ov["files"][HASH].to_string()),
        keys(&tv["files"][HASH].to_string())
    );
    // Refusals: both say why; ours also names the action (and the info_hash of an
    // announce when valid), which bittorrent-tracker does only for some.
    for name in ["19-char info_hash", "invalid event"] {
        let (_, ov) = by_name(&ours, name);
        let (_, tv) = by_name(&theirs, name);
        assert!(
            ov["failure reason"].is_string() && tv["failure reason"].is_string(),
            "{name}"
        );
    }
    let (_, tv) = by_name(&theirs, "invalid event");
    let (_, ov) = by_name(&ours, "invalid event");
    assert_eq!(
        (ov["action"].clone(), ov["info_hash"].clone()),
        (tv["action"].clone(), tv["info_hash"].clone())
    );
    // A socket with one peer id per swarm: we drop both peers when it closes;
    // bittorrent-tracker 11 drops only the first peer id it saw on the socket (the
    // other stays until its 20-minute cache expiry).
    let (_, ov) = by_name(&ours, "scrape after a two-swarm socket closed");
    assert_eq!(ov["files"][HASH2]["incomplete"], 0);
    assert_eq!(ov["files"][HASH]["incomplete"], 0);
}
