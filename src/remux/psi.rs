//! PSI (ISO/IEC 13818-1 §2.4.4): the PAT and the PMT, gathered across packets
//! if need be and believed only with a correct CRC (a flipped byte in a PMT must
//! not turn AAC into "unsupported AC-3"), and which of the PMT's streams to play.

use super::ts::{Packet, StreamKind, PACKET};
use super::warnings::{Issue, Warnings};
use super::RemuxError;

const PAT_PID: u16 = 0;
/// PAT and PMT sections are at most 1024 bytes (section_length ≤ 1021).
const MAX_SECTION: usize = 1024;

/// One PMT entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PmtStream {
    pub stream_type: u8,
    pub pid: u16,
    /// The ES_info descriptors' raw bytes.
    pub descriptors: Vec<u8>,
}

/// A PSI section gathered from one or more packets of its PID.
#[derive(Default)]
struct SectionBuffer {
    buf: Vec<u8>,
    active: bool,
}

impl SectionBuffer {
    /// Feed a packet's payload; returns a complete section when there is one.
    fn feed(&mut self, pusi: bool, payload: &[u8]) -> Option<&[u8]> {
        if pusi {
            let pointer = usize::from(*payload.first()?);
            let Some(rest) = payload.get(1 + pointer..) else {
                self.active = false;
                return None;
            };
            self.buf.clear();
            self.buf.extend_from_slice(rest);
            self.active = true;
        } else if self.active {
            if self.buf.len() + payload.len() > MAX_SECTION + PACKET {
                self.active = false;
                return None;
            }
            self.buf.extend_from_slice(payload);
        } else {
            return None;
        }
        if self.buf.len() < 3 {
            return None;
        }
        let total = 3 + (usize::from(self.buf[1] & 0x0F) << 8 | usize::from(self.buf[2]));
        if self.buf.len() < total {
            return None;
        }
        self.active = false;
        Some(&self.buf[..total])
    }
}

/// CRC-32/MPEG-2, bit by bit: PSI sections are a few hundred bytes per segment,
/// so a 1 KiB table would cost more (in WASM) than it saves. Over a section
/// including its CRC field it is 0.
pub(crate) fn crc32_mpeg2(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04C1_1DB7 } else { crc << 1 };
        }
    }
    crc
}

/// A syntax section's body (after the 8-byte header, before the CRC), if it is
/// a well-formed, CRC-correct section of `table_id`.
fn section_body(section: &[u8], table_id: u8) -> Option<&[u8]> {
    if section.len() < 12 || section[0] != table_id || section[1] & 0x80 == 0 || crc32_mpeg2(section) != 0 {
        return None;
    }
    section.get(8..section.len() - 4)
}

pub(crate) fn find_pmt(ts: &[u8], offsets: &[usize], w: &mut Warnings) -> Result<Vec<PmtStream>, RemuxError> {
    let mut pat = SectionBuffer::default();
    let mut pmt = SectionBuffer::default();
    let mut pmt_pid: Option<u16> = None;
    for &off in offsets {
        // Parse without counting: the second pass counts each packet's problems once.
        let Some(p) = Packet::parse(ts, off, &mut Warnings::default()) else { continue };
        let Some(payload) = p.payload else { continue };
        if p.pid == PAT_PID && pmt_pid.is_none() {
            if let Some(section) = pat.feed(p.pusi, payload) {
                match section_body(section, 0x00) {
                    // The first program that is not the network PID (program 0).
                    Some(body) => {
                        pmt_pid = body
                            .chunks_exact(4)
                            .find(|e| (e[0], e[1]) != (0, 0))
                            .map(|e| (u16::from(e[2] & 0x1F) << 8) | u16::from(e[3]))
                    }
                    None => w.add(Issue::BadPsi, 1),
                }
            }
        } else if Some(p.pid) == pmt_pid {
            if let Some(section) = pmt.feed(p.pusi, payload) {
                match section_body(section, 0x02).and_then(parse_pmt_body) {
                    Some(streams) => return Ok(streams),
                    None => w.add(Issue::BadPsi, 1),
                }
            }
        }
    }
    Err(RemuxError::NoMedia(if pmt_pid.is_none() { "no PAT found" } else { "no PMT found" }.to_string()))
}

fn parse_pmt_body(body: &[u8]) -> Option<Vec<PmtStream>> {
    // PCR_PID (2), program_info_length (2), descriptors, then the ES loop.
    let info_len = usize::from(*body.get(2)? & 0x0F) << 8 | usize::from(*body.get(3)?);
    let mut rest = body.get(4 + info_len..)?;
    let mut streams = Vec::new();
    while rest.len() >= 5 {
        let es_len = usize::from(rest[3] & 0x0F) << 8 | usize::from(rest[4]);
        let descriptors = rest.get(5..5 + es_len)?;
        streams.push(PmtStream {
            stream_type: rest[0],
            pid: (u16::from(rest[1] & 0x1F) << 8) | u16::from(rest[2]),
            descriptors: descriptors.to_vec(),
        });
        rest = &rest[5 + es_len..];
    }
    Some(streams)
}

/// What a PMT entry is to the browser path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    Video(StreamKind),
    Audio(StreamKind),
    /// A codec the browser path cannot take, named for a person.
    UnsupportedVideo(&'static str),
    UnsupportedAudio(&'static str),
    /// Metadata, subtitles, data: not media to play.
    Ignore,
}

pub(crate) fn classify(stream_type: u8, descriptors: &[u8]) -> Class {
    use Class::*;
    match stream_type {
        0x1B => Video(StreamKind::H264),
        0x0F => Audio(StreamKind::Aac),
        0x03 | 0x04 => Audio(StreamKind::MpegAudio),
        0x01 => UnsupportedVideo("MPEG-1 video"),
        0x02 => UnsupportedVideo("MPEG-2 video"),
        0x10 => UnsupportedVideo("MPEG-4 Part 2 video"),
        0x1F => UnsupportedVideo("H.264 SVC"),
        0x20 => UnsupportedVideo("H.264 MVC"),
        0x24 => UnsupportedVideo("HEVC (H.265)"),
        0x33 => UnsupportedVideo("VVC (H.266)"),
        0x42 => UnsupportedVideo("AVS video"),
        0xD1 => UnsupportedVideo("Dirac video"),
        0xEA => UnsupportedVideo("VC-1"),
        0x11 => UnsupportedAudio("AAC in LATM"),
        0x1C => UnsupportedAudio("MPEG-4 audio without transport syntax"),
        0x80 => UnsupportedAudio("LPCM"),
        0x81 => UnsupportedAudio("AC-3"),
        0x82 | 0x85 => UnsupportedAudio("DTS"),
        0x83 => UnsupportedAudio("Dolby TrueHD"),
        0x84 | 0x87 => UnsupportedAudio("E-AC-3"),
        0x06 => classify_private(descriptors),
        _ => Ignore,
    }
}

/// Stream type 0x06 (private PES) says what it carries in its descriptors.
fn classify_private(mut d: &[u8]) -> Class {
    while d.len() >= 2 {
        let (tag, len) = (d[0], usize::from(d[1]));
        let Some(body) = d.get(2..2 + len) else { break };
        match tag {
            0x6A => return Class::UnsupportedAudio("AC-3"),
            0x7A => return Class::UnsupportedAudio("E-AC-3"),
            0x7B => return Class::UnsupportedAudio("DTS"),
            0x05 => match body.get(..4) {
                Some(b"AC-3") => return Class::UnsupportedAudio("AC-3"),
                Some(b"EAC3") => return Class::UnsupportedAudio("E-AC-3"),
                Some(b"Opus") => return Class::UnsupportedAudio("Opus"),
                Some(b"DTS1" | b"DTS2" | b"DTS3") => return Class::UnsupportedAudio("DTS"),
                Some(b"BSSD") => return Class::UnsupportedAudio("SMPTE 302M PCM"),
                Some(b"HEVC") => return Class::UnsupportedVideo("HEVC (H.265)"),
                Some(b"AV01") => return Class::UnsupportedVideo("AV1"),
                Some(b"VC-1") => return Class::UnsupportedVideo("VC-1"),
                _ => {}
            },
            _ => {}
        }
        d = &d[2 + len..];
    }
    Class::Ignore
}

/// (PID, kind, stream_type) of the chosen streams.
pub(crate) struct Choice {
    pub video: Option<(u16, StreamKind, u8)>,
    pub audio: Option<(u16, StreamKind, u8)>,
}

/// The first supported video and audio stream. An unsupported stream is an error
/// only when no supported stream of its kind exists: H.264 with AC-3 audio fails
/// (silently dropping the sound would be worse), H.264 with AC-3 and AAC plays the AAC.
/// The error naming a codec and its stream type: "AC-3 (stream type 0x81)",
/// "HEVC (H.265, stream type 0x24)" (a name's own parenthesis is shared).
pub(crate) fn unsupported(name: &str, stream_type: u8) -> RemuxError {
    RemuxError::UnsupportedCodec(match name.strip_suffix(')') {
        Some(open) => format!("{open}, stream type 0x{stream_type:02X})"),
        None => format!("{name} (stream type 0x{stream_type:02X})"),
    })
}

pub(crate) fn choose_streams(streams: &[PmtStream]) -> Result<Choice, RemuxError> {
    let mut choice = Choice { video: None, audio: None };
    let mut unsupported_video = None;
    let mut unsupported_audio = None;
    for s in streams {
        match classify(s.stream_type, &s.descriptors) {
            Class::Video(k) if choice.video.is_none() => choice.video = Some((s.pid, k, s.stream_type)),
            Class::Audio(k) if choice.audio.is_none() => choice.audio = Some((s.pid, k, s.stream_type)),
            Class::UnsupportedVideo(name) if unsupported_video.is_none() => {
                unsupported_video = Some((name, s.stream_type))
            }
            Class::UnsupportedAudio(name) if unsupported_audio.is_none() => {
                unsupported_audio = Some((name, s.stream_type))
            }
            _ => {}
        }
    }
    let named = |(name, t): (&str, u8)| unsupported(name, t);
    if let (None, Some(u)) = (choice.video, unsupported_video) {
        return Err(named(u));
    }
    if let (None, Some(u)) = (choice.audio, unsupported_audio) {
        return Err(named(u));
    }
    if choice.video.is_none() && choice.audio.is_none() {
        return Err(RemuxError::NoMedia("the PMT lists no H.264, AAC or MP3 stream".to_string()));
    }
    Ok(choice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remux::ts::tests::with_crc;

    #[test]
    fn crc_matches_the_catalogue_check_value() {
        // CRC-32/MPEG-2's check value (the CRC of "123456789").
        assert_eq!(crc32_mpeg2(b"123456789"), 0x0376_E6E7);
        let s = with_crc(vec![0x00, 0xB0, 0x0D, 0x00, 0x01, 0xC1, 0x00, 0x00, 0x00, 0x01, 0xF0, 0x00]);
        assert_eq!(crc32_mpeg2(&s), 0);
    }

    #[test]
    fn streams_are_chosen_or_named() {
        let ac3 = [0x6A, 1, 0];
        let ok = choose_streams(&[
            PmtStream { stream_type: 0x1B, pid: 256, descriptors: vec![] },
            PmtStream { stream_type: 0x06, pid: 257, descriptors: ac3.to_vec() },
            PmtStream { stream_type: 0x0F, pid: 258, descriptors: vec![] },
            PmtStream { stream_type: 0x15, pid: 259, descriptors: vec![] },
        ])
        .unwrap();
        assert_eq!((ok.video, ok.audio), (Some((256, StreamKind::H264, 0x1B)), Some((258, StreamKind::Aac, 0x0F))));
        let err = choose_streams(&[
            PmtStream { stream_type: 0x1B, pid: 256, descriptors: vec![] },
            PmtStream { stream_type: 0x81, pid: 257, descriptors: vec![] },
        ]);
        assert_eq!(err.err(), Some(RemuxError::UnsupportedCodec("AC-3 (stream type 0x81)".into())));
        let err = choose_streams(&[PmtStream { stream_type: 0x24, pid: 256, descriptors: vec![] }]);
        assert_eq!(err.err(), Some(RemuxError::UnsupportedCodec("HEVC (H.265, stream type 0x24)".into())));
        assert!(matches!(choose_streams(&[]), Err(RemuxError::NoMedia(_))));
        assert!(matches!(
            choose_streams(&[PmtStream { stream_type: 0x86, pid: 300, descriptors: vec![] }]),
            Err(RemuxError::NoMedia(_))
        ));
    }
}
