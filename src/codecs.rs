//! Codec strings: splitting HLS `CODECS` between SourceBuffers, and reading them
//! from an fMP4 init segment when a playlist leaves `CODECS` out.
//!
//! The init reader is hand-written on purpose: it needs three boxes (the sample
//! entry's four-character code, `avcC`'s profile/level bytes, `esds`'s audio object
//! type), walks them with bounds checks, and keeps the WASM small; a full MP4
//! crate would bring a parser for every box for these few bytes.

/// Codec families that go to a video SourceBuffer.
const VIDEO_PREFIXES: &[&str] = &["avc1", "avc3", "hvc1", "hev1", "vp09", "vp08", "vp8", "vp9", "av01", "dvh1", "dvhe"];

/// Whether a single codec string (e.g. `avc1.4d401f`) is a video codec.
pub fn is_video_codec(codec: &str) -> bool {
    let c = codec.trim().to_ascii_lowercase();
    VIDEO_PREFIXES.iter().any(|p| c == *p || c.starts_with(&format!("{p}.")))
}

/// Split a `CODECS` attribute into (video codecs, audio codecs), each joined by ",".
///
/// ```
/// use tubeswarm::codecs::split_codecs;
/// assert_eq!(split_codecs("avc1.4d401f,mp4a.40.2"), ("avc1.4d401f".to_string(), "mp4a.40.2".to_string()));
/// assert_eq!(split_codecs("mp4a.40.2"), (String::new(), "mp4a.40.2".to_string()));
/// ```
pub fn split_codecs(codecs: &str) -> (String, String) {
    let (video, audio): (Vec<&str>, Vec<&str>) =
        codecs.split(',').map(str::trim).filter(|c| !c.is_empty()).partition(|c| is_video_codec(c));
    (video.join(","), audio.join(","))
}

/// The MIME type for a SourceBuffer holding fragmented MP4 with these codecs.
pub fn mp4_mime(codecs: &str, has_video: bool) -> String {
    let kind = if has_video { "video" } else { "audio" };
    format!("{kind}/mp4; codecs=\"{codecs}\"")
}

/// Read the codec strings of every track in an fMP4 init segment (`moov`).
/// Unknown sample entries are skipped; `None` when no track could be read.
///
/// ```
/// // A minimal moov/trak/mdia/minf/stbl/stsd with one mp4a entry.
/// use tubeswarm::codecs::codecs_from_init;
/// fn bx(kind: &[u8], body: &[u8]) -> Vec<u8> {
///     let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
///     v.extend_from_slice(kind);
///     v.extend_from_slice(body);
///     v
/// }
/// let mut stsd_body = vec![0u8; 8];
/// stsd_body.extend(bx(b"mp4a", &[0u8; 28]));
/// let init = bx(b"moov", &bx(b"trak", &bx(b"mdia", &bx(b"minf", &bx(b"stbl", &bx(b"stsd", &stsd_body))))));
/// assert_eq!(codecs_from_init(&init).as_deref(), Some("mp4a.40.2"));
/// ```
pub fn codecs_from_init(init: &[u8]) -> Option<String> {
    let mut found = Vec::new();
    let moov = child(init, b"moov")?;
    for trak in children(moov).filter(|(k, _)| k == b"trak").map(|(_, b)| b) {
        let Some(stbl) = child(trak, b"mdia").and_then(|m| child(m, b"minf")).and_then(|m| child(m, b"stbl")) else {
            continue;
        };
        let Some(stsd) = child(stbl, b"stsd") else { continue };
        // stsd: version/flags (4) + entry count (4), then sample entry boxes.
        let Some(entries) = stsd.get(8..) else { continue };
        if let Some((kind, entry)) = children(entries).next() {
            if let Some(codec) = sample_entry_codec(&kind, entry) {
                found.push(codec);
            }
        }
    }
    (!found.is_empty()).then(|| found.join(","))
}

fn sample_entry_codec(kind: &[u8; 4], entry: &[u8]) -> Option<String> {
    let name = std::str::from_utf8(kind).ok()?;
    match kind {
        b"avc1" | b"avc3" => {
            // VisualSampleEntry: 78 bytes before its child boxes.
            let avcc = entry.get(78..).and_then(|c| child(c, b"avcC"))?;
            let (profile, compat, level) = (avcc.get(1)?, avcc.get(2)?, avcc.get(3)?);
            Some(format!("{name}.{profile:02x}{compat:02x}{level:02x}"))
        }
        b"mp4a" => {
            // AudioSampleEntry: 28 bytes before its child boxes; esds holds the
            // audio object type. AAC-LC (2) is by far the most common default.
            let aot = entry.get(28..).and_then(|c| child(c, b"esds")).and_then(esds_audio_object_type).unwrap_or(2);
            Some(format!("mp4a.40.{aot}"))
        }
        b"Opus" => Some("opus".into()),
        b"fLaC" => Some("flac".into()),
        b"ac-3" | b"ec-3" | b"hvc1" | b"hev1" | b"vp09" | b"av01" => Some(name.to_string()),
        _ => None,
    }
}

/// The audio object type in an `esds` box (ISO 14496-1 descriptors):
/// ES_Descriptor(3) > DecoderConfigDescriptor(4) > DecoderSpecificInfo(5), whose
/// first 5 bits are the type.
fn esds_audio_object_type(esds: &[u8]) -> Option<u8> {
    let es = descriptor(esds.get(4..)?, 0x03)?;
    let flags = *es.get(2)?;
    let mut skip = 3;
    if flags & 0x80 != 0 {
        skip += 2;
    }
    if flags & 0x40 != 0 {
        skip += 1 + *es.get(skip)? as usize;
    }
    if flags & 0x20 != 0 {
        skip += 2;
    }
    let config = descriptor(es.get(skip..)?, 0x04)?;
    let dsi = descriptor(config.get(13..)?, 0x05)?;
    Some(dsi.first()? >> 3).filter(|&t| t > 0 && t < 31)
}

/// The body of the first descriptor with `tag` in a run of descriptors, each a tag
/// byte and a 1–4 byte length (7 bits per byte, high bit = more).
fn descriptor(mut data: &[u8], tag: u8) -> Option<&[u8]> {
    loop {
        let t = *data.first()?;
        let mut len = 0usize;
        let mut i = 1;
        loop {
            let b = *data.get(i)?;
            len = (len << 7) | (b & 0x7f) as usize;
            i += 1;
            if b & 0x80 == 0 || i > 4 {
                break;
            }
        }
        let body = data.get(i..i.checked_add(len)?)?;
        if t == tag {
            return Some(body);
        }
        data = &data[i + len..];
    }
}

/// Iterate over the boxes directly inside `data`: (four-character code, body).
fn children(data: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let header = data.get(pos..pos + 8)?;
        let size32 = u32::from_be_bytes(header[0..4].try_into().ok()?) as usize;
        let kind: [u8; 4] = header[4..8].try_into().ok()?;
        let (size, header_len) = match size32 {
            0 => (data.len() - pos, 8),
            1 => {
                let ext = data.get(pos + 8..pos + 16)?;
                (u64::from_be_bytes(ext.try_into().ok()?) as usize, 16)
            }
            n => (n, 8),
        };
        if size < header_len {
            return None;
        }
        let body = data.get(pos + header_len..pos.checked_add(size)?)?;
        pos += size;
        Some((kind, body))
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8]) -> Option<&'a [u8]> {
    children(data).find(|(k, _)| k == kind).map(|(_, b)| b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn trak(entry: Vec<u8>) -> Vec<u8> {
        let mut stsd = vec![0, 0, 0, 0, 0, 0, 0, 1];
        stsd.extend(entry);
        bx(b"trak", &bx(b"mdia", &bx(b"minf", &bx(b"stbl", &bx(b"stsd", &stsd)))))
    }

    #[test]
    fn reads_avc_and_aac_tracks() {
        let mut avc1 = vec![0u8; 78];
        avc1.extend(bx(b"avcC", &[1, 0x4d, 0x40, 0x1f, 0xff]));
        // esds as ffmpeg writes it (4-byte lengths), with 0x05 bytes inside the bitrates
        // to catch a reader that searches instead of parsing; DSI says AOT 5 (HE-AAC).
        let esds = [0, 0, 0, 0, 0x03, 0x80, 0x80, 0x80, 0x16, 0, 1, 0, 0x04, 0x11, 0x40, 0x15, 0, 0x05, 0, 0, 0, 0x05, 0, 0, 0, 0x05, 0, 0x05, 0x02, 0x2b, 0x10];
        let mut mp4a = vec![0u8; 28];
        mp4a.extend(bx(b"esds", &esds));
        let mut moov_body = trak(bx(b"avc1", &avc1));
        moov_body.extend(trak(bx(b"mp4a", &mp4a)));
        let mut init = bx(b"ftyp", b"iso6");
        init.extend(bx(b"moov", &moov_body));
        assert_eq!(codecs_from_init(&init).as_deref(), Some("avc1.4d401f,mp4a.40.5"));
    }

    #[test]
    fn truncated_or_garbage_input_is_none() {
        assert_eq!(codecs_from_init(&[]), None);
        assert_eq!(codecs_from_init(&[0, 0, 0, 9, b'm', b'o', b'o', b'v']), None);
        assert_eq!(codecs_from_init(&[0xff; 64]), None);
        let mut avc1 = vec![0u8; 78];
        avc1.extend(bx(b"avcC", &[1]));
        assert_eq!(codecs_from_init(&bx(b"moov", &trak(bx(b"avc1", &avc1)))), None);
    }

    #[test]
    fn splits_codecs_by_kind() {
        assert_eq!(split_codecs("mp4a.40.2, AVC1.4D401F"), ("AVC1.4D401F".into(), "mp4a.40.2".into()));
        assert_eq!(split_codecs("vp09.00.10.08,opus"), ("vp09.00.10.08".into(), "opus".into()));
        assert_eq!(mp4_mime("mp4a.40.2", false), "audio/mp4; codecs=\"mp4a.40.2\"");
    }
}
