//! Data-channel message framing (PROTOCOL.md §3.1, §3.2, §3.6 and §8).
//!
//! A message is a *command chunk* only if it starts with `cstr` or `dstr` AND
//! ends with `cend` or `dend`; anything else is segment data. A command body
//! that does not fit one message of M bytes is cut into K nearly equal parts:
//! `cstr…dend`, `dstr…dend`, …, `dstr…cend`.

use super::command::{Command, Decoded};

/// p2pml's default `webRtcMaxMessageSize` (64 KiB − 1), for commands and data.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 65535;
/// Opens a command (its first chunk).
pub const CSTR: [u8; 4] = *b"cstr";
/// Closes a command (its last chunk).
pub const CEND: [u8; 4] = *b"cend";
/// Opens a continuation chunk.
pub const DSTR: [u8; 4] = *b"dstr";
/// Closes a chunk that is not the last.
pub const DEND: [u8; 4] = *b"dend";

const FRAME: usize = 4;

/// The §3.1 rule: is this message (part of) a command?
pub fn is_command_chunk(message: &[u8]) -> bool {
    message.len() >= 2 * FRAME
        && matches!(message[..FRAME].try_into(), Ok(CSTR | DSTR))
        && matches!(message[message.len() - FRAME..].try_into(), Ok(CEND | DEND))
}

fn starts_command(chunk: &[u8]) -> bool {
    chunk.starts_with(&CSTR)
}

fn ends_command(chunk: &[u8]) -> bool {
    chunk.ends_with(&CEND)
}

/// Frames a command body into messages exactly as p2pml 2.3.1 does (§3.2).
///
/// If |B| + 8 ≤ M: one message `cstr B cend`. Otherwise K = ⌈|B|/M⌉, plus one
/// if ⌈|B|/K⌉ + 8 > M; parts of L = ⌈|B|/K⌉ bytes (the last may be shorter).
/// This is p2pml's rule to the byte, including its limits: with a tiny M
/// (below about 9·(K+1)) a part can still exceed M, and a trailing part can
/// be empty. Neither happens for M = 65535 and bodies below 470 MB.
/// `max_message_size` 0 is treated as 1.
pub fn frame_command(body: &[u8], max_message_size: usize) -> Vec<Vec<u8>> {
    let m = max_message_size.max(1);
    let framed = |start: [u8; 4], part: &[u8], end: [u8; 4]| {
        let mut msg = Vec::with_capacity(part.len() + 2 * FRAME);
        msg.extend_from_slice(&start);
        msg.extend_from_slice(part);
        msg.extend_from_slice(&end);
        msg
    };
    let len = body.len();
    if len + 2 * FRAME <= m {
        return vec![framed(CSTR, body, CEND)];
    }
    let mut k = len.div_ceil(m);
    if len.div_ceil(k) + 2 * FRAME > m {
        k += 1;
    }
    let part_len = len.div_ceil(k);
    (0..k)
        .map(|i| {
            let from = (i * part_len).min(len);
            let to = ((i + 1) * part_len).min(len);
            let start = if i == 0 { CSTR } else { DSTR };
            let end = if i == k - 1 { CEND } else { DEND };
            framed(start, &body[from..to], end)
        })
        .collect()
}

/// Splits segment bytes into data messages of at most `max_message_size`
/// bytes (0 is treated as 1). Like p2pml, every message is full-size except the last,
/// with one exception (§8): a message that would begin with `cstr`/`dstr`
/// and end with `cend`/`dend` would be taken for a command, so it is made one
/// byte shorter (which always breaks the pattern: no frame end overlaps
/// another shifted by one byte), and the next message starts a byte earlier.
pub fn data_chunks(data: &[u8], max_message_size: usize) -> DataChunks<'_> {
    DataChunks { data, max: max_message_size.max(1) }
}

/// Iterator returned by [`data_chunks`].
#[derive(Debug, Clone)]
pub struct DataChunks<'a> {
    data: &'a [u8],
    max: usize,
}

impl<'a> Iterator for DataChunks<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        if self.data.is_empty() {
            return None;
        }
        let mut len = self.max.min(self.data.len());
        if is_command_chunk(&self.data[..len]) {
            len -= 1;
        }
        let (chunk, rest) = self.data.split_at(len);
        self.data = rest;
        Some(chunk)
    }
}

/// One thing a received message amounted to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// A complete, known command.
    Command(Command),
    /// Segment bytes, for the current transfer if there is one.
    Data(Vec<u8>),
}

/// Counters of what the [`Reassembler`] dropped (none of it closes a connection).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReassemblyStats {
    /// Continuation chunks that arrived with no command open.
    pub orphan_chunks: u64,
    /// Commands abandoned because a new `cstr` chunk arrived (the new chunk is dropped too).
    pub interrupted: u64,
    /// Complete bodies that failed to decode.
    pub undecodable: u64,
    /// Complete, well-formed bodies with an unknown command code.
    pub unknown_commands: u64,
    /// Commands dropped for growing past the size limit.
    pub oversized: u64,
}

/// Turns the messages received on one data channel into commands and data.
///
/// Follows p2pml's joiner (§3.2), including a detail of it: "a command is
/// open" means that chunk bytes have been collected, so a first chunk with an
/// empty part leaves nothing open. One addition: a command growing beyond
/// [`Reassembler::max_command_size`] bytes is dropped, so a hostile peer
/// cannot make us buffer without end (p2pml has no limit; real commands stay
/// well below 200 KB).
#[derive(Debug, Clone)]
pub struct Reassembler {
    open: Vec<u8>,
    max_command_size: usize,
    stats: ReassemblyStats,
}

impl Default for Reassembler {
    fn default() -> Self {
        Self::new()
    }
}

impl Reassembler {
    /// Default limit on a reassembled command body (4 MiB).
    pub const DEFAULT_MAX_COMMAND_SIZE: usize = 4 << 20;

    pub fn new() -> Self {
        Reassembler {
            open: Vec::new(),
            max_command_size: Self::DEFAULT_MAX_COMMAND_SIZE,
            stats: ReassemblyStats::default(),
        }
    }

    /// Changes the limit on a reassembled command body.
    pub fn with_max_command_size(mut self, bytes: usize) -> Self {
        self.max_command_size = bytes;
        self
    }

    /// The limit on a reassembled command body.
    pub fn max_command_size(&self) -> usize {
        self.max_command_size
    }

    /// What has been dropped so far.
    pub fn stats(&self) -> ReassemblyStats {
        self.stats
    }

    /// True while a multi-chunk command is partly received.
    pub fn is_assembling(&self) -> bool {
        !self.open.is_empty()
    }

    /// Takes one received message (a text message must first be turned into
    /// its UTF-8 bytes) and says what it completed, if anything.
    pub fn receive(&mut self, message: Vec<u8>) -> Option<Received> {
        if !is_command_chunk(&message) {
            return Some(Received::Data(message));
        }
        let first = starts_command(&message);
        match (self.open.is_empty(), first) {
            (true, false) => {
                self.stats.orphan_chunks += 1;
                return None;
            }
            (false, true) => {
                self.open.clear();
                self.stats.interrupted += 1;
                return None;
            }
            _ => {}
        }
        let part = &message[FRAME..message.len() - FRAME];
        if self.open.len() + part.len() > self.max_command_size {
            self.open = Vec::new();
            self.stats.oversized += 1;
            return None;
        }
        self.open.extend_from_slice(part);
        if !ends_command(&message) {
            return None;
        }
        let body = std::mem::take(&mut self.open);
        match Command::decode_body(&body) {
            Ok(Decoded::Command(c)) => Some(Received::Command(c)),
            Ok(Decoded::Unknown { .. }) => {
                self.stats.unknown_commands += 1;
                None
            }
            Err(_) => {
                self.stats.undecodable += 1;
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        super::super::hex_decode(s).unwrap()
    }

    fn framed(parts: &[(&[u8; 4], &[u8], &[u8; 4])]) -> Vec<Vec<u8>> {
        parts.iter().map(|(s, b, e)| [&s[..], b, &e[..]].concat()).collect()
    }

    #[test]
    fn command_chunk_rule() {
        assert!(is_command_chunk(b"cstr\x00cend"));
        assert!(is_command_chunk(b"dstrxxdend"));
        assert!(is_command_chunk(b"cstrdend"));
        assert!(!is_command_chunk(b"cstr\x00cen"));
        assert!(!is_command_chunk(b"xcstr\x00cend"));
        assert!(!is_command_chunk(b"cstr"));
        assert!(!is_command_chunk(b"cend"));
        assert!(!is_command_chunk(b""));
        assert!(!is_command_chunk(b"cstrcen"));
    }

    #[test]
    fn single_message_when_it_fits() {
        assert_eq!(frame_command(&[0], 65535), framed(&[(&CSTR, &[0], &CEND)]));
        // |B| + 8 = M exactly still fits.
        assert_eq!(frame_command(&[1, 2], 10), framed(&[(&CSTR, &[1, 2], &CEND)]));
    }

    #[test]
    fn splitting_follows_the_k_rule() {
        // B = 25, M = 20: K = 2, ⌈25/2⌉ + 8 = 21 > 20 → K = 3, L = 9.
        let body: Vec<u8> = (0..25).collect();
        let msgs = frame_command(&body, 20);
        assert_eq!(
            msgs,
            framed(&[(&CSTR, &body[..9], &DEND), (&DSTR, &body[9..18], &DEND), (&DSTR, &body[18..], &CEND)])
        );
        // B = 65528 at M = 65535 (one byte too many): K = 2, L = 32764.
        let body = vec![7u8; 65528];
        let msgs = frame_command(&body, DEFAULT_MAX_MESSAGE_SIZE);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0].len(), 32764 + 8);
        assert_eq!(msgs[1].len(), 32764 + 8);
        // B = 3 × 65535 → K = 3, ⌈B/3⌉ + 8 > M → K = 4.
        let body = vec![1u8; 3 * 65535];
        let msgs = frame_command(&body, DEFAULT_MAX_MESSAGE_SIZE);
        assert_eq!(msgs.len(), 4);
        assert!(msgs.iter().all(|m| m.len() <= DEFAULT_MAX_MESSAGE_SIZE));
        // Degenerate M never panics.
        assert_eq!(frame_command(&[1, 2, 3], 0).len(), 4);
    }

    #[test]
    fn reassembles_split_commands() {
        let cmd = Command::SegmentsAnnouncement { loaded: (0..200).collect(), loading: vec![300, 301] };
        for m in [12, 20, 50, 100, 1000] {
            let mut r = Reassembler::new();
            let msgs = cmd.encode(m);
            let n = msgs.len();
            for (k, msg) in msgs.into_iter().enumerate() {
                let out = r.receive(msg);
                if k + 1 < n {
                    assert_eq!(out, None);
                    assert!(r.is_assembling());
                } else {
                    assert_eq!(out, Some(Received::Command(cmd.clone())), "M = {m}");
                }
            }
            assert_eq!(r.stats(), ReassemblyStats::default());
        }
    }

    #[test]
    fn error_rules() {
        let mut r = Reassembler::new();
        // Continuation with nothing open: discarded.
        assert_eq!(r.receive(b"dstr\x01dend".to_vec()), None);
        assert_eq!(r.receive(b"dstr\x01cend".to_vec()), None);
        assert_eq!(r.stats().orphan_chunks, 2);
        // A new cstr while open discards both.
        assert_eq!(r.receive(b"cstr\x03\x69dend".to_vec()), None);
        assert_eq!(r.receive(b"cstr\x00cend".to_vec()), None);
        assert_eq!(r.stats().interrupted, 1);
        assert!(!r.is_assembling());
        // ... and the tail of the interrupted command is now an orphan.
        assert_eq!(r.receive(b"dstr\x01\x01\x72\x01\x01cend".to_vec()), None);
        assert_eq!(r.stats().orphan_chunks, 3);
        // Undecodable body ignored; unknown code ignored.
        assert_eq!(r.receive(b"cstr\x01\x69cend".to_vec()), None);
        assert_eq!(r.receive(b"cstr\x09cend".to_vec()), None);
        assert_eq!(r.stats().undecodable, 1);
        assert_eq!(r.stats().unknown_commands, 1);
        // Data in the middle of a split command is data, and does not disturb it.
        assert_eq!(r.receive(hex("63737472 03 69 01 64656e64")), None);
        assert_eq!(r.receive(vec![1, 2, 3]), Some(Received::Data(vec![1, 2, 3])));
        assert_eq!(
            r.receive(hex("64737472 04 72 01 09 63656e64")),
            Some(Received::Command(Command::SegmentDataSendingCompleted { id: 4, request_id: 9 }))
        );
        // Almost-frames are data.
        assert_eq!(r.receive(b"cstr\x00cen".to_vec()), Some(Received::Data(b"cstr\x00cen".to_vec())));
        // Oversized commands are dropped.
        let mut r = Reassembler::new().with_max_command_size(4);
        assert_eq!(r.receive(b"cstr\x00\x00\x00dend".to_vec()), None);
        assert_eq!(r.receive(b"dstr\x00\x00dend".to_vec()), None);
        assert_eq!(r.stats().oversized, 1);
        assert!(!r.is_assembling());
    }

    #[test]
    fn data_chunks_are_full_size_and_never_look_like_commands() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let sizes: Vec<usize> = data_chunks(&data, DEFAULT_MAX_MESSAGE_SIZE).map(<[u8]>::len).collect();
        assert_eq!(sizes, vec![65535, 65535, 65535, 3395]);
        assert!(data_chunks(&[], 10).next().is_none());

        // A segment crafted so that the naive 16-byte cut looks like a command.
        let mut evil = Vec::new();
        evil.extend_from_slice(b"cstr12345678cend");
        evil.extend_from_slice(b"dstr12345678dend");
        evil.extend_from_slice(b"cstrcend");
        let chunks: Vec<&[u8]> = data_chunks(&evil, 16).collect();
        assert!(chunks.iter().all(|c| !is_command_chunk(c) && c.len() <= 16));
        assert_eq!(chunks.concat(), evil);
        assert_eq!(chunks[0].len(), 15);
        // A last chunk that looks like a command becomes two.
        let tail: Vec<&[u8]> = data_chunks(b"xxcstrcend", 8).collect();
        assert_eq!(tail, [&b"xxcstrce"[..], &b"nd"[..]]);
        let tail: Vec<&[u8]> = data_chunks(b"cstrcend", 16).collect();
        assert_eq!(tail, [&b"cstrcen"[..], &b"d"[..]]);
    }
}
