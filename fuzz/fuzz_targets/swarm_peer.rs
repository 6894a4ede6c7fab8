//! Fuzzes what a peer can send us: data-channel messages (`tubeswarm_fuzz::records`)
//! into the engine's swarm (`Swarm::on_peer_data`: reassembly, commands, downloads
//! and uploads), from a peer connected as the player connects one (its offer relayed
//! by the tracker, our answer, the channel open), while we download from it and hold
//! a segment it may ask for. Time moves 100 ms per message, with the swarm's timers.
//!
//! Invariants: nothing panics; every message we send fits one data-channel message;
//! a download completes with no more bytes than the peer sent; what we upload is
//! the held segment's bytes, as many as the swarm counts.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use tubeswarm::engine::swarm::SwarmEvent;
use tubeswarm::engine::{Output, SegmentStore, StreamKey};
use tubeswarm::p2p::DEFAULT_MAX_MESSAGE_SIZE;

const HASH: &str = "4phHtw9IMImWFGckq9fz";
const THEM: &str = "-PM0203-sjfH2UsJnjA0";
/// The segment we hold, its size, and how many segments the playlist has.
const HELD: i64 = 2;
const HELD_SIZE: usize = 70_000;
const HELD_BYTE: u8 = 7;
const SEGMENTS: i64 = 10;

fuzz_target!(|data: &[u8]| {
    let stream = StreamKey::Level(0);
    let mut store = SegmentStore::new(1 << 20);
    store.insert(stream, HELD as u64, 8.0, 12.0, Arc::from(vec![HELD_BYTE; HELD_SIZE]), 0.0);
    let mut swarm = tubeswarm_fuzz::swarm(HASH, "-TS0001-aaaaaaaaaaaa", 4);
    let mut out = Vec::new();
    let offer = format!(r#"{{"action":"announce","info_hash":"{HASH}","peer_id":"{THEM}","offer_id":"aaaaaaaaaaaaaaaaaaaa","offer":{{"type":"offer","sdp":"v=0"}}}}"#);
    swarm.on_tracker_message(0, 0, &offer, &mut out);
    let Some(&Output::CreateAnswer { conn, .. }) = out.first() else { panic!("no answer asked for: {out:?}") };
    swarm.on_answer_ready(conn, "v=0".into(), &mut out);
    swarm.on_peer_open(0, conn, &store, &[], &mut out);

    let known = |id: i64| (0..SEGMENTS).contains(&id);
    let mut next = 0i64;
    let mut sent = 0usize;
    for (i, message) in tubeswarm_fuzz::records(data).enumerate() {
        let now = i as u64 * 100;
        if swarm.peers.get(&conn).is_some_and(|p| p.open && p.download.is_none()) && next < SEGMENTS {
            // Every other request knows the size from the playlist (a byte range).
            let expected = (next % 2 == 1).then_some(100);
            swarm.request(now, conn, next, expected, &mut out);
            next += 1;
        }
        sent += message.len();
        swarm.on_peer_data(now, conn, message, &store, known, &mut out);
        swarm.tick(now, &mut out);
        for event in swarm.take_events() {
            if let SwarmEvent::Received { bytes, .. } = event {
                assert!(bytes.len() <= sent);
            }
        }
    }

    let mut uploaded = 0;
    for output in out {
        if let Output::PeerSend { data, .. } = output {
            assert!(data.len() <= DEFAULT_MAX_MESSAGE_SIZE);
            if !tubeswarm::p2p::is_command_chunk(&data) {
                assert!(data.iter().all(|&b| b == HELD_BYTE));
                uploaded += data.len() as u64;
            }
        }
    }
    assert_eq!(uploaded, swarm.uploaded_bytes);
});
