//! Swarm identifiers: stream index, stream swarm id, tracker info_hash and
//! peer id (PROTOCOL.md §1; PEERTUBE-AND-P2P-FACTS.md §5).
//!
//! Two generations of p2p-media-loader are in use and they do not meet in a
//! swarm, because both the stream index and the info_hash differ:
//!
//! | version | stream index | info_hash (20 ASCII chars) |
//! |---|---|---|
//! | 2.3.x (current) | Base64(SHA-1(property string)), 28 chars | Base64(SHA-1(stream swarm id)[0..15]) |
//! | 2.2.x (PeerTube 7.1–8) | position of the level (or audio track) in hls.js's list: `0`, `1`, … | Base64(MD5(stream swarm id)[1..16]) |
//!
//! The 2.2 form was read from `p2p-media-loader-core@2.2.2` (`getStreamHash`:
//! `btoa(md5.fromUtf8(streamId).slice(1))` with the `nano-md5` package, whose
//! `fromUtf8` returns the 16 raw digest bytes) and its hlsjs companion (index
//! = `levels.entries()` / `audioTracks.entries()` position, counted separately
//! for main and secondary streams). It was checked by running that package's
//! own function against Node's MD5 (`tests/vectors/p2pml-2.3.1.json`,
//! `info_hashes_2_2`). The wire protocol of 2.2.2 is byte-identical to 2.3.1
//! (same command sources).

use super::digest::{md5, sha1};

use super::js;

/// Our peer-id prefix (p2pml uses `-PM0203-`; it does not check prefixes).
pub const PEER_ID_PREFIX: &str = "-TS0001-";
/// Peer ids and info hashes are 20 ASCII characters.
pub const PEER_ID_LENGTH: usize = 20;
const PEER_ID_SYMBOLS: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// `main` for hls.js levels, `secondary` for alternative audio tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamType {
    Main,
    Secondary,
}

impl StreamType {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamType::Main => "main",
            StreamType::Secondary => "secondary",
        }
    }
}

/// The properties p2pml 2.3 hashes into a stream index (§1.2), as hls.js
/// hands them over: raw attribute strings where hls.js keeps strings.
/// Build it with [`StreamProperties::main_level`] or
/// [`StreamProperties::audio_track`], which apply hls.js/p2pml's choices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamProperties {
    /// `BANDWIDTH` (or `AVERAGE-BANDWIDTH` when `BANDWIDTH` is missing or 0); 0 for audio tracks.
    pub bitrate: u64,
    /// Levels: hls.js's `videoCodec` (see [`hlsjs_video_codec`]); audio tracks: `audioCodec`.
    pub codecs: Option<String>,
    pub width: Option<u64>,
    pub height: Option<u64>,
    /// Audio tracks: `LANGUAGE`.
    pub language: Option<String>,
    /// Audio tracks: `CHANNELS`.
    pub channels: Option<String>,
    /// Audio tracks: `NAME`.
    pub name: Option<String>,
    /// Levels: the raw `FRAME-RATE` attribute.
    pub frame_rate: Option<String>,
    /// Levels: the raw `VIDEO-RANGE` attribute.
    pub video_range: Option<String>,
}

impl StreamProperties {
    /// A main stream (hls.js level). When `bitrate` is 0 p2pml treats the
    /// metadata as missing and leaves codecs, size, frame rate and range out.
    pub fn main_level(
        bitrate: u64,
        video_codec: Option<&str>,
        width: Option<u64>,
        height: Option<u64>,
        frame_rate: Option<&str>,
        video_range: Option<&str>,
    ) -> Self {
        if bitrate == 0 {
            return StreamProperties::default();
        }
        StreamProperties {
            bitrate,
            codecs: video_codec.map(str::to_owned),
            width,
            height,
            frame_rate: frame_rate.map(str::to_owned),
            video_range: video_range.map(str::to_owned),
            ..Default::default()
        }
    }

    /// A secondary stream (hls.js audio track with a URI). Bitrate is always 0.
    pub fn audio_track(
        audio_codec: Option<&str>,
        language: Option<&str>,
        channels: Option<&str>,
        name: Option<&str>,
    ) -> Self {
        StreamProperties {
            codecs: audio_codec.map(str::to_owned),
            language: language.map(str::to_owned),
            channels: channels.map(str::to_owned),
            name: name.map(str::to_owned),
            ..Default::default()
        }
    }

    /// The nine `-`-joined fields of §1.2, normalised as p2pml 2.3.1's
    /// `generateStreamShortId` does.
    pub fn property_string(&self) -> String {
        fn non_empty(o: &Option<String>) -> Option<&str> {
            o.as_deref().filter(|s| !s.is_empty())
        }
        let codecs = non_empty(&self.codecs).map(normalize_codecs).unwrap_or_default();
        let number = |o: Option<u64>| o.map(|v| v.to_string()).unwrap_or_default();
        let language = non_empty(&self.language)
            .filter(|l| *l != "und")
            .map(|l| js::to_lower(&js::slice_utf16(l, 2)))
            .unwrap_or_default();
        let channels =
            non_empty(&self.channels).map(|c| c.split('/').next().unwrap_or("").to_owned()).unwrap_or_default();
        let name = non_empty(&self.name).map(|n| js::trim(&js::to_lower(n)).to_owned()).unwrap_or_default();
        let frame_rate = non_empty(&self.frame_rate)
            .map(js::number_from_string)
            .filter(|f| !f.is_nan())
            .map(js::number_to_string)
            .unwrap_or_default();
        let video_range =
            non_empty(&self.video_range).map(|r| js::trim(&js::to_upper(r)).to_owned()).unwrap_or_default();
        format!(
            "{}-{codecs}-{}-{}-{language}-{channels}-{name}-{frame_rate}-{video_range}",
            self.bitrate,
            number(self.width),
            number(self.height)
        )
    }

    /// The 2.3 stream index: standard Base64 of SHA-1 of the property string (28 chars).
    pub fn stream_index(&self) -> String {
        js::btoa(&sha1(self.property_string().as_bytes()))
    }
}

/// Codec list normalisation of §1.2: split on `,`, trim, lower-case, rewrite a
/// canonical-decimal `avc1.P.L` / `avc.P.L` as `avc1.PP00LL`, sort (UTF-16
/// order), join with `,`.
fn normalize_codecs(codecs: &str) -> String {
    let mut list: Vec<String> = codecs
        .split(',')
        .map(|c| {
            let c = js::to_lower(js::trim(c));
            let parts: Vec<&str> = c.split('.').collect();
            if let [kind @ ("avc1" | "avc"), p, l] = parts[..] {
                let profile = js::parse_int(p, Some(10));
                let level = js::parse_int(l, Some(10));
                if !profile.is_nan()
                    && !level.is_nan()
                    && p == js::number_to_string(profile)
                    && l == js::number_to_string(level)
                {
                    return format!(
                        "{kind}.{}00{}",
                        pad2(&js::to_hex_string(profile)),
                        pad2(&js::to_hex_string(level))
                    );
                }
            }
            c
        })
        .collect();
    js::sort_strings(&mut list);
    list.join(",")
}

/// `s.padStart(2, "0")`.
fn pad2(s: &str) -> String {
    format!("{s:0>2}")
}

/// The `videoCodec` hls.js 1.7.4 derives from a `CODECS` attribute: entries
/// split on spaces/commas, kept if their first four characters name a video
/// sample entry, each cut at `/`, joined with `,`, then its RFC 4281 → 6381
/// rewrite of `avc1.P.L` (`avc1.` + hex(P) + last 4 of `000` + hex(L)).
/// None when no video codec is listed. This is what p2pml 2.3 hashes for a level.
pub fn hlsjs_video_codec(codecs_attribute: Option<&str>) -> Option<String> {
    const VIDEO: &[&str] = &[
        "avc1", "avc2", "avc3", "avc4", "avcp", "av01", "dav1", "drac", "dva1", "dvav", "dvh1", "dvhe", "encv", "hev1",
        "hvc1", "mjp2", "mp4v", "mvc1", "mvc2", "mvc3", "mvc4", "resv", "rv60", "s263", "svc1", "svc2", "vc-1", "vp08",
        "vp09",
    ];
    let video: Vec<String> = codecs_attribute
        .unwrap_or("")
        .split([' ', ','])
        .filter(|c| !c.is_empty())
        .filter(|c| VIDEO.contains(&js::slice_utf16(c, 4).as_str()))
        .map(|c| c.split('/').next().unwrap_or("").to_owned())
        .collect();
    if video.is_empty() {
        return None;
    }
    let converted: Vec<String> = video
        .join(",")
        .split(',')
        .map(|c| {
            let parts: Vec<&str> = c.split('.').collect();
            if parts.len() > 2 && parts[0] == "avc1" {
                let level = format!("000{}", js::to_hex_string(js::parse_int(parts[2], None)));
                let level_tail: String = level.chars().skip(level.chars().count().saturating_sub(4)).collect();
                format!("avc1.{}{level_tail}", js::to_hex_string(js::parse_int(parts[1], None)))
            } else {
                c.to_owned()
            }
        })
        .collect();
    Some(converted.join(","))
}

/// The swarm id p2pml uses by default: the master playlist's response URL
/// (after redirects) cut at its first `?`.
pub fn swarm_id_from_url(master_playlist_url: &str) -> &str {
    master_playlist_url.split('?').next().unwrap_or(master_playlist_url)
}

/// `v2-<swarmId>-<main|secondary>-<index>`. The index is
/// [`StreamProperties::stream_index`] for 2.3 peers and the decimal position
/// (`"0"`, `"1"`, …) for 2.2 peers.
pub fn stream_swarm_id(swarm_id: &str, stream_type: StreamType, index: &str) -> String {
    format!("v2-{swarm_id}-{}-{index}", stream_type.as_str())
}

/// The 2.3 tracker info_hash: Base64 of the first 15 bytes of SHA-1 of the
/// stream swarm id (20 ASCII characters, no padding).
pub fn info_hash(stream_swarm_id: &str) -> String {
    js::btoa(&sha1(stream_swarm_id.as_bytes())[..15])
}

/// The 2.2 tracker info_hash (PeerTube 7.1–8): Base64 of bytes 1..16 of MD5
/// of the stream swarm id (the first digest byte dropped; 20 ASCII characters).
pub fn info_hash_v2_2(stream_swarm_id: &str) -> String {
    js::btoa(&md5(stream_swarm_id.as_bytes())[1..])
}

/// A peer id: [`PEER_ID_PREFIX`] + 12 characters from `A–Z a–z 0–9`, drawn
/// from the caller's random source (the engine is deterministic).
pub fn generate_peer_id(random: &mut impl FnMut() -> u32) -> String {
    generate_peer_id_with_prefix(PEER_ID_PREFIX, random)
}

/// Like [`generate_peer_id`] with another prefix; the random part fills up to
/// 20 characters (nothing if the prefix is already that long).
pub fn generate_peer_id_with_prefix(prefix: &str, random: &mut impl FnMut() -> u32) -> String {
    let mut id = prefix.to_owned();
    // Uniform choice: reject the top sliver of u32 that 62 does not divide.
    // A broken source that only yields rejected values still terminates.
    const ACCEPT_BELOW: u64 = (1 << 32) / 62 * 62;
    for _ in prefix.chars().count()..PEER_ID_LENGTH {
        let mut r = random();
        for _ in 0..64 {
            if u64::from(r) < ACCEPT_BELOW {
                break;
            }
            r = random();
        }
        id.push(PEER_ID_SYMBOLS[(r % 62) as usize] as char);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(bitrate: u64, codec: &str, w: u64, h: u64, fr: Option<&str>, vr: Option<&str>) -> StreamProperties {
        StreamProperties::main_level(bitrate, Some(codec), Some(w), Some(h), fr, vr)
    }

    /// PROTOCOL.md §1.2, all seven rows of the table.
    #[test]
    fn stream_index_table() {
        let rows: Vec<(StreamProperties, &str, &str)> = vec![
            (
                level(1400000, "avc1.64001e", 854, 480, None, None),
                "1400000-avc1.64001e-854-480-----",
                "9gC9pOfKi0GReXkgGMxbH75GMTg=",
            ),
            (
                StreamProperties::main_level(0, Some("avc1.64001e"), Some(854), Some(480), Some("30"), Some("SDR")),
                "0--------",
                "UYnLxGhQilEV4D0HbCx+kRv0ZF0=",
            ),
            (
                StreamProperties::audio_track(Some("mp4a.40.2"), Some("en"), Some("2"), Some("English")),
                "0-mp4a.40.2---en-2-english--",
                "bdjQ1B4N2yrcTDHyU5j7iDGV9sY=",
            ),
            (
                StreamProperties::audio_track(Some("mp4a.40.2"), Some("und"), Some("6/JOC"), Some(" Audio ")),
                "0-mp4a.40.2----6-audio--",
                "BGyxPmQe6ZJ3asmTHTpYzYv0zfU=",
            ),
            (
                level(2500000, "avc1.66.30", 1280, 720, Some("29.970"), Some("sdr")),
                "2500000-avc1.42001e-1280-720----29.97-SDR",
                "QZXxIsvEBaTKrSJyWwwq3US1Zys=",
            ),
            (
                level(2500000, "mp4a.40.2, AVC1.4D401F", 1280, 720, Some("30.000"), None),
                "2500000-avc1.4d401f,mp4a.40.2-1280-720----30-",
                "x5ml3GQK5rl3qiCOSMcgRNuymes=",
            ),
            (
                level(2500000, "avc1.077.030", 1280, 720, None, None),
                "2500000-avc1.077.030-1280-720-----",
                "Oa5MhqpvKYBPUOmY3djmXNrU5PQ=",
            ),
        ];
        for (props, string, index) in rows {
            assert_eq!(props.property_string(), string);
            assert_eq!(props.stream_index(), index, "{string}");
            assert_eq!(props.stream_index().len(), 28);
        }
    }

    /// PROTOCOL.md §1.4 / §7, the info_hash check.
    #[test]
    fn info_hash_check() {
        let swarm = swarm_id_from_url("http://127.0.0.1:8090/media/master.m3u8?token=abc?x");
        assert_eq!(swarm, "http://127.0.0.1:8090/media/master.m3u8");
        let index = level(1400000, "avc1.64001e", 854, 480, None, None).stream_index();
        let ssid = stream_swarm_id(swarm, StreamType::Main, &index);
        assert_eq!(ssid, "v2-http://127.0.0.1:8090/media/master.m3u8-main-9gC9pOfKi0GReXkgGMxbH75GMTg=");
        assert_eq!(ssid.len(), 76);
        assert_eq!(info_hash(&ssid), "4phHtw9IMImWFGckq9fz");
        assert_eq!(super::super::hex_encode(info_hash(&ssid).as_bytes()), "34706848747739494d496d574647636b7139667a");
    }

    /// The 2.2 form, values produced by p2p-media-loader-core@2.2.2's own
    /// `getStreamHash` (nano-md5) and cross-checked with Node's MD5.
    #[test]
    fn info_hash_v2_2_matches_the_2_2_package() {
        assert_eq!(info_hash_v2_2("v2-http://127.0.0.1:8090/media/master.m3u8-main-0"), "Zc9kVTY/qMFU/IuLy3cq");
        assert_eq!(
            info_hash_v2_2("v2-https://peertube.example/static/streaming-playlists/hls/abc/abc-master.m3u8-main-1"),
            "EXKtbej1J6+xPCVBtn2D"
        );
        assert_eq!(info_hash_v2_2("v2-https://x/é日本🎉-secondary-0"), "W3XDkEFlG5DEkp2fcXY+");
        assert_eq!(info_hash_v2_2(""), "HYzZjwCyBOmACZjs+EJ+");
    }

    #[test]
    fn normalisation_details() {
        let p = |codecs: &str| StreamProperties::audio_track(Some(codecs), None, None, None).property_string();
        assert_eq!(p("avc.100.40"), "0-avc.640028-------");
        assert_eq!(p("avc1.7.300"), "0-avc1.070012c-------");
        assert_eq!(p("avc1.+66.30"), "0-avc1.+66.30-------");
        assert_eq!(p("avc1.66.30.1"), "0-avc1.66.30.1-------");
        assert_eq!(p("hvc1.1.6.L93.B0,avc1.64001f"), "0-avc1.64001f,hvc1.1.6.l93.b0-------");
        let lang = |l: &str| StreamProperties::audio_track(None, Some(l), None, None).property_string();
        assert_eq!(lang("ENG"), "0----en----");
        assert_eq!(lang("und"), "0--------");
        assert_eq!(lang(""), "0--------");
        let fr = |f: &str| level(1, "x", 1, 1, Some(f), None).property_string();
        assert_eq!(fr("abc"), "1-x-1-1-----");
        assert_eq!(fr("59.940"), "1-x-1-1----59.94-");
        assert_eq!(fr("0"), "1-x-1-1----0-");
        let missing = StreamProperties::main_level(5, None, None, None, None, Some(" pq "));
        assert_eq!(missing.property_string(), "5--------PQ");
    }

    #[test]
    fn hlsjs_video_codec_matches_hlsjs() {
        assert_eq!(hlsjs_video_codec(Some("avc1.64001f,mp4a.40.2")).as_deref(), Some("avc1.64001f"));
        assert_eq!(hlsjs_video_codec(Some("avc1.66.30, mp4a.40.2")).as_deref(), Some("avc1.42001e"));
        assert_eq!(hlsjs_video_codec(Some("avc1.077.030")).as_deref(), Some("avc1.4d001e"));
        assert_eq!(
            hlsjs_video_codec(Some("hvc1.1.6.L93.B0 avc3.4d401f")).as_deref(),
            Some("hvc1.1.6.L93.B0,avc3.4d401f")
        );
        assert_eq!(hlsjs_video_codec(Some("mp4a.40.2")), None);
        assert_eq!(hlsjs_video_codec(None), None);
        assert_eq!(hlsjs_video_codec(Some("AVC1.64001f")), None); // hls.js is case-sensitive here
    }

    #[test]
    fn peer_ids() {
        let mut state = 1u32;
        let mut rng = || {
            state = state.wrapping_mul(1664525).wrapping_add(1013904223);
            state
        };
        let a = generate_peer_id(&mut rng);
        let b = generate_peer_id(&mut rng);
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert_eq!(id.len(), 20);
            assert!(id.starts_with("-TS0001-"));
            assert!(id[8..].bytes().all(|c| c.is_ascii_alphanumeric()));
        }
        // Deterministic for a given source.
        let mut zero = || 0u32;
        assert_eq!(generate_peer_id(&mut zero), "-TS0001-AAAAAAAAAAAA");
        let mut max = || u32::MAX;
        assert_eq!(generate_peer_id(&mut max).len(), 20);
        assert_eq!(generate_peer_id_with_prefix("-PM0203-", &mut zero).len(), 20);
        assert_eq!(
            generate_peer_id_with_prefix("a-very-long-prefix-of-30-chars", &mut zero),
            "a-very-long-prefix-of-30-chars"
        );
    }
}
