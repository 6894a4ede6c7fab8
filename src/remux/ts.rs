//! MPEG-TS (ISO/IEC 13818-1): 188-byte packets → PAT → PMT → the PES packets of
//! one video and one audio stream, gathered per stream into one buffer.
//!
//! Two passes over the packets: the first finds the PAT and the PMT (a muxer may
//! put media packets before them, and a PID is meaningless until the PMT names
//! it), the second reassembles the chosen streams. Both use the packet offsets
//! found once, with resynchronisation after garbage.
//!
//! A stream's elementary bytes are appended to one `Vec` and each PES is a range
//! of it (`PesUnit`): one allocation per stream, never more than the input, and a
//! PES dropped half-way (lost packets, truncation) is undone by truncating the
//! `Vec` back to where it started.

use super::psi::{choose_streams, find_pmt};
use super::warnings::{Issue, Warnings};
use super::RemuxError;

pub(crate) const PACKET: usize = 188;
const SYNC: u8 = 0x47;

/// The codecs this remuxer turns into MP4 tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamKind {
    H264,
    Aac,
    /// MPEG-1/2 audio (stream types 0x03/0x04); the layer is known from the frames.
    MpegAudio,
}

/// One PES packet's elementary bytes: `data[start..end]` of its stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PesUnit {
    pub start: usize,
    pub end: usize,
    pub pts: Option<u64>,
    pub dts: Option<u64>,
    /// Bytes were lost just before this PES (a dropped PES, lost packets): a frame
    /// of the previous PES must not be completed with this one's bytes.
    pub after_gap: bool,
}

/// One elementary stream of the segment, reassembled.
#[derive(Debug)]
pub(crate) struct Elementary {
    pub kind: StreamKind,
    /// The PMT's stream_type, for naming the stream in an error.
    pub stream_type: u8,
    pub data: Vec<u8>,
    pub units: Vec<PesUnit>,
}

#[derive(Debug)]
pub(crate) struct Demuxed {
    pub video: Option<Elementary>,
    pub audio: Option<Elementary>,
}

/// Cheap check: sync bytes where three packets would start.
pub(crate) fn looks_like_ts(bytes: &[u8]) -> bool {
    let at = |i: usize| bytes.get(i) == Some(&SYNC);
    at(0) && at(PACKET) && (bytes.len() <= 2 * PACKET || at(2 * PACKET))
}

/// Demultiplex a segment: the first H.264 and the first supported audio stream of
/// the first program, or why there is nothing to play.
pub(crate) fn demux(ts: &[u8], w: &mut Warnings) -> Result<Demuxed, RemuxError> {
    let offsets = packet_offsets(ts, w);
    if offsets.is_empty() {
        return Err(RemuxError::NotTransportStream);
    }
    let pmt = find_pmt(ts, &offsets, w)?;
    let choice = choose_streams(&pmt)?;
    let mut video = choice.video.map(|(pid, kind, t)| Assembler::new(pid, kind, t));
    let mut audio = choice.audio.map(|(pid, kind, t)| Assembler::new(pid, kind, t));
    for &off in &offsets {
        let Some(p) = Packet::parse(ts, off, w) else { continue };
        for asm in [video.as_mut(), audio.as_mut()].into_iter().flatten() {
            if asm.pid == p.pid {
                asm.feed(&p, w);
            }
        }
    }
    Ok(Demuxed { video: video.map(|a| a.finish(w)), audio: audio.map(|a| a.finish(w)) })
}

/// Where each 188-byte packet starts. In sync, one 0x47 suffices; after lost sync
/// a candidate needs a second 0x47 one packet later (or to end the input exactly),
/// so random bytes rarely pass for packets.
pub(crate) fn packet_offsets(ts: &[u8], w: &mut Warnings) -> Vec<usize> {
    let mut out = Vec::with_capacity(ts.len() / PACKET);
    let mut pos = 0;
    let mut in_sync = false;
    while pos + PACKET <= ts.len() {
        let confirmed = match ts.get(pos + PACKET) {
            Some(&b) => b == SYNC,
            None => true, // the packet ends the input exactly
        };
        if ts[pos] == SYNC && (in_sync || confirmed) {
            out.push(pos);
            pos += PACKET;
            in_sync = true;
            continue;
        }
        in_sync = false;
        let next = ts[pos + 1..].iter().position(|&b| b == SYNC).map_or(ts.len(), |i| pos + 1 + i);
        w.add(Issue::Garbage, (next - pos) as u64);
        pos = next;
    }
    if pos < ts.len() {
        w.add(Issue::TruncatedPacket, (ts.len() - pos) as u64);
    }
    out
}

/// The header fields of one packet that the demuxer uses.
pub(crate) struct Packet<'a> {
    pub pid: u16,
    pub pusi: bool,
    pub cc: u8,
    pub discontinuity: bool,
    /// The payload; `None` for adaptation-only packets (their CC does not count).
    pub payload: Option<&'a [u8]>,
}

impl<'a> Packet<'a> {
    pub(crate) fn parse(ts: &'a [u8], off: usize, w: &mut Warnings) -> Option<Packet<'a>> {
        let p = ts.get(off..off + PACKET)?;
        if p[1] & 0x80 != 0 {
            w.add(Issue::TransportError, 1);
            return None;
        }
        let pid = (u16::from(p[1] & 0x1F) << 8) | u16::from(p[2]);
        if p[3] & 0xC0 != 0 {
            w.add(Issue::Scrambled, 1);
            return None;
        }
        let afc = (p[3] >> 4) & 3;
        let mut payload_at = 4;
        let mut discontinuity = false;
        if afc & 2 != 0 {
            let len = usize::from(p[4]);
            if len > PACKET - 5 {
                w.add(Issue::TransportError, 1);
                return None;
            }
            discontinuity = len > 0 && p[5] & 0x80 != 0;
            payload_at = 5 + len;
        }
        let payload = (afc & 1 != 0).then(|| &p[payload_at..]);
        Some(Packet { pid, pusi: p[1] & 0x40 != 0, cc: p[3] & 0x0F, discontinuity, payload })
    }
}

// ---- PES reassembly ----

/// The PES being assembled.
struct Current {
    start: usize,
    /// Declared elementary-byte count (from PES_packet_length), `None` for length 0.
    expected: Option<usize>,
    pts: Option<u64>,
    dts: Option<u64>,
}

struct Assembler {
    pid: u16,
    es: Elementary,
    cur: Option<Current>,
    last_cc: Option<u8>,
    /// Bytes were lost since the last PES was closed.
    gap: bool,
}

impl Assembler {
    fn new(pid: u16, kind: StreamKind, stream_type: u8) -> Assembler {
        let es = Elementary { kind, stream_type, data: Vec::new(), units: Vec::new() };
        Assembler { pid, es, cur: None, last_cc: None, gap: false }
    }

    fn feed(&mut self, p: &Packet<'_>, w: &mut Warnings) {
        let Some(payload) = p.payload else { return };
        if let Some(last) = self.last_cc {
            if !p.discontinuity {
                if p.cc == last {
                    return; // a duplicate packet, sent twice on purpose (13818-1 §2.4.3.3)
                }
                if p.cc != (last + 1) & 0x0F {
                    w.add(Issue::ContinuityGap, 1);
                    self.drop_current();
                }
            }
        }
        self.last_cc = Some(p.cc);
        if p.pusi {
            self.close(w);
            self.begin(payload, w);
        } else if let Some(cur) = &self.cur {
            let room = cur.expected.map_or(usize::MAX, |n| (cur.start + n).saturating_sub(self.es.data.len()));
            let take = payload.len().min(room);
            self.es.data.extend_from_slice(&payload[..take]);
            self.close_if_complete();
        }
    }

    /// A new PES header at the start of a payload.
    fn begin(&mut self, payload: &[u8], w: &mut Warnings) {
        let Some(h) = PesHeader::parse(payload) else {
            w.add(Issue::BadPesHeader, 1);
            self.gap = true;
            return;
        };
        let start = self.es.data.len();
        let body = &payload[h.header_len..];
        let take = h.expected.map_or(body.len(), |n| n.min(body.len()));
        self.es.data.extend_from_slice(&body[..take]);
        self.cur = Some(Current { start, expected: h.expected, pts: h.pts, dts: h.dts });
        self.close_if_complete();
    }

    fn close_if_complete(&mut self) {
        if let Some(cur) = &self.cur {
            if cur.expected.is_some_and(|n| self.es.data.len() >= cur.start + n) {
                self.push_current();
            }
        }
    }

    /// End the current PES at a new payload_unit_start (or at the end of the input).
    fn close(&mut self, w: &mut Warnings) {
        let Some(cur) = &self.cur else { return };
        if cur.expected.is_some() {
            // Complete ones were closed as their last byte came: this one is short.
            w.add(Issue::TruncatedPes, 1);
            self.drop_current();
        } else {
            self.push_current();
        }
    }

    fn push_current(&mut self) {
        if let Some(cur) = self.cur.take() {
            let end = self.es.data.len();
            if end > cur.start {
                let after_gap = std::mem::take(&mut self.gap);
                self.es.units.push(PesUnit { start: cur.start, end, pts: cur.pts, dts: cur.dts, after_gap });
            }
        }
    }

    fn drop_current(&mut self) {
        if let Some(cur) = self.cur.take() {
            self.es.data.truncate(cur.start);
        }
        self.gap = true;
    }

    fn finish(mut self, w: &mut Warnings) -> Elementary {
        self.close(w);
        self.es
    }
}

/// The parts of a PES header the remuxer uses.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PesHeader {
    /// Bytes up to the elementary data.
    pub header_len: usize,
    pub expected: Option<usize>,
    pub pts: Option<u64>,
    pub dts: Option<u64>,
}

impl PesHeader {
    pub(crate) fn parse(p: &[u8]) -> Option<PesHeader> {
        if p.get(..3)? != [0, 0, 1] {
            return None;
        }
        let stream_id = *p.get(3)?;
        let length = usize::from(*p.get(4)?) << 8 | usize::from(*p.get(5)?);
        // Stream ids without the optional header (13818-1 Table 2-21's exceptions).
        let plain = matches!(stream_id, 0xBC | 0xBE | 0xBF | 0xF0 | 0xF1 | 0xF2 | 0xF8 | 0xFF);
        if plain || p.get(6)? & 0xC0 != 0x80 {
            let expected = (length != 0).then_some(length);
            return Some(PesHeader { header_len: 6, expected, pts: None, dts: None });
        }
        let flags = p.get(7)? >> 6;
        let data_len = usize::from(*p.get(8)?);
        let header_len = 9 + data_len;
        if p.len() < header_len {
            return None;
        }
        let (mut pts, mut dts) = (None, None);
        if flags & 2 != 0 && data_len >= 5 {
            pts = timestamp(&p[9..14]);
            dts = if flags == 3 && data_len >= 10 { timestamp(&p[14..19]) } else { pts };
        }
        let expected = if length == 0 { None } else { Some(length.checked_sub(3 + data_len)?) };
        Some(PesHeader { header_len, expected, pts, dts })
    }
}

/// A 33-bit PTS/DTS from its 5 bytes; `None` if a marker bit is wrong (a flipped byte).
pub(crate) fn timestamp(b: &[u8]) -> Option<u64> {
    let b = b.get(..5)?;
    if b[0] & 1 == 0 || b[2] & 1 == 0 || b[4] & 1 == 0 {
        return None;
    }
    Some(
        (u64::from(b[0] >> 1) & 7) << 30
            | u64::from(b[1]) << 22
            | u64::from(b[2] >> 1) << 15
            | u64::from(b[3]) << 7
            | u64::from(b[4] >> 1),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One TS packet: header, optional adaptation stuffing so the payload fills it.
    pub(crate) fn packet(pid: u16, pusi: bool, cc: u8, payload: &[u8]) -> Vec<u8> {
        assert!(payload.len() <= 184);
        let mut p = vec![SYNC, (pid >> 8) as u8 | if pusi { 0x40 } else { 0 }, pid as u8];
        let stuffing = 184 - payload.len();
        if stuffing == 0 {
            p.push(0x10 | cc);
        } else {
            p.push(0x30 | cc);
            p.push((stuffing - 1) as u8);
            if stuffing > 1 {
                p.push(0);
                p.extend(std::iter::repeat_n(0xFF, stuffing - 2));
            }
        }
        p.extend_from_slice(payload);
        assert_eq!(p.len(), PACKET);
        p
    }

    pub(crate) fn with_crc(mut section: Vec<u8>) -> Vec<u8> {
        let crc = crate::remux::psi::crc32_mpeg2(&section);
        section.extend_from_slice(&crc.to_be_bytes());
        section
    }

    pub(crate) fn pat(pmt_pid: u16) -> Vec<u8> {
        let s = with_crc(vec![0, 0xB0, 13, 0, 1, 0xC1, 0, 0, 0, 1, 0xE0 | (pmt_pid >> 8) as u8, pmt_pid as u8]);
        packet(0, true, 0, &[[0].as_slice(), &s].concat())
    }

    pub(crate) fn pmt(pmt_pid: u16, streams: &[(u8, u16, &[u8])]) -> Vec<u8> {
        let mut s = vec![2, 0xB0, 0, 0, 1, 0xC1, 0, 0, 0xE1, 0x00, 0xF0, 0];
        for (t, pid, d) in streams {
            s.extend_from_slice(&[*t, 0xE0 | (pid >> 8) as u8, *pid as u8, 0xF0, d.len() as u8]);
            s.extend_from_slice(d);
        }
        s[2] = (s.len() + 4 - 3) as u8;
        packet(pmt_pid, true, 0, &[[0].as_slice(), &with_crc(s)].concat())
    }

    pub(crate) fn pts_bytes(prefix: u8, t: u64) -> [u8; 5] {
        [
            prefix << 4 | ((t >> 29) as u8 & 0x0E) | 1,
            (t >> 22) as u8,
            ((t >> 14) as u8 & 0xFE) | 1,
            (t >> 7) as u8,
            ((t << 1) as u8) | 1,
        ]
    }

    /// A PES header with PTS (and DTS) and a declared length (or 0).
    pub(crate) fn pes(stream_id: u8, pts: u64, dts: Option<u64>, body: &[u8], declared: bool) -> Vec<u8> {
        let mut h = vec![0, 0, 1, stream_id, 0, 0, 0x80];
        match dts {
            Some(d) => {
                h.extend_from_slice(&[0xC0, 10]);
                h.extend_from_slice(&pts_bytes(3, pts));
                h.extend_from_slice(&pts_bytes(1, d));
            }
            None => {
                h.extend_from_slice(&[0x80, 5]);
                h.extend_from_slice(&pts_bytes(2, pts));
            }
        }
        if declared {
            let len = h.len() - 6 + body.len();
            h[4] = (len >> 8) as u8;
            h[5] = len as u8;
        }
        h.extend_from_slice(body);
        h
    }

    #[test]
    fn timestamps_round_trip_33_bits() {
        for t in [0u64, 1, 90_000, (1 << 32) + 12345, (1 << 33) - 1] {
            assert_eq!(timestamp(&pts_bytes(2, t)), Some(t));
        }
        let mut b = pts_bytes(2, 7);
        b[2] &= 0xFE; // a marker bit gone
        assert_eq!(timestamp(&b), None);
    }

    #[test]
    fn resyncs_after_garbage_and_counts_it() {
        let mut ts = pat(0x100);
        ts.extend_from_slice(&[1, 2, 0x47, 4, 5]); // a false sync byte among garbage
        ts.extend(pat(0x100));
        ts.extend(pat(0x100));
        ts.extend_from_slice(&[0x47; 10]); // a truncated tail
        let mut w = Warnings::default();
        let offs = packet_offsets(&ts, &mut w);
        // The first packet is followed by garbage: unconfirmed, it is skipped too.
        assert_eq!(offs, vec![193, 381]);
        assert_eq!(w.count(Issue::Garbage), 193);
        assert_eq!(w.count(Issue::TruncatedPacket), 10);
        assert!(packet_offsets(&[0u8; 1000], &mut w).is_empty());
    }

    fn av_stream(units: &[(u64, &[u8])], drop_packet: Option<usize>, declared: bool) -> Vec<u8> {
        let mut ts = pat(0x100);
        ts.extend(pmt(0x100, &[(0x0F, 0x101, &[])]));
        let mut cc = 0u8;
        let mut n = 0;
        for (pts, body) in units {
            let p = pes(0xC0, *pts, None, body, declared);
            for (i, chunk) in p.chunks(184).enumerate() {
                if drop_packet != Some(n) {
                    ts.extend(packet(0x101, i == 0, cc, chunk));
                }
                n += 1;
                cc = (cc + 1) & 15;
            }
        }
        ts
    }

    #[test]
    fn reassembles_pes_across_packets_with_and_without_length() {
        let a = vec![0xAAu8; 300];
        let b = vec![0xBBu8; 100];
        for declared in [true, false] {
            let ts = av_stream(&[(9000, &a), (12000, &b)], None, declared);
            let mut w = Warnings::default();
            let d = demux(&ts, &mut w).unwrap();
            let es = d.audio.unwrap();
            assert!(d.video.is_none());
            assert_eq!(es.units.len(), 2, "declared={declared}");
            assert_eq!(es.units[0], PesUnit { start: 0, end: 300, pts: Some(9000), dts: Some(9000), after_gap: false });
            assert_eq!(&es.data[300..400], &b[..]);
            assert_eq!(w.into_messages(), Vec::<String>::new());
        }
    }

    #[test]
    fn a_continuity_gap_drops_the_pes_and_marks_the_next() {
        let a = vec![0xAAu8; 300];
        let b = vec![0xBBu8; 100];
        // Packet 1 is the second half of the first PES.
        let ts = av_stream(&[(9000, &a), (12000, &b)], Some(1), true);
        let mut w = Warnings::default();
        let es = demux(&ts, &mut w).unwrap().audio.unwrap();
        assert_eq!(es.units.len(), 1);
        assert!(es.units[0].after_gap);
        assert_eq!(es.data, b);
        assert_eq!(w.count(Issue::ContinuityGap), 1);
    }

    #[test]
    fn duplicate_packets_are_ignored() {
        let a = vec![0xAAu8; 300];
        let ts = av_stream(&[(9000, &a)], None, true);
        let mut dup = ts[..2 * PACKET].to_vec();
        let first_media = &ts[2 * PACKET..3 * PACKET];
        dup.extend_from_slice(first_media);
        dup.extend_from_slice(first_media);
        dup.extend_from_slice(&ts[3 * PACKET..]);
        let mut w = Warnings::default();
        let es = demux(&dup, &mut w).unwrap().audio.unwrap();
        assert_eq!(es.data, a);
        assert_eq!(w.count(Issue::ContinuityGap), 0);
    }

    #[test]
    fn a_pes_cut_by_the_end_is_kept_only_without_declared_length() {
        let a = vec![0xAAu8; 300];
        for (declared, kept) in [(true, 0), (false, 1)] {
            let ts = av_stream(&[(9000, &a)], None, declared);
            let cut = &ts[..3 * PACKET]; // PAT, PMT, first packet of the PES
            let mut w = Warnings::default();
            let es = demux(cut, &mut w).unwrap().audio.unwrap();
            assert_eq!(es.units.len(), kept);
            assert_eq!(w.count(Issue::TruncatedPes), 1 - kept as u64);
        }
    }

    #[test]
    fn a_pmt_split_over_two_packets_is_read() {
        let whole = pmt(0x100, &[(0x0F, 0x101, &[])]);
        // Re-cut the section: 5 bytes in the first packet, the rest in the second.
        let section_with_pointer = &whole[4 + usize::from(whole[4]) + 1..];
        let section = &section_with_pointer[1..];
        let len = 3 + (usize::from(section[1] & 0x0F) << 8 | usize::from(section[2]));
        let section = &section[..len];
        let mut ts = pat(0x100);
        ts.extend(packet(0x100, true, 0, &[[0].as_slice(), &section[..5]].concat()));
        ts.extend(packet(0x100, false, 1, &section[5..]));
        ts.extend(packet(0x101, true, 0, &pes(0xC0, 1, None, &[1, 2, 3], true)));
        let d = demux(&ts, &mut Warnings::default()).unwrap();
        assert_eq!(d.audio.unwrap().data, vec![1, 2, 3]);
    }

    #[test]
    fn a_corrupted_pmt_is_not_believed() {
        let mut ts = pat(0x100);
        let mut p = pmt(0x100, &[(0x81, 0x101, &[])]);
        p[PACKET - 8] ^= 0x40;
        ts.extend(p);
        let mut w = Warnings::default();
        assert!(matches!(demux(&ts, &mut w), Err(RemuxError::NoMedia(_))));
        assert_eq!(w.count(Issue::BadPsi), 1);
    }
}
