//! Fuzzes PeerTube's segments-sha256 map (src/integrity.rs): the body as fetched
//! through `SegmentHashes::from_json_bytes` and `from_json_strict`, then the look-ups
//! and checks the engine makes, for URLs and byte ranges named by the map's own keys
//! (and the input's bytes as the segment).
//!
//! Invariants: nothing panics; the strict parse succeeds exactly when the lenient one
//! skipped nothing, with the same map; a check is `Valid` only for bytes whose SHA-256
//! is the one published, `Unknown` exactly when there is none; a live (flat) entry of
//! a map read strictly is found by its file's URL, with its hash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::hls::ByteRange;
use tubeswarm::integrity::{sha256, to_hex, SegmentHashes, Verdict};
use tubeswarm::json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(map) = SegmentHashes::from_json_bytes(data) else { return };
    let text = std::str::from_utf8(data).expect("parsed, so UTF-8");
    let strict = SegmentHashes::from_json_strict(text);
    assert_eq!(strict.is_ok(), map.malformed().is_empty());
    if let Ok(strict) = &strict {
        assert_eq!(strict, &map);
    }

    let top = tubeswarm::json::parse(text).expect("parsed");
    let files = top.as_object().expect("a map is a JSON object");
    let actual = sha256(data);
    if let Some((file, _)) = files.first() {
        let url = format!("https://video.example/{file}");
        assert_eq!(map.verify(&url, None, data), map.verdict(&url, None, &actual));
    }
    for (file, entry) in files {
        let url = format!("https://video.example/static/streaming-playlists/hls/uuid/{file}?reinjected=1");
        let mut ranges = vec![None, Some(ByteRange { offset: 0, length: data.len() as u64 })];
        if let Value::Object(keys) = entry {
            ranges.extend(keys.iter().filter_map(|(key, _)| {
                let (start, end) = key.split_once('-')?;
                let (start, end) = (start.parse::<u64>().ok()?, end.parse::<u64>().ok()?);
                Some(Some(ByteRange { offset: start, length: end.wrapping_sub(start).wrapping_add(1) }))
            }));
        }
        for range in ranges {
            let expected = map.expected(&url, range).copied();
            // `verdict` takes the hash made once (as the web build's WebCrypto hashes).
            match map.verdict(&url, range, &actual) {
                Verdict::Valid => assert_eq!(expected, Some(actual)),
                Verdict::Mismatch { expected: e, actual: a } => {
                    assert_eq!((Some(e), a), (expected, actual));
                    assert_ne!(e, a);
                }
                Verdict::Unknown => assert_eq!(expected, None),
            }
        }
        // The last entry of a name is the one kept.
        if let (Ok(_), Some(Value::String(hex)), false) = (&strict, top.get(file), file.contains(['/', '?', '#'])) {
            assert_eq!(map.expected(&url, None).map(to_hex), Some(hex.to_ascii_lowercase()));
        }
    }
});
