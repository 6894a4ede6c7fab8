//! The swarm's download side against scripted peers: resuming a given-up
//! transfer from another peer with the wire's byte offset, round trips and
//! rates measured, and requests spread over comparable peers.


use super::*;
use crate::engine::store::SegmentStore;

const HASH: &str = "4phHtw9IMImWFGckq9fz";

fn swarm() -> Swarm {
    Swarm::new(SwarmConfig::new(HASH, "-TS0001-aaaaaaaaaaaa", vec!["wss://tracker.example/announce".into()]), 1, 0)
}

/// Connect the peer `peer_id` as the tracker relays its offer, and have it
/// announce that it holds `held`.
fn connect(s: &mut Swarm, now: u64, peer_id: &str, held: &[i64]) -> ConnId {
    let store = SegmentStore::new(1 << 20);
    let mut out = Vec::new();
    let offer_id: String = peer_id.chars().rev().chain("xxxxxxxxxxxxxxxxxxxx".chars()).take(20).collect();
    let offer = format!(r#"{{"action":"announce","info_hash":"{HASH}","peer_id":"{peer_id}","offer_id":"{offer_id}","offer":{{"type":"offer","sdp":"v=0"}}}}"#);
    s.on_tracker_message(now, 0, &offer, &mut out);
    let conn = out.iter().find_map(|o| match o {
        Output::CreateAnswer { conn, .. } => Some(*conn),
        _ => None,
    });
    let conn = conn.expect("an answer asked for");
    s.on_answer_ready(conn, "v=0".into(), &mut out);
    s.on_peer_open(now, conn, &store, &[], &mut out);
    say(s, now, conn, &Command::SegmentsAnnouncement { loaded: held.to_vec(), loading: Vec::new() });
    conn
}

/// The peer on `conn` sends `cmd`.
fn say(s: &mut Swarm, now: u64, conn: ConnId, cmd: &Command) {
    let store = SegmentStore::new(1 << 20);
    let mut out = Vec::new();
    for m in cmd.encode(DEFAULT_MAX_MESSAGE_SIZE) {
        s.on_peer_data(now, conn, &m, &store, |_| true, &mut out);
    }
}

/// The peer on `conn` sends raw segment bytes.
fn send_bytes(s: &mut Swarm, now: u64, conn: ConnId, bytes: &[u8]) {
    let store = SegmentStore::new(1 << 20);
    let mut out = Vec::new();
    for chunk in data_chunks(bytes, DEFAULT_MAX_MESSAGE_SIZE) {
        s.on_peer_data(now, conn, chunk, &store, |_| true, &mut out);
    }
}

/// What we asked `conn` for: (segment id, request id, byte_from).
fn asked(out: &[Output], conn: ConnId) -> (i64, i64, Option<i64>) {
    let mut r = crate::p2p::Reassembler::new();
    for o in out {
        if let Output::PeerSend { conn: c, data } = o {
            if *c == conn {
                if let Some(Received::Command(Command::SegmentRequest { id, request_id, byte_from })) = r.receive(data.to_vec()) {
                    return (id, request_id, byte_from);
                }
            }
        }
    }
    panic!("no request to {conn}: {out:?}")
}

fn segment(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn a_transfer_given_up_half_way_is_finished_by_another_peer_from_its_byte_offset() {
    let mut s = swarm();
    let a = connect(&mut s, 0, "-PM0203-aaaaaaaaaaaa", &[5]);
    let b = connect(&mut s, 0, "-PM0203-bbbbbbbbbbbb", &[5]);
    let body = segment(100_000);
    let mut out = Vec::new();
    s.request(0, a, 5, None, &mut out);
    let (_, req, from) = asked(&out, a);
    assert_eq!(from, None, "a first transfer asks for everything");
    say(&mut s, 50, a, &Command::SegmentData { id: 5, request_id: req, size: 100_000 });
    send_bytes(&mut s, 100, a, &body[..40_000]);
    // A goes quiet: after 2 s without bytes the transfer is given up.
    s.tick(2_200, &mut out);
    assert!(s.take_events().iter().any(|e| matches!(e, SwarmEvent::Failed { segment_id: 5, .. })));
    assert_eq!(s.partial_len(5), 40_000, "its first bytes are kept");

    let mut out = Vec::new();
    s.request(2_200, b, 5, None, &mut out);
    let (_, req, from) = asked(&out, b);
    assert_eq!(from, Some(40_000), "B is asked for the rest only");
    say(&mut s, 2_250, b, &Command::SegmentData { id: 5, request_id: req, size: 60_000 });
    send_bytes(&mut s, 2_300, b, &body[40_000..]);
    say(&mut s, 2_300, b, &Command::SegmentDataSendingCompleted { id: 5, request_id: req });
    let events = s.take_events();
    let got = events.iter().find_map(|e| match e {
        SwarmEvent::Received { conn, segment_id: 5, bytes, also_from, .. } => Some((*conn, bytes.clone(), also_from.clone())),
        _ => None,
    });
    let (conn, bytes, also_from) = got.expect("received");
    assert_eq!(conn, b);
    assert_eq!(&bytes[..], &body[..], "the kept start and the rest make the segment");
    assert_eq!(also_from, ["-PM0203-aaaaaaaaaaaa"], "A answers for the hash too");
    assert_eq!(s.partial_len(5), 0);
}

#[test]
fn a_peer_that_announces_the_wrong_remainder_is_dropped_and_the_kept_bytes_stay() {
    let mut s = swarm();
    let a = connect(&mut s, 0, "-PM0203-aaaaaaaaaaaa", &[5]);
    let b = connect(&mut s, 0, "-PM0203-bbbbbbbbbbbb", &[5]);
    let body = segment(10_000);
    let mut out = Vec::new();
    s.request(0, a, 5, Some(10_000), &mut out);
    let (_, req, _) = asked(&out, a);
    say(&mut s, 10, a, &Command::SegmentData { id: 5, request_id: req, size: 10_000 });
    send_bytes(&mut s, 20, a, &body[..3_000]);
    s.cancel_download(500, a, &mut out);
    assert_eq!(s.partial_len(5), 3_000);
    let mut out = Vec::new();
    s.request(500, b, 5, Some(10_000), &mut out);
    let (_, req, from) = asked(&out, b);
    assert_eq!(from, Some(3_000));
    // B announces the whole segment instead of the rest: p2pml drops it for this.
    say(&mut s, 510, b, &Command::SegmentData { id: 5, request_id: req, size: 10_000 });
    assert!(s.take_events().iter().any(|e| matches!(e, SwarmEvent::Failed { conn, .. } if *conn == b)));
    assert!(!s.peers.contains_key(&b), "closed");
    assert_eq!(s.partial_len(5), 3_000, "what A sent is still there for the next peer");
}

#[test]
fn a_banned_resume_drops_every_peer_that_sent_a_part() {
    let mut s = swarm();
    let a = connect(&mut s, 0, "-PM0203-aaaaaaaaaaaa", &[5]);
    let b = connect(&mut s, 0, "-PM0203-bbbbbbbbbbbb", &[5]);
    let mut out = Vec::new();
    s.ban(0, b, &["-PM0203-aaaaaaaaaaaa".to_string()], &mut out);
    assert!(s.peers.is_empty(), "both closed: {:?}", s.peers.keys().collect::<Vec<_>>());
    assert!(out.iter().any(|o| matches!(o, Output::ClosePeer { conn } if *conn == a)));
}

#[test]
fn round_trips_and_rates_are_measured_and_choose_the_peer() {
    let mut s = swarm();
    let near = connect(&mut s, 0, "-PM0203-nearnearnear", &[1, 2, 3]);
    let far = connect(&mut s, 0, "-PM0203-farfarfarfar", &[1, 2, 3]);
    let body = segment(50_000);
    let transfer = |s: &mut Swarm, conn: ConnId, id: i64, t0: u64, rtt: u64, ms: u64| {
        let mut out = Vec::new();
        s.request(t0, conn, id, None, &mut out);
        let (_, req, _) = asked(&out, conn);
        say(s, t0 + rtt, conn, &Command::SegmentData { id, request_id: req, size: body.len() as i64 });
        send_bytes(s, t0 + rtt + ms, conn, &body);
        say(s, t0 + rtt + ms, conn, &Command::SegmentDataSendingCompleted { id, request_id: req });
    };
    // Both transfer 50 kB in 100 ms (4 Mbit/s) once their answer starts; the
    // far one answers after 400 ms, the near one after 10.
    transfer(&mut s, near, 1, 0, 10, 100);
    transfer(&mut s, far, 1, 1_000, 400, 100);
    let (n, f) = (&s.peers[&near], &s.peers[&far]);
    assert_eq!((n.rtt_ms, f.rtt_ms), (10.0, 400.0));
    assert_eq!((n.throughput_bps, f.throughput_bps), (4e6, 4e6), "the rate leaves the round trip out");
    // For a small segment the round trip decides: the near peer.
    assert_eq!(s.best_peer_for(2, 50_000.0 * 8.0), Some(near));
    assert_eq!(s.best_peer_except(2, 50_000.0 * 8.0, Some(near)), Some(far));
}

#[test]
fn requests_spread_over_peers_that_are_about_as_quick() {
    let mut s = swarm();
    let peers: Vec<ConnId> = ["-PM0203-000000000001", "-PM0203-000000000002", "-PM0203-000000000003"]
        .iter()
        .map(|id| connect(&mut s, 0, id, &(0..30).collect::<Vec<_>>()))
        .collect();
    let body = segment(20_000);
    let mut asked_of = std::collections::BTreeMap::<ConnId, u32>::new();
    for id in 0..30 {
        let now = 1_000 + id as u64 * 1_000;
        let conn = s.best_peer_for(id, 160_000.0).expect("someone holds it");
        *asked_of.entry(conn).or_default() += 1;
        let mut out = Vec::new();
        s.request(now, conn, id, None, &mut out);
        let (_, req, _) = asked(&out, conn);
        // Peer k takes 50 + 10 k ms: all within 1.5x of the quickest.
        let k = peers.iter().position(|p| *p == conn).unwrap() as u64;
        say(&mut s, now + 5, conn, &Command::SegmentData { id, request_id: req, size: body.len() as i64 });
        send_bytes(&mut s, now + 55 + 10 * k, conn, &body);
        say(&mut s, now + 55 + 10 * k, conn, &Command::SegmentDataSendingCompleted { id, request_id: req });
        let _ = s.take_events();
    }
    assert_eq!(asked_of.values().copied().collect::<Vec<_>>(), [10, 10, 10], "{asked_of:?}");
}

#[test]
fn a_much_slower_peer_is_not_asked_while_a_quick_one_is_free() {
    let mut s = swarm();
    let quick = connect(&mut s, 0, "-PM0203-quickquickqu", &[1, 2, 3]);
    let slow = connect(&mut s, 0, "-PM0203-slowslowslow", &[1, 2, 3]);
    for (conn, ms, id) in [(quick, 10, 1), (slow, 1_000, 2)] {
        let mut out = Vec::new();
        s.request(0, conn, id, None, &mut out);
        let (_, req, _) = asked(&out, conn);
        say(&mut s, 1, conn, &Command::SegmentData { id, request_id: req, size: 1_000 });
        send_bytes(&mut s, 1 + ms, conn, &segment(1_000));
        say(&mut s, 1 + ms, conn, &Command::SegmentDataSendingCompleted { id, request_id: req });
    }
    for _ in 0..3 {
        assert_eq!(s.best_peer_for(3, 8_000.0), Some(quick));
    }
}

/// A swarm is young from its start, not only from its tracker's opening (a
/// level's swarm starts when ABR first switches to it, and what nobody holds
/// yet waits for its first peers rather than go to HTTP meanwhile), and stays
/// young after a first peer told what it holds (a newcomer like us), until the
/// grace ends; a tracker that counts nobody else ends it at once.
#[test]
fn young_from_its_start_until_the_grace_ends_or_the_tracker_says_alone() {
    let mut s = swarm();
    let mut out = Vec::new();
    assert_eq!(s.young_until(0), None, "not started");
    s.start(1_000, &mut out);
    assert_eq!(s.young_until(1_200), Some(1_000 + FORMING_GRACE_MS), "its tracker still connecting");
    s.on_tracker_open(1_300, 0, &mut out);
    assert_eq!(s.young_until(1_400), Some(1_300 + FORMING_GRACE_MS), "counted from the opening once open");
    connect(&mut s, 1_500, "-TS0001-bbbbbbbbbbbb", &[0]);
    assert_eq!(s.forming_until(1_600), None, "a peer told what it holds");
    assert_eq!(s.young_until(1_600), Some(1_300 + FORMING_GRACE_MS), "but others may still be connecting");
    assert_eq!(s.young_until(1_300 + FORMING_GRACE_MS), None);
    assert_eq!(s.next_timeout().filter(|t| *t <= 1_300 + FORMING_GRACE_MS), Some(1_300 + FORMING_GRACE_MS), "woken when it ends");

    let mut alone = swarm();
    alone.start(0, &mut out);
    alone.on_tracker_open(100, 0, &mut out);
    let reply = format!(r#"{{"action":"announce","info_hash":"{HASH}","interval":120,"complete":0,"incomplete":1}}"#);
    alone.on_tracker_message(200, 0, &reply, &mut out);
    assert_eq!(alone.young_until(300), None, "the tracker counts nobody else");
}
