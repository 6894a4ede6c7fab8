//! The looped live stream: the manifest `tubeswarm-samples` writes beside the
//! pre-made segments (`live/manifest.json`) and the sliding window the demo server
//! derives from it.
//!
//! The stream is virtual: a 240 s recording played in a loop. Media sequence
//! number `k` is file `k % n` of the `n` recorded segments, and starts at
//! `(k / n) · loop length + (start of file k % n)` on the virtual stream clock.
//! A segment is listed once it has entirely "happened". The virtual clock runs
//! `lead_ms()` ahead of the server's own elapsed time (the end of the 15th
//! segment: 60 s for 4 s segments), so the window is already full at start.
//! Everything here is a pure function of elapsed milliseconds.

use serde::{Deserialize, Serialize};

/// Segments in the live window (PeerTube: 15 × 4 s).
pub const WINDOW_SEGMENTS: usize = 15;
/// The manifest's file name inside the live folder.
pub const MANIFEST_FILE: &str = "manifest.json";

/// `live/manifest.json`: what the generator recorded, in loop order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveManifest {
    /// The init segment (`EXT-X-MAP`), relative to the live folder.
    pub init: String,
    /// `WxH`, e.g. `640x360`.
    pub resolution: String,
    /// `CODECS` for the master playlist.
    pub codecs: String,
    pub frame_rate: f64,
    /// Peak bits per second over the segments.
    pub bandwidth: u64,
    /// Mean bits per second over the whole loop.
    pub average_bandwidth: u64,
    pub segments: Vec<LiveSourceSegment>,
}

/// One recorded segment file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveSourceSegment {
    /// File name relative to the live folder, e.g. `seg007.m4s`.
    pub uri: String,
    /// Seconds, as ffmpeg's playlist gave it.
    pub duration: f64,
    /// File size in bytes.
    pub bytes: u64,
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
/// virtual clock never drifts through float sums).
#[derive(Debug, Clone)]
pub struct LiveLoop {
    manifest: LiveManifest,
    durations_ms: Vec<u64>,
    /// `ends_ms[i]`: end of file `i` measured from the start of the loop.
    ends_ms: Vec<u64>,
    period_ms: u64,
}

impl LiveLoop {
    pub fn new(manifest: LiveManifest) -> Result<Self, String> {
        if manifest.segments.is_empty() {
            return Err("the live manifest lists no segments".into());
        }
        let mut durations_ms = Vec::with_capacity(manifest.segments.len());
        let mut ends_ms = Vec::with_capacity(manifest.segments.len());
        let mut end = 0u64;
        for segment in &manifest.segments {
            if !(segment.duration.is_finite() && segment.duration > 0.0) {
                return Err(format!(
                    "segment {} has duration {}",
                    segment.uri, segment.duration
                ));
            }
            let ms = (segment.duration * 1000.0).round().max(1.0) as u64;
            durations_ms.push(ms);
            end += ms;
            ends_ms.push(end);
        }
        Ok(LiveLoop {
            manifest,
            durations_ms,
            ends_ms,
            period_ms: end,
        })
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
        let last = WINDOW_SEGMENTS as u64 - 1;
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
        let first = completed.saturating_sub(WINDOW_SEGMENTS as u64);
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
        LiveWindow {
            media_sequence: first,
            discontinuity_sequence,
            segments,
        }
    }

    /// `EXT-X-TARGETDURATION`: every EXTINF rounded to the nearest second fits.
    pub fn target_duration(&self) -> u64 {
        self.durations_ms
            .iter()
            .map(|ms| (ms + 500) / 1000)
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// The live media playlist `elapsed_ms` after a server start at
    /// `server_start_epoch_ms` (wall clock, for `EXT-X-PROGRAM-DATE-TIME`).
    pub fn playlist(&self, elapsed_ms: u64, server_start_epoch_ms: i64) -> String {
        let window = self.window(elapsed_ms);
        let stream_start_epoch_ms = server_start_epoch_ms - self.lead_ms() as i64;
        let mut out = String::with_capacity(200 + window.segments.len() * 100);
        out.push_str("#EXTM3U\n#EXT-X-VERSION:7\n");
        out.push_str(&format!(
            "#EXT-X-TARGETDURATION:{}\n",
            self.target_duration()
        ));
        out.push_str(&format!(
            "#EXT-X-MEDIA-SEQUENCE:{}\n",
            window.media_sequence
        ));
        out.push_str(&format!(
            "#EXT-X-DISCONTINUITY-SEQUENCE:{}\n",
            window.discontinuity_sequence
        ));
        out.push_str("#EXT-X-INDEPENDENT-SEGMENTS\n");
        out.push_str(&format!("#EXT-X-MAP:URI=\"{}\"\n", self.manifest.init));
        for segment in &window.segments {
            if segment.discontinuity {
                out.push_str("#EXT-X-DISCONTINUITY\n");
            }
            let pdt = stream_start_epoch_ms + segment.start_ms as i64;
            out.push_str(&format!(
                "#EXT-X-PROGRAM-DATE-TIME:{}\n",
                format_rfc3339_ms(pdt)
            ));
            out.push_str(&format!(
                "#EXTINF:{}.{:03},\n{}\n",
                segment.duration_ms / 1000,
                segment.duration_ms % 1000,
                self.manifest.segments[segment.file_index].uri
            ));
        }
        out
    }

    /// The live master playlist: one variant, the live media playlist.
    pub fn master(&self, media_playlist_uri: &str) -> String {
        let m = &self.manifest;
        format!(
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n\
             #EXT-X-STREAM-INF:BANDWIDTH={},AVERAGE-BANDWIDTH={},RESOLUTION={},FRAME-RATE={:.3},CODECS=\"{}\"\n{}\n",
            m.bandwidth, m.average_bandwidth, m.resolution, m.frame_rate, m.codecs, media_playlist_uri
        )
    }
}

/// `2024-05-01T12:34:56.789Z` for milliseconds since the Unix epoch (UTC).
pub fn format_rfc3339_ms(epoch_ms: i64) -> String {
    let secs = epoch_ms.div_euclid(1000);
    let ms = epoch_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
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
mod tests {
    use super::*;

    /// `n` recorded segments of 4 s each, like the real sample.
    pub(crate) fn manifest(n: usize) -> LiveManifest {
        LiveManifest {
            init: "init.mp4".into(),
            resolution: "640x360".into(),
            codecs: "avc1.4d401f,mp4a.40.2".into(),
            frame_rate: 25.0,
            bandwidth: 900_000,
            average_bandwidth: 850_000,
            segments: (0..n)
                .map(|i| LiveSourceSegment {
                    uri: format!("seg{i:03}.m4s"),
                    duration: 4.0,
                    bytes: 400_000,
                })
                .collect(),
        }
    }

    #[test]
    fn window_is_full_at_start_and_slides_every_segment() {
        let live = LiveLoop::new(manifest(60)).unwrap();
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
    fn wrap_is_marked_and_counted() {
        let live = LiveLoop::new(manifest(60)).unwrap();
        // Sequence 60 (file 0 again) ends at virtual 244 s = elapsed 184 s.
        let before = live.window(183_999);
        assert!(before.segments.iter().all(|s| !s.discontinuity));
        let w = live.window(184_000);
        let last = w.segments.last().unwrap();
        assert_eq!(
            (last.sequence, last.file_index, last.discontinuity),
            (60, 0, true)
        );
        assert_eq!(w.discontinuity_sequence, 0);
        // While sequence 60 is first in the window its tag is still written.
        let w = live.window(240_000);
        assert_eq!(w.media_sequence, 60);
        assert!(w.segments[0].discontinuity);
        assert_eq!(w.discontinuity_sequence, 0);
        // Then it slides out and is counted.
        let w = live.window(244_000);
        assert_eq!(w.media_sequence, 61);
        assert!(w.segments.iter().all(|s| !s.discontinuity));
        assert_eq!(w.discontinuity_sequence, 1);
        // Third pass.
        let w = live.window(424_000);
        assert_eq!(w.segments.last().unwrap().sequence, 120);
        assert!(w.segments.last().unwrap().discontinuity);
        assert_eq!(w.discontinuity_sequence, 1);
        assert_eq!(live.start_ms(120), 480_000);
    }

    #[test]
    fn uneven_durations_keep_exact_timing() {
        let mut m = manifest(3);
        m.segments[0].duration = 4.011;
        m.segments[1].duration = 3.989;
        m.segments[2].duration = 2.0;
        let live = LiveLoop::new(m).unwrap();
        assert_eq!(live.period_ms(), 10_000);
        assert_eq!(live.start_ms(4), 14_011);
        // Window of 15 over a 3-file loop: each file repeats, one tag per pass.
        let w = live.window(0);
        assert_eq!(w.segments.len(), WINDOW_SEGMENTS);
        let tagged: Vec<u64> = w
            .segments
            .iter()
            .filter(|s| s.discontinuity)
            .map(|s| s.sequence)
            .collect();
        assert_eq!(tagged, vec![3, 6, 9, 12]);
    }

    #[test]
    fn playlist_text() {
        let live = LiveLoop::new(manifest(60)).unwrap();
        let start = 1_700_000_000_000; // 2023-11-14T22:13:20Z
        let text = live.playlist(4_000, start);
        assert!(text.starts_with("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n"));
        assert!(text.contains("#EXT-X-MAP:URI=\"init.mp4\"\n"));
        assert!(!text.contains("ENDLIST"));
        assert_eq!(text.matches("#EXTINF:4.000,\n").count(), 15);
        // Segment 1 started 4 s into a stream that began 60 s before the server.
        assert!(text.contains(
            "#EXT-X-PROGRAM-DATE-TIME:2023-11-14T22:12:24.000Z\n#EXTINF:4.000,\nseg001.m4s\n"
        ));
    }

    #[test]
    fn dates() {
        assert_eq!(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_rfc3339_ms(951_782_400_123),
            "2000-02-29T00:00:00.123Z"
        );
        assert_eq!(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
    }
}
