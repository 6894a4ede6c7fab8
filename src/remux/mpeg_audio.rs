//! MPEG-1/2 audio (ISO/IEC 11172-3, 13818-3) in MPEG-TS, stream types 0x03/0x04.
//!
//! Layer III (MP3) becomes an MP4 track with a `.mp3` sample entry and codecs
//! "mp3", as hls.js does for browsers whose MSE takes `audio/mp4; codecs="mp3"`
//! (the caller should ask `MediaSource.isTypeSupported` first: not every browser
//! does; hls.js falls back to appending raw `audio/mpeg`, which this module does not offer).
//! Layers I and II (MP2) are refused by name: no MSE implementation we target
//! decodes them.

use super::audio::{AudioCodec, AudioConfig, FrameHeader};

/// Layer III bitrates in kbit/s by index; MPEG-1 and MPEG-2/2.5 differ.
const BITRATES_V1_L3: [u32; 15] = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2_L3: [u32; 15] = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];

/// The version field: 0 = MPEG-2.5, 2 = MPEG-2, 3 = MPEG-1 (1 is reserved).
fn sample_rate(version: u8, index: u8) -> Option<u32> {
    let base = *[44100u32, 48000, 32000].get(usize::from(index))?;
    match version {
        3 => Some(base),
        2 => Some(base / 2),
        0 => Some(base / 4),
        _ => None,
    }
}

/// Read a Layer III frame header at the start of `d` (the MP4 sample keeps it).
pub(crate) fn parse(d: &[u8]) -> Option<FrameHeader> {
    let h = d.get(..4)?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 {
        return None;
    }
    let version = (h[1] >> 3) & 3;
    let layer = (h[1] >> 1) & 3;
    if layer != 1 {
        return None; // 1 = Layer III
    }
    let bitrate_index = usize::from(h[2] >> 4);
    let rate = sample_rate(version, (h[2] >> 2) & 3)?;
    let padding = usize::from((h[2] >> 1) & 1);
    let mpeg1 = version == 3;
    let kbps = *if mpeg1 { &BITRATES_V1_L3 } else { &BITRATES_V2_L3 }.get(bitrate_index)?;
    if kbps == 0 {
        return None; // free format: the length is not in the header
    }
    let coefficient = if mpeg1 { 144_000 } else { 72_000 };
    let frame_len = (coefficient * kbps / rate) as usize + padding;
    let channels = if h[3] >> 6 == 3 { 1 } else { 2 };
    Some(FrameHeader {
        header_len: 0,
        frame_len,
        samples: if mpeg1 { 1152 } else { 576 },
        config: AudioConfig { codec: AudioCodec::Mp3 { version }, sample_rate: rate, channels },
    })
}

/// If `d` starts with a Layer I or II header, the codec's name for the error.
pub(crate) fn other_layer(d: &[u8]) -> Option<&'static str> {
    let h = d.get(..4)?;
    if h[0] != 0xFF || h[1] & 0xE0 != 0xE0 || sample_rate((h[1] >> 3) & 3, (h[2] >> 2) & 3).is_none() {
        return None;
    }
    match (h[1] >> 1) & 3 {
        2 => Some("MPEG audio Layer II (MP2)"),
        3 => Some("MPEG audio Layer I (MP1)"),
        _ => None,
    }
}

/// A frame of silence shaped like `like` (a valid Layer III frame): the same
/// header without CRC or padding, then zeros. All-zero side information means
/// no main data and zero spectra, which every decoder plays as silence.
pub(crate) fn silent_frame(like: &[u8]) -> Option<Vec<u8>> {
    let mut header: [u8; 4] = like.get(..4)?.try_into().ok()?;
    header[1] |= 1; // protection_bit = 1: no CRC
    header[2] &= !0x02; // no padding
    let len = parse(&header)?.frame_len;
    let mut frame = vec![0u8; len.max(4)];
    frame[..4].copy_from_slice(&header);
    Some(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpeg1_layer3_128k_44100_stereo() {
        let h = parse(&[0xFF, 0xFB, 0x90, 0x00]).unwrap();
        assert_eq!(h.frame_len, 417); // 144000 * 128 / 44100
        assert_eq!(h.samples, 1152);
        assert_eq!((h.config.sample_rate, h.config.channels), (44100, 2));
        let padded = parse(&[0xFF, 0xFB, 0x92, 0x00]).unwrap();
        assert_eq!(padded.frame_len, 418);
    }

    #[test]
    fn mpeg2_layer3_is_576_samples() {
        // MPEG-2, Layer III, 64 kbit/s, 24 kHz, mono.
        let h = parse(&[0xFF, 0xF3, 0x84, 0xC0]).unwrap();
        assert_eq!((h.samples, h.config.sample_rate, h.config.channels), (576, 24000, 1));
        assert_eq!(h.frame_len, 192);
    }

    #[test]
    fn other_layers_are_named_not_parsed() {
        let mp2 = [0xFF, 0xFD, 0x84, 0x00];
        assert!(parse(&mp2).is_none());
        assert_eq!(other_layer(&mp2), Some("MPEG audio Layer II (MP2)"));
        assert_eq!(other_layer(&[0xFF, 0xFB, 0x90, 0x00]), None);
        assert!(parse(&[0xFF, 0xFB, 0xF0, 0x00]).is_none()); // bitrate index 15
        assert!(parse(&[0xFF, 0xFB, 0x0C, 0x00]).is_none()); // free format / reserved rate
    }

    #[test]
    fn silent_frame_keeps_the_stream_shape() {
        let s = silent_frame(&[0xFF, 0xFA, 0x92, 0x40]).unwrap();
        assert_eq!(s.len(), 417);
        assert_eq!(&s[..4], &[0xFF, 0xFB, 0x90, 0x40]);
        assert!(s[4..].iter().all(|&b| b == 0));
    }
}
