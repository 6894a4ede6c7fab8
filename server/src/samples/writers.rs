//! The files `tubeswarm-samples` writes itself (everything ffmpeg does not): pure
//! functions from data to text, unit-tested on small synthetic inputs.

use sha2::{Digest, Sha256};

/// One media segment of a single-file rendition: `length` bytes at `offset`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentSpan {
    pub offset: u64,
    pub length: u64,
    /// Seconds (`EXTINF`).
    pub duration: f64,
}

/// Peak and average bits per second of a rendition, from its segments' sizes and
/// durations (rounded up).
pub fn bitrates(spans: &[SegmentSpan]) -> (u64, u64) {
    let peak = spans
        .iter()
        .filter(|s| s.duration > 0.0)
        .map(|s| (s.length as f64 * 8.0 / s.duration).ceil() as u64)
        .max()
        .unwrap_or(0);
    let bytes: u64 = spans.iter().map(|s| s.length).sum();
    let seconds: f64 = spans.iter().map(|s| s.duration).sum();
    let average = if seconds > 0.0 {
        (bytes as f64 * 8.0 / seconds).ceil() as u64
    } else {
        0
    };
    (peak, average)
}

/// PeerTube's VOD hash key for a span: `"<start>-<end>"`, end inclusive.
pub fn range_key(span: &SegmentSpan) -> String {
    format!(
        "{}-{}",
        span.offset,
        span.offset + span.length.saturating_sub(1)
    )
}

/// `(range key, sha256 hex)` of each segment of one file, in segment order.
pub type SegmentHashes = Vec<(String, String)>;

/// Hashes each span of `data` (one rendition's file): `(range key, sha256 hex)`
/// in segment order. A span past the end of the data is an error.
pub fn hash_spans(file: &str, data: &[u8], spans: &[SegmentSpan]) -> Result<SegmentHashes, String> {
    spans
        .iter()
        .map(|span| {
            let start = span.offset as usize;
            let end = start
                .checked_add(span.length as usize)
                .filter(|&end| end <= data.len() && span.length > 0)
                .ok_or_else(|| {
                    format!(
                        "{file}: segment {}@{} lies outside its {} bytes",
                        span.length,
                        span.offset,
                        data.len()
                    )
                })?;
            Ok((
                range_key(span),
                hex::encode(Sha256::digest(&data[start..end])),
            ))
        })
        .collect()
}

/// `<video>-segments-sha256.json` in PeerTube's VOD shape:
/// `{"<file>":{"<start>-<end>":"<sha256 hex>",…},…}`, compact, files and ranges in
/// the order given (PeerTube writes a JS object in insertion order).
pub fn segments_sha256_json(files: &[(String, SegmentHashes)]) -> String {
    let quote = |s: &str| serde_json::to_string(s).expect("a string serializes");
    let mut out = String::from("{");
    for (i, (file, hashes)) in files.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(file));
        out.push_str(":{");
        for (j, (range, hash)) in hashes.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&quote(range));
            out.push(':');
            out.push_str(&quote(hash));
        }
        out.push('}');
    }
    out.push('}');
    out
}

/// One video variant of the master playlist.
#[derive(Debug, Clone, PartialEq)]
pub struct MasterVariant {
    pub uri: String,
    pub width: u32,
    pub height: u32,
    /// Peak / average bits per second, video and audio together.
    pub bandwidth: u64,
    pub average_bandwidth: u64,
}

/// What the master playlist declares besides its variants.
#[derive(Debug, Clone, PartialEq)]
pub struct MasterPlaylist {
    pub audio_uri: String,
    pub subtitles_uri: String,
    pub codecs: String,
    pub frame_rate: f64,
    pub variants: Vec<MasterVariant>,
}

/// The VOD master playlist as PeerTube writes one with split audio and captions;
/// variants by resolution, ascending.
pub fn master_playlist(master: &MasterPlaylist) -> String {
    let mut variants = master.variants.clone();
    variants.sort_by_key(|v| (v.height, v.width, v.bandwidth));
    let mut out = String::from("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    out.push_str(&format!(
        "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",AUTOSELECT=YES,DEFAULT=YES,URI=\"{}\"\n",
        master.audio_uri
    ));
    out.push_str(&format!(
        "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subtitles\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,DEFAULT=NO,URI=\"{}\"\n",
        master.subtitles_uri
    ));
    for v in &variants {
        out.push_str(&format!(
            "#EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},RESOLUTION={}x{},FRAME-RATE={:.3},CODECS=\"{}\",AUDIO=\"audio\",SUBTITLES=\"subtitles\"\n{}\n",
            v.bandwidth, v.average_bandwidth, v.width, v.height, master.frame_rate, master.codecs, v.uri
        ));
    }
    out
}

fn vtt_time(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

fn hms(seconds: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// A WebVTT file with one cue every `every_s` seconds over `duration_s`:
/// "Caption N — hh:mm:ss" (the cue's start).
pub fn captions_vtt(duration_s: u64, every_s: u64) -> String {
    let mut out = String::from("WEBVTT\n");
    let mut start = 0;
    let mut n = 1;
    while start < duration_s {
        let end = (start + every_s).min(duration_s);
        out.push_str(&format!(
            "\n{n}\n{} --> {}\nCaption {n} — {}\n",
            vtt_time(start * 1000),
            vtt_time(end * 1000),
            hms(start)
        ));
        start = end;
        n += 1;
    }
    out
}

/// The one-segment media playlist PeerTube puts in front of a caption file.
pub fn captions_playlist(vtt_uri: &str, duration_s: u64) -> String {
    format!(
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{duration_s}\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:{duration_s},\n{vtt_uri}\n#EXT-X-ENDLIST\n"
    )
}

/// `GET /api/v1/videos/{id}/chapters`'s shape: `{"chapters":[{"timecode","title"}]}`.
pub fn chapters_json(chapters: &[(u64, &str)]) -> String {
    let list: Vec<_> = chapters
        .iter()
        .map(|(timecode, title)| serde_json::json!({"timecode": timecode, "title": title}))
        .collect();
    serde_json::to_string_pretty(&serde_json::json!({ "chapters": list })).expect("json") + "\n"
}

/// One storyboard sprite sheet, as `GET /api/v1/videos/{id}/storyboards` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Storyboard {
    pub path: String,
    pub total_width: u32,
    pub total_height: u32,
    pub sprite_width: u32,
    pub sprite_height: u32,
    pub sprite_duration: u32,
}

/// `{"storyboards":[{…}]}`; `fileUrl` is the path too (PeerTube's is absolute,
/// but the demo's host is only known when it is served).
pub fn storyboards_json(board: &Storyboard) -> String {
    let value = serde_json::json!({"storyboards": [{
        "storyboardPath": board.path,
        "fileUrl": board.path,
        "totalWidth": board.total_width,
        "totalHeight": board.total_height,
        "spriteWidth": board.sprite_width,
        "spriteHeight": board.sprite_height,
        "spriteDuration": board.sprite_duration,
    }]});
    serde_json::to_string_pretty(&value).expect("json") + "\n"
}

/// A playlist the player must reject with an error naming line 3.
pub const CORRUPT_PLAYLIST: &str =
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:abc,\nsegment0.mp4\n#EXT-X-ENDLIST\n";

/// Width and height of a JPEG, from its first start-of-frame marker.
pub fn jpeg_size(data: &[u8]) -> Option<(u32, u32)> {
    if data.get(..2)? != [0xFF, 0xD8] {
        return None;
    }
    let mut i = 2;
    while i + 4 <= data.len() {
        if data[i] != 0xFF {
            return None;
        }
        let marker = data[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let length = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
        let is_sof = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if is_sof {
            let sof = data.get(i + 4..i + 9)?;
            let height = u16::from_be_bytes([sof[1], sof[2]]) as u32;
            let width = u16::from_be_bytes([sof[3], sof[4]]) as u32;
            return Some((width, height));
        }
        i += 2 + length;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(offset: u64, length: u64, duration: f64) -> SegmentSpan {
        SegmentSpan {
            offset,
            length,
            duration,
        }
    }

    #[test]
    fn hash_file_has_peertube_shape() {
        let data: Vec<u8> = (0..100u8).collect();
        let spans = [span(10, 30, 4.0), span(40, 60, 2.0)];
        let hashes = hash_spans("a-240-fragmented.mp4", &data, &spans).unwrap();
        assert_eq!(hashes[0].0, "10-39");
        assert_eq!(hashes[1].0, "40-99");
        assert_eq!(hashes[0].1, hex::encode(Sha256::digest(&data[10..40])));
        let json = segments_sha256_json(&[
            ("a-240-fragmented.mp4".into(), hashes.clone()),
            (
                "b-0-fragmented.mp4".into(),
                vec![("0-0".into(), "00".into())],
            ),
        ]);
        assert_eq!(
            json,
            format!(
                "{{\"a-240-fragmented.mp4\":{{\"10-39\":\"{}\",\"40-99\":\"{}\"}},\"b-0-fragmented.mp4\":{{\"0-0\":\"00\"}}}}",
                hashes[0].1, hashes[1].1
            )
        );
        // It reads back as the nested map PeerTube serves.
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["a-240-fragmented.mp4"]["40-99"], hashes[1].1.as_str());
        // The known SHA-256 of "abc", to pin the algorithm.
        let abc = hash_spans("f", b"xabc", &[span(1, 3, 1.0)]).unwrap();
        assert_eq!(
            abc[0].1,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hash_spans("f", &data, &[span(90, 11, 1.0)]).is_err());
        assert!(hash_spans("f", &data, &[span(0, 0, 1.0)]).is_err());
    }

    #[test]
    fn bitrates_from_spans() {
        let (peak, average) = bitrates(&[
            span(0, 1000, 4.0),
            span(1000, 3000, 4.0),
            span(4000, 500, 1.0),
        ]);
        assert_eq!(peak, 6000);
        assert_eq!(average, 4000);
        assert_eq!(bitrates(&[]), (0, 0));
    }

    #[test]
    fn master_lists_audio_subtitles_and_sorted_variants() {
        let variant = |h: u32, w: u32, bw: u64| MasterVariant {
            uri: format!("f-{h}.m3u8"),
            width: w,
            height: h,
            bandwidth: bw,
            average_bandwidth: bw / 2,
        };
        let text = master_playlist(&MasterPlaylist {
            audio_uri: "f-0.m3u8".into(),
            subtitles_uri: "captions-en.m3u8".into(),
            codecs: "avc1.4d401f,mp4a.40.2".into(),
            frame_rate: 25.0,
            variants: vec![variant(720, 1280, 2_000_000), variant(240, 426, 400_000)],
        });
        let expected = "#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n\
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",AUTOSELECT=YES,DEFAULT=YES,URI=\"f-0.m3u8\"\n\
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subtitles\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,DEFAULT=NO,URI=\"captions-en.m3u8\"\n\
#EXT-X-STREAM-INF:BANDWIDTH=400000,AVERAGE-BANDWIDTH=200000,RESOLUTION=426x240,FRAME-RATE=25.000,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\",SUBTITLES=\"subtitles\"\nf-240.m3u8\n\
#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1000000,RESOLUTION=1280x720,FRAME-RATE=25.000,CODECS=\"avc1.4d401f,mp4a.40.2\",AUDIO=\"audio\",SUBTITLES=\"subtitles\"\nf-720.m3u8\n";
        assert_eq!(text, expected);
    }

    #[test]
    fn captions() {
        let vtt = captions_vtt(12, 5);
        assert!(
            vtt.starts_with("WEBVTT\n\n1\n00:00:00.000 --> 00:00:05.000\nCaption 1 — 00:00:00\n")
        );
        assert!(vtt.ends_with("\n3\n00:00:10.000 --> 00:00:12.000\nCaption 3 — 00:00:10\n"));
        assert_eq!(captions_vtt(180, 5).matches(" --> ").count(), 36);
        let playlist = captions_playlist("captions-en.vtt", 180);
        assert!(playlist.contains("#EXT-X-TARGETDURATION:180\n#EXT-X-MEDIA-SEQUENCE:0\n"));
        assert!(playlist.ends_with("#EXTINF:180,\ncaptions-en.vtt\n#EXT-X-ENDLIST\n"));
    }

    #[test]
    fn chapters_and_storyboards() {
        let json: serde_json::Value =
            serde_json::from_str(&chapters_json(&[(0, "Opening"), (30, "Bars")])).unwrap();
        assert_eq!(json["chapters"][1]["timecode"], 30);
        assert_eq!(json["chapters"][1]["title"], "Bars");
        let board = Storyboard {
            path: "/media/vod/storyboard.jpg".into(),
            total_width: 1600,
            total_height: 810,
            sprite_width: 160,
            sprite_height: 90,
            sprite_duration: 2,
        };
        let json: serde_json::Value = serde_json::from_str(&storyboards_json(&board)).unwrap();
        let b = &json["storyboards"][0];
        assert_eq!(b["storyboardPath"], "/media/vod/storyboard.jpg");
        assert_eq!(b["fileUrl"], "/media/vod/storyboard.jpg");
        assert_eq!(
            (b["totalWidth"].as_u64(), b["spriteHeight"].as_u64()),
            (Some(1600), Some(90))
        );
        assert_eq!(b["spriteDuration"], 2);
    }

    #[test]
    fn jpeg_dimensions() {
        // SOI, an APP0 of 4 bytes, then SOF0 with height 810 and width 1600.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x03,
            0x2A, 0x06, 0x40,
        ];
        assert_eq!(jpeg_size(&jpeg), Some((1600, 810)));
        assert_eq!(jpeg_size(b"not a jpeg"), None);
    }
}
