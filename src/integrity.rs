//! PeerTube's segments-sha256 map: parse, look up, verify.
//!
//! PeerTube publishes `<uuid>-segments-sha256.json` next to its HLS playlists
//! (PEERTUBE-AND-P2P-FACTS.md §2), in one of two shapes:
//!
//! - VOD, nested: `{"<file name>": {"<start>-<end>": "<sha256 hex>"}}`, where
//!   start and end are byte offsets of the segment in that file, end INCLUSIVE;
//! - live, flat: `{"<segment file name>": "<sha256 hex>"}`, rewritten as
//!   segments appear (so a missing name means "refetch", not "bad").
//!
//! The key of a segment URL is its last path component with the query string
//! (and fragment) removed, taken as is (no percent-decoding, as PeerTube's
//! player does). A hash mismatch is always [`Verdict::Mismatch`]: one PeerTube
//! player version accepted mismatches; this code never does.
//!
//! Malformed input: JSON that does not parse, or whose top level is not an
//! object, is an error. Inside a valid object, a bad entry (value neither a
//! string nor an object, a range key that is not `<start>-<end>` with
//! start ≤ end, a hash that is not 64 hex digits) is skipped and listed in
//! [`SegmentHashes::malformed`], and the good entries are kept: a skipped
//! entry can only make its segment [`Verdict::Unknown`], never `Valid`, so
//! keeping the rest loses no safety while one typo does not disable checking
//! for a whole video. [`SegmentHashes::from_json_strict`] rejects any bad entry.

use crate::quoted::Quoted;
use crate::table::Table;

use sha2::{Digest, Sha256};

use crate::hls::ByteRange;

/// A SHA-256 digest.
pub type Sha256Digest = [u8; 32];

/// The outcome of checking a segment's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The bytes hash to the published value.
    Valid,
    /// They do not: the bytes must not be appended, stored or shared.
    Mismatch { expected: Sha256Digest, actual: Sha256Digest },
    /// The map has no entry for this segment (live map lagging, or a file the
    /// map does not cover). The caller decides: refetch the map, or treat the
    /// segment as unverifiable.
    Unknown,
}

/// Why a segments-sha256 document was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntegrityError {
    #[error("segments-sha256 map is not valid JSON: {0}")]
    Json(String),
    #[error("segments-sha256 map is not a JSON object")]
    NotAnObject,
    #[error("segments-sha256 map has a malformed entry: {0}")]
    Malformed(MalformedEntry),
}

/// One entry that was skipped, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MalformedEntry {
    /// The file-name key.
    pub file: String,
    /// The range key, for an entry inside a nested (VOD) object.
    pub range: Option<String>,
    pub reason: &'static str,
}

impl std::fmt::Display for MalformedEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.range {
            Some(r) => write!(f, "{} / {}: {}", Quoted(&self.file), Quoted(r), self.reason),
            None => write!(f, "{}: {}", Quoted(&self.file), self.reason),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum FileHashes {
    /// Live: the hash of the whole file.
    Whole(Sha256Digest),
    /// VOD: hashes by inclusive byte range `(start, end)`.
    Ranges(Table<(u64, u64), Sha256Digest>),
}

/// A parsed segments-sha256 map.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentHashes {
    files: Table<String, FileHashes>,
    malformed: Vec<MalformedEntry>,
}

impl SegmentHashes {
    /// Parses either shape, skipping (and listing) malformed entries.
    pub fn from_json(text: &str) -> Result<Self, IntegrityError> {
        let value = crate::json::parse(text).map_err(|e| IntegrityError::Json(e.to_string()))?;
        let crate::json::Value::Object(top) = value else {
            return Err(IntegrityError::NotAnObject);
        };
        let mut map = SegmentHashes::default();
        for (file, entry) in top {
            match entry {
                crate::json::Value::String(hex) => match parse_sha256_hex(&hex) {
                    Some(digest) => {
                        map.files.insert(file, FileHashes::Whole(digest));
                    }
                    None => {
                        map.malformed.push(MalformedEntry { file, range: None, reason: "hash is not 64 hex digits" })
                    }
                },
                crate::json::Value::Object(ranges) => {
                    let mut good = Vec::new();
                    for (range, hex) in ranges {
                        let problem = match (parse_range_key(&range), hex.as_str().map(parse_sha256_hex)) {
                            (Some(r), Some(Some(digest))) => {
                                good.push((r, digest));
                                continue;
                            }
                            (None, _) => "range key is not <start>-<end> with start <= end",
                            (_, None) => "hash is not a string",
                            (_, Some(None)) => "hash is not 64 hex digits",
                        };
                        map.malformed.push(MalformedEntry { file: file.clone(), range: Some(range), reason: problem });
                    }
                    map.files.insert(file, FileHashes::Ranges(crate::table::table_from(good)));
                }
                _ => map.malformed.push(MalformedEntry {
                    file,
                    range: None,
                    reason: "value is neither a hash nor an object",
                }),
            }
        }
        Ok(map)
    }

    /// Like [`SegmentHashes::from_json`], but any malformed entry is an error.
    pub fn from_json_strict(text: &str) -> Result<Self, IntegrityError> {
        let mut map = Self::from_json(text)?;
        if map.malformed.is_empty() {
            Ok(map)
        } else {
            Err(IntegrityError::Malformed(map.malformed.swap_remove(0)))
        }
    }

    /// From the response body bytes (UTF-8 JSON).
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, IntegrityError> {
        let text = std::str::from_utf8(bytes).map_err(|e| IntegrityError::Json(e.to_string()))?;
        Self::from_json(text)
    }

    /// The entries that were skipped while parsing.
    pub fn malformed(&self) -> &[MalformedEntry] {
        &self.malformed
    }

    /// Number of segment hashes held.
    pub fn len(&self) -> usize {
        self.files
            .values()
            .map(|f| match f {
                FileHashes::Whole(_) => 1,
                FileHashes::Ranges(r) => r.len(),
            })
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The published hash of a segment, if the map has one.
    ///
    /// A flat (live) entry covers a whole file, so it answers only a look-up
    /// without a byte range; a nested (VOD) entry answers only the exact range.
    /// A zero-length range has no entry.
    pub fn expected(&self, url: &str, range: Option<ByteRange>) -> Option<&Sha256Digest> {
        match (self.files.get(key_for_url(url))?, range) {
            (FileHashes::Whole(digest), None) => Some(digest),
            (FileHashes::Ranges(ranges), Some(r)) if r.length > 0 => {
                ranges.get(&(r.offset, r.offset.checked_add(r.length - 1)?))
            }
            _ => None,
        }
    }

    /// Checks a segment's bytes against the map.
    pub fn verify(&self, url: &str, range: Option<ByteRange>, bytes: &[u8]) -> Verdict {
        if self.expected(url, range).is_none() {
            return Verdict::Unknown;
        }
        self.verdict(url, range, &sha256(bytes))
    }

    /// Checks a segment whose SHA-256 is `actual` (hashed elsewhere, e.g. by the
    /// browser's WebCrypto) against the map.
    pub fn verdict(&self, url: &str, range: Option<ByteRange>, actual: &Sha256Digest) -> Verdict {
        let Some(expected) = self.expected(url, range) else {
            return Verdict::Unknown;
        };
        let actual = *actual;
        if actual == *expected {
            Verdict::Valid
        } else {
            Verdict::Mismatch { expected: *expected, actual }
        }
    }
}

/// The map key of a segment URL: the last path component, without query
/// string or fragment.
pub fn key_for_url(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let path = &url[..end];
    path.rsplit('/').next().unwrap_or(path)
}

/// The SHA-256 of `bytes`: the one hashing every check goes through.
pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    Sha256::digest(bytes).into()
}

/// Lower-case hex of a digest (for logs and errors).
pub fn to_hex(digest: &Sha256Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn parse_sha256_hex(s: &str) -> Option<Sha256Digest> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        *o = (hi * 16 + lo) as u8;
    }
    Some(out)
}

fn parse_range_key(s: &str) -> Option<(u64, u64)> {
    let (start, end) = s.split_once('-')?;
    let number =
        |t: &str| if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) { t.parse::<u64>().ok() } else { None };
    let (start, end) = (number(start)?, number(end)?);
    (start <= end).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha_hex(bytes: &[u8]) -> String {
        to_hex(&Sha256::digest(bytes).into())
    }

    fn range(offset: u64, length: u64) -> Option<ByteRange> {
        Some(ByteRange { offset, length })
    }

    const BASE: &str = "https://peertube.example/static/streaming-playlists/hls/3f8c";

    #[test]
    fn vod_nested_map_with_inclusive_ranges() {
        let seg0 = vec![1u8; 1000];
        let seg1 = vec![2u8; 500];
        let json = format!(
            r#"{{"3f8c-720-fragmented.mp4": {{"1373-2372": "{}", "2373-2872": "{}"}},
                "3f8c-480-fragmented.mp4": {{"1373-1400": "{}"}}}}"#,
            sha_hex(&seg0),
            sha_hex(&seg1),
            sha_hex(b"other")
        );
        let map = SegmentHashes::from_json(&json).unwrap();
        assert_eq!(map.len(), 3);
        assert!(map.malformed().is_empty());
        let url = format!("{BASE}/3f8c-720-fragmented.mp4");
        assert_eq!(map.verify(&url, range(1373, 1000), &seg0), Verdict::Valid);
        assert_eq!(map.verify(&url, range(2373, 500), &seg1), Verdict::Valid);
        // End is inclusive: offset + length − 1. An off-by-one range is unknown.
        assert_eq!(map.verify(&url, range(1373, 1001), &seg0), Verdict::Unknown);
        assert_eq!(map.verify(&url, range(1373, 999), &seg0), Verdict::Unknown);
        // A nested entry needs a range; a zero-length range has none.
        assert_eq!(map.verify(&url, None, &seg0), Verdict::Unknown);
        assert_eq!(map.verify(&url, range(1373, 0), &[]), Verdict::Unknown);
        // u64 overflow in offset + length is unknown, not a panic.
        assert_eq!(map.verify(&url, range(u64::MAX, 2), &[]), Verdict::Unknown);
    }

    #[test]
    fn mismatch_is_always_rejected() {
        let good = b"the real segment".to_vec();
        let json = format!(
            r#"{{"seg.mp4": {{"0-{}": "{}"}}, "live-000001.ts": "{}"}}"#,
            good.len() - 1,
            sha_hex(&good),
            sha_hex(&good)
        );
        let map = SegmentHashes::from_json(&json).unwrap();
        let mut bad = good.clone();
        bad[3] ^= 1;
        let expected: Sha256Digest = Sha256::digest(&good).into();
        let actual: Sha256Digest = Sha256::digest(&bad).into();
        assert_eq!(
            map.verify("https://x/seg.mp4", range(0, good.len() as u64), &bad),
            Verdict::Mismatch { expected, actual }
        );
        assert_eq!(map.verify("https://x/live-000001.ts", None, &bad), Verdict::Mismatch { expected, actual });
        assert_eq!(
            map.verify("https://x/live-000001.ts", None, &[]),
            Verdict::Mismatch { expected, actual: Sha256::digest([]).into() }
        );
        assert_eq!(map.verify("https://x/live-000001.ts", None, &good), Verdict::Valid);
    }

    #[test]
    fn live_flat_map_and_unknown_entries() {
        let json = format!(r#"{{"1-000123.ts": "{}", "1-000124.ts": "{}"}}"#, sha_hex(b"a"), sha_hex(b"b"));
        let map = SegmentHashes::from_json(&json).unwrap();
        assert_eq!(map.verify("https://x/live/abc/1-000123.ts", None, b"a"), Verdict::Valid);
        assert_eq!(map.verify("https://x/live/abc/1-000124.ts", None, b"b"), Verdict::Valid);
        // Not yet in the (lagging) map.
        assert_eq!(map.verify("https://x/live/abc/1-000125.ts", None, b"c"), Verdict::Unknown);
        // A flat entry hashes a whole file: a ranged look-up is unknown.
        assert_eq!(map.verify("https://x/live/abc/1-000123.ts", range(0, 1), b"a"), Verdict::Unknown);
        assert!(SegmentHashes::from_json("{}").unwrap().is_empty());
    }

    #[test]
    fn key_is_last_component_without_query() {
        assert_eq!(key_for_url("https://h/a/b/seg.ts?token=1/2&x=y"), "seg.ts");
        assert_eq!(key_for_url("https://h/a/seg.ts#t=1"), "seg.ts");
        assert_eq!(key_for_url("seg.ts"), "seg.ts");
        assert_eq!(key_for_url("https://h/a/"), "");
        let json = format!(r#"{{"seg.ts": "{}"}}"#, sha_hex(b"x"));
        let map = SegmentHashes::from_json(&json).unwrap();
        assert_eq!(map.verify("https://h/p/seg.ts?videoFileToken=abc", None, b"x"), Verdict::Valid);
        assert_eq!(map.verify("https://mirror.example/other/path/seg.ts", None, b"x"), Verdict::Valid);
        assert_eq!(map.verify("https://h/p/SEG.ts", None, b"x"), Verdict::Unknown);
    }

    #[test]
    fn uppercase_hex_is_accepted() {
        let json = format!(r#"{{"f.mp4": {{"0-0": "{}"}}}}"#, sha_hex(b"z").to_uppercase());
        let map = SegmentHashes::from_json_strict(&json).unwrap();
        assert_eq!(map.verify("f.mp4", range(0, 1), b"z"), Verdict::Valid);
        assert!(matches!(map.verify("f.mp4", range(0, 1), b"y"), Verdict::Mismatch { .. }));
    }

    #[test]
    fn garbage_is_a_typed_error_never_a_panic() {
        for text in ["", "not json", "[1,2]", "\"x\"", "42", "null", "{", "{\"a\": }"] {
            let err = SegmentHashes::from_json(text).unwrap_err();
            assert!(matches!(err, IntegrityError::Json(_) | IntegrityError::NotAnObject), "{text}: {err:?}");
        }
        assert_eq!(SegmentHashes::from_json("[]"), Err(IntegrityError::NotAnObject));
        assert!(matches!(SegmentHashes::from_json_bytes(&[0xff, 0xfe]), Err(IntegrityError::Json(_))));
    }

    #[test]
    fn malformed_entries_are_skipped_and_listed() {
        let good = sha_hex(b"ok");
        let json = format!(
            r#"{{
                "a.mp4": {{"0-1": "{good}", "5-2": "{good}", "x-3": "{good}", "0-": "{good}", "-1": "{good}",
                           "2-3": "abc", "4-5": 7, "6-7": "{bad_hex}", "+8-9": "{good}"}},
                "b.ts": "{good}",
                "c.ts": "{short}",
                "d.ts": 12,
                "e.ts": null
            }}"#,
            bad_hex = "g".repeat(64),
            short = &good[..62],
        );
        let map = SegmentHashes::from_json(&json).unwrap();
        assert_eq!(map.len(), 2);
        assert_eq!(map.verify("a.mp4", range(0, 2), b"ok"), Verdict::Valid);
        assert_eq!(map.verify("b.ts", None, b"ok"), Verdict::Valid);
        assert_eq!(map.verify("c.ts", None, b"ok"), Verdict::Unknown);
        assert_eq!(map.verify("a.mp4", range(6, 2), b"ok"), Verdict::Unknown);
        assert_eq!(map.malformed().len(), 11, "{:?}", map.malformed());
        assert!(map.malformed().iter().any(|m| m.file == "a.mp4" && m.range.as_deref() == Some("5-2")));
        assert!(matches!(SegmentHashes::from_json_strict(&json), Err(IntegrityError::Malformed(_))));
        let err = SegmentHashes::from_json_strict(r#"{"d.ts": 12}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "segments-sha256 map has a malformed entry: \"d.ts\": value is neither a hash nor an object"
        );
    }

    #[test]
    fn range_key_parsing() {
        assert_eq!(parse_range_key("0-0"), Some((0, 0)));
        assert_eq!(parse_range_key("1373-660000"), Some((1373, 660000)));
        assert_eq!(parse_range_key("18446744073709551615-18446744073709551615"), Some((u64::MAX, u64::MAX)));
        for bad in
            ["", "-", "1-", "-1", "2-1", "1-2-3", " 1-2", "1 -2", "a-b", "18446744073709551616-18446744073709551616"]
        {
            assert_eq!(parse_range_key(bad), None, "{bad}");
        }
    }
}
