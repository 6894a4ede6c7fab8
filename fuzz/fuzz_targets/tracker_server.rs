//! Fuzzes the tracker's reading of what clients send (server/src/tracker/): each line
//! of the input is one WebSocket frame (text and binary in turn) from one of three
//! clients (two of them on one address) to a `Tracker` with small limits, whose clock
//! moves 10 s a message; each line is also read alone by `messages::parse_request`.
//!
//! Invariants: nothing panics; every reply and every relayed message is a JSON object;
//! the ids of a request that parses are 20 one-byte characters; once the clients have
//! gone, the tracker holds no swarm and no peer.
#![no_main]

use std::net::IpAddr;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use tubeswarm_server::tracker::messages::{parse_request, Request};
use tubeswarm_server::tracker::{Clock, Limits, ManualClock, Stats, Tracker, TrackerConfig};

fuzz_target!(|data: &[u8]| {
    let clock = ManualClock::new();
    let limits = Limits {
        max_message_size: 4096,
        max_offers: 3,
        max_announces_per_window: 5,
        max_peers_per_swarm: 3,
        max_swarms_per_connection: 2,
        max_scrape_hashes: 2,
        max_queued_messages: 4,
        ..Limits::default()
    };
    let config = TrackerConfig { interval: Duration::from_secs(30), limits, seed: Some(1) };
    let tracker = Tracker::with_clock(config, Clock::Manual(clock.clone()));
    let ips: [IpAddr; 3] = [[10, 0, 0, 1].into(), [10, 0, 0, 1].into(), [10, 0, 0, 2].into()];
    let mut clients: Vec<_> = ips.iter().map(|&ip| tracker.connect(ip).expect("room for three")).collect();

    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        if let Ok(text) = std::str::from_utf8(line) {
            if let Ok(Request::Announce(a)) = parse_request(text) {
                let ids = [Some(&a.info_hash), Some(&a.peer_id), a.to_peer_id.as_ref(), a.offer_id.as_ref()];
                assert!(ids.into_iter().flatten().all(|id| id.as_str().chars().all(|c| c <= '\u{ff}') && id.as_str().chars().count() == 20));
            }
        }
        let client = &clients[i % clients.len()];
        let reply = if i % 2 == 0 { client.handle_text(&String::from_utf8_lossy(line)) } else { client.handle_binary(line) };
        if let Some(reply) = &reply {
            json_object(reply);
        }
        for client in &mut clients {
            while let Some(relayed) = client.try_relayed() {
                json_object(&relayed);
            }
        }
        clock.advance(Duration::from_secs(10));
    }

    drop(clients);
    assert_eq!(tracker.stats(), Stats::default());
});

fn json_object(text: &str) {
    let value: serde_json::Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert!(value.is_object(), "{text}");
}
