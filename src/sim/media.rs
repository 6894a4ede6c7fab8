//! A media element with SourceBuffers that read the simulator's synthetic
//! segments (`seg <start> <duration> <level>` + padding).

use std::collections::BTreeMap;

use crate::engine::{TimeRange, Track};

/// Init segments in the simulator are these bytes.
pub const INIT: &[u8] = b"init";

/// A synthetic media segment: the header the fake SourceBuffer reads
/// (`seg <start> <duration> <level>`), padded with `.` to `bytes`.
pub fn segment_body(start: f64, duration: f64, level: &str, bytes: usize) -> Vec<u8> {
    let mut body = format!("seg {start} {duration} {level}\n").into_bytes();
    body.resize(bytes.max(body.len()), b'.');
    body
}

#[derive(Debug, Default)]
pub struct FakeMedia {
    pub tracks: Vec<(Track, String)>,
    pub sequence_mode: bool,
    buffered: BTreeMap<Track, Vec<TimeRange>>,
    /// `currentTime`.
    pub time: f64,
    pub ended: bool,
    /// (track, level, start) of every media segment appended, in order.
    pub appended: Vec<(Track, String, f64)>,
}

impl FakeMedia {
    pub fn setup(&mut self, tracks: Vec<(Track, String)>, sequence_mode: bool) {
        self.tracks = tracks;
        self.sequence_mode = sequence_mode;
        self.buffered.clear();
        self.time = 0.0;
        self.ended = false;
    }

    /// Append; returns the track's buffered ranges after it. Panics on a
    /// corrupted segment: none may ever reach a SourceBuffer.
    pub fn append(&mut self, track: Track, data: &[u8], offset: Option<f64>) -> Vec<TimeRange> {
        if data != INIT {
            assert!(!data.contains(&b','), "a corrupted segment reached the SourceBuffer");
            let text = String::from_utf8_lossy(&data[..data.len().min(64)]).to_string();
            let mut parts = text.split_whitespace();
            assert_eq!(parts.next(), Some("seg"), "a media segment, not {text:?}");
            let start: f64 = parts.next().and_then(|p| p.parse().ok()).expect("start");
            let duration: f64 = parts.next().and_then(|p| p.parse().ok()).expect("duration");
            let level = parts.next().unwrap_or("?").to_string();
            let start = if self.sequence_mode { offset.expect("live appends carry their offset") } else { start };
            // Real media ends a little before its EXTINF says.
            let ranges = self.buffered.entry(track).or_default();
            ranges.push(TimeRange { start, end: start + duration - 0.02 });
            merge_ranges(ranges);
            self.appended.push((track, level, start));
            self.ended = false;
        }
        self.buffered.get(&track).cloned().unwrap_or_default()
    }

    pub fn remove(&mut self, track: Track, start: f64, end: f64) -> Vec<TimeRange> {
        // MSE: remove() on an ended MediaSource opens it again (its readyState
        // goes back to "open"): the element no longer plays to the end.
        self.ended = false;
        let ranges = self.buffered.entry(track).or_default();
        let mut kept = Vec::new();
        for r in ranges.drain(..) {
            if r.start < start {
                kept.push(TimeRange { start: r.start, end: r.end.min(start) });
            }
            if r.end > end {
                kept.push(TimeRange { start: r.start.max(end), end: r.end });
            }
        }
        *ranges = kept;
        ranges.clone()
    }

    pub fn buffered(&self) -> Vec<(Track, Vec<TimeRange>)> {
        self.buffered.iter().map(|(t, r)| (*t, r.clone())).collect()
    }

    /// Every track has data at the playhead.
    pub fn playable(&self) -> bool {
        !self.tracks.is_empty()
            && self.tracks.iter().all(|(track, _)| {
                self.buffered.get(track).is_some_and(|rs| rs.iter().any(|r| r.start - 0.1 <= self.time && self.time < r.end))
            })
    }
}

/// Sorts `ranges` and merges those that touch (gaps up to 0.05 s), as a
/// SourceBuffer's `buffered` reports them.
pub fn merge_ranges(ranges: &mut Vec<TimeRange>) {
    ranges.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut merged: Vec<TimeRange> = Vec::new();
    for r in ranges.drain(..) {
        match merged.last_mut() {
            Some(m) if r.start <= m.end + 0.05 => m.end = m.end.max(r.end),
            _ => merged.push(r),
        }
    }
    *ranges = merged;
}
