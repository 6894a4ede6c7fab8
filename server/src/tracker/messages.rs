//! The tracker's JSON messages, as bittorrent-tracker 11 and p2p-media-loader 2.3.1
//! send them (see PROTOCOL.md §2 in the shared reference).
//!
//! Binary fields (`info_hash`, `peer_id`, `to_peer_id`, `offer_id`) are 20-byte
//! strings written one character per byte: JS strings of code points
//! U+0000–U+00FF. Here they are [`BinStr`]: a Rust `String` of exactly 20 such
//! chars, so serde_json reads `"\u00e9"` or the 2-byte UTF-8 `é` as the byte 0xE9,
//! and writes 0x80–0xFF back as 2-byte UTF-8, as `JSON.stringify` + a WebSocket
//! text frame do.
//!
//! Replies keep bittorrent-tracker's key order (struct field order); offers and
//! answers are relayed as the client wrote them, byte for byte ([`RawValue`]).

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

/// A 20-character binary string: each char is one byte, U+0000–U+00FF.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BinStr(String);

/// Why a string is not a [`BinStr`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BinStrError {
    Length(usize),
    NotLatin1(char),
}

impl fmt::Display for BinStrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BinStrError::Length(n) => write!(f, "expected {} characters, got {n}", BinStr::LEN),
            BinStrError::NotLatin1(c) => write!(
                f,
                "character U+{:04X} is not a byte (U+0000 to U+00FF)",
                *c as u32
            ),
        }
    }
}

impl BinStr {
    pub const LEN: usize = 20;

    pub fn new(text: impl Into<String>) -> Result<Self, BinStrError> {
        let text = text.into();
        let mut count = 0;
        for c in text.chars() {
            if c as u32 > 0xFF {
                return Err(BinStrError::NotLatin1(c));
            }
            count += 1;
        }
        if count != Self::LEN {
            return Err(BinStrError::Length(count));
        }
        Ok(BinStr(text))
    }

    /// The string whose chars are these bytes (Latin-1).
    pub fn from_bytes(bytes: [u8; 20]) -> Self {
        BinStr(bytes.iter().map(|&b| char::from(b)).collect())
    }

    /// The 20 bytes.
    pub fn to_bytes(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        for (slot, c) in out.iter_mut().zip(self.0.chars()) {
            *slot = c as u32 as u8;
        }
        out
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Lower-case hex of the bytes, for messages and logs.
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }
}

impl fmt::Display for BinStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for BinStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for BinStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        BinStr::new(text).map_err(de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------
// Requests

/// What a client asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Announce,
    Scrape,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Announce => "announce",
            Action::Scrape => "scrape",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Request {
    Announce(AnnounceRequest),
    Scrape(ScrapeRequest),
}

/// `event` of an announce. No event, `"update"` and `"empty"` mean a plain
/// re-announce (bittorrent-tracker's `update`), and so does `"paused"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Event {
    Started,
    Stopped,
    Completed,
    #[default]
    Update,
}

/// An announce. With `answer`, it is an answer to relay to `to_peer_id`.
#[derive(Debug, Clone, Deserialize)]
pub struct AnnounceRequest {
    #[serde(deserialize_with = "de_info_hash")]
    pub info_hash: BinStr,
    #[serde(deserialize_with = "de_peer_id")]
    pub peer_id: BinStr,
    #[serde(default, deserialize_with = "de_numwant")]
    pub numwant: Option<u64>,
    /// Only `left == 0` matters (a seeder); p2p-media-loader sends no `left`.
    #[serde(default, deserialize_with = "de_left")]
    pub left: Option<f64>,
    #[serde(default, deserialize_with = "de_event")]
    pub event: Event,
    #[serde(default, deserialize_with = "de_offers")]
    pub offers: Option<Vec<Offer>>,
    #[serde(default, deserialize_with = "de_to_peer_id")]
    pub to_peer_id: Option<BinStr>,
    #[serde(default, deserialize_with = "de_answer")]
    pub answer: Option<Box<RawValue>>,
    #[serde(default, deserialize_with = "de_offer_id")]
    pub offer_id: Option<BinStr>,
}

/// One offer of an announce: an SDP object relayed as is, and its id.
#[derive(Debug, Clone, Deserialize)]
pub struct Offer {
    #[serde(deserialize_with = "de_offer_object")]
    pub offer: Box<RawValue>,
    #[serde(deserialize_with = "de_offer_id_required")]
    pub offer_id: BinStr,
}

/// A scrape: some info-hashes, or `None` for every swarm.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScrapeRequest {
    #[serde(default, deserialize_with = "de_scrape_hashes")]
    pub info_hash: Option<Vec<BinStr>>,
}

fn bin_field<E: de::Error>(value: Value, name: &str) -> Result<BinStr, E> {
    match value {
        Value::String(text) => {
            BinStr::new(text).map_err(|e| E::custom(format!("invalid {name}: {e}")))
        }
        other => Err(E::custom(format!(
            "invalid {name}: expected a string of {} characters, got {}",
            BinStr::LEN,
            kind(&other)
        ))),
    }
}

fn opt_bin_field<E: de::Error>(value: Value, name: &str) -> Result<Option<BinStr>, E> {
    match value {
        Value::Null => Ok(None),
        value => bin_field(value, name).map(Some),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn de_info_hash<'de, D: Deserializer<'de>>(d: D) -> Result<BinStr, D::Error> {
    bin_field(Value::deserialize(d)?, "info_hash")
}

fn de_peer_id<'de, D: Deserializer<'de>>(d: D) -> Result<BinStr, D::Error> {
    bin_field(Value::deserialize(d)?, "peer_id")
}

fn de_to_peer_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BinStr>, D::Error> {
    opt_bin_field(Value::deserialize(d)?, "to_peer_id")
}

fn de_offer_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<BinStr>, D::Error> {
    opt_bin_field(Value::deserialize(d)?, "offer_id")
}

fn de_offer_id_required<'de, D: Deserializer<'de>>(d: D) -> Result<BinStr, D::Error> {
    bin_field(Value::deserialize(d)?, "offer_id")
}

fn de_numwant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(n), _) => Ok(Some(n)),
            (None, Some(f)) if f.is_finite() && f >= 0.0 => Ok(Some(f as u64)),
            _ => Err(de::Error::custom(format!("invalid numwant: {n}"))),
        },
        other => Err(de::Error::custom(format!(
            "invalid numwant: expected a number, got {}",
            kind(&other)
        ))),
    }
}

fn de_left<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    // bittorrent-tracker reads `Number(left)` and takes anything else as "not done".
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn de_event<'de, D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(Event::Update),
        Value::String(s) => match s.as_str() {
            "started" => Ok(Event::Started),
            "stopped" => Ok(Event::Stopped),
            "completed" => Ok(Event::Completed),
            "update" | "empty" | "paused" | "" => Ok(Event::Update),
            _ => Err(de::Error::custom(format!(
                "invalid event: {s:?} (expected started, stopped, completed or none)"
            ))),
        },
        other => Err(de::Error::custom(format!(
            "invalid event: expected a string, got {}",
            kind(&other)
        ))),
    }
}

fn de_offers<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Offer>>, D::Error> {
    let raw = <Box<RawValue>>::deserialize(d)?;
    if raw.get() == "null" {
        return Ok(None);
    }
    let items: Vec<Box<RawValue>> = serde_json::from_str(raw.get()).map_err(|_| {
        de::Error::custom(format!(
            "invalid offers: expected an array, got {}",
            raw_kind(&raw)
        ))
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            if !item.get().starts_with('{') {
                return Err(de::Error::custom(format!(
                    "invalid offers[{i}]: expected an object, got {}",
                    raw_kind(item)
                )));
            }
            serde_json::from_str(item.get())
                .map_err(|e| de::Error::custom(format!("offers[{i}]: {}", reason(&e))))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// The kind of a raw JSON value, by its first character.
fn raw_kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

fn object_field<E: de::Error>(raw: Box<RawValue>, name: &str) -> Result<Box<RawValue>, E> {
    if raw.get().starts_with('{') {
        Ok(raw)
    } else {
        Err(E::custom(format!(
            "invalid {name}: expected an object, got {}",
            raw_kind(&raw)
        )))
    }
}

fn de_offer_object<'de, D: Deserializer<'de>>(d: D) -> Result<Box<RawValue>, D::Error> {
    object_field(<Box<RawValue>>::deserialize(d)?, "offer")
}

fn de_answer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Box<RawValue>>, D::Error> {
    let raw = <Box<RawValue>>::deserialize(d)?;
    if raw.get() == "null" {
        return Ok(None);
    }
    object_field(raw, "answer").map(Some)
}

/// A serde_json error as a failure reason: where in the text only for syntax
/// errors (the others name their field).
fn reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match (e.classify(), text.rfind(" at line ")) {
        (serde_json::error::Category::Data, Some(at)) => text[..at].to_owned(),
        _ => text,
    }
}

fn de_scrape_hashes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<BinStr>>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::Array(items) => items
            .into_iter()
            .map(|item| bin_field(item, "info_hash"))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        value => bin_field(value, "info_hash").map(|h| Some(vec![h])),
    }
}

/// A message that could not be read, with what is known of it for the reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub action: Option<Action>,
    pub info_hash: Option<BinStr>,
    pub reason: String,
}

impl ParseError {
    pub fn to_failure(&self) -> Failure {
        Failure {
            action: self.action.map(Action::as_str),
            reason: self.reason.clone(),
            info_hash: self.info_hash.clone(),
        }
    }
}

/// Reads one text message.
pub fn parse_request(text: &str) -> Result<Request, ParseError> {
    let fail = |action, info_hash, reason: String| ParseError {
        action,
        info_hash,
        reason,
    };
    let value: Value =
        serde_json::from_str(text).map_err(|e| fail(None, None, format!("invalid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(fail(
            None,
            None,
            format!(
                "invalid message: expected a JSON object, got {}",
                kind(&value)
            ),
        ));
    };
    let action = match object.get("action") {
        Some(Value::String(s)) if s == "announce" => Action::Announce,
        Some(Value::String(s)) if s == "scrape" => Action::Scrape,
        Some(Value::String(s)) => {
            return Err(fail(None, None, format!("invalid action: {s:?}")));
        }
        Some(other) => {
            return Err(fail(
                None,
                None,
                format!("invalid action: expected a string, got {}", kind(other)),
            ))
        }
        None => return Err(fail(None, None, "invalid action: missing".into())),
    };
    let info_hash = match (action, object.get("info_hash")) {
        (Action::Announce, Some(Value::String(s))) => BinStr::new(s.as_str()).ok(),
        _ => None,
    };
    drop(object);
    // Read again, typed, from the text: offers and answers stay raw JSON text.
    match action {
        Action::Announce => {
            let request: AnnounceRequest = serde_json::from_str(text)
                .map_err(|e| fail(Some(action), info_hash.clone(), reason(&e)))?;
            if request.answer.is_some() {
                if request.to_peer_id.is_none() {
                    return Err(fail(
                        Some(action),
                        info_hash,
                        "invalid to_peer_id: required with answer".into(),
                    ));
                }
                if request.offer_id.is_none() {
                    return Err(fail(
                        Some(action),
                        info_hash,
                        "invalid offer_id: required with answer".into(),
                    ));
                }
            }
            Ok(Request::Announce(request))
        }
        Action::Scrape => serde_json::from_str(text)
            .map(Request::Scrape)
            .map_err(|e| fail(Some(action), None, reason(&e))),
    }
}

// ---------------------------------------------------------------------------------
// Replies

/// The reply to an announce: bittorrent-tracker's key order.
#[derive(Debug, Clone, Serialize)]
pub struct AnnounceReply<'a> {
    pub complete: usize,
    pub incomplete: usize,
    pub action: &'static str,
    pub interval: u64,
    pub info_hash: &'a BinStr,
}

/// An offer, relayed to a peer of the swarm. `peer_id` is the offerer's.
#[derive(Debug, Clone, Serialize)]
pub struct OfferRelay<'a> {
    pub action: &'static str,
    pub offer: &'a RawValue,
    pub offer_id: &'a BinStr,
    pub peer_id: &'a BinStr,
    pub info_hash: &'a BinStr,
}

/// An answer, relayed to the offerer. `peer_id` is the answerer's.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerRelay<'a> {
    pub action: &'static str,
    pub answer: &'a RawValue,
    pub offer_id: &'a BinStr,
    pub peer_id: &'a BinStr,
    pub info_hash: &'a BinStr,
}

/// Counts of one swarm in a scrape reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileStats {
    pub complete: usize,
    pub incomplete: usize,
    pub downloaded: u64,
}

/// The reply to a scrape: `files` in the order asked.
#[derive(Debug, Clone, Serialize)]
pub struct ScrapeReply {
    pub action: &'static str,
    #[serde(serialize_with = "ser_files")]
    pub files: Vec<(BinStr, FileStats)>,
    pub flags: ScrapeFlags,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScrapeFlags {
    pub min_request_interval: u64,
}

fn ser_files<S: Serializer>(files: &[(BinStr, FileStats)], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(files.len()))?;
    for (hash, stats) in files {
        map.serialize_entry(hash, stats)?;
    }
    map.end()
}

/// A refusal: `{"action":…,"failure reason":…,"info_hash":…}`, the first and the
/// last only when known. (bittorrent-tracker's client drops the socket on a
/// message without `action`, and ignores a failure without its `info_hash`.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<&'static str>,
    #[serde(rename = "failure reason")]
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info_hash: Option<BinStr>,
}

impl Failure {
    pub fn new(reason: impl Into<String>) -> Self {
        Failure {
            action: None,
            reason: reason.into(),
            info_hash: None,
        }
    }

    pub fn announce(info_hash: &BinStr, reason: impl Into<String>) -> Self {
        Failure {
            action: Some(Action::Announce.as_str()),
            reason: reason.into(),
            info_hash: Some(info_hash.clone()),
        }
    }

    pub fn scrape(reason: impl Into<String>) -> Self {
        Failure {
            action: Some(Action::Scrape.as_str()),
            reason: reason.into(),
            info_hash: None,
        }
    }
}

/// JSON text of a reply. Serializing these types cannot fail (string keys, no
/// floats); the fallback keeps that a non-panic anyway.
pub fn to_json<T: Serialize>(message: &T) -> String {
    serde_json::to_string(message)
        .unwrap_or_else(|e| format!("{{\"failure reason\":\"internal error: {e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "4phHtw9IMImWFGckq9fz";
    const PEER: &str = "-PM0203-sjfH2UsJnjA0";

    #[test]
    fn bin_str_is_twenty_latin1_chars() {
        assert!(BinStr::new(HASH).is_ok());
        assert_eq!(BinStr::new(&HASH[..19]), Err(BinStrError::Length(19)));
        assert_eq!(
            BinStr::new(format!("{}\u{100}", &HASH[..19])),
            Err(BinStrError::NotLatin1('\u{100}'))
        );
        let bytes: [u8; 20] = std::array::from_fn(|i| 0x80 + i as u8 * 6);
        let id = BinStr::from_bytes(bytes);
        assert_eq!(id.as_str().chars().count(), 20);
        assert_eq!(id.as_str().len(), 40, "0x80–0xFF are 2 bytes each in UTF-8");
        assert_eq!(id.to_bytes(), bytes);
        // JSON round trip: escaped or raw, the same bytes; written raw (2-byte UTF-8).
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json.len(), 42);
        assert_eq!(serde_json::from_str::<BinStr>(&json).unwrap(), id);
        let escaped = format!("\"\\u0000\\n{}\"", "\\u00ff".repeat(18));
        let id: BinStr = serde_json::from_str(&escaped).unwrap();
        assert_eq!(id.to_bytes()[..2], [0, b'\n']);
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            format!("\"\\u0000\\n{}\"", "ÿ".repeat(18))
        );
    }

    #[test]
    fn reads_a_p2pml_announce() {
        let offer_id = "\\u0001\\u0002é\\u00ff".to_string() + &"x".repeat(16);
        let text = format!(
            r#"{{"numwant":5,"uploaded":0,"downloaded":0,"event":"started","action":"announce","info_hash":"{HASH}","peer_id":"{PEER}","offers":[{{"offer":{{"type":"offer","sdp":"v=0\r\n"}},"offer_id":"{offer_id}"}}]}}"#
        );
        let Ok(Request::Announce(a)) = parse_request(&text) else {
            panic!("{:?}", parse_request(&text))
        };
        assert_eq!(a.info_hash.as_str(), HASH);
        assert_eq!(a.event, Event::Started);
        assert_eq!(a.numwant, Some(5));
        assert_eq!(a.left, None);
        let offers = a.offers.unwrap();
        assert_eq!(offers.len(), 1);
        assert_eq!(offers[0].offer_id.to_bytes()[..4], [1, 2, 0xE9, 0xFF]);
    }

    #[test]
    fn offers_and_answers_stay_as_written() {
        let sdp = r#"{"type":"offer","sdp":"v=0\r\n","x":[1.50,{"z":1,"a":2}]}"#;
        let text = format!(
            r#"{{"action":"announce","info_hash":"{HASH}","peer_id":"{PEER}","offers":[ {{"offer": {sdp} ,"offer_id":"{PEER}"}}],"answer": {sdp} ,"to_peer_id":"{PEER}","offer_id":"{PEER}"}}"#
        );
        let Ok(Request::Announce(a)) = parse_request(&text) else {
            panic!("{:?}", parse_request(&text))
        };
        assert_eq!(a.offers.unwrap()[0].offer.get(), sdp);
        assert_eq!(a.answer.unwrap().get(), sdp);
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        let cases = [
            ("{", None, "invalid JSON"),
            ("[1]", None, "expected a JSON object"),
            (r#"{"action":"nope"}"#, None, "invalid action"),
            (r#"{"action":5}"#, None, "invalid action"),
            (r#"{"info_hash":"x"}"#, None, "invalid action: missing"),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9f","peer_id":"-PM0203-sjfH2UsJnjA0"}"#,
                Some(Action::Announce),
                "invalid info_hash: expected 20 characters, got 19",
            ),
            (
                r#"{"action":"announce","info_hash":7,"peer_id":"-PM0203-sjfH2UsJnjA0"}"#,
                Some(Action::Announce),
                "invalid info_hash: expected a string",
            ),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz"}"#,
                Some(Action::Announce),
                "missing field `peer_id`",
            ),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz","peer_id":"-PM0203-sjfH2UsJnjA0","event":"bogus"}"#,
                Some(Action::Announce),
                "invalid event",
            ),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz","peer_id":"-PM0203-sjfH2UsJnjA0","numwant":"5"}"#,
                Some(Action::Announce),
                "invalid numwant",
            ),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz","peer_id":"-PM0203-sjfH2UsJnjA0","offers":{}}"#,
                Some(Action::Announce),
                "invalid offers: expected an array",
            ),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz","peer_id":"-PM0203-sjfH2UsJnjA0","offers":[{"offer":"x","offer_id":"aaaaaaaaaaaaaaaaaaaa"}]}"#,
                Some(Action::Announce),
                "invalid offer: expected an object",
            ),
            (
                r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz","peer_id":"-PM0203-sjfH2UsJnjA0","answer":{"type":"answer"},"offer_id":"aaaaaaaaaaaaaaaaaaaa"}"#,
                Some(Action::Announce),
                "invalid to_peer_id: required with answer",
            ),
            (
                r#"{"action":"scrape","info_hash":["4phHtw9IMImWFGckq9fz", 3]}"#,
                Some(Action::Scrape),
                "invalid info_hash",
            ),
        ];
        for (text, action, reason) in cases {
            let err = parse_request(text).expect_err(text);
            assert_eq!(err.action, action, "{text}");
            assert!(err.reason.contains(reason), "{text}: {}", err.reason);
        }
        // The info_hash of a bad announce is known when it is itself valid.
        let err = parse_request(
            r#"{"action":"announce","info_hash":"4phHtw9IMImWFGckq9fz","peer_id":"short"}"#,
        )
        .unwrap_err();
        assert_eq!(
            to_json(&err.to_failure()),
            r#"{"action":"announce","failure reason":"invalid peer_id: expected 20 characters, got 5","info_hash":"4phHtw9IMImWFGckq9fz"}"#
        );
    }

    #[test]
    fn scrape_takes_one_hash_a_list_or_none() {
        let one = parse_request(&format!(r#"{{"action":"scrape","info_hash":"{HASH}"}}"#));
        let Ok(Request::Scrape(ScrapeRequest {
            info_hash: Some(list),
        })) = one
        else {
            panic!()
        };
        assert_eq!(list.len(), 1);
        let all = parse_request(r#"{"action":"scrape"}"#);
        assert!(matches!(
            all,
            Ok(Request::Scrape(ScrapeRequest { info_hash: None }))
        ));
    }

    #[test]
    fn replies_keep_bittorrent_tracker_key_order() {
        let hash = BinStr::new(HASH).unwrap();
        let reply = AnnounceReply {
            complete: 0,
            incomplete: 1,
            action: "announce",
            interval: 120,
            info_hash: &hash,
        };
        assert_eq!(
            to_json(&reply),
            format!(
                r#"{{"complete":0,"incomplete":1,"action":"announce","interval":120,"info_hash":"{HASH}"}}"#
            )
        );
        let scrape = ScrapeReply {
            action: "scrape",
            files: vec![(
                hash,
                FileStats {
                    complete: 1,
                    incomplete: 2,
                    downloaded: 3,
                },
            )],
            flags: ScrapeFlags {
                min_request_interval: 120,
            },
        };
        assert_eq!(
            to_json(&scrape),
            format!(
                r#"{{"action":"scrape","files":{{"{HASH}":{{"complete":1,"incomplete":2,"downloaded":3}}}},"flags":{{"min_request_interval":120}}}}"#
            )
        );
        assert_eq!(to_json(&Failure::new("x")), r#"{"failure reason":"x"}"#);
    }
}
