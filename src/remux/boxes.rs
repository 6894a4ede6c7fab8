//! The ISO BMFF boxes of fragmented MP4 (ISO/IEC 14496-12, 14496-14, 14496-15),
//! and nothing else: an init segment (ftyp + moov) and a media segment
//! (moof + mdat). Every box is written in place into one `Vec`, its size patched
//! when it closes, so a segment costs one allocation.

/// The fixed track ids: successive init segments stay compatible in one SourceBuffer.
pub(crate) const VIDEO_TRACK: u32 = 1;
pub(crate) const AUDIO_TRACK: u32 = 2;
/// `sample_depends_on` = 2 (an I frame), sync.
pub(crate) const FLAGS_KEY: u32 = 0x0200_0000;
/// `sample_depends_on` = 1, `sample_is_non_sync_sample` = 1.
pub(crate) const FLAGS_DELTA: u32 = 0x0101_0000;

/// A writer of nested boxes.
pub(crate) struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(n: usize) -> Writer {
        Writer { buf: Vec::with_capacity(n) }
    }
    /// Open a box; returns where its size goes, for `close`.
    pub(crate) fn open(&mut self, kind: &[u8; 4]) -> usize {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0, 0, 0]);
        self.buf.extend_from_slice(kind);
        at
    }
    /// Open a full box (version and flags).
    pub(crate) fn open_full(&mut self, kind: &[u8; 4], version: u8, flags: u32) -> usize {
        let at = self.open(kind);
        self.u32(u32::from(version) << 24 | (flags & 0x00FF_FFFF));
        at
    }
    pub(crate) fn close(&mut self, at: usize) {
        let size = (self.buf.len() - at) as u32;
        self.buf[at..at + 4].copy_from_slice(&size.to_be_bytes());
    }
    pub(crate) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_be_bytes());
    }
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    fn zeros(&mut self, n: usize) {
        self.buf.resize(self.buf.len() + n, 0);
    }
    /// The unity matrix of mvhd and tkhd.
    fn matrix(&mut self) {
        for v in [0x0001_0000u32, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000] {
            self.u32(v);
        }
    }
}

/// The video track's description.
pub(crate) struct VideoTrack<'a> {
    pub sps: &'a [u8],
    pub pps: &'a [u8],
    pub width: u32,
    pub height: u32,
    pub sar: Option<(u16, u16)>,
}

pub(crate) enum AudioEntry<'a> {
    /// `mp4a` + `esds` with this AudioSpecificConfig.
    Aac(&'a [u8]),
    /// `.mp3`, as hls.js writes MPEG audio for MSE.
    Mp3,
}

pub(crate) struct AudioTrack<'a> {
    pub entry: AudioEntry<'a>,
    pub sample_rate: u32,
    pub channels: u16,
}

/// ftyp + moov for the tracks present.
pub(crate) fn init_segment(video: Option<&VideoTrack<'_>>, audio: Option<&AudioTrack<'_>>) -> Vec<u8> {
    let mut w = Writer::with_capacity(1024);
    let ftyp = w.open(b"ftyp");
    w.bytes(b"isom");
    w.u32(1);
    for brand in [b"isom", b"iso6", b"avc1", b"mp41"] {
        w.bytes(brand);
    }
    w.close(ftyp);
    let moov = w.open(b"moov");
    let mvhd = w.open_full(b"mvhd", 0, 0);
    w.u32(0); // creation_time
    w.u32(0); // modification_time
    w.u32(1000); // timescale
    w.u32(0); // duration: unknown (fragmented)
    w.u32(0x0001_0000); // rate 1.0
    w.u16(0x0100); // volume 1.0
    w.zeros(10);
    w.matrix();
    w.zeros(24); // pre_defined
    w.u32(AUDIO_TRACK + 1); // next_track_ID
    w.close(mvhd);
    if let Some(v) = video {
        trak(&mut w, VIDEO_TRACK, 90_000, Some(v), None);
    }
    if let Some(a) = audio {
        trak(&mut w, AUDIO_TRACK, a.sample_rate, None, Some(a));
    }
    let mvex = w.open(b"mvex");
    for (id, present) in [(VIDEO_TRACK, video.is_some()), (AUDIO_TRACK, audio.is_some())] {
        if present {
            let trex = w.open_full(b"trex", 0, 0);
            w.u32(id);
            w.u32(1); // default_sample_description_index
            w.u32(0);
            w.u32(0);
            w.u32(0);
            w.close(trex);
        }
    }
    w.close(mvex);
    w.close(moov);
    w.buf
}

fn trak(w: &mut Writer, id: u32, timescale: u32, video: Option<&VideoTrack<'_>>, audio: Option<&AudioTrack<'_>>) {
    let trak = w.open(b"trak");
    let tkhd = w.open_full(b"tkhd", 0, 0x3); // enabled, in movie
    w.u32(0);
    w.u32(0);
    w.u32(id);
    w.u32(0); // reserved
    w.u32(0); // duration
    w.zeros(8);
    w.u16(0); // layer
    w.u16(0); // alternate_group
    w.u16(if audio.is_some() { 0x0100 } else { 0 }); // volume
    w.u16(0);
    w.matrix();
    let (width, height) = video.map_or((0, 0), |v| display_size(v.width, v.height, v.sar));
    w.u32(width << 16);
    w.u32(height << 16);
    w.close(tkhd);
    let mdia = w.open(b"mdia");
    let mdhd = w.open_full(b"mdhd", 0, 0);
    w.u32(0);
    w.u32(0);
    w.u32(timescale);
    w.u32(0);
    w.u16(0x55C4); // language "und"
    w.u16(0);
    w.close(mdhd);
    let hdlr = w.open_full(b"hdlr", 0, 0);
    w.u32(0);
    w.bytes(if video.is_some() { b"vide" } else { b"soun" });
    w.zeros(12);
    w.bytes(if video.is_some() { b"VideoHandler\0" } else { b"SoundHandler\0" });
    w.close(hdlr);
    let minf = w.open(b"minf");
    if video.is_some() {
        let vmhd = w.open_full(b"vmhd", 0, 1);
        w.zeros(8); // graphicsmode, opcolor
        w.close(vmhd);
    } else {
        let smhd = w.open_full(b"smhd", 0, 0);
        w.zeros(4); // balance, reserved
        w.close(smhd);
    }
    let dinf = w.open(b"dinf");
    let dref = w.open_full(b"dref", 0, 0);
    w.u32(1);
    let url = w.open_full(b"url ", 0, 1); // media in the same file
    w.close(url);
    w.close(dref);
    w.close(dinf);
    let stbl = w.open(b"stbl");
    let stsd = w.open_full(b"stsd", 0, 0);
    w.u32(1);
    if let Some(v) = video {
        avc1(w, v);
    }
    if let Some(a) = audio {
        audio_entry(w, a);
    }
    w.close(stsd);
    for kind in [b"stts", b"stsc", b"stco"] {
        let b = w.open_full(kind, 0, 0);
        w.u32(0);
        w.close(b);
    }
    let stsz = w.open_full(b"stsz", 0, 0);
    w.u32(0); // sample_size
    w.u32(0); // sample_count
    w.close(stsz);
    w.close(stbl);
    w.close(minf);
    w.close(mdia);
    w.close(trak);
}

/// tkhd's size is the display size: the coded size stretched by the pixel aspect ratio.
fn display_size(width: u32, height: u32, sar: Option<(u16, u16)>) -> (u32, u32) {
    match sar {
        Some((h, v)) if h != v && v != 0 => {
            ((u64::from(width) * u64::from(h) / u64::from(v)).min(0xFFFF) as u32, height)
        }
        _ => (width.min(0xFFFF), height.min(0xFFFF)),
    }
}

fn avc1(w: &mut Writer, v: &VideoTrack<'_>) {
    let avc1 = w.open(b"avc1");
    w.zeros(6);
    w.u16(1); // data_reference_index
    w.zeros(16); // pre_defined, reserved
    w.u16(v.width.min(0xFFFF) as u16);
    w.u16(v.height.min(0xFFFF) as u16);
    w.u32(0x0048_0000); // 72 dpi
    w.u32(0x0048_0000);
    w.u32(0);
    w.u16(1); // frame_count
    w.zeros(32); // compressorname
    w.u16(0x0018); // depth
    w.u16(0xFFFF); // pre_defined = -1
                   // avcC (14496-15 §5.3.3.1): profile, compatibility and level from the SPS.
    let avcc = w.open(b"avcC");
    w.u8(1);
    w.bytes(v.sps.get(1..4).unwrap_or(&[0x42, 0, 0x1E]));
    w.u8(0xFF); // lengthSizeMinusOne = 3
    w.u8(0xE1); // one SPS
    w.u16(v.sps.len() as u16);
    w.bytes(v.sps);
    w.u8(1); // one PPS
    w.u16(v.pps.len() as u16);
    w.bytes(v.pps);
    w.close(avcc);
    if let Some((h, s)) = v.sar {
        let pasp = w.open(b"pasp");
        w.u32(u32::from(h));
        w.u32(u32::from(s));
        w.close(pasp);
    }
    w.close(avc1);
}

fn audio_entry(w: &mut Writer, a: &AudioTrack<'_>) {
    let entry = w.open(match a.entry {
        AudioEntry::Aac(_) => b"mp4a",
        AudioEntry::Mp3 => b".mp3",
    });
    w.zeros(6);
    w.u16(1); // data_reference_index
    w.zeros(8);
    w.u16(a.channels);
    w.u16(16); // samplesize
    w.zeros(4);
    w.u32(a.sample_rate.min(0xFFFF) << 16);
    if let AudioEntry::Aac(asc) = a.entry {
        esds(w, asc);
    }
    w.close(entry);
}

/// The ES_Descriptor (14496-1 §7.2.6.5) around the AudioSpecificConfig; every
/// length fits one byte here.
fn esds(w: &mut Writer, asc: &[u8]) {
    let asc = &asc[..asc.len().min(32)];
    let n = asc.len() as u8;
    let esds = w.open_full(b"esds", 0, 0);
    w.bytes(&[0x03, 23 + n, 0, AUDIO_TRACK as u8, 0]); // ES_Descriptor: ES_ID, flags
    w.bytes(&[0x04, 15 + n, 0x40, 0x15]); // DecoderConfig: MPEG-4 audio, audio stream
    w.bytes(&[0, 0, 0]); // bufferSizeDB
    w.u32(0); // maxBitrate
    w.u32(0); // avgBitrate
    w.bytes(&[0x05, n]);
    w.bytes(asc);
    w.bytes(&[0x06, 1, 0x02]); // SLConfig: predefined MP4
    w.close(esds);
}

/// One sample of a `trun`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sample {
    pub duration: u32,
    pub size: u32,
    pub flags: u32,
    pub composition_offset: i32,
}

/// One track's part of a media segment.
pub(crate) struct TrackFragment<'a> {
    pub track_id: u32,
    pub base_decode_time: u64,
    pub samples: &'a [Sample],
    pub data: &'a [u8],
    /// Video: per-sample flags and composition offsets; audio needs neither.
    pub video: bool,
}

/// moof + mdat. Each traf's `trun` data offset points at its track's bytes in
/// the mdat that follows (offsets are from the moof's start: default-base-is-moof).
pub(crate) fn media_segment(sequence: u32, tracks: &[TrackFragment<'_>]) -> Vec<u8> {
    let data_len: usize = tracks.iter().map(|t| t.data.len()).sum();
    let samples: usize = tracks.iter().map(|t| t.samples.len()).sum();
    let mut w = Writer::with_capacity(64 + tracks.len() * 64 + samples * 16 + data_len);
    let moof = w.open(b"moof");
    let mfhd = w.open_full(b"mfhd", 0, 0);
    w.u32(sequence);
    w.close(mfhd);
    let mut offset_fields = Vec::with_capacity(tracks.len());
    for t in tracks {
        let traf = w.open(b"traf");
        let tfhd = w.open_full(b"tfhd", 0, 0x02_0000); // default-base-is-moof
        w.u32(t.track_id);
        w.close(tfhd);
        let tfdt = w.open_full(b"tfdt", 1, 0);
        w.u64(t.base_decode_time);
        w.close(tfdt);
        // data-offset, duration, size (+ flags, composition offset for video)
        let mut flags = 0x00_0301;
        let mut version = 0;
        if t.video {
            flags |= 0x00_0C00;
            if t.samples.iter().any(|s| s.composition_offset < 0) {
                version = 1; // signed offsets
            }
        }
        let trun = w.open_full(b"trun", version, flags);
        w.u32(t.samples.len() as u32);
        offset_fields.push(w.buf.len());
        w.u32(0); // data_offset, patched below
        for s in t.samples {
            w.u32(s.duration);
            w.u32(s.size);
            if t.video {
                w.u32(s.flags);
                w.u32(s.composition_offset as u32);
            }
        }
        w.close(trun);
        w.close(traf);
    }
    w.close(moof);
    let mut data_at = w.buf.len() - moof + 8;
    for (t, field) in tracks.iter().zip(offset_fields) {
        w.buf[field..field + 4].copy_from_slice(&(data_at as u32).to_be_bytes());
        data_at += t.data.len();
    }
    let mdat = w.open(b"mdat");
    for t in tracks {
        w.bytes(t.data);
    }
    w.close(mdat);
    w.buf
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (kind, size) of each top-level box, checking the sizes tile the buffer.
    fn top_level(b: &[u8]) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let size = u32::from_be_bytes(b[i..i + 4].try_into().unwrap()) as usize;
            out.push((String::from_utf8_lossy(&b[i + 4..i + 8]).into_owned(), size));
            assert!(size >= 8 && i + size <= b.len());
            i += size;
        }
        out
    }

    fn find(b: &[u8], kind: &[u8; 4]) -> usize {
        b.windows(4).position(|w| w == kind).unwrap() - 4
    }

    #[test]
    fn init_segment_boxes_and_sizes() {
        let sps = [0x67, 0x64, 0x00, 0x1F, 0xAC];
        let v = VideoTrack { sps: &sps, pps: &[0x68, 0xEB], width: 1280, height: 720, sar: Some((1, 1)) };
        let a = AudioTrack { entry: AudioEntry::Aac(&[0x11, 0x90]), sample_rate: 48000, channels: 2 };
        let init = init_segment(Some(&v), Some(&a));
        let top = top_level(&init);
        assert_eq!(top.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), ["ftyp", "moov"]);
        assert_eq!(top[0].1, 8 + 8 + 16);
        // Full box sizes: mvhd is 108 bytes, tkhd 92, mdhd 32, avcC 8 + 11 + 5 + 2.
        for (kind, size) in [(b"mvhd", 108), (b"tkhd", 92), (b"mdhd", 32), (b"avcC", 26), (b"esds", 39), (b"trex", 32)]
        {
            let at = find(&init, kind);
            assert_eq!(
                u32::from_be_bytes(init[at..at + 4].try_into().unwrap()),
                size,
                "{}",
                String::from_utf8_lossy(kind)
            );
        }
        let audio_only = init_segment(None, Some(&a));
        assert!(audio_only.windows(4).all(|w| w != b"avcC" && w != b"vmhd"));
        assert!(audio_only.len() < init.len());
    }

    #[test]
    fn media_segment_offsets_point_into_mdat() {
        let v = [Sample { duration: 3000, size: 3, flags: FLAGS_KEY, composition_offset: -1 }];
        let a = [Sample { duration: 1024, size: 2, flags: 0, composition_offset: 0 }; 2];
        let seg = media_segment(
            7,
            &[
                TrackFragment {
                    track_id: VIDEO_TRACK,
                    base_decode_time: 1 << 40,
                    samples: &v,
                    data: &[1, 2, 3],
                    video: true,
                },
                TrackFragment {
                    track_id: AUDIO_TRACK,
                    base_decode_time: 0,
                    samples: &a,
                    data: &[4, 5, 6, 7],
                    video: false,
                },
            ],
        );
        let top = top_level(&seg);
        assert_eq!(top.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(), ["moof", "mdat"]);
        let moof_len = top[0].1;
        assert_eq!(&seg[moof_len + 8..], &[1, 2, 3, 4, 5, 6, 7]);
        let truns: Vec<usize> = (0..seg.len() - 4).filter(|&i| &seg[i..i + 4] == b"trun").collect();
        assert_eq!(seg[truns[0] + 4], 1, "a negative offset needs version 1");
        let offset_of = |t: usize| u32::from_be_bytes(seg[t + 12..t + 16].try_into().unwrap()) as usize;
        assert_eq!(offset_of(truns[0]), moof_len + 8);
        assert_eq!(offset_of(truns[1]), moof_len + 8 + 3);
        let tfdt = find(&seg, b"tfdt");
        assert_eq!(u64::from_be_bytes(seg[tfdt + 12..tfdt + 20].try_into().unwrap()), 1 << 40);
    }
}
