//! Conformance: every playlist of the shared corpus, parsed by `tubeswarm::hls`, compared
//! with the summaries of an independent parser (python-m3u8) in `reference.jsonl`.
//!
//! python-m3u8 is not ground truth. Where we disagree and RFC 8216 says we are right,
//! the file is listed in `JUSTIFIED` with the fields that differ and why. Any other
//! disagreement fails the test, and so does a listed file that now agrees (so the list
//! cannot go stale).

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;
use tubeswarm::hls::{parse_playlist, Summary};

/// `"ok"` in the field list means one parser rejected the file and the other did not.
const JUSTIFIED: &[(&str, &[&str], &str)] = &[
    // RFC 8216 §4.3.1.1: EXTM3U "MUST be the first line". These fixtures put a prose
    // comment before it (or have no EXTM3U at all, or are empty); python-m3u8 accepts
    // them, we refuse them at line 1, as hls.js does.
    ("grafov__m3u8/sample-playlists__master-with-hlsv7.m3u8", &["ok"], "comment line before #EXTM3U"),
    ("grafov__m3u8/sample-playlists__media-playlist-with-discontinuity.m3u8", &["ok"], "comment line before #EXTM3U"),
    (
        "kuu__hls-parser/test__fixtures__m3u8__8.10-EXT-X-DATERANGE-carrying-SCTE-35-tags.m3u8",
        &["ok"],
        "comment line before #EXTM3U",
    ),
    (
        "kuu__hls-parser/test__fixtures__m3u8__8.6-Master-Playlist-with-Alternative-audio.m3u8",
        &["ok"],
        "comment line before #EXTM3U",
    ),
    (
        "kuu__hls-parser/test__fixtures__m3u8__8.7-Master-Playlist-with-Alternative-video.m3u8",
        &["ok"],
        "comment line before #EXTM3U",
    ),
    (
        "kuu__hls-parser/test__fixtures__m3u8__8.8-Session-Data-in-a-Master-Playlist.m3u8",
        &["ok"],
        "comment line before #EXTM3U",
    ),
    (
        "kuu__hls-parser/test__fixtures__m3u8__8.9-CHARACTERISTICS-attribute-containing-multiple-characteristics.m3u8",
        &["ok"],
        "comment line before #EXTM3U",
    ),
    ("kuu__hls-parser/test__fixtures__m3u8__SCTE-35_07.m3u8", &["ok"], "comment line before #EXTM3U"),
    ("videojs__m3u8-parser/test__fixtures__integration__master.m3u8", &["ok"], "comment line before #EXTM3U"),
    ("videojs__m3u8-parser/test__fixtures__integration__manifestNoExtM3u.m3u8", &["ok"], "no #EXTM3U at all"),
    ("videojs__m3u8-parser/test__fixtures__integration__start.m3u8", &["ok"], "#EXTM3U is not the first line"),
    ("videojs__m3u8-parser/test__fixtures__integration__empty.m3u8", &["ok"], "an empty file is not a playlist"),
    // RFC 8216 §4.3.2.2: without @offset, "a previous Media Segment MUST appear in the
    // Playlist file and MUST be a sub-range of the same media resource, or [...] the
    // client MUST fail to parse the Playlist". Here the previous segment is another file.
    (
        "videojs__m3u8-parser/test__fixtures__integration__byteRange.m3u8",
        &["ok"],
        "BYTERANGE without offset after another resource",
    ),
    // RFC 8216 §4.3.2.2: the value is <n>[@<o>]; `587500@` has an '@' and no offset.
    (
        "videojs__m3u8-parser/test__fixtures__integration__llhls-byte-range.m3u8",
        &["ok"],
        "malformed EXT-X-BYTERANGE `587500@`",
    ),
    // RFC 8216 §4.2: an unquoted attribute value "MUST NOT contain double quotes, commas,
    // or whitespace"; RECENTLY-REMOVED-DATERANGES is a quoted-string (rfc8216bis
    // §4.4.5.2). Here it is unquoted with a tab inside: a malformed attribute list.
    (
        "videojs__m3u8-parser/test__fixtures__integration__llhlsDelta.m3u8",
        &["ok"],
        "unquoted attribute value with a tab in EXT-X-SKIP",
    ),
    // RFC 8216 §4.3.3.5: EXT-X-PLAYLIST-TYPE is EVENT or VOD; python-m3u8 keeps any
    // string (or none). A malformed known tag is an error at its line here.
    ("videojs__m3u8-parser/test__fixtures__integration__emptyPlaylistType.m3u8", &["ok"], "empty EXT-X-PLAYLIST-TYPE"),
    (
        "videojs__m3u8-parser/test__fixtures__integration__extXPlaylistTypeInvalidPlaylist.m3u8",
        &["ok"],
        "EXT-X-PLAYLIST-TYPE:STRING",
    ),
    (
        "videojs__m3u8-parser/test__fixtures__integration__invalidPlaylistType.m3u8",
        &["ok"],
        "EXT-X-PLAYLIST-TYPE:asdRASDfasdR",
    ),
    // RFC 8216 §4.3.3.1 / §4.3.3.2: decimal-integers, which cannot be negative;
    // python-m3u8 reads them with int() and accepts -10 and -11.
    (
        "videojs__m3u8-parser/test__fixtures__integration__manifestExtTTargetdurationNegative.m3u8",
        &["ok"],
        "EXT-X-TARGETDURATION:-10",
    ),
    (
        "videojs__m3u8-parser/test__fixtures__integration__negativeMediaSequence.m3u8",
        &["ok"],
        "EXT-X-MEDIA-SEQUENCE:-11",
    ),
    // No EXT-X-TARGETDURATION (required by RFC 8216 §4.3.3.1): python-m3u8 reports null,
    // we tolerate it and report the value the player uses, the longest segment rounded
    // up (10 here; 0 for a playlist with no segment).
    (
        "rutgersc__m3u8-rs/sample-playlists__media-playlist-with-cues.m3u8",
        &["target_duration"],
        "no EXT-X-TARGETDURATION: inferred",
    ),
    (
        "videojs__m3u8-parser/test__fixtures__integration__headerOnly.m3u8",
        &["target_duration"],
        "no EXT-X-TARGETDURATION: inferred",
    ),
];

const FIELDS: &[&str] = &[
    "kind",
    "variants",
    "media_renditions",
    "segments",
    "total_duration",
    "target_duration",
    "media_sequence",
    "endlist",
    "byteranges",
    "has_map",
    "iframe_variants",
    "parts",
];

fn differs(field: &str, ours: &Value, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap_or(f64::NAN), b.as_f64().unwrap_or(f64::NAN));
            let tolerance = if field == "total_duration" { 0.01 } else { 0.0 };
            (a - b).abs() > tolerance || a.is_nan() || b.is_nan()
        }
        _ => ours != theirs,
    }
}

#[test]
fn corpus_agrees_with_the_reference_except_for_justified_disagreements() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/playlists"));
    let Ok(reference) = fs::read_to_string(dir.join("reference.jsonl")) else {
        println!("hls_corpus: {} is absent, skipping the conformance test", dir.display());
        return;
    };
    let (mut agreed, mut justified, mut rejected_by_both) = (0, 0, 0);
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for line in reference.lines().filter(|l| !l.trim().is_empty()) {
        let theirs: Value = serde_json::from_str(line).expect("reference.jsonl: a JSON object per line");
        let file = theirs["file"].as_str().expect("reference.jsonl: a file name");
        seen.insert(file.to_string());
        let bytes = fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        let ours = parse_playlist(&text, &format!("https://corpus.example/{file}"));
        let (diff, detail): (BTreeSet<&str>, String) = match (&ours, theirs["ok"].as_bool() == Some(true)) {
            (Ok(playlist), true) => {
                let ours = serde_json::to_value(Summary::of(playlist)).expect("a summary serialises");
                let fields: BTreeSet<&str> =
                    FIELDS.iter().copied().filter(|f| differs(f, &ours[*f], &theirs[*f])).collect();
                let detail =
                    fields.iter().map(|f| format!("{f}: ours {} theirs {}", ours[*f], theirs[*f])).collect::<Vec<_>>();
                (fields, detail.join(", "))
            }
            (Err(e), false) => {
                println!("both reject {file}: ours: {e}; python-m3u8: {}", theirs["error"]);
                rejected_by_both += 1;
                (BTreeSet::new(), String::new())
            }
            (Err(e), true) => (["ok"].into(), format!("we reject it ({e}), python-m3u8 accepts it")),
            (Ok(_), false) => (["ok"].into(), format!("we accept it, python-m3u8 fails: {}", theirs["error"])),
        };
        let listed = JUSTIFIED.iter().find(|(f, ..)| *f == file);
        match listed {
            None if diff.is_empty() => agreed += 1,
            Some((_, fields, _)) if fields.iter().copied().collect::<BTreeSet<_>>() == diff => justified += 1,
            None => problems.push(format!("{file}: unlisted disagreement: {detail}")),
            Some((_, fields, _)) if diff.is_empty() => {
                problems.push(format!("{file}: listed as disagreeing on {fields:?} but now agrees; remove it"))
            }
            Some((_, fields, _)) => {
                problems.push(format!("{file}: listed as disagreeing on {fields:?}, now on {diff:?}: {detail}"))
            }
        }
    }
    for (file, ..) in JUSTIFIED {
        if !seen.contains(*file) {
            problems.push(format!("{file}: listed but not in reference.jsonl"));
        }
    }
    println!(
        "hls_corpus: agreed {agreed} (of which both reject {rejected_by_both}) / justified disagreements {justified} \
         / problems {}",
        problems.len()
    );
    assert!(problems.is_empty(), "corpus disagreements:\n{}", problems.join("\n"));
}
