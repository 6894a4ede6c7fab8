//! Swarm invariants over virtual time, with the real engine in every viewer.

use super::*;
use crate::engine::{ErrorKind, LevelChoice, P2pUnavailable};

fn viewer_config(vod: &SampleVod, seed: u64) -> Config {
    Config {
        trackers: vec!["wss://tracker.test/announce".into()],
        segment_hashes_url: Some(vod.hashes.clone()),
        // One level for everyone: one swarm (levels are separate swarms).
        start_level: Some(LevelChoice::Fixed(1)),
        seed,
        ..Config::default()
    }
}

fn no_fatal_errors(sim: &SwarmSim) {
    for (i, v) in sim.viewers.iter().enumerate() {
        assert!(!v.events.iter().any(|e| matches!(e, Event::Error { fatal: true, .. })), "viewer {i}: {:?}", v.events);
    }
}

#[test]
fn a_later_viewer_gets_segments_from_an_earlier_one() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    let a = sim.join(viewer_config(&vod, 1), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(viewer_config(&vod, 2), &vod.master, Behaviour::Honest);
    sim.run(70_000);
    no_fatal_errors(&sim);
    let (b_p2p, b_all) = sim.bytes_of(b);
    assert!(b_p2p > 0, "bytes crossed a data channel");
    assert!(b_p2p as f64 / b_all as f64 > 0.2, "offload {b_p2p} of {b_all}");
    // What B downloaded from peers is exactly what A uploaded.
    assert_eq!(sim.viewers[a].engine.stats().p2p_uploaded_bytes, b_p2p);
    for v in [a, b] {
        assert_eq!(sim.viewers[v].stalls, 0, "viewer {v} stalled");
        assert!(sim.viewers[v].media.time > 60.0, "viewer {v} played: {}", sim.viewers[v].media.time);
        assert_eq!(sim.viewers[v].engine.stats().peers, 1);
    }
    assert!(sim.viewers[b].events.iter().any(|e| matches!(e, Event::Segment { source: Source::P2p, verified: true, .. })));
    // The audio rendition is a swarm of its own ("secondary" stream), shared too.
    let audio_from_peers = |e: &Event| matches!(e, Event::Segment { track: crate::engine::Track::Audio, source: Source::P2p, .. });
    assert!(sim.viewers[b].events.iter().any(audio_from_peers));
}

#[test]
fn a_level_switch_moves_the_viewer_to_that_levels_swarm_and_back() {
    let vod = sample_vod(120);
    let mut sim = SwarmSim::new(vod.files.clone());
    let a = sim.join(viewer_config(&vod, 1), &vod.master, Behaviour::Honest);
    sim.run(10_000);
    let b = sim.join(viewer_config(&vod, 2), &vod.master, Behaviour::Honest);
    sim.run(10_000);
    let level_1 = sim.swarms_of(a);
    assert_eq!(level_1.len(), 2, "the video level's swarm and the audio rendition's");
    assert_eq!(sim.swarms_of(b), level_1);

    sim.input(b, Input::SetLevel(LevelChoice::Fixed(2)));
    sim.run(20_000);
    let level_2 = sim.swarms_of(b);
    assert_eq!(level_2.len(), 2);
    let common: Vec<&String> = level_2.iter().filter(|h| level_1.contains(h)).collect();
    assert_eq!(common.len(), 1, "another video swarm, the same audio one: {level_1:?} → {level_2:?}");

    // Back: the info_hash of level 1 again (the engine keeps each once computed),
    // and segments from the viewer still there.
    sim.input(b, Input::SetLevel(LevelChoice::Fixed(1)));
    sim.run(20_000);
    assert_eq!(sim.swarms_of(b), level_1);
    let from_peers = sim.viewers[b].engine.stats().p2p_downloaded_bytes;
    sim.run(30_000);
    assert!(sim.viewers[b].engine.stats().p2p_downloaded_bytes > from_peers, "level 1 from the peer again");
    no_fatal_errors(&sim);
    assert_eq!(sim.viewers[b].stalls, 0);
}

#[test]
fn a_poisoning_peer_is_caught_dropped_and_playback_goes_on() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    sim.join(viewer_config(&vod, 7), &vod.master, Behaviour::Poisoner);
    sim.run(20_000);
    let h = sim.join(viewer_config(&vod, 8), &vod.master, Behaviour::Honest);
    sim.run(50_000);
    // FakeMedia panics if a corrupted byte is ever appended.
    no_fatal_errors(&sim);
    let honest = &sim.viewers[h];
    let caught: Vec<&Event> = honest.events.iter().filter(|e| matches!(e, Event::IntegrityFailure { .. })).collect();
    assert!(!caught.is_empty(), "the poison was offered and caught");
    assert!(caught.iter().all(|e| matches!(e, Event::IntegrityFailure { base, .. } if base.starts_with("peer:"))));
    assert_eq!(honest.engine.stats().peers, 0, "the poisoner was dropped");
    assert_eq!(honest.engine.stats().p2p_downloaded_bytes, 0, "nothing of it was kept");
    assert_eq!(honest.stalls, 0);
    assert!(honest.media.time > 45.0);
}

/// Whether viewer `v` holds an open connection in its video swarm, and what it
/// has from peers.
fn connected(sim: &SwarmSim, v: usize) -> (bool, u64) {
    let stats = sim.viewers[v].engine.stats();
    (stats.peers >= 1, stats.p2p_downloaded_bytes)
}

#[test]
fn a_failed_handshake_is_tried_again_long_before_the_tracker_s_interval() {
    let vod = sample_vod(90);
    let mut sim = SwarmSim::new(vod.files.clone());
    sim.join(viewer_config(&vod, 31), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    // The later viewer's first handshake in each swarm finds no path.
    sim.failing_handshakes = 2;
    let b = sim.join(viewer_config(&vod, 32), &vod.master, Behaviour::Honest);
    sim.run(3_000);
    assert_eq!(sim.failing_handshakes, 0, "both handshakes were tried, and failed");
    assert_eq!(connected(&sim, b), (false, 0));
    // The tracker's interval is 120 s; the early announce comes 5 s after the loss.
    sim.run(12_000);
    assert!(connected(&sim, b).0, "connected again: {:?}", sim.viewers[b].engine.stats());
    sim.run(30_000);
    no_fatal_errors(&sim);
    assert!(connected(&sim, b).1 > 0, "and took segments from the peer");
    assert_eq!(sim.viewers[b].stalls, 0);
}

#[test]
fn a_forming_swarm_is_waited_for_briefly_and_a_swarm_that_never_forms_costs_no_stall() {
    let vod = sample_vod(90);
    // A peer that connects after 700 ms of handshake (as between two Chromium
    // pages here): the later viewer takes all but its first segment from it
    // (what it would have fetched meanwhile waited for it).
    let mut sim = SwarmSim::new(vod.files.clone());
    sim.handshake_ms = 700;
    sim.http_bytes_per_ms = 5_000.0; // 40 Mbit/s: a segment over HTTP takes 80 ms
    let a = sim.join(viewer_config(&vod, 41), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(viewer_config(&vod, 42), &vod.master, Behaviour::Honest);
    sim.run(40_000);
    no_fatal_errors(&sim);
    assert_eq!(http_segments(&sim, b), 1, "only the first segment over HTTP: {:?}", sim.viewers[b].events.iter().filter(|e| matches!(e, Event::Segment { .. } | Event::PeerConnect { .. })).take(8).collect::<Vec<_>>());
    assert_eq!(sim.viewers[b].stalls, 0);
    assert_eq!(sim.viewers[b].startup_ms, sim.viewers[a].startup_ms, "the first viewer, alone, waited for nobody");
    // Handshakes that all fail: the wait ends with the grace, HTTP serves, and
    // nothing stalls or starts later.
    let mut sim = SwarmSim::new(vod.files.clone());
    let a = sim.join(viewer_config(&vod, 43), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    sim.failing_handshakes = 1_000;
    let b = sim.join(viewer_config(&vod, 44), &vod.master, Behaviour::Honest);
    sim.run(40_000);
    no_fatal_errors(&sim);
    assert_eq!(sim.viewers[b].engine.stats().p2p_downloaded_bytes, 0);
    assert_eq!(sim.viewers[b].stalls, 0, "stalled {} ms", sim.viewers[b].stalled_ms);
    assert_eq!(sim.viewers[b].startup_ms, sim.viewers[a].startup_ms);
    assert!(sim.viewers[b].media.time > 35.0);
}

#[test]
fn a_viewer_whose_only_peer_drops_finds_it_again_and_one_whose_peer_left_goes_quiet() {
    let vod = sample_vod(90);
    let mut sim = SwarmSim::new(vod.files.clone());
    let a = sim.join(viewer_config(&vod, 33), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(viewer_config(&vod, 34), &vod.master, Behaviour::Honest);
    sim.run(10_000);
    assert!(connected(&sim, b).0);
    for link in 0..2 {
        sim.strike(faults::Fault::PeerClose { viewer: b, link });
    }
    sim.run(1_000);
    assert_eq!(sim.viewers[b].engine.stats().peers, 0);
    let before = connected(&sim, b).1;
    sim.run(14_000);
    assert!(connected(&sim, b).0 && connected(&sim, a).0, "both found each other again");
    sim.run(20_000);
    assert!(connected(&sim, b).1 > before, "and segments crossed again");
    no_fatal_errors(&sim);
    // Once the peer has left the swarm for good, the first early announce
    // learns it (the tracker counts nobody else) and no more follow.
    let mut sim = SwarmSim::new(vod.files.clone());
    sim.join(viewer_config(&vod, 36), &vod.master, Behaviour::LeavesAt(30_000));
    sim.run(20_000);
    let c = sim.join(viewer_config(&vod, 37), &vod.master, Behaviour::Honest);
    sim.run(9_000);
    assert!(connected(&sim, c).0);
    let at_leave = sim.announces[&c];
    sim.run(60_000);
    assert_eq!(sim.viewers[c].engine.stats().peers, 0);
    assert_eq!(sim.announces[&c], at_leave + 2, "one early announce per swarm, then quiet until the interval");
    no_fatal_errors(&sim);
}

#[test]
fn a_peer_that_vanishes_mid_transfer_stalls_no_one() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    sim.p2p_bytes_per_ms = 100.0; // slow peers: transfers take seconds, so one is cut
    sim.join(viewer_config(&vod, 11), &vod.master, Behaviour::VanishesAt(32_000));
    sim.run(20_000);
    let h = sim.join(viewer_config(&vod, 12), &vod.master, Behaviour::Honest);
    sim.run(60_000);
    no_fatal_errors(&sim);
    let honest = &sim.viewers[h];
    assert_eq!(honest.stalls, 0, "stalled for {} ms", honest.stalled_ms);
    assert!(honest.media.time > 55.0, "{}", honest.media.time);
    assert!(honest.engine.stats().p2p_downloaded_bytes > 0, "it did use the peer before it vanished");
}

#[test]
fn without_a_hash_map_p2p_stays_off() {
    let vod = sample_vod(20);
    let mut sim = SwarmSim::new(vod.files.clone());
    let mut config = viewer_config(&vod, 21);
    config.segment_hashes_url = None;
    let a = sim.join(config.clone(), &vod.master, Behaviour::Honest);
    sim.run(10_000);
    config.seed = 22;
    let b = sim.join(config, &vod.master, Behaviour::Honest);
    sim.run(20_000);
    for v in [a, b] {
        assert_eq!(sim.viewers[v].engine.stats().peers, 0);
        assert!(sim.viewers[v].media.time > 15.0);
    }
    let _ = ErrorKind::Integrity;
}

#[test]
fn a_swarm_of_six_offloads_most_bytes_and_nobody_stalls() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    let mut ids = Vec::new();
    for i in 0..6u64 {
        ids.push(sim.join(viewer_config(&vod, 100 + i), &vod.master, Behaviour::Honest));
        sim.run(6_000);
    }
    sim.run(120_000);
    no_fatal_errors(&sim);
    let (p2p, all) = ids.iter().map(|v| sim.bytes_of(*v)).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let offload = p2p as f64 / all as f64;
    assert!(offload > 0.4, "offload {offload:.2}");
    for v in &ids {
        assert_eq!(sim.viewers[*v].stalls, 0, "viewer {v}");
    }
}

#[test]
fn live_with_peers_plays_without_stalls() {
    let report = Scenario { viewers: 5, join_over_ms: 20_000, duration_ms: 90_000, live: true, ..Scenario::default() }.run();
    assert_eq!(report.stalls, 0, "{report:?}");
    assert!(report.startup_max_ms < 5_000, "{report:?}");
    assert!(report.offload > 0.05, "a high-latency live swarm shares some segments: {report:?}");
}

#[test]
fn consume_only_uploads_nothing_and_p2p_can_be_switched_off() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    let mut consume_only = viewer_config(&vod, 31);
    consume_only.upload = false;
    let a = sim.join(consume_only, &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(viewer_config(&vod, 32), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let c = sim.join(viewer_config(&vod, 33), &vod.master, Behaviour::Honest);
    sim.run(30_000);
    no_fatal_errors(&sim);
    assert_eq!(sim.viewers[a].engine.stats().p2p_uploaded_bytes, 0, "consume only");
    assert!(sim.viewers[c].engine.stats().p2p_downloaded_bytes > 0, "c still got segments (from b)");
    // B turns P2P off: it leaves the swarm and plays on over HTTP.
    sim.input(b, Input::SetPeerToPeer { p2p: false, upload: false });
    sim.run(20_000);
    let stats = sim.viewers[b].engine.stats();
    assert_eq!((stats.peers, stats.p2p_enabled), (0, false));
    assert_eq!(sim.viewers[b].stalls, 0);
}

#[test]
fn metered_connections_never_upload() {
    let vod = sample_vod(30);
    let mut sim = SwarmSim::new(vod.files.clone());
    let mut cellular = viewer_config(&vod, 41);
    cellular.metered_connection = true;
    let a = sim.join(cellular, &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(viewer_config(&vod, 42), &vod.master, Behaviour::Honest);
    sim.run(30_000);
    assert_eq!(sim.viewers[a].engine.stats().p2p_uploaded_bytes, 0);
    assert!(!sim.viewers[a].engine.stats().upload_enabled);
    assert_eq!(sim.viewers[b].engine.stats().p2p_downloaded_bytes, 0);
}

#[test]
fn a_lagging_live_hash_map_is_fetched_again_for_new_segments() {
    let live = sample_live(200, 15);
    let mut sim = SwarmSim::new(live.files.clone());
    sim.live = Some((live.playlist.clone(), live.window));
    // The map lists a segment 1.5 s after the playlist does ("a moment").
    sim.live_hashes_lag = Some((live.hashes.clone(), 1_500));
    // 12 s behind the edge (hls.js's 3 segments): time to wait for the map.
    let config = Config { segment_hashes_url: Some(live.hashes.clone()), ..Config::default() };
    let v = sim.join(config.clone(), &live.master, Behaviour::Honest);
    sim.run(40_000);
    no_fatal_errors(&sim);
    let stats = sim.viewers[v].engine.stats();
    let fetched = sim.fetch_counts[&live.hashes];
    assert!(fetched >= 3, "fetched again as names were missing: {fetched}");
    assert!(stats.segments_loaded >= 10, "{stats:?}");
    assert_eq!(stats.segments_verified, stats.segments_loaded, "each new segment waited for the map: {stats:?}");
    assert_eq!(sim.viewers[v].stalls, 0);

    // Close to the edge, with a slow map, there is no time to wait: segments
    // play unverified (and are never shared) rather than stall.
    let mut sim = SwarmSim::new(live.files.clone());
    sim.live = Some((live.playlist.clone(), live.window));
    sim.live_hashes_lag = Some((live.hashes.clone(), 6_000));
    let v = sim.join(Config { live_sync_segments: 2, ..config }, &live.master, Behaviour::Honest);
    sim.run(40_000);
    let stats = sim.viewers[v].engine.stats();
    assert!(stats.segments_verified < stats.segments_loaded, "{stats:?}");
    assert_eq!(sim.viewers[v].stalls, 0);
}

#[test]
fn leaving_tells_the_tracker() {
    let vod = sample_vod(20);
    let mut sim = SwarmSim::new(vod.files.clone());
    let a = sim.join(viewer_config(&vod, 51), &vod.master, Behaviour::Honest);
    sim.run(5_000);
    assert!(sim.swarm_members() >= 1);
    sim.viewers[a].engine.shutdown();
    sim.input(a, Input::Tick);
    assert_eq!(sim.swarm_members(), 0, "the \"stopped\" announce removed it");
}

#[test]
fn without_webrtc_no_tracker_is_contacted_and_http_plays() {
    let vod = sample_vod(30);
    let mut sim = SwarmSim::new(vod.files.clone());
    let a = sim.join(viewer_config(&vod, 61), &vod.master, Behaviour::Honest);
    sim.run(5_000);
    let members = sim.swarm_members();
    assert!(members > 0);
    let mut no_webrtc = viewer_config(&vod, 62);
    no_webrtc.p2p_unavailable = Some(P2pUnavailable::NoWebrtc);
    let b = sim.join(no_webrtc, &vod.master, Behaviour::Honest);
    sim.run(10_000);
    assert_eq!(sim.swarm_members(), members, "only the viewer with WebRTC announced");
    // The viewer's switch cannot turn it on.
    sim.input(b, Input::SetPeerToPeer { p2p: true, upload: true });
    sim.run(20_000);
    no_fatal_errors(&sim);
    let stats = sim.viewers[b].engine.stats();
    assert_eq!((stats.p2p_enabled, stats.p2p_unavailable), (false, Some(P2pUnavailable::NoWebrtc)));
    assert_eq!(stats.p2p_downloaded_bytes, 0);
    assert!(stats.http_downloaded_bytes > 0 && sim.viewers[b].media.time > 20.0);
    assert_eq!(sim.viewers[b].stalls, 0);
    assert_eq!(sim.viewers[a].engine.stats().p2p_unavailable, None);
}

#[test]
fn with_a_lagging_live_map_a_peer_s_segment_waits_for_the_map_and_the_peer_is_kept() {
    let live = sample_live(300, 15);
    let mut sim = SwarmSim::new(live.files.clone());
    sim.live = Some((live.playlist.clone(), live.window));
    // PeerTube writes a segment's hash a moment after the playlist lists it.
    sim.live_hashes_lag = Some((live.hashes.clone(), 1_500));
    let config = |seed| Config { segment_hashes_url: Some(live.hashes.clone()), trackers: vec!["wss://tracker.test/announce".into()], start_level: Some(LevelChoice::Fixed(0)), seed, ..Config::default() };
    let a = sim.join(config(71), &live.master, Behaviour::Honest);
    sim.run(6_000);
    let b = sim.join(config(72), &live.master, Behaviour::Honest);
    sim.run(90_000);
    no_fatal_errors(&sim);
    let failures = sim.viewers.iter().flat_map(|v| &v.events).filter(|e| matches!(e, Event::IntegrityFailure { .. })).count();
    assert_eq!(failures, 0, "a segment the map does not list yet is no fault of the peer");
    let (pa, pb) = (sim.viewers[a].engine.stats(), sim.viewers[b].engine.stats());
    assert!(pa.p2p_downloaded_bytes + pb.p2p_downloaded_bytes > 0, "{pa:?} {pb:?}");
    assert_eq!((pa.peers, pb.peers), (1, 1), "still connected");
    for s in [&pa, &pb] {
        assert_eq!(s.segments_verified, s.segments_loaded, "{s:?}");
    }
}

#[test]
fn with_webcrypto_like_host_hashing_a_swarm_shares_and_a_poisoner_is_caught() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    let config = |seed| Config { host_hashes: true, ..viewer_config(&vod, seed) };
    sim.join(config(81), &vod.master, Behaviour::Poisoner);
    sim.run(20_000);
    let a = sim.join(config(82), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(config(83), &vod.master, Behaviour::Honest);
    sim.run(50_000);
    no_fatal_errors(&sim);
    let caught = |v: usize| sim.viewers[v].events.iter().filter(|e| matches!(e, Event::IntegrityFailure { .. })).count();
    assert!(caught(a) + caught(b) >= 1, "the poison was caught");
    assert!(sim.viewers[b].engine.stats().p2p_downloaded_bytes > 0, "b got verified segments from a");
    for v in [a, b] {
        let s = sim.viewers[v].engine.stats();
        assert_eq!(s.segments_verified, s.segments_loaded);
        assert_eq!(sim.viewers[v].stalls, 0);
    }
}

/// One HTTP-only viewer that seeks into what it has not buffered, where the
/// origin's answer for the segment never comes; with `mirror`, the files are
/// also on a mirror. Returns (stalled ms after the seek, the viewer's events).
fn stalled_answer_after_a_seek(mirror: bool) -> (u64, Vec<Event>) {
    const MIRROR: &str = "http://mirror.test/v/";
    let vod = sample_vod(45);
    let mut files = vod.files.clone();
    if mirror {
        for (url, body) in &vod.files {
            files.insert(url.replace(ORIGIN, MIRROR), body.clone());
        }
    }
    let mut sim = SwarmSim::new(files);
    let config = Config {
        segment_hashes_url: Some(vod.hashes.clone()),
        start_level: Some(LevelChoice::Fixed(1)),
        mirrors: if mirror { vec![MIRROR.into()] } else { vec![] },
        ..Config::default()
    };
    let v = sim.join(config, &vod.master, Behaviour::Honest);
    sim.run(10_000);
    sim.viewers[v].media.time = 100.0;
    sim.strike(Fault::Http { viewer: v, fault: HttpFault::Stall });
    let stalled = sim.viewers[v].stalled_ms;
    sim.run(20_000);
    let viewer = &sim.viewers[v];
    assert_eq!(viewer.faults.struck, 1, "the stall struck");
    assert!(viewer.media.time > 115.0, "plays on: at {:.1} s", viewer.media.time);
    (viewer.stalled_ms - stalled, viewer.events.clone())
}

#[test]
fn an_answer_that_never_comes_is_asked_again_before_the_buffer_runs_dry() {
    for mirror in [true, false] {
        let (stalled_ms, events) = stalled_answer_after_a_seek(mirror);
        // The seek itself costs a segment's download (~0.5 s here); the stalled
        // answer adds its patience (twice its expected time at the estimate, at
        // least 1 s: ~1.6 s here), not the 20 s timeout.
        assert!(stalled_ms < 2_500, "mirror {mirror}: stalled {stalled_ms} ms");
        let abandoned = events.iter().any(|e| matches!(e, Event::SourceFailed { status: None, reason, .. } if reason.starts_with("no answer in")));
        assert!(abandoned, "mirror {mirror}: the stalled request was abandoned: {events:?}");
    }
}

#[test]
fn the_upload_limit_holds_for_a_viewer_s_video_and_audio_swarms_together() {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    let limit_bps = 160_000; // 20 kB/s
    let seeder = sim.join(Config { upload_limit_bps: Some(limit_bps), ..viewer_config(&vod, 61) }, &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let later = sim.join(viewer_config(&vod, 62), &vod.master, Behaviour::Honest);
    sim.run(60_000);
    no_fatal_errors(&sim);
    let uploaded = sim.viewers[seeder].engine.stats().p2p_uploaded_bytes;
    // 60 s at the limit, plus one burst (2 s) and one segment allowed over it.
    let bound = limit_bps / 8 * 62 + 400_000;
    assert!(uploaded > 0 && uploaded <= bound, "uploaded {uploaded} bytes, bound {bound}");
    assert_eq!(sim.viewers[later].stalls, 0);
}

#[test]
fn viewers_who_play_a_vod_from_its_start_reach_its_end() {
    // The soak found three P2P viewers of a VOD waiting 0.15 s before its end for
    // ever: the back buffer evicted after the end of stream opened the MediaSource
    // again (FakeMedia::remove), and the end was not said again.
    let vod = sample_vod(20); // 80 s
    let mut sim = SwarmSim::new(vod.files.clone());
    let viewers: Vec<usize> = (0..3)
        .map(|i| {
            let config = Config { start_level: None, ..viewer_config(&vod, 40 + i) };
            let v = sim.join(config, &vod.master, Behaviour::Honest);
            sim.run(5_000);
            v
        })
        .collect();
    sim.run(90_000);
    no_fatal_errors(&sim);
    for v in viewers {
        let viewer = &sim.viewers[v];
        assert!(viewer.media.ended, "viewer {v} at {:.2} s of 80 s did not end: {:?}", viewer.media.time, viewer.engine.stats());
        assert!(viewer.engine.stats().p2p_downloaded_bytes > 0 || v == 0, "viewer {v} had peers");
    }
}

/// How many main-track segments viewer `v` appended from HTTP.
fn http_segments(sim: &SwarmSim, v: usize) -> usize {
    let http = |e: &&Event| matches!(e, Event::Segment { track: crate::engine::Track::Main, source: Source::Http, .. });
    sim.viewers[v].events.iter().filter(http).count()
}

/// Viewer B joins 20 s after A, with peers at `p2p_bytes_per_ms`, under the
/// policy chosen by `in_window`: B's HTTP segments and startup, after asserting
/// that nobody stalled or failed.
fn later_viewer(in_window: bool, p2p_bytes_per_ms: f64) -> (usize, Option<u64>) {
    let vod = sample_vod(45);
    let mut sim = SwarmSim::new(vod.files.clone());
    sim.p2p_bytes_per_ms = p2p_bytes_per_ms;
    let config = |seed| Config { p2p_in_high_demand: in_window, ..viewer_config(&vod, seed) };
    sim.join(config(21), &vod.master, Behaviour::Honest);
    sim.run(20_000);
    let b = sim.join(config(22), &vod.master, Behaviour::Honest);
    sim.run(60_000);
    no_fatal_errors(&sim);
    for v in &sim.viewers {
        assert_eq!(v.stalls, 0, "stalled for {} ms", v.stalled_ms);
    }
    assert!(sim.viewers[b].media.time > 55.0);
    (http_segments(&sim, b), sim.viewers[b].startup_ms)
}

#[test]
fn peers_serve_inside_the_high_demand_window_once_the_buffer_covers_their_transfer() {
    let (now, startup_now) = later_viewer(true, 1000.0);
    let (before, startup_before) = later_viewer(false, 1000.0);
    assert!(now < before, "HTTP segments: {now} with P2P in the window, {before} without");
    // The first segments still come over HTTP: startup is what it was.
    assert_eq!(startup_now, startup_before);
}

#[test]
fn slow_peers_are_not_asked_inside_the_high_demand_window() {
    // 100 bytes/ms (0.8 Mbit/s): a segment from a peer takes longer than the
    // window can spare, so the window stays HTTP's and nothing stalls.
    let (now, _) = later_viewer(true, 100.0);
    let (before, _) = later_viewer(false, 100.0);
    assert_eq!(now, before, "HTTP segments: {now} with P2P in the window, {before} without");
}


#[test]
fn a_transfer_from_a_peer_too_slow_for_it_moves_to_a_quicker_peer_which_sends_the_rest() {
    let vod = sample_vod(60);
    let mut sim = SwarmSim::new(vod.files.clone());
    // A uploads at 5 kB/s (a congested uplink): its transfers cannot make it.
    sim.join(viewer_config(&vod, 31), &vod.master, Behaviour::Slow(5));
    sim.join(viewer_config(&vod, 32), &vod.master, Behaviour::Honest);
    sim.run(30_000);
    let c = sim.join(viewer_config(&vod, 33), &vod.master, Behaviour::Honest);
    sim.run(50_000);
    no_fatal_errors(&sim);
    let viewer = &sim.viewers[c];
    let stats = viewer.engine.stats();
    assert_eq!(viewer.stalls, 0, "stalled for {} ms", viewer.stalled_ms);
    assert!(stats.p2p_moved_requests >= 1, "a slow transfer was moved: {stats:?}");
    assert_eq!(stats.integrity_failures, 0, "the stitched segments verified");
    let (p2p, all) = sim.bytes_of(c);
    assert!(p2p as f64 > 0.5 * all as f64, "from peers: {p2p} of {all}");
}
