//! H.264 (ISO/IEC 14496-10) in MPEG-TS: Annex B byte streams → MP4 samples
//! (4-byte length-prefixed NAL units), the parameter sets for `avcC`, and the
//! SPS fields the init segment needs (size, aspect ratio, profile and level).
//!
//! One PES is one access unit, as ffmpeg (and so PeerTube) writes it; bytes before
//! a PES's first start code cannot be placed and are skipped with a warning.

use super::ts::Elementary;
use super::warnings::{Issue, Warnings};

const NAL_SLICE_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;
const NAL_AUD: u8 = 9;
const NAL_FILLER: u8 = 12;
/// Larger SPS/PPS NAL units are not believed (a real SPS is tens of bytes).
const MAX_PARAMETER_SET: usize = 1024;

/// One access unit, its NAL units already length-prefixed in the shared buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AccessUnit {
    pub pts: Option<u64>,
    pub dts: Option<u64>,
    pub key: bool,
    pub start: usize,
    pub end: usize,
}

/// The first SPS and PPS of a segment, for `avcC`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ParameterSets {
    pub sps: Option<(Vec<u8>, Sps)>,
    pub pps: Option<Vec<u8>>,
}

/// Every access unit of a video stream: samples appended to `out`, described in
/// the returned list; in-band SPS/PPS go to `params` (the first valid ones win).
pub(crate) fn access_units(
    es: &Elementary,
    out: &mut Vec<u8>,
    params: &mut ParameterSets,
    w: &mut Warnings,
) -> Vec<AccessUnit> {
    let mut units = Vec::with_capacity(es.units.len());
    for pes in &es.units {
        let Some(data) = es.data.get(pes.start..pes.end) else { continue };
        let start = out.len();
        let mut key = false;
        let first = next_start_code(data, 0);
        let junk = first.map_or(data.len(), |f| f - 3);
        if data[..junk].iter().any(|&b| b != 0) {
            w.add(Issue::VideoJunk, junk as u64);
        }
        for nal in (NalUnits { data, next: first }) {
            let Some(&header) = nal.first() else { continue };
            if header & 0x80 != 0 {
                continue; // forbidden_zero_bit: a damaged NAL unit
            }
            match header & 0x1F {
                NAL_AUD | NAL_FILLER => continue,
                NAL_SPS => {
                    if params.sps.is_none() && nal.len() <= MAX_PARAMETER_SET {
                        params.sps = parse_sps(nal).map(|s| (nal.to_vec(), s));
                    }
                    continue;
                }
                NAL_PPS => {
                    if params.pps.is_none() && nal.len() <= MAX_PARAMETER_SET {
                        params.pps = Some(nal.to_vec());
                    }
                    continue;
                }
                NAL_SLICE_IDR => key = true,
                _ => {}
            }
            out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
            out.extend_from_slice(nal);
        }
        if out.len() > start {
            units.push(AccessUnit { pts: pes.pts, dts: pes.dts, key, start, end: out.len() });
        }
    }
    units
}

/// The position just after the next `00 00 01` at or after `from`. A 4-byte start
/// code's extra zero ends up as the previous NAL unit's trailing zero, stripped there.
fn next_start_code(d: &[u8], mut i: usize) -> Option<usize> {
    // Look at the third byte first: if it is above 1, no start code can cover it,
    // so three positions are skipped at once (the usual case in slice data).
    while i + 2 < d.len() {
        match d[i + 2] {
            0 => i += 1,
            1 if d[i] == 0 && d[i + 1] == 0 => return Some(i + 3),
            _ => i += 3,
        }
    }
    None
}

/// NAL units of an Annex B buffer, without start codes or trailing zero bytes.
struct NalUnits<'a> {
    data: &'a [u8],
    next: Option<usize>,
}

impl<'a> Iterator for NalUnits<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.next?;
        let following = next_start_code(self.data, start);
        let end = following.map_or(self.data.len(), |f| f - 3);
        self.next = following;
        let mut nal = self.data.get(start..end)?;
        while let [rest @ .., 0] = nal {
            nal = rest;
        }
        Some(nal)
    }
}

/// What the init segment needs from a sequence parameter set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sps {
    pub profile: u8,
    pub compatibility: u8,
    pub level: u8,
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio from the VUI, when given.
    pub sar: Option<(u16, u16)>,
}

impl Sps {
    /// The MSE codec string, `avc1.PPCCLL`.
    pub(crate) fn codec(&self) -> String {
        format!("avc1.{:02x}{:02x}{:02x}", self.profile, self.compatibility, self.level)
    }
}

/// Bits of an RBSP (emulation prevention already removed), read most significant first.
pub(crate) struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bits<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Bits<'a> {
        Bits { data, pos: 0 }
    }

    pub(crate) fn bit(&mut self) -> Option<u32> {
        let byte = self.data.get(self.pos / 8)?;
        let b = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Some(u32::from(b))
    }

    pub(crate) fn bits(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0u32, |acc, _| Some(acc << 1 | self.bit()?))
    }

    pub(crate) fn flag(&mut self) -> Option<bool> {
        self.bit().map(|b| b == 1)
    }

    /// Unsigned exp-Golomb, ue(v).
    pub(crate) fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let rest = self.bits(zeros)?;
        Some(((1u64 << zeros) - 1 + u64::from(rest)).min(u64::from(u32::MAX)) as u32)
    }

    /// Signed exp-Golomb, se(v).
    pub(crate) fn se(&mut self) -> Option<i32> {
        let k = self.ue()?;
        let magnitude = k.div_ceil(2) as i32;
        Some(if k % 2 == 1 { magnitude } else { -magnitude })
    }
}

/// A NAL unit's payload without emulation-prevention bytes (`00 00 03` → `00 00`).
fn rbsp(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

const SAR_TABLE: [(u16, u16); 16] = [
    (1, 1),
    (12, 11),
    (10, 11),
    (16, 11),
    (40, 33),
    (24, 11),
    (20, 11),
    (32, 11),
    (80, 33),
    (18, 11),
    (15, 11),
    (64, 33),
    (160, 99),
    (4, 3),
    (3, 2),
    (2, 1),
];

/// Parse a sequence parameter set NAL unit (header byte included): 14496-10 §7.3.2.1.1.
pub(crate) fn parse_sps(nal: &[u8]) -> Option<Sps> {
    let data = rbsp(nal);
    let mut r = Bits::new(data.get(1..)?);
    let profile = r.bits(8)? as u8;
    let compatibility = r.bits(8)? as u8;
    let level = r.bits(8)? as u8;
    r.ue()?; // seq_parameter_set_id
    let mut chroma_format_idc = 1;
    let mut separate_colour_plane = false;
    if matches!(profile, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135) {
        chroma_format_idc = r.ue()?;
        if chroma_format_idc == 3 {
            separate_colour_plane = r.flag()?;
        }
        r.ue()?; // bit_depth_luma_minus8
        r.ue()?; // bit_depth_chroma_minus8
        r.flag()?; // qpprime_y_zero_transform_bypass_flag
        if r.flag()? {
            // seq_scaling_matrix_present_flag: the lists are skipped, but must be read.
            let lists = if chroma_format_idc == 3 { 12 } else { 8 };
            for i in 0..lists {
                if r.flag()? {
                    skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    r.ue()?; // log2_max_frame_num_minus4
    match r.ue()? {
        0 => {
            r.ue()?; // log2_max_pic_order_cnt_lsb_minus4
        }
        1 => {
            r.flag()?; // delta_pic_order_always_zero_flag
            r.se()?; // offset_for_non_ref_pic
            r.se()?; // offset_for_top_to_bottom_field
            let cycle = r.ue()?;
            if cycle > 255 {
                return None;
            }
            for _ in 0..cycle {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.flag()?; // gaps_in_frame_num_value_allowed_flag
    let width_mbs = u64::from(r.ue()?) + 1;
    let height_map_units = u64::from(r.ue()?) + 1;
    let frame_mbs_only = r.flag()?;
    if !frame_mbs_only {
        r.flag()?; // mb_adaptive_frame_field_flag
    }
    r.flag()?; // direct_8x8_inference_flag
    let field_factor = if frame_mbs_only { 1 } else { 2 };
    let (mut crop_x, mut crop_y) = (0u64, 0u64);
    if r.flag()? {
        let (left, right, top, bottom) = (r.ue()?, r.ue()?, r.ue()?, r.ue()?);
        // 14496-10 (7-19)..(7-22): crop units depend on the chroma subsampling.
        let chroma_array_type = if separate_colour_plane { 0 } else { chroma_format_idc };
        let (unit_x, unit_y) = match chroma_array_type {
            0 => (1, field_factor),
            1 => (2, 2 * field_factor),
            2 => (2, field_factor),
            _ => (1, field_factor),
        };
        crop_x = unit_x * (u64::from(left) + u64::from(right));
        crop_y = unit_y * (u64::from(top) + u64::from(bottom));
    }
    let mut sar = None;
    if r.flag()? && r.flag()? {
        // vui_parameters_present_flag, aspect_ratio_info_present_flag
        let idc = r.bits(8)?;
        sar = match idc {
            255 => Some((r.bits(16)? as u16, r.bits(16)? as u16)),
            1..=16 => SAR_TABLE.get(idc as usize - 1).copied(),
            _ => None,
        };
        sar = sar.filter(|&(h, v)| h > 0 && v > 0);
    }
    let width = (width_mbs * 16).checked_sub(crop_x)?;
    let height = (height_map_units * 16 * field_factor).checked_sub(crop_y)?;
    if width == 0 || height == 0 || width > 16384 || height > 16384 {
        return None;
    }
    Some(Sps { profile, compatibility, level, width: width as u32, height: height as u32, sar })
}

fn skip_scaling_list(r: &mut Bits<'_>, size: usize) -> Option<()> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            next = (last + i64::from(r.se()?)).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::remux::ts::PesUnit;
    use crate::remux::ts::StreamKind;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    /// x264's SPS for `testsrc2=size=640x360` (ffmpeg 5.1, libx264, High 3.0).
    const SPS_640X360: &str = "6764001eacd940a02ff970110000030001000003003c0f162d96";

    #[test]
    fn exp_golomb() {
        // 1 → 0, 010 → 1, 011 → 2, 00100 → 3, 00111 → 6 (se: 6 → -3)
        let mut r = Bits::new(&[0b1010_0110, 0b0100_0011, 0b1000_0000]);
        assert_eq!(r.ue(), Some(0));
        assert_eq!(r.ue(), Some(1));
        assert_eq!(r.ue(), Some(2));
        assert_eq!(r.ue(), Some(3));
        assert_eq!(r.se(), Some(-3));
        assert_eq!(Bits::new(&[0, 0, 0, 0, 0]).ue(), None);
        assert_eq!(Bits::new(&[]).bit(), None);
    }

    #[test]
    fn x264_sps_640x360_high() {
        // ffmpeg -f lavfi -i testsrc2=size=640x360 -c:v libx264 (High, level 3.0).
        let sps = parse_sps(&hex(SPS_640X360)).unwrap();
        assert_eq!((sps.width, sps.height), (640, 360));
        assert_eq!(sps.codec(), "avc1.64001e");
    }

    #[test]
    fn x264_sps_1280x720_high_and_main() {
        let sps = parse_sps(&hex("6764001facd9405005bb0110000003001000000303c0f1831960")).unwrap();
        assert_eq!((sps.width, sps.height), (1280, 720));
        assert_eq!(sps.codec(), "avc1.64001f");
        let sps = parse_sps(&hex("674d401feca02802dd8088000003000800000301e078c18cb0")).unwrap();
        assert_eq!((sps.width, sps.height), (1280, 720));
        assert_eq!(sps.codec(), "avc1.4d401f");
    }

    #[test]
    fn cropped_1920x1080() {
        // x264 at 1920x1080: 1088 lines coded, 8 cropped at the bottom (High 4.0).
        let sps = parse_sps(&hex("67640028acd940780227e5c044000003000400000300f03c60c658")).unwrap();
        assert_eq!((sps.width, sps.height), (1920, 1080));
        assert_eq!(sps.level, 40);
    }

    #[test]
    fn sps_with_a_scaling_matrix_and_anamorphic_sar() {
        // Hand-built High profile SPS: scaling matrix present (list 0 signalled with
        // one delta), 720x576 (45x36 MBs), SAR 16:11 (idc 4).
        let mut bits = String::new();
        let ue = |v: u32, s: &mut String| {
            let x = v + 1;
            let n = 32 - x.leading_zeros();
            s.push_str(&"0".repeat(n as usize - 1));
            s.push_str(&format!("{x:b}"));
        };
        bits.push_str("011001000000000000011110"); // profile 100, compat 0, level 30
        ue(0, &mut bits); // sps id
        ue(1, &mut bits); // chroma 4:2:0
        ue(0, &mut bits);
        ue(0, &mut bits);
        bits.push('0'); // transform bypass
        bits.push('1'); // scaling matrix present
        bits.push('1'); // list 0 present
        ue(16, &mut bits); // se(-8): next becomes 0, the rest repeat the last (8)
        bits.push_str(&"0".repeat(7)); // lists 1..7 absent
        ue(0, &mut bits); // log2_max_frame_num
        ue(2, &mut bits); // poc type 2
        ue(1, &mut bits); // refs
        bits.push('0');
        ue(44, &mut bits);
        ue(35, &mut bits);
        bits.push('1'); // frame_mbs_only
        bits.push('1'); // direct8x8
        bits.push('0'); // no cropping
        bits.push('1'); // vui
        bits.push('1'); // aspect ratio info
        bits.push_str("00000100"); // idc 4 = 16:11
        bits.push('1');
        while bits.len() % 8 != 0 {
            bits.push('0');
        }
        let mut nal = vec![0x67];
        nal.extend((0..bits.len()).step_by(8).map(|i| u8::from_str_radix(&bits[i..i + 8], 2).unwrap()));
        let sps = parse_sps(&nal).unwrap();
        assert_eq!((sps.width, sps.height, sps.sar), (720, 576, Some((16, 11))));
    }

    #[test]
    fn garbage_sps_is_refused_not_panicking() {
        for n in 0..64usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
            let _ = parse_sps(&bytes);
        }
        assert_eq!(parse_sps(&[0x67]), None);
    }

    #[test]
    fn annex_b_to_length_prefixed_samples() {
        let mut data = Vec::new();
        data.extend_from_slice(&[0, 0, 0, 1, 0x09, 0xF0]); // AUD: dropped
        data.extend_from_slice(&[0, 0, 0, 1]);
        data.extend(hex(SPS_640X360));
        data.extend_from_slice(&[0, 0, 1, 0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0]); // PPS
        data.extend_from_slice(&[0, 0, 1, 0x06, 0x05, 0x01, 0x80]); // SEI: kept
        data.extend_from_slice(&[0, 0, 1, 0x65, 0x88, 0x84, 0x00, 0x00]); // IDR, trailing zeros
        let es = Elementary {
            kind: StreamKind::H264,
            stream_type: 0x1B,
            units: vec![PesUnit { start: 0, end: data.len(), pts: Some(3000), dts: Some(0), after_gap: false }],
            data,
        };
        let mut out = Vec::new();
        let mut params = ParameterSets::default();
        let mut w = Warnings::default();
        let aus = access_units(&es, &mut out, &mut params, &mut w);
        assert_eq!(aus, vec![AccessUnit { pts: Some(3000), dts: Some(0), key: true, start: 0, end: out.len() }]);
        assert_eq!(out, [0, 0, 0, 4, 0x06, 0x05, 0x01, 0x80, 0, 0, 0, 3, 0x65, 0x88, 0x84].to_vec());
        assert_eq!(params.sps.as_ref().map(|s| s.1.width), Some(640));
        assert_eq!(params.pps.as_deref(), Some([0x68, 0xEB, 0xE3, 0xCB, 0x22, 0xC0].as_slice()));
    }
}
