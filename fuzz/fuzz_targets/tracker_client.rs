//! Fuzzes the tracker messages the player reads (src/engine/swarm/tracker.rs): each
//! line of the input is one WebSocket text frame from the tracker, read by
//! `tracker::parse` and by the engine's swarm (`Swarm::on_tracker_message`, which
//! answers relayed offers and takes relayed answers to its own offers). The line's
//! first line's text also goes through the writers, as an offer id and an SDP.
//!
//! Invariants: nothing panics; nothing from ourselves is acted on; the swarm never
//! has more peers than its limit; all it sends the tracker is JSON; an answer the
//! writer makes reads back with its ids and SDP, and so do an announce's offers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::engine::swarm::tracker::{announce, answer, parse, Offer, TrackerEvent};
use tubeswarm::engine::{ConnId, Output};

const HASH: &str = "4phHtw9IMImWFGckq9fz";
const ME: &str = "-TS0001-aaaaaaaaaaaa";
const THEM: &str = "-PM0203-sjfH2UsJnjA0";
const MAX_PEERS: usize = 4;

fuzz_target!(|data: &[u8]| {
    let mut swarm = tubeswarm_fuzz::swarm(HASH, ME, MAX_PEERS);
    let mut out = Vec::new();
    // Connected: our offers are made, and announced once they are ready.
    swarm.on_tracker_open(0, 0, &mut out);
    for conn in created_offers(&out) {
        swarm.on_offer_ready(0, conn, "v=0".into(), &mut out);
    }

    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        let now = i as u64 * 1000;
        let text = String::from_utf8_lossy(line);
        if let Some(TrackerEvent::Offer { peer_id, .. } | TrackerEvent::Answer { peer_id, .. }) = parse(&text, HASH, ME) {
            assert_ne!(peer_id, ME);
        }
        let from = out.len();
        swarm.on_tracker_message(now, 0, &text, &mut out);
        swarm.tick(now, &mut out);
        let answers: Vec<_> = out[from..].iter().filter_map(|o| match o { Output::CreateAnswer { conn, .. } => Some(*conn), _ => None }).collect();
        for conn in answers {
            swarm.on_answer_ready(conn, "v=0".into(), &mut out);
        }
        for conn in created_offers(&out[from..]) {
            swarm.on_offer_ready(now, conn, "v=0".into(), &mut out);
        }
        assert!(swarm.peers.len() <= MAX_PEERS);

        // The writers, with the first line as the ids and the SDP (once per
        // input: the escaping is per character, and writing and reading back
        // every line as well made the target four times slower).
        if i > 0 {
            continue;
        }
        let reply = answer(HASH, THEM, ME, &text, &text);
        let expected = TrackerEvent::Answer { peer_id: THEM.into(), offer_id: text.to_string(), sdp: text.to_string() };
        assert_eq!(parse(&reply, HASH, ME), Some(expected));
        let offers = [Offer { offer_id: text.to_string(), sdp: text.to_string() }];
        let sent = tubeswarm::json::parse(&announce(HASH, ME, 5, &offers, line.len() % 2 == 0)).expect("JSON");
        assert_eq!(sent["offers"][0]["offer_id"].as_str(), Some(&*text));
        assert_eq!(sent["offers"][0]["offer"]["sdp"].as_str(), Some(&*text));
    }

    for output in &out {
        if let Output::TrackerSend { text, .. } = output {
            assert!(tubeswarm::json::parse(text).is_ok(), "{text}");
        }
    }
});

fn created_offers(out: &[Output]) -> Vec<ConnId> {
    out.iter().filter_map(|o| match o { Output::CreateOffer { conn } => Some(*conn), _ => None }).collect()
}
