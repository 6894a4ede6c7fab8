//! Conformance tests against real p2p-media-loader bytes: the shared capture
//! of two real viewers (plus the synthetic-peer supplement), the vectors the
//! npm package itself produced (`tests/vectors/p2pml-2.3.1.json`), and
//! round-trip / garbage properties over generated commands.

use serde_json::{json, Value as Json};
use sha2::{Digest, Sha256};

use super::framing::{data_chunks, is_command_chunk, Reassembler, Received, DEFAULT_MAX_MESSAGE_SIZE};
use super::ids::{info_hash, info_hash_v2_2, stream_swarm_id, swarm_id_from_url, StreamProperties, StreamType};
use super::{hex_decode, hex_encode, Command, Decoded};

const CAPTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/reference/p2pml-2.3.1/capture.json");
const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/p2pml-2.3.1.json");

fn hex(s: &str) -> Vec<u8> {
    hex_decode(s).unwrap_or_else(|| panic!("bad hex {s}"))
}

/// p2pml's object form of a command (`{c, l, p, i, r, s, b}`), as in the capture's `decoded`.
fn to_p2pml_json(c: &Command) -> Json {
    let mut o = serde_json::Map::new();
    o.insert("c".into(), json!(c.code()));
    match c {
        Command::SegmentsAnnouncement { loaded, loading } => {
            if !loaded.is_empty() {
                o.insert("l".into(), json!(loaded));
            }
            if !loading.is_empty() {
                o.insert("p".into(), json!(loading));
            }
        }
        Command::SegmentRequest { id, request_id, byte_from } => {
            o.insert("i".into(), json!(id));
            o.insert("r".into(), json!(request_id));
            if let Some(b) = byte_from {
                o.insert("b".into(), json!(b));
            }
        }
        Command::SegmentData { id, request_id, size } => {
            o.insert("i".into(), json!(id));
            o.insert("r".into(), json!(request_id));
            o.insert("s".into(), json!(size));
        }
        Command::SegmentDataSendingCompleted { id, request_id }
        | Command::SegmentAbsent { id, request_id }
        | Command::CancelSegmentRequest { id, request_id } => {
            o.insert("i".into(), json!(id));
            o.insert("r".into(), json!(request_id));
        }
    }
    Json::Object(o)
}

/// Keeps only the keys p2pml's commands use (p2pml's reader also keeps unknown ones).
fn known_keys(v: &Json) -> Json {
    let o = v.as_object().expect("object");
    Json::Object(
        o.iter()
            .filter(|(k, _)| ["c", "l", "p", "i", "r", "s", "b"].contains(&k.as_str()))
            .filter(|(k, v)| !(k.as_str() == "b" && v.as_i64() == Some(0)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    )
}

fn ints(v: &Json) -> Vec<i64> {
    v.as_array().map(|a| a.iter().map(|x| x.as_i64().expect("int")).collect()).unwrap_or_default()
}

fn ranges(v: &Json) -> Vec<i64> {
    v.as_array()
        .map(|a| a.iter().flat_map(|r| r[0].as_i64().unwrap()..r[1].as_i64().unwrap()).collect())
        .unwrap_or_default()
}

/// Builds a command from p2pml's object form (plus the vectors' `l_ranges`/`p_ranges`).
fn from_p2pml_json(v: &Json) -> Command {
    let int = |k: &str| v[k].as_i64();
    let list = |k: &str| {
        let mut l = ints(&v[k]);
        l.extend(ranges(&v[format!("{k}_ranges")]));
        l
    };
    let (id, request_id) = (int("i").unwrap_or(0), int("r").unwrap_or(0));
    match v["c"].as_u64().expect("c") {
        0 => Command::SegmentsAnnouncement { loaded: list("l"), loading: list("p") },
        1 => Command::SegmentRequest { id, request_id, byte_from: int("b") },
        2 => Command::SegmentData { id, request_id, size: int("s").unwrap() },
        3 => Command::SegmentDataSendingCompleted { id, request_id },
        4 => Command::SegmentAbsent { id, request_id },
        5 => Command::CancelSegmentRequest { id, request_id },
        c => panic!("code {c}"),
    }
}

/// What decoding gives back: arrays regrouped (groups in order of first
/// appearance, concatenated) and `b: 0` dropped.
fn normalized(c: &Command) -> Command {
    fn regroup(list: &[i64]) -> Vec<i64> {
        let mut groups: Vec<(i64, Vec<i64>)> = Vec::new();
        for &v in list {
            match groups.iter_mut().find(|(b, _)| *b == v & !0xff) {
                Some(g) => g.1.push(v),
                None => groups.push((v & !0xff, vec![v])),
            }
        }
        groups.into_iter().flat_map(|(_, g)| g).collect()
    }
    match c {
        Command::SegmentsAnnouncement { loaded, loading } => {
            Command::SegmentsAnnouncement { loaded: regroup(loaded), loading: regroup(loading) }
        }
        Command::SegmentRequest { id, request_id, byte_from } => {
            Command::SegmentRequest { id: *id, request_id: *request_id, byte_from: byte_from.filter(|b| *b != 0) }
        }
        other => other.clone(),
    }
}

fn reassemble_all(messages: &[Vec<u8>]) -> Vec<Received> {
    let mut r = Reassembler::new();
    messages.iter().filter_map(|m| r.receive(m.clone())).collect()
}

fn load(path: &str) -> Option<Json> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(serde_json::from_str(&text).expect("valid JSON")),
        Err(e) => {
            println!("note: skipping, {path} not readable: {e}");
            None
        }
    }
}

// ------------------------------------------------------------------ capture

/// Every captured command message decodes to the capture's `decoded` value and
/// re-encodes to the same bytes; every transfer's chunks add up to `s`; and
/// each viewer's incoming stream, fed in order, yields exactly its commands.
#[test]
fn capture_every_command_round_trips_byte_exact() {
    let Some(capture) = load(CAPTURE) else { return };
    let sections = [
        ("main", &capture["datachannel_messages"], &capture["transfers"], 454usize, 82usize),
        (
            "supplement",
            &capture["supplement_synthetic_peer"]["datachannel_messages"],
            &capture["supplement_synthetic_peer"]["transfers"],
            166,
            0,
        ),
    ];
    for (section, messages, transfers, expected_commands, expected_transfers) in sections {
        let messages = messages.as_array().expect("messages");
        let mut commands = 0;
        for m in messages.iter().filter(|m| m["kind"] == "command") {
            let bytes = hex(m["full_hex"].as_str().expect("full_hex"));
            assert_eq!(bytes.len() as u64, m["len"].as_u64().unwrap());
            assert!(is_command_chunk(&bytes));
            let got = reassemble_all(std::slice::from_ref(&bytes));
            let [Received::Command(cmd)] = &got[..] else { panic!("{section}: {} gave {got:?}", m["full_hex"]) };
            assert_eq!(to_p2pml_json(cmd), m["decoded"], "{section}: {}", m["full_hex"]);
            assert_eq!(
                cmd.encode(DEFAULT_MAX_MESSAGE_SIZE),
                vec![bytes.clone()],
                "{section}: re-encode {}",
                m["full_hex"]
            );
            commands += 1;
        }
        assert_eq!(commands, expected_commands, "{section}: command count");

        // Data messages: classified as data, at most M bytes.
        for m in messages.iter().filter(|m| m["kind"] == "data") {
            let len = m["len"].as_u64().unwrap() as usize;
            assert!(len <= DEFAULT_MAX_MESSAGE_SIZE);
            let mut bytes = hex(m["head_hex"].as_str().or(m["full_hex"].as_str()).unwrap());
            bytes.resize(len, 0);
            assert!(!is_command_chunk(&bytes));
        }

        // Transfers: chunk lengths add up to s, and our splitter cuts the same way.
        let transfers = transfers.as_array().expect("transfers");
        if expected_transfers > 0 {
            assert_eq!(transfers.len(), expected_transfers);
        }
        for t in transfers {
            let lengths: Vec<usize> =
                t["chunk_lengths"].as_array().unwrap().iter().map(|l| l.as_u64().unwrap() as usize).collect();
            let s = t["s"].as_u64().unwrap() as usize;
            if t["end"] == "SegmentDataSendingCompleted" {
                assert_eq!(lengths.iter().sum::<usize>(), s, "{section}: transfer {t}");
                let ours: Vec<usize> = data_chunks(&vec![0u8; s], DEFAULT_MAX_MESSAGE_SIZE).map(<[u8]>::len).collect();
                assert_eq!(ours, lengths, "{section}: p2pml's chunking");
            } else {
                assert!(lengths.iter().sum::<usize>() <= s);
            }
        }

        // Each viewer's incoming stream, in order, through one Reassembler.
        let viewers: std::collections::BTreeSet<&str> = messages.iter().filter_map(|m| m["viewer"].as_str()).collect();
        for viewer in viewers {
            let incoming: Vec<&Json> = messages.iter().filter(|m| m["viewer"] == viewer && m["dir"] == "in").collect();
            let mut r = Reassembler::new();
            for m in incoming {
                let len = m["len"].as_u64().unwrap() as usize;
                let mut bytes = hex(m["full_hex"].as_str().or(m["head_hex"].as_str()).unwrap());
                bytes.resize(len, 0);
                match (r.receive(bytes), m["kind"].as_str().unwrap()) {
                    (Some(Received::Command(c)), "command") => assert_eq!(to_p2pml_json(&c), m["decoded"]),
                    (Some(Received::Data(d)), "data") => assert_eq!(d.len(), len),
                    (got, kind) => panic!("{section}/{viewer}: {kind} gave {got:?}"),
                }
            }
            assert_eq!(r.stats(), Default::default());
        }
    }

    // The derived ids of the capture.
    let ids = &capture["derived_ids"];
    let props = StreamProperties::main_level(1400000, Some("avc1.64001e"), Some(854), Some(480), None, None);
    assert_eq!(props.property_string(), ids["stream_property_string"]);
    assert_eq!(props.stream_index(), ids["stream_index"]);
    // setup.master_playlist reads "<url> -> one variant …".
    let master_url = capture["setup"]["master_playlist"].as_str().and_then(|s| s.split_whitespace().next()).unwrap();
    let swarm = swarm_id_from_url(master_url);
    assert_eq!(swarm, ids["swarm_id"]);
    let ssid = stream_swarm_id(swarm, StreamType::Main, &props.stream_index());
    assert_eq!(ssid, ids["stream_swarm_id"]);
    assert_eq!(info_hash(&ssid), ids["info_hash"]);
    assert_eq!(hex_encode(info_hash(&ssid).as_bytes()), ids["info_hash_bytes_hex"]);
}

// ------------------------------------------------------------------ vectors

fn vectors() -> Json {
    load(VECTORS).expect("tests/vectors/p2pml-2.3.1.json is part of the repository")
}

/// Every command case of the npm package's own serializer.
#[test]
fn npm_vectors_commands() {
    let v = vectors();
    let cases = v["commands"].as_array().unwrap();
    assert!(cases.len() >= 50);
    let mut byte_exact = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let max = case["max_message_size"].as_u64().unwrap() as usize;
        let cmd = from_p2pml_json(&case["command"]);
        let ours = cmd.encode(max);
        let p2pml_ok = case["p2pml_decoded_ok"].as_bool().unwrap();

        if let Some(lengths) = case["message_lengths"].as_array() {
            // Large case: compare lengths and SHA-256 of each message.
            let ours_len: Vec<u64> = ours.iter().map(|m| m.len() as u64).collect();
            let theirs: Vec<u64> = lengths.iter().map(|l| l.as_u64().unwrap()).collect();
            assert_eq!(ours_len, theirs, "{name}");
            let ours_sha: Vec<String> = ours.iter().map(|m| hex_encode(&Sha256::digest(m))).collect();
            let theirs_sha: Vec<&str> =
                case["messages_sha256"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
            assert_eq!(ours_sha, theirs_sha, "{name}");
            let got = reassemble_all(&ours);
            assert_eq!(got, vec![Received::Command(normalized(&cmd))], "{name}");
            byte_exact += 1;
            continue;
        }

        let theirs: Vec<Vec<u8>> =
            case["messages_hex"].as_array().unwrap().iter().map(|h| hex(h.as_str().unwrap())).collect();
        // Whatever p2pml wrote, we read it as what was meant: this includes the
        // 256-member groups written with count 0 and 256 groups written as G = 0.
        assert_eq!(reassemble_all(&theirs), vec![Received::Command(normalized(&cmd))], "{name}: reading p2pml's bytes");
        if p2pml_ok {
            assert_eq!(ours, theirs, "{name}: our bytes");
            byte_exact += 1;
        } else {
            // p2pml's bug cases: our bytes differ on purpose, still read back,
            // except that we write at most 255 groups (the 256th is left out).
            assert_ne!(ours, theirs, "{name}");
            let mut want = normalized(&cmd);
            if let Command::SegmentsAnnouncement { loaded, .. } = &mut want {
                let mut bases: Vec<i64> = loaded.iter().map(|v| v & !0xff).collect();
                bases.dedup();
                if let Some(&base_256) = bases.get(255) {
                    loaded.retain(|v| v & !0xff != base_256);
                }
            }
            assert_eq!(reassemble_all(&ours), vec![Received::Command(want)], "{name}: our bytes");
        }
    }
    assert!(byte_exact >= 46, "{byte_exact}");
}

/// Bodies run through p2pml's own reader, including the encodings we write for
/// 256-member groups: p2pml reads them as we mean them.
#[test]
fn npm_vectors_reader_cases() {
    let v = vectors();
    for case in v["reader_cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let body = hex(case["body_hex"].as_str().unwrap());
        let theirs = &case["p2pml_decoded"];
        let ours = Command::decode_body(&body);
        if theirs.get("error").is_some() {
            assert!(ours.is_err(), "{name}: {ours:?}");
            continue;
        }
        match ours.unwrap_or_else(|e| panic!("{name}: {e}")) {
            Decoded::Command(c) => {
                assert_eq!(to_p2pml_json(&c), known_keys(theirs), "{name}");
                if name.contains("tubeswarm's encoding") {
                    assert_eq!(c.encode_body(), body, "{name}: we write exactly this");
                }
            }
            Decoded::Unknown { code } => assert_eq!(json!(code), theirs["c"], "{name}"),
        }
    }
    // And our own encoder, for the ids p2pml cannot encode, gives that same body.
    let full_block = Command::SegmentsAnnouncement { loaded: (0..256).collect(), loading: vec![] };
    let case = &v["reader_cases"][0];
    assert_eq!(hex_encode(&full_block.encode_body()), case["body_hex"].as_str().unwrap());
    assert_eq!(ints(&case["p2pml_decoded"]["l"]), (0..256).collect::<Vec<i64>>());
}

#[test]
fn npm_vectors_stream_ids_and_info_hashes() {
    let v = vectors();
    let s = |j: &Json| j.as_str().map(str::to_owned);
    for case in v["stream_ids"].as_array().unwrap() {
        let i = &case["input"];
        let props = StreamProperties {
            bitrate: i["bitrate"].as_u64().unwrap_or(0),
            codecs: s(&i["codecs"]),
            width: i["width"].as_u64(),
            height: i["height"].as_u64(),
            language: s(&i["language"]),
            channels: s(&i["channels"]),
            name: s(&i["name"]),
            frame_rate: s(&i["frameRate"]),
            video_range: s(&i["videoRange"]),
        };
        assert_eq!(props.stream_index(), case["index"], "{}: {}", case["name"], props.property_string());
    }
    let stream_type = |t: &Json| if t == "main" { StreamType::Main } else { StreamType::Secondary };
    for case in v["info_hashes"].as_array().unwrap() {
        let ssid = stream_swarm_id(
            case["swarm_id"].as_str().unwrap(),
            stream_type(&case["type"]),
            case["index"].as_str().unwrap(),
        );
        assert_eq!(ssid, case["stream_swarm_id"]);
        assert_eq!(info_hash(&ssid), case["info_hash"]);
        assert_eq!(info_hash(&ssid).len(), 20);
    }
    let v22 = &v["info_hashes_2_2"];
    assert!(v22["package"].as_str().unwrap().starts_with("p2p-media-loader-core@2.2."));
    for case in v22["cases"].as_array().unwrap() {
        let index = case["index"].as_u64().unwrap().to_string();
        let ssid = stream_swarm_id(case["swarm_id"].as_str().unwrap(), stream_type(&case["type"]), &index);
        assert_eq!(ssid, case["stream_swarm_id"]);
        assert_eq!(info_hash_v2_2(&ssid), case["info_hash"]);
    }
}

// ------------------------------------------------------- generated commands

/// xorshift64*: a small deterministic generator for the property tests.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn int(&mut self) -> i64 {
        match self.below(8) {
            0 => 0,
            1 => self.below(256) as i64,
            2 => self.below(1000) as i64,
            3 => [127, 128, 255, 256, 32767, 32768, 65535, 65536, i64::MAX, i64::MIN, -1, -128, -129]
                [self.below(13) as usize],
            4 => -(self.below(1 << 20) as i64),
            5 => self.below(1 << 53) as i64,
            6 => self.next() as i64,
            _ => self.below(1 << 32) as i64,
        }
    }
    fn ids(&mut self) -> Vec<i64> {
        let n = match self.below(6) {
            0 => 0,
            1 => self.below(5),
            2 => self.below(300),
            3 => 256,
            4 => self.below(1200),
            _ => self.below(40),
        };
        let start = match self.below(3) {
            0 => 0,
            1 => self.int().clamp(i64::MIN / 2, i64::MAX / 2),
            _ => self.below(100_000) as i64,
        };
        let mut ids: Vec<i64> = (0..n as i64).map(|k| start + k).collect();
        // Shuffle a little, duplicate some, jump some.
        for _ in 0..self.below(10) {
            if ids.len() > 1 {
                let (a, b) = (self.below(ids.len() as u64) as usize, self.below(ids.len() as u64) as usize);
                ids.swap(a, b);
            }
        }
        if self.below(4) == 0 && !ids.is_empty() {
            ids.push(ids[0]);
        }
        if self.below(4) == 0 {
            ids.push(self.int());
        }
        ids
    }
    fn command(&mut self) -> Command {
        let (id, request_id) = (self.int(), self.int());
        match self.below(6) {
            0 => Command::SegmentsAnnouncement { loaded: self.ids(), loading: self.ids() },
            1 => Command::SegmentRequest {
                id,
                request_id,
                byte_from: match self.below(3) {
                    0 => None,
                    1 => Some(0),
                    _ => Some(self.int()),
                },
            },
            2 => Command::SegmentData { id, request_id, size: self.int() },
            3 => Command::SegmentDataSendingCompleted { id, request_id },
            4 => Command::SegmentAbsent { id, request_id },
            _ => Command::CancelSegmentRequest { id, request_id },
        }
    }
}

#[test]
fn generated_commands_round_trip_through_bodies_and_framing() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let sizes = [1, 2, 5, 9, 10, 17, 64, 300, 4096, DEFAULT_MAX_MESSAGE_SIZE];
    for n in 0..3000 {
        let cmd = rng.command();
        let want = normalized(&cmd);
        let body = cmd.encode_body();
        assert_eq!(Command::decode_body(&body), Ok(Decoded::Command(want.clone())), "case {n}: {cmd:?}");
        // Encoding the decoded command again gives the same bytes.
        assert_eq!(want.encode_body(), body, "case {n}");

        let max = sizes[rng.below(sizes.len() as u64) as usize];
        let messages = cmd.encode(max);
        if max >= 4096 {
            assert!(messages.iter().all(|m| m.len() <= max), "case {n}");
        }
        // Interleave segment data between the chunks: it must not disturb them.
        let mut r = Reassembler::new();
        let mut got = Vec::new();
        for m in messages {
            if rng.below(3) == 0 {
                let data: Vec<u8> = (0..rng.below(100)).map(|_| rng.next() as u8).collect();
                if !data.is_empty() && !is_command_chunk(&data) {
                    assert_eq!(r.receive(data.clone()), Some(Received::Data(data)));
                }
            }
            got.extend(r.receive(m));
        }
        assert_eq!(got, vec![Received::Command(want)], "case {n} at M = {max}");
        assert_eq!(r.stats(), Default::default());
    }
}

#[test]
fn data_chunking_round_trips_and_never_forges_commands() {
    let mut rng = Rng(42);
    for _ in 0..300 {
        let max = [8, 9, 12, 16, 33, 65535][rng.below(6) as usize];
        // Data made of frame markers so that command-looking chunks are common.
        let pieces: [&[u8]; 5] = [b"cstr", b"dstr", b"cend", b"dend", b"x"];
        let mut data = Vec::new();
        for _ in 0..rng.below(60) {
            data.extend_from_slice(pieces[rng.below(5) as usize]);
        }
        let chunks: Vec<&[u8]> = data_chunks(&data, max).collect();
        assert_eq!(chunks.concat(), data);
        let mut r = Reassembler::new();
        for c in &chunks {
            assert!(!c.is_empty() && c.len() <= max && !is_command_chunk(c));
            assert_eq!(r.receive(c.to_vec()), Some(Received::Data(c.to_vec())));
        }
    }
}

#[test]
fn garbage_never_panics() {
    let mut rng = Rng(7);
    let mut r = Reassembler::new();
    for n in 0..20000 {
        let len = rng.below(64) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Bias towards plausible bodies and frames.
        if n % 3 == 0 && !bytes.is_empty() {
            bytes[0] %= 7;
        }
        let _ = Command::decode_body(&bytes);
        let framed = match n % 4 {
            0 => [&b"cstr"[..], &bytes, b"cend"].concat(),
            1 => [&b"cstr"[..], &bytes, b"dend"].concat(),
            2 => [&b"dstr"[..], &bytes, b"cend"].concat(),
            _ => bytes,
        };
        let _ = r.receive(framed);
    }
    // Every truncation and every single-byte change of real bodies.
    let mut rng = Rng(11);
    for _ in 0..200 {
        let body = rng.command().encode_body();
        for cut in 0..body.len() {
            let _ = Command::decode_body(&body[..cut]);
        }
        for at in 0..body.len().min(40) {
            for delta in [1u8, 0x10, 0x80, 0xff] {
                let mut b = body.clone();
                b[at] = b[at].wrapping_add(delta);
                let _ = Command::decode_body(&b);
            }
        }
    }
    // Extreme headers: 15-byte Ints, counts of 0, huge group bases.
    for body in [
        "00 6c 10 00",
        "00 6c 10 00 0f ffffffffffffffffffffffffffffff",
        "00 6c 10 01 0f 7fffffffffffffffffffffffffff00",
        "00 6c 10 ff",
        "01 69 0f ffffffffffffffffffffffffffffff 72 00",
        "00 6c 2f ff",
        "00 6c",
        "00 6c 10",
    ] {
        let _ = Command::decode_body(&hex(body));
    }
}
