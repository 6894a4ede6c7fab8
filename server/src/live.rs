//! The demo's live streams, as PeerTube makes them: MPEG-TS segments named
//! `<variant>-<000123>.ts`, one media playlist per variant (`<variant>.m3u8`)
//! with `EXT-X-PROGRAM-DATE-TIME` on every segment, ffmpeg's master playlist,
//! and PeerTube's flat live hash map `segments-sha256.json`, rewritten as the
//! window moves.
//!
//! The bytes are what ffmpeg's HLS muxer wrote, with PeerTube's live options,
//! once at set-up (`tubeswarm-samples`: a 240 s recording in `live/src/`): on two
//! cores, encoding two renditions in real time beside the tests is not an option.
//! The stream is that recording played in a loop: media sequence `k` is file
//! `k % n` of the `n` recorded segments, and starts at `(k / n) · loop length +
//! (start of file k % n)` on the virtual stream clock. Each pass restarts the
//! timestamps (a new encoder run), so each wrap is an `EXT-X-DISCONTINUITY`, as
//! when a streamer reconnects. A segment is listed once it has entirely
//! "happened"; the virtual clock runs [`LiveLoop::lead_ms`] ahead of the server's
//! own (the end of the window's last segment), so the window is full at start.
//! Everything here is a pure function of elapsed milliseconds.
//!
//! Two windows are served from the same recording: PeerTube's usual 15 segments,
//! and an hour (900 segments), as PeerTube 8.2's DVR keeps.

use serde::{Deserialize, Serialize};

/// Segments in PeerTube's live window (`hls_list_size` 15).
pub const WINDOW_SEGMENTS: usize = 15;
/// PeerTube 8.2's DVR window: an hour of 4 s segments.
pub const DVR_WINDOW_SEGMENTS: usize = 900;
/// The manifest's file name inside the live folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The recording ffmpeg wrote (its own VOD playlists included: the TS VOD sample).
pub const SOURCE_DIR: &str = "src";
/// PeerTube's live hash map name (fixed on lives).
pub const HASHES_FILE: &str = "segments-sha256.json";

/// `live/manifest.json`: what the generator recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveManifest {
    /// ffmpeg's master playlist (`-master_pl_name`), variants named `<v>.m3u8`.
    pub master: String,
    /// The variants, in master order; all cut at the same times.
    pub variants: Vec<LiveVariant>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveVariant {
    /// `%v`: "0", "1", …
    pub name: String,
    pub segments: Vec<LiveSourceSegment>,
}

/// One recorded segment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveSourceSegment {
    /// Seconds, as ffmpeg's playlist gave it.
    pub duration: f64,
    /// File size in bytes.
    pub bytes: u64,
    /// SHA-256 of the file, lowercase hex (PeerTube's hash map entry).
    pub sha256: String,
}

/// `<variant>-<sequence:06>.ts`: PeerTube's (and ffmpeg's `%v-%06d.ts`) segment name.
pub fn segment_name(variant: &str, sequence: u64) -> String {
    format!("{variant}-{sequence:06}.ts")
}

/// The name of a served segment split back into (variant, sequence).
pub fn parse_segment_name(name: &str) -> Option<(&str, u64)> {
    let (variant, number) = name.strip_suffix(".ts")?.rsplit_once('-')?;
    if variant.is_empty() || number.len() < 6 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((variant, number.parse().ok()?))
}

/// One segment of the live window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSegment {
    /// Media sequence number.
    pub sequence: u64,
    /// Index of the recorded file it plays (`sequence % n`).
    pub file_index: usize,
    /// Start on the virtual stream clock (0 = when the stream "began").
    pub start_ms: u64,
    pub duration_ms: u64,
    /// The loop wraps just before this segment: `EXT-X-DISCONTINUITY`.
    pub discontinuity: bool,
}

/// The live playlist's content at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveWindow {
    pub media_sequence: u64,
    /// Discontinuity tags that have slid out of the window so far.
    pub discontinuity_sequence: u64,
    pub segments: Vec<WindowSegment>,
}

/// The recorded loop, with its timing precomputed in whole milliseconds (so the
/// virtual clock never drifts through float sums), seen through a window of
/// `window` segments.
#[derive(Debug, Clone)]
pub struct LiveLoop {
    manifest: LiveManifest,
    window: usize,
    durations_ms: Vec<u64>,
    /// `ends_ms[i]`: end of file `i` measured from the start of the loop.
    ends_ms: Vec<u64>,
    period_ms: u64,
}

impl LiveLoop {
    pub fn new(manifest: LiveManifest, window: usize) -> Result<Self, String> {
        let first = manifest.variants.first().ok_or("the live manifest lists no variant")?;
        if first.segments.is_empty() {
            return Err("the live manifest lists no segments".into());
        }
        if let Some(v) = manifest.variants.iter().find(|v| v.segments.len() != first.segments.len()) {
            return Err(format!("variant {} has {} segments, variant {} has {}", v.name, v.segments.len(), first.name, first.segments.len()));
        }
        let mut durations_ms = Vec::with_capacity(first.segments.len());
        let mut ends_ms = Vec::with_capacity(first.segments.len());
        let mut end = 0u64;
        for (i, segment) in first.segments.iter().enumerate() {
            if !(segment.duration.is_finite() && segment.duration > 0.0) {
                return Err(format!("segment {i} has duration {}", segment.duration));
            }
            let ms = (segment.duration * 1000.0).round().max(1.0) as u64;
            durations_ms.push(ms);
            end += ms;
            ends_ms.push(end);
        }
        Ok(LiveLoop { manifest, window: window.max(1), durations_ms, ends_ms, period_ms: end })
    }

    pub fn manifest(&self) -> &LiveManifest {
        &self.manifest
    }

    /// Length of one pass over the recording.
    pub fn period_ms(&self) -> u64 {
        self.period_ms
    }

    fn files(&self) -> u64 {
        self.durations_ms.len() as u64
    }

    /// Start of media sequence `k` on the virtual stream clock.
    pub fn start_ms(&self, k: u64) -> u64 {
        let i = (k % self.files()) as usize;
        (k / self.files()) * self.period_ms + self.ends_ms[i] - self.durations_ms[i]
    }

    pub fn duration_ms(&self, k: u64) -> u64 {
        self.durations_ms[(k % self.files()) as usize]
    }

    /// How long the stream pretends to have been running when the server starts:
    /// the end of the window's last segment, so the first playlist is full.
    pub fn lead_ms(&self) -> u64 {
        let last = self.window as u64 - 1;
        self.start_ms(last) + self.duration_ms(last)
    }

    /// Segments that have entirely happened by virtual time `t_ms`.
    fn completed_by(&self, t_ms: u64) -> u64 {
        let loops = t_ms / self.period_ms;
        let rest = t_ms % self.period_ms;
        loops * self.files() + self.ends_ms.partition_point(|&end| end <= rest) as u64
    }

    /// The window `elapsed_ms` after the server started.
    pub fn window(&self, elapsed_ms: u64) -> LiveWindow {
        let completed = self.completed_by(elapsed_ms + self.lead_ms());
        let first = completed.saturating_sub(self.window as u64);
        let n = self.files();
        let segments = (first..completed)
            .map(|k| WindowSegment {
                sequence: k,
                file_index: (k % n) as usize,
                start_ms: self.start_ms(k),
                duration_ms: self.duration_ms(k),
                discontinuity: k > 0 && k % n == 0,
            })
            .collect();
        // Tags before `first` (at k = n, 2n, …) are gone from the playlist; a tag on
        // `first` itself is still written, so it is not counted yet.
        let discontinuity_sequence = if first == 0 { 0 } else { (first - 1) / n };
        LiveWindow { media_sequence: first, discontinuity_sequence, segments }
    }

    /// `EXT-X-TARGETDURATION`: every EXTINF rounded to the nearest second fits.
    pub fn target_duration(&self) -> u64 {
        self.durations_ms.iter().map(|ms| (ms + 500) / 1000).max().unwrap_or(1).max(1)
    }

    fn variant(&self, name: &str) -> Option<&LiveVariant> {
        self.manifest.variants.iter().find(|v| v.name == name)
    }

    /// Variant `name`'s live media playlist `elapsed_ms` after a server start at
    /// `server_start_epoch_ms` (wall clock, for `EXT-X-PROGRAM-DATE-TIME`), laid
    /// out as ffmpeg's HLS muxer writes it; `None` for an unknown variant.
    pub fn playlist(&self, name: &str, elapsed_ms: u64, server_start_epoch_ms: i64) -> Option<String> {
        self.variant(name)?;
        let window = self.window(elapsed_ms);
        let stream_start_epoch_ms = server_start_epoch_ms - self.lead_ms() as i64;
        let mut out = String::with_capacity(200 + window.segments.len() * 80);
        out.push_str("#EXTM3U\n#EXT-X-VERSION:6\n");
        out.push_str(&format!("#EXT-X-TARGETDURATION:{}\n", self.target_duration()));
        out.push_str(&format!("#EXT-X-MEDIA-SEQUENCE:{}\n", window.media_sequence));
        if window.discontinuity_sequence > 0 {
            out.push_str(&format!("#EXT-X-DISCONTINUITY-SEQUENCE:{}\n", window.discontinuity_sequence));
        }
        out.push_str("#EXT-X-INDEPENDENT-SEGMENTS\n");
        for segment in &window.segments {
            if segment.discontinuity {
                out.push_str("#EXT-X-DISCONTINUITY\n");
            }
            let pdt = stream_start_epoch_ms + segment.start_ms as i64;
            out.push_str(&format!(
                "#EXTINF:{}.{:03}000,\n#EXT-X-PROGRAM-DATE-TIME:{}\n{}\n",
                segment.duration_ms / 1000,
                segment.duration_ms % 1000,
                format_rfc3339_ms(pdt),
                segment_name(name, segment.sequence)
            ));
        }
        Some(out)
    }

    /// The recorded file behind a served segment name (`None`: not in the window
    /// now, or no such variant): the file name in `live/src/`.
    pub fn source_file(&self, name: &str, elapsed_ms: u64) -> Option<String> {
        let (variant, sequence) = parse_segment_name(name)?;
        self.variant(variant)?;
        let window = self.window(elapsed_ms);
        let listed = window.segments.iter().find(|s| s.sequence == sequence)?;
        Some(segment_name(variant, listed.file_index as u64))
    }

    /// PeerTube's live hash map for the window now: `{"<v>-<000123>.ts": "<sha256>"}`
    /// for every variant's listed segments (written as segments appear and go).
    pub fn hashes(&self, elapsed_ms: u64) -> String {
        let window = self.window(elapsed_ms);
        let mut map = serde_json::Map::new();
        for variant in &self.manifest.variants {
            for s in &window.segments {
                let sha = &variant.segments[s.file_index].sha256;
                map.insert(segment_name(&variant.name, s.sequence), serde_json::Value::from(sha.as_str()));
            }
        }
        serde_json::Value::Object(map).to_string()
    }
}

/// `2024-05-01T12:34:56.789+0000` for milliseconds since the Unix epoch (UTC),
/// as ffmpeg's HLS muxer writes `EXT-X-PROGRAM-DATE-TIME`.
pub fn format_rfc3339_ms(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let ms = epoch_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}+0000", of_day / 3600, of_day % 3600 / 60, of_day % 60)
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `n` recorded segments of 4 s each in two variants, like the real sample.
    pub(crate) fn manifest(n: usize) -> LiveManifest {
        let variant = |name: &str| LiveVariant {
            name: name.into(),
            segments: (0..n).map(|i| LiveSourceSegment { duration: 4.0, bytes: 400_000, sha256: format!("{name}{i:063}") }).collect(),
        };
        LiveManifest { master: "#EXTM3U\n".into(), variants: vec![variant("0"), variant("1")] }
    }

    #[test]
    fn window_is_full_at_start_and_slides_every_segment() {
        let live = LiveLoop::new(manifest(60), WINDOW_SEGMENTS).unwrap();
        assert_eq!(live.lead_ms(), 60_000);
        let w = live.window(0);
        assert_eq!(w.media_sequence, 0);
        assert_eq!(w.segments.len(), WINDOW_SEGMENTS);
        assert_eq!(w.segments.last().unwrap().sequence, 14);
        assert_eq!(live.window(3_999).media_sequence, 0);
        assert_eq!(live.window(4_000).media_sequence, 1);
        assert_eq!(live.window(40_000).media_sequence, 10);
        assert_eq!(live.window(40_000).segments.len(), WINDOW_SEGMENTS);
    }

    #[test]
    fn a_dvr_window_holds_an_hour_of_passes_with_a_tag_per_pass() {
        let live = LiveLoop::new(manifest(60), DVR_WINDOW_SEGMENTS).unwrap();
        assert_eq!(live.lead_ms(), 3_600_000);
        let w = live.window(0);
        assert_eq!(w.segments.len(), 900);
        assert_eq!(w.segments.iter().filter(|s| s.discontinuity).count(), 14);
        let text = live.playlist("0", 0, 1_700_000_000_000).unwrap();
        assert_eq!(text.matches("#EXTINF:").count(), 900);
        assert_eq!(text.matches("#EXT-X-DISCONTINUITY\n").count(), 14);
    }

    #[test]
    fn wrap_is_marked_and_counted() {
        let live = LiveLoop::new(manifest(60), WINDOW_SEGMENTS).unwrap();
        // Sequence 60 (file 0 again) ends at virtual 244 s = elapsed 184 s.
        let before = live.window(183_999);
        assert!(before.segments.iter().all(|s| !s.discontinuity));
        let w = live.window(184_000);
        let last = w.segments.last().unwrap();
        assert_eq!((last.sequence, last.file_index, last.discontinuity), (60, 0, true));
        assert_eq!(w.discontinuity_sequence, 0);
        let w = live.window(240_000);
        assert_eq!(w.media_sequence, 60);
        assert!(w.segments[0].discontinuity);
        assert_eq!(w.discontinuity_sequence, 0);
        let w = live.window(244_000);
        assert_eq!(w.media_sequence, 61);
        assert!(w.segments.iter().all(|s| !s.discontinuity));
        assert_eq!(w.discontinuity_sequence, 1);
        assert_eq!(live.start_ms(120), 480_000);
    }

    #[test]
    fn uneven_durations_keep_exact_timing() {
        let mut m = manifest(3);
        for v in &mut m.variants {
            v.segments[0].duration = 4.011;
            v.segments[1].duration = 3.989;
            v.segments[2].duration = 2.0;
        }
        let live = LiveLoop::new(m, WINDOW_SEGMENTS).unwrap();
        assert_eq!(live.period_ms(), 10_000);
        assert_eq!(live.start_ms(4), 14_011);
        let tagged: Vec<u64> = live.window(0).segments.iter().filter(|s| s.discontinuity).map(|s| s.sequence).collect();
        assert_eq!(tagged, vec![3, 6, 9, 12]);
    }

    #[test]
    fn playlist_text_as_ffmpeg_writes_it() {
        let live = LiveLoop::new(manifest(60), WINDOW_SEGMENTS).unwrap();
        let start = 1_700_000_000_000; // 2023-11-14T22:13:20Z
        let text = live.playlist("1", 4_000, start).unwrap();
        assert!(text.starts_with("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-INDEPENDENT-SEGMENTS\n"));
        assert!(!text.contains("EXT-X-MAP") && !text.contains("ENDLIST"));
        assert_eq!(text.matches("#EXTINF:4.000000,\n").count(), 15);
        // Segment 1 started 4 s into a stream that began 60 s before the server.
        assert!(text.contains("#EXTINF:4.000000,\n#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:12:24.000+0000\n1-000001.ts\n"));
        assert_eq!(live.playlist("7", 0, start), None);
    }

    #[test]
    fn served_names_map_to_recorded_files_and_the_hash_map_follows_the_window() {
        let live = LiveLoop::new(manifest(60), WINDOW_SEGMENTS).unwrap();
        // 200 s after start: sequences 50..=64 listed (64 is file 4 of the second pass).
        assert_eq!(live.source_file("0-000064.ts", 200_000).as_deref(), Some("0-000004.ts"));
        assert_eq!(live.source_file("1-000050.ts", 200_000).as_deref(), Some("1-000050.ts"));
        assert_eq!(live.source_file("0-000049.ts", 200_000), None, "deleted: out of the window");
        assert_eq!(live.source_file("0-000065.ts", 200_000), None, "not yet made");
        assert_eq!(live.source_file("9-000050.ts", 200_000), None);
        assert_eq!(live.source_file("nope.ts", 200_000), None);
        let map: serde_json::Value = serde_json::from_str(&live.hashes(200_000)).unwrap();
        let map = map.as_object().unwrap();
        assert_eq!(map.len(), 30, "15 segments × 2 variants");
        assert_eq!(map["0-000064.ts"], format!("0{:063}", 4));
        assert!(!map.contains_key("0-000049.ts"));
        assert_eq!(parse_segment_name("0-000123.ts"), Some(("0", 123)));
        assert_eq!(parse_segment_name("a-b-1234567.ts"), Some(("a-b", 1_234_567)));
        assert_eq!(parse_segment_name("0-12.ts"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000+0000");
        assert_eq!(format_rfc3339_ms(951_782_400_123), "2000-02-29T00:00:00.123+0000");
        assert_eq!(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999+0000");
    }
}
