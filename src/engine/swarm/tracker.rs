//! WebTorrent tracker messages, as `bittorrent-tracker` (PeerTube's tracker) and
//! p2p-media-loader speak them: JSON text frames whose binary ids are strings of
//! 20 characters in U+0000–U+00FF.

use crate::json::{Obj, Value};

/// One offer of an announce: an id and a complete (non-trickle) SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub offer_id: String,
    pub sdp: String,
}

/// The announce a peer sends when it starts and every `interval` after.
pub fn announce(info_hash: &str, peer_id: &str, numwant: usize, offers: &[Offer], started: bool) -> String {
    let offers: Vec<Value> = offers
        .iter()
        .map(|o| Obj::new().field("offer", Obj::new().field("type", "offer").field("sdp", o.sdp.as_str())).field("offer_id", o.offer_id.as_str()).build())
        .collect();
    Obj::new()
        .field("action", "announce")
        .field("info_hash", info_hash)
        .field("peer_id", peer_id)
        .field("numwant", numwant)
        .field("uploaded", 0u64)
        .field("downloaded", 0u64)
        .field("offers", offers)
        .some("event", started.then_some("started"))
        .build()
        .to_json()
}

/// Leaving the swarm (sent on destroy, so the tracker stops handing us out).
pub fn stopped(info_hash: &str, peer_id: &str) -> String {
    Obj::new()
        .field("action", "announce")
        .field("info_hash", info_hash)
        .field("peer_id", peer_id)
        .field("event", "stopped")
        .field("numwant", 0u64)
        .field("uploaded", 0u64)
        .field("downloaded", 0u64)
        .build()
        .to_json()
}

/// The answer to a relayed offer.
pub fn answer(info_hash: &str, peer_id: &str, to_peer_id: &str, offer_id: &str, sdp: &str) -> String {
    Obj::new()
        .field("action", "announce")
        .field("info_hash", info_hash)
        .field("peer_id", peer_id)
        .field("to_peer_id", to_peer_id)
        .field("answer", Obj::new().field("type", "answer").field("sdp", sdp))
        .field("offer_id", offer_id)
        .build()
        .to_json()
}

/// What a tracker told us.
#[derive(Debug, Clone, PartialEq)]
pub enum TrackerEvent {
    /// The reply to our announce.
    Announced { interval_s: Option<u64>, complete: Option<u64>, incomplete: Option<u64> },
    /// Another peer's offer, relayed: answer it.
    Offer { peer_id: String, offer_id: String, sdp: String },
    /// The answer to one of our offers, relayed.
    Answer { peer_id: String, offer_id: String, sdp: String },
    /// `{"failure reason": ...}` or a warning.
    Failure { reason: String },
}

/// Read one tracker frame for `info_hash`. `None`: not for this swarm, from
/// ourselves, or not something we act on (scrape replies, unknown actions).
/// Malformed frames are `Failure`s, never panics.
pub fn parse(text: &str, info_hash: &str, own_peer_id: &str) -> Option<TrackerEvent> {
    let v: Value = match crate::json::parse(text) {
        Ok(v) => v,
        Err(e) => return Some(TrackerEvent::Failure { reason: format!("tracker sent invalid JSON: {e}") }),
    };
    if let Some(reason) = v.get("failure reason").and_then(Value::as_str) {
        return Some(TrackerEvent::Failure { reason: reason.to_string() });
    }
    if v.get("action").and_then(Value::as_str) != Some("announce") {
        return None;
    }
    if v.get("info_hash").and_then(Value::as_str).is_some_and(|h| h != info_hash) {
        return None;
    }
    let peer_id = v.get("peer_id").and_then(Value::as_str);
    if peer_id == Some(own_peer_id) {
        return None;
    }
    let offer_id = v.get("offer_id").and_then(Value::as_str);
    let sdp_of = |key: &str| v.get(key).and_then(|o| o.get("sdp")).and_then(Value::as_str).map(str::to_string);
    if let (Some(sdp), Some(peer_id), Some(offer_id)) = (sdp_of("offer"), peer_id, offer_id) {
        return Some(TrackerEvent::Offer { peer_id: peer_id.into(), offer_id: offer_id.into(), sdp });
    }
    if let (Some(sdp), Some(peer_id), Some(offer_id)) = (sdp_of("answer"), peer_id, offer_id) {
        return Some(TrackerEvent::Answer { peer_id: peer_id.into(), offer_id: offer_id.into(), sdp });
    }
    let num = |key: &str| v.get(key).and_then(Value::as_u64);
    if v.get("interval").is_some() || v.get("complete").is_some() {
        return Some(TrackerEvent::Announced {
            interval_s: num("interval").or_else(|| num("min interval")),
            complete: num("complete"),
            incomplete: num("incomplete"),
        });
    }
    None
}

/// A 20-character binary id (offer ids): 20 random bytes as Latin-1 characters.
pub fn binary_id(random: &mut impl FnMut() -> u32) -> String {
    (0..20).map(|_| char::from((random() & 0xff) as u8)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "4phHtw9IMImWFGckq9fz";
    const ME: &str = "-TS0001-aaaaaaaaaaaa";

    #[test]
    fn announce_has_what_trackers_require() {
        let offers = [Offer { offer_id: "\u{0}\u{ff}abcdefghijklmnopqr".into(), sdp: "v=0\r\n".into() }];
        let text = announce(HASH, ME, 5, &offers, true);
        let v = crate::json::parse(&text).unwrap();
        assert_eq!(v["action"], "announce");
        assert_eq!(v["event"], "started");
        assert_eq!(v["offers"][0]["offer"]["type"], "offer");
        assert_eq!(v["offers"][0]["offer_id"].as_str().unwrap().chars().count(), 20);
        // Binary characters travel as 2-byte UTF-8 and come back the same.
        assert!(text.contains('\u{ff}'));
        let again = announce(HASH, ME, 5, &offers, false);
        assert!(crate::json::parse(&again).unwrap().get("event").is_none());
    }

    #[test]
    fn reads_replies_offers_answers_and_failures() {
        let reply = r#"{"complete":0,"incomplete":1,"action":"announce","interval":120,"info_hash":"4phHtw9IMImWFGckq9fz"}"#;
        assert_eq!(
            parse(reply, HASH, ME),
            Some(TrackerEvent::Announced { interval_s: Some(120), complete: Some(0), incomplete: Some(1) })
        );
        let offer = r#"{"action":"announce","offer":{"type":"offer","sdp":"v=0"},"offer_id":"o1","peer_id":"-PM0203-Dhb40Flr4SMQ","info_hash":"4phHtw9IMImWFGckq9fz"}"#;
        assert!(matches!(parse(offer, HASH, ME), Some(TrackerEvent::Offer { ref peer_id, .. }) if peer_id == "-PM0203-Dhb40Flr4SMQ"));
        let answer = r#"{"action":"announce","answer":{"type":"answer","sdp":"v=0"},"offer_id":"o1","peer_id":"p","info_hash":"4phHtw9IMImWFGckq9fz"}"#;
        assert!(matches!(parse(answer, HASH, ME), Some(TrackerEvent::Answer { .. })));
        assert_eq!(parse(r#"{"failure reason":"nope"}"#, HASH, ME), Some(TrackerEvent::Failure { reason: "nope".into() }));
    }

    #[test]
    fn ignores_other_swarms_ourselves_and_garbage_safely() {
        let other = r#"{"action":"announce","interval":120,"info_hash":"xxxxxxxxxxxxxxxxxxxx"}"#;
        assert_eq!(parse(other, HASH, ME), None);
        let mine = format!(r#"{{"action":"announce","offer":{{"sdp":"v"}},"offer_id":"o","peer_id":"{ME}","info_hash":"{HASH}"}}"#);
        assert_eq!(parse(&mine, HASH, ME), None);
        assert!(matches!(parse("{not json", HASH, ME), Some(TrackerEvent::Failure { .. })));
        assert_eq!(parse(r#"{"action":"scrape","files":{}}"#, HASH, ME), None);
        assert_eq!(parse(r#"[1,2,3]"#, HASH, ME), None);
        assert_eq!(parse(r#"{"action":"announce","offer":7,"offer_id":3,"peer_id":null}"#, HASH, ME), None);
    }
}
