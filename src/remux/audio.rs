//! Audio frames out of a stream's PES packets, for either framing (ADTS or MPEG
//! audio): frames split across PES packets are joined (the stream's bytes are
//! contiguous in `Elementary::data`), never across a loss; garbage is skipped by
//! looking for the next header that is followed by another; each frame carries the
//! PTS of the PES it starts in and its sample offset from that PES's first frame
//! (13818-1: a PES's PTS is that of the first access unit starting in it).

use super::ts::{Elementary, StreamKind};
use super::warnings::{Issue, Warnings};
use super::{adts, mpeg_audio};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AudioCodec {
    Aac {
        object_type: u8,
        rate_index: u8,
        channel_config: u8,
    },
    /// MPEG audio Layer III; `version` as in the header (3 = MPEG-1).
    Mp3 {
        version: u8,
    },
}

/// What a track's sample entry needs; frames that differ from the first are dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AudioConfig {
    pub codec: AudioCodec,
    pub sample_rate: u32,
    pub channels: u8,
}

impl AudioConfig {
    /// The MSE codec string.
    pub(crate) fn codec_string(&self) -> String {
        match self.codec {
            AudioCodec::Aac { object_type, .. } => format!("mp4a.40.{object_type}"),
            AudioCodec::Mp3 { .. } => "mp3".to_string(),
        }
    }
}

/// One frame header, whichever the framing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameHeader {
    /// Bytes at the front that are not part of the MP4 sample (ADTS: 7 or 9; MP3: 0).
    pub header_len: usize,
    pub frame_len: usize,
    pub samples: u32,
    pub config: AudioConfig,
}

/// One frame: its MP4 sample bytes `data[start..end]` and its time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AudioFrame {
    pub start: usize,
    pub end: usize,
    /// The 33-bit PTS of the PES whose first frame begins the run this frame is in.
    pub pts: Option<u64>,
    /// Samples between that first frame and this one.
    pub offset: u64,
}

#[derive(Debug, Default)]
pub(crate) struct AudioFrames {
    pub config: Option<AudioConfig>,
    pub frames: Vec<AudioFrame>,
}

fn parse(kind: StreamKind, d: &[u8]) -> Option<FrameHeader> {
    match kind {
        StreamKind::Aac => adts::parse(d),
        StreamKind::MpegAudio => mpeg_audio::parse(d),
        StreamKind::H264 => None,
    }
}

/// The frames of an audio stream.
pub(crate) fn frames(es: &Elementary, w: &mut Warnings) -> AudioFrames {
    let data = &es.data;
    let units = &es.units;
    let mut out = AudioFrames::default();
    let mut pos = 0;
    let mut unit = 0; // the unit `pos` is in
    let mut next_gap = 0; // the first unit after `unit` that follows a loss
    let mut run_unit = usize::MAX; // the unit whose PTS the current run started from
    let (mut pts, mut offset) = (None, 0u64);
    while pos < data.len() && !units.is_empty() {
        while unit + 1 < units.len() && units[unit + 1].start <= pos {
            unit += 1;
        }
        while next_gap < units.len() && (next_gap <= unit || !units[next_gap].after_gap) {
            next_gap += 1;
        }
        // A frame may not be completed with bytes that follow a loss.
        let limit = units.get(next_gap).map_or(data.len(), |u| u.start);
        let here = &data[pos..limit];
        let frame = parse(es.kind, here).filter(|h| h.frame_len <= here.len());
        let Some(h) = frame.filter(|h| confirmed(es.kind, &here[h.frame_len..])) else {
            // Not a frame (or one cut by a loss or the end): on to the next sync byte.
            let skip = here.iter().skip(1).position(|&b| b == 0xFF).map_or(here.len(), |i| i + 1);
            w.add(Issue::AudioGarbage, skip as u64);
            pos += skip;
            continue;
        };
        match out.config {
            None => out.config = Some(h.config),
            Some(c) if c != h.config => {
                w.add(Issue::AudioOtherConfig, 1);
                pos += h.frame_len;
                continue;
            }
            Some(_) => {}
        }
        if unit != run_unit {
            run_unit = unit;
            if let Some(p) = units[unit].pts {
                (pts, offset) = (Some(p), 0);
            }
        }
        out.frames.push(AudioFrame { start: pos + h.header_len, end: pos + h.frame_len, pts, offset });
        offset += u64::from(h.samples);
        pos += h.frame_len;
    }
    out
}

/// A frame is believed when another header starts right after it, or when too
/// little follows to tell (the end, or a loss).
fn confirmed(kind: StreamKind, after: &[u8]) -> bool {
    after.len() < 7 || parse(kind, after).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remux::adts::tests::header;
    use crate::remux::ts::PesUnit;

    fn adts_frame(fill: u8, len: usize) -> Vec<u8> {
        let mut f = header(2, 3, 2, len, false);
        f.extend(std::iter::repeat_n(fill, len));
        f
    }

    fn stream(pes: &[(Option<u64>, Vec<u8>, bool)]) -> Elementary {
        let mut es = Elementary { kind: StreamKind::Aac, stream_type: 0x0F, data: Vec::new(), units: Vec::new() };
        for (pts, bytes, after_gap) in pes {
            let start = es.data.len();
            es.data.extend_from_slice(bytes);
            es.units.push(PesUnit { start, end: es.data.len(), pts: *pts, dts: *pts, after_gap: *after_gap });
        }
        es
    }

    #[test]
    fn a_frame_split_across_pes_is_joined_and_timed_by_its_first_pes() {
        let (a, b, c) = (adts_frame(1, 20), adts_frame(2, 30), adts_frame(3, 25));
        let mut first = a.clone();
        first.extend_from_slice(&b[..10]);
        let mut second = b[10..].to_vec();
        second.extend_from_slice(&c);
        let es = stream(&[(Some(1000), first, false), (Some(5000), second, false)]);
        let mut w = Warnings::default();
        let f = frames(&es, &mut w);
        let times: Vec<_> = f.frames.iter().map(|f| (f.pts, f.offset, f.end - f.start)).collect();
        // The split frame started in the first PES; the third is the first to start
        // in the second, so it takes that PES's PTS.
        assert_eq!(times, vec![(Some(1000), 0, 20), (Some(1000), 1024, 30), (Some(5000), 0, 25)]);
        assert_eq!(f.config.unwrap().sample_rate, 48000);
        assert_eq!(w.into_messages(), Vec::<String>::new());
    }

    #[test]
    fn a_loss_is_never_bridged_and_garbage_is_skipped() {
        let (a, b) = (adts_frame(1, 20), adts_frame(2, 30));
        let mut first = vec![0x12, 0xFF, 0x00]; // garbage, a false sync byte included
        first.extend_from_slice(&a);
        first.extend_from_slice(&b[..10]); // its rest was lost
        let es = stream(&[(Some(0), first, false), (Some(9000), b.clone(), true)]);
        let mut w = Warnings::default();
        let f = frames(&es, &mut w);
        let sizes: Vec<_> = f.frames.iter().map(|f| (f.pts, f.end - f.start)).collect();
        assert_eq!(sizes, vec![(Some(0), 20), (Some(9000), 30)]);
        assert_eq!(w.count(Issue::AudioGarbage), 3 + 10);
    }

    #[test]
    fn frames_of_another_configuration_are_dropped() {
        let a = adts_frame(1, 20);
        let mut other = header(2, 4, 2, 20, false); // 44.1 kHz among 48 kHz
        other.extend([0u8; 20]);
        let all = [a.clone(), other, a.clone()].concat();
        let mut w = Warnings::default();
        let f = frames(&stream(&[(Some(0), all, false)]), &mut w);
        assert_eq!(f.frames.len(), 2);
        assert_eq!(w.count(Issue::AudioOtherConfig), 1);
    }

    #[test]
    fn random_bytes_never_hang_or_panic() {
        let mut x = 0x9E37_79B9u32;
        let bytes: Vec<u8> = (0..20_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                if x % 7 == 0 {
                    0xFF
                } else {
                    x as u8
                }
            })
            .collect();
        let mut w = Warnings::default();
        let _ = frames(&stream(&[(Some(0), bytes.clone(), false), (None, bytes, true)]), &mut w);
    }
}
