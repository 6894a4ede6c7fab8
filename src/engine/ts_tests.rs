//! MPEG-TS playlists through the engine: codecs probed from the segment playback
//! starts with, every segment verified as TS, then remuxed (an init segment once,
//! a fragment per segment), the TS itself kept for peers, a poisoned segment
//! fetched again, an unsupported codec named.

use std::collections::HashMap;
use std::sync::Arc;

use super::*;
use crate::integrity::{sha256, to_hex};
use crate::remux::tests::segment as ts_segment;
use crate::remux::ts::tests::{pat, pmt};

const BASE: &str = "https://live.example/hls/";

/// Three 1 s TS segments (30 frames at 30 fps), PTS continuing, as one VOD.
fn segments() -> Vec<Vec<u8>> {
    (0..3u64).map(|k| ts_segment(900_000 + k * 90_000, 30, true)).collect()
}

fn playlist(n: usize) -> String {
    let mut p = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-PLAYLIST-TYPE:VOD\n");
    for k in 0..n {
        p.push_str(&format!("#EXTINF:1.0,\n0-{k:06}.ts\n"));
    }
    p + "#EXT-X-ENDLIST\n"
}

/// PeerTube's flat live map shape: `{name: sha256}`.
fn flat_map(files: &[Vec<u8>]) -> String {
    let entries: Vec<String> = files.iter().enumerate().map(|(k, b)| format!("\"0-{k:06}.ts\": \"{}\"", to_hex(&sha256(b)))).collect();
    format!("{{{}}}", entries.join(","))
}

/// Answers every fetch from `files` until nothing is asked; returns the outputs.
/// The fake SourceBuffer counts each fragment as its one second.
fn serve(engine: &mut Engine, now: u64, files: &HashMap<String, Vec<u8>>) -> Vec<Output> {
    let mut seen = Vec::new();
    let mut fragments = 0u32;
    for _ in 0..1000 {
        let out: Vec<Output> = std::iter::from_fn(|| engine.poll()).take(10_000).collect();
        if out.is_empty() {
            return seen;
        }
        for o in &out {
            match o {
                Output::Fetch { id, url, .. } => match files.get(url) {
                    Some(b) => engine.handle(now, Input::HttpDone { id: *id, body: Arc::from(b.as_slice()) }),
                    None => engine.handle(now, Input::HttpFailed { id: *id, status: Some(404), reason: "missing".into() }),
                },
                Output::SetupMedia { .. } => engine.handle(now, Input::MediaReady),
                Output::Append { track, data, .. } => {
                    fragments += u32::from(&data[4..8] == b"moof");
                    let buffered = vec![TimeRange { start: 0.0, end: f64::from(fragments) }];
                    engine.handle(now, Input::AppendDone { track: *track, buffered });
                }
                _ => {}
            }
        }
        seen.extend(out);
    }
    panic!("still asking after 1000 rounds: {:?}", &seen[seen.len().saturating_sub(12)..]);
}

fn appends(out: &[Output]) -> Vec<&[u8]> {
    out.iter().filter_map(|o| if let Output::Append { data, .. } = o { Some(&data[..]) } else { None }).collect()
}

fn files_with(segments: &[Vec<u8>], served: &[Vec<u8>]) -> HashMap<String, Vec<u8>> {
    let mut files = HashMap::new();
    files.insert(format!("{BASE}0.m3u8"), playlist(segments.len()).into_bytes());
    files.insert(format!("{BASE}segments-sha256.json"), flat_map(segments).into_bytes());
    for (k, b) in served.iter().enumerate() {
        files.insert(format!("{BASE}0-{k:06}.ts"), b.clone());
    }
    files
}

fn config() -> Config {
    Config { segment_hashes_url: Some(format!("{BASE}segments-sha256.json")), forward_buffer_s: 10.0, ..Config::default() }
}

#[test]
fn ts_segments_are_verified_then_remuxed_one_init_then_fragments() {
    let segs = segments();
    let files = files_with(&segs, &segs);
    let mut engine = Engine::new(config(), &format!("{BASE}0.m3u8"), 0);
    let out = serve(&mut engine, 0, &files);
    // No CODECS: read from the first segment playback needs.
    let setup = out.iter().find_map(|o| if let Output::SetupMedia { tracks, .. } = o { Some(tracks.clone()) } else { None });
    assert_eq!(setup, Some(vec![(Track::Main, "video/mp4; codecs=\"avc1.64001e,mp4a.40.2\"".to_string())]));
    let data = appends(&out);
    assert_eq!(data.len(), 4, "one init, then one fragment per segment");
    assert_eq!(&data[0][4..8], b"ftyp");
    assert!(data[1..].iter().all(|d| &d[4..8] == b"moof"), "fragments, not TS");
    assert!(data.iter().all(|d| d[0] != 0x47));
    let stats = engine.stats();
    assert_eq!((stats.segments_loaded, stats.segments_verified, stats.integrity_failures), (3, 3, 0));
    assert!(out.contains(&Output::EndOfStream));
    assert!(!out.iter().any(|o| matches!(o, Output::Event(Event::Error { .. }))), "{out:?}");
}

#[test]
fn a_poisoned_ts_segment_is_never_remuxed_and_is_fetched_again() {
    let segs = segments();
    let mut bad = segs.clone();
    bad[1][1000] ^= 0x55;
    // A mirror (tried first) serves a poisoned copy; the origin the right one.
    let mut files = files_with(&segs, &segs);
    for (k, b) in bad.iter().enumerate() {
        files.insert(format!("https://mirror.example/hls/0-{k:06}.ts"), b.clone());
    }
    let config = Config { mirrors: vec!["https://mirror.example/hls/".into()], ..config() };
    let mut engine = Engine::new(config, &format!("{BASE}0.m3u8"), 0);
    let out = serve(&mut engine, 0, &files);
    let failures: Vec<&Event> = out.iter().filter_map(|o| if let Output::Event(e @ Event::IntegrityFailure { .. }) = o { Some(e) } else { None }).collect();
    assert!(!failures.is_empty(), "the poisoned copy was caught");
    let stats = engine.stats();
    assert_eq!((stats.segments_loaded, stats.segments_verified), (3, 3), "every appended segment verified");
    assert_eq!(appends(&out).len(), 4);
}

#[test]
fn an_unsupported_codec_in_ts_is_named() {
    // A PMT with HEVC video only.
    let mut hevc = pat(0x1000);
    hevc.extend(pmt(0x1000, &[(0x24, 0x100, &[])]));
    let segs = vec![hevc.clone(), hevc];
    let mut engine = Engine::new(config(), &format!("{BASE}0.m3u8"), 0);
    let out = serve(&mut engine, 0, &files_with(&segs, &segs));
    let fatal = out.iter().find_map(|o| if let Output::Event(Event::Error { fatal: true, kind, message }) = o { Some((*kind, message.clone())) } else { None });
    let (kind, message) = fatal.expect("a fatal error");
    assert_eq!(kind, ErrorKind::Unsupported);
    assert!(message.contains("HEVC"), "{message}");
}

/// As in the browser, where the remuxer is a module of its own: asked for once,
/// no SourceBuffer until it is there (the first segment loads meanwhile), then
/// the same appends as with the remuxer built in.
#[test]
fn without_the_remuxer_set_up_waits_for_its_module_then_plays_the_same() {
    let segs = segments();
    let mut files = files_with(&segs, &segs);
    // One run without CODECS (read from the first segment), one with them
    // declared in a master playlist (nothing to read: set-up itself waits).
    files.insert(format!("{BASE}master.m3u8"), b"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,CODECS=\"avc1.64001e,mp4a.40.2\"\n0.m3u8\n".to_vec());
    for start in ["0.m3u8", "master.m3u8"] {
        let mut engine = Engine::new(config(), &format!("{BASE}{start}"), 0);
        engine.without_ts_remuxers();
        let waiting = serve(&mut engine, 0, &files);
        assert_eq!(waiting.iter().filter(|o| **o == Output::LoadTsRemuxer).count(), 1, "{start}: asked once");
        assert!(!waiting.iter().any(|o| matches!(o, Output::SetupMedia { .. } | Output::Append { .. })), "{start}: {waiting:?}");
        if start == "0.m3u8" {
            assert!(waiting.iter().any(|o| matches!(o, Output::Fetch { url, .. } if url.ends_with("0-000000.ts"))), "the probed segment loads meanwhile");
        }
        engine.ts_remuxers_loaded(10, Ok(Box::new(ts_remux::InProcess)));
        let out = serve(&mut engine, 10, &files);
        let setup = out.iter().find_map(|o| if let Output::SetupMedia { tracks, .. } = o { Some(tracks.clone()) } else { None });
        assert_eq!(setup, Some(vec![(Track::Main, "video/mp4; codecs=\"avc1.64001e,mp4a.40.2\"".to_string())]), "{start}");
        let data = appends(&out);
        assert_eq!(data.len(), 4, "{start}: one init, then one fragment per segment");
        assert!(data[1..].iter().all(|d| &d[4..8] == b"moof"));
        assert!(!out.contains(&Output::LoadTsRemuxer));
        assert!(out.contains(&Output::EndOfStream));
    }
}

#[test]
fn a_remuxer_module_that_cannot_load_is_a_fatal_error_that_says_so() {
    let segs = segments();
    let mut engine = Engine::new(config(), &format!("{BASE}0.m3u8"), 0);
    engine.without_ts_remuxers();
    let waiting = serve(&mut engine, 0, &files_with(&segs, &segs));
    assert!(waiting.contains(&Output::LoadTsRemuxer));
    engine.ts_remuxers_loaded(10, Err("GET tubeswarm_remux_bg.wasm: 404".into()));
    let out: Vec<Output> = std::iter::from_fn(|| engine.poll()).collect();
    let fatal = out.iter().find_map(|o| if let Output::Event(Event::Error { fatal: true, kind, message }) = o { Some((*kind, message.clone())) } else { None });
    let (kind, message) = fatal.expect("a fatal error");
    assert_eq!(kind, ErrorKind::Network);
    assert!(message.contains("remuxer module") && message.contains("404"), "{message}");
    assert!(!out.iter().any(|o| matches!(o, Output::SetupMedia { .. } | Output::Append { .. })));
}
