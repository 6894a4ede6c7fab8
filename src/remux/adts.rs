//! AAC in ADTS (ISO/IEC 13818-7 / 14496-3 §1.A.2): the 7- or 9-byte header in
//! front of each raw frame, the AudioSpecificConfig it implies, and the silent
//! frames used to fill holes.

use super::audio::{AudioCodec, AudioConfig, FrameHeader};

/// `sampling_frequency_index` → Hz (14496-3 Table 1.18); 13–15 are reserved.
const SAMPLE_RATES: [u32; 13] =
    [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/// Samples per AAC frame (the 960-sample variant does not occur in ADTS from encoders we meet).
pub(crate) const SAMPLES_PER_FRAME: u32 = 1024;

/// Read an ADTS header at the start of `d`. Refused: a wrong sync word or layer,
/// a reserved sample rate, a frame shorter than its header, and frames holding
/// several raw data blocks (MP4 wants one per sample; encoders write one).
pub(crate) fn parse(d: &[u8]) -> Option<FrameHeader> {
    let h = d.get(..7)?;
    if h[0] != 0xFF || h[1] & 0xF6 != 0xF0 {
        return None; // syncword 0xFFF, layer 00
    }
    let protection_absent = h[1] & 1 == 1;
    let object_type = (h[2] >> 6) + 1; // profile + 1
    let rate_index = (h[2] >> 2) & 0x0F;
    let channel_config = ((h[2] & 1) << 2) | (h[3] >> 6);
    let frame_len = (usize::from(h[3] & 3) << 11) | (usize::from(h[4]) << 3) | usize::from(h[5] >> 5);
    let raw_blocks = h[6] & 3;
    let header_len = if protection_absent { 7 } else { 9 };
    let sample_rate = *SAMPLE_RATES.get(usize::from(rate_index))?;
    if frame_len <= header_len || raw_blocks != 0 {
        return None;
    }
    Some(FrameHeader {
        header_len,
        frame_len,
        samples: SAMPLES_PER_FRAME,
        config: AudioConfig {
            codec: AudioCodec::Aac { object_type, rate_index, channel_config },
            sample_rate,
            // Channel configuration 0 means a PCE in the stream; 2 is the likely layout.
            channels: if channel_config == 0 {
                2
            } else if channel_config == 7 {
                8
            } else {
                channel_config
            },
        },
    })
}

/// The 2-byte AudioSpecificConfig for `esds` (14496-3 §1.6.2.1): object type,
/// frequency index, channel configuration, then three zero flags.
pub(crate) fn audio_specific_config(object_type: u8, rate_index: u8, channel_config: u8) -> [u8; 2] {
    let v = (u16::from(object_type & 0x1F) << 11)
        | (u16::from(rate_index & 0x0F) << 7)
        | (u16::from(channel_config & 0x0F) << 3);
    v.to_be_bytes()
}

/// A raw AAC-LC frame that decodes to 1024 samples of silence, as hls.js's
/// `aac-helper` has them (mono: one SCE, stereo: one CPE, all-zero spectra).
/// Other layouts get no filler; their gaps stay gaps.
pub(crate) fn silent_frame(object_type: u8, channel_config: u8) -> Option<&'static [u8]> {
    match (object_type, channel_config) {
        (2, 1) => Some(&[0x00, 0xC8, 0x00, 0x80, 0x23, 0x80]),
        (2, 2) => Some(&[0x21, 0x00, 0x49, 0x90, 0x02, 0x19, 0x00, 0x23, 0x80]),
        _ => None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An ADTS header for `payload` bytes of raw frame.
    pub(crate) fn header(object_type: u8, rate_index: u8, channels: u8, payload: usize, crc: bool) -> Vec<u8> {
        let len = payload + if crc { 9 } else { 7 };
        let mut h = vec![
            0xFF,
            0xF0 | u8::from(!crc),
            ((object_type - 1) << 6) | (rate_index << 2) | (channels >> 2),
            ((channels & 3) << 6) | (len >> 11) as u8,
            (len >> 3) as u8,
            ((len & 7) << 5) as u8 | 0x1F,
            0xFC,
        ];
        if crc {
            h.extend_from_slice(&[0xAB, 0xCD]);
        }
        h
    }

    #[test]
    fn parses_lc_stereo_48k_with_and_without_crc() {
        for crc in [false, true] {
            let h = parse(&header(2, 3, 2, 100, crc)).unwrap();
            assert_eq!(h.header_len, if crc { 9 } else { 7 });
            assert_eq!(h.frame_len, h.header_len + 100);
            assert_eq!(h.config.sample_rate, 48000);
            assert_eq!(h.config.channels, 2);
            assert_eq!(h.config.codec, AudioCodec::Aac { object_type: 2, rate_index: 3, channel_config: 2 });
        }
    }

    #[test]
    fn refuses_bad_headers() {
        let mut h = header(2, 4, 2, 10, false);
        assert!(parse(&h).is_some());
        assert!(parse(&h[..6]).is_none());
        h[2] = (1 << 6) | (13 << 2); // reserved frequency index
        assert!(parse(&h).is_none());
        let mut h = header(2, 4, 2, 10, false);
        h[1] |= 0x02; // layer 01
        assert!(parse(&h).is_none());
        let mut h = header(2, 4, 2, 10, false);
        h[6] |= 1; // two raw data blocks
        assert!(parse(&h).is_none());
    }

    #[test]
    fn audio_specific_config_of_lc_44100_stereo() {
        // The classic 0x12 0x10: AAC-LC (2), 44.1 kHz (index 4), 2 channels.
        assert_eq!(audio_specific_config(2, 4, 2), [0x12, 0x10]);
        assert_eq!(audio_specific_config(2, 3, 2), [0x11, 0x90]);
    }
}
