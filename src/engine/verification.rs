//! Checking every segment against the segments-sha256 map before it is used,
//! including the lagging map of a live stream.

use super::*;

/// A live segment waiting for the hash map to list it.
#[derive(Debug, Clone)]
pub(crate) struct HeldSegment {
    pub(super) from: HeldFrom,
    pub(super) level: Option<usize>,
    pub(super) segment: Segment,
    pub(super) body: Arc<[u8]>,
}

/// Where a held segment came from (what to do if it never shows in the map).
#[derive(Debug, Clone)]
pub(crate) enum HeldFrom {
    /// Over HTTP: played unverified if the map is still silent when it is needed.
    Http(Request),
    /// From a peer: never played unverified; HTTP serves it instead.
    Peer { conn: ConnId },
}

/// How often a lagging live hash map is fetched again while a segment waits.
const HASH_MAP_RETRY_MS: u64 = 1_000;
/// A waiting segment is played unverified once the playhead is this close to it:
/// waiting longer would stall playback.
const HELD_SEGMENT_MARGIN_S: f64 = 3.0;

/// The map of segment hashes, when the page gave one.
#[derive(Debug)]
pub(crate) enum Hashes {
    NotConfigured,
    Loading,
    Loaded(SegmentHashes),
    /// It could not be fetched or read: segments play from HTTP unverified.
    Unavailable,
}

impl Engine {
    pub(super) fn on_hashes(&mut self, now_ms: u64, body: &[u8]) {
        match SegmentHashes::from_json_bytes(body) {
            Ok(map) => {
                if !map.malformed().is_empty() {
                    let message = format!("{} entries of the segment hash map are malformed and were skipped", map.malformed().len());
                    self.emit(Event::Error { kind: ErrorKind::Integrity, fatal: false, message });
                }
                self.hashes = Hashes::Loaded(map);
                self.recheck_held_segments(now_ms);
                self.schedule(now_ms);
            }
            Err(e) if matches!(self.hashes, Hashes::Loaded(_)) => {
                // A bad refresh keeps the map we had.
                self.emit(Event::Error { kind: ErrorKind::Integrity, fatal: false, message: format!("segment hash map refresh: {e}") });
            }
            Err(e) => self.hashes_unavailable(now_ms, format!("segment hash map: {e}")),
        }
    }

    /// Without a usable map, HTTP still plays (the origin serves the map too, so it
    /// is no less trusted than the map), but nothing is marked verified.
    pub(super) fn hashes_unavailable(&mut self, now_ms: u64, reason: String) {
        if matches!(self.hashes, Hashes::Loaded(_)) {
            return;
        }
        self.hashes = Hashes::Unavailable;
        let message = format!("{reason}; segments play unverified");
        self.emit(Event::Error { kind: ErrorKind::Integrity, fatal: false, message });
        self.schedule(now_ms);
    }

    pub(super) fn verify(&self, segment: &Segment, bytes: &[u8]) -> Verdict {
        match &self.hashes {
            Hashes::Loaded(map) => map.verify(&segment.resource.url, segment.resource.range, bytes),
            _ => Verdict::Unknown,
        }
    }

    /// Whether a segment the map does not list yet is worth waiting for: a live
    /// stream (whose map lags), a map we have, and time before it must play.
    pub(super) fn map_may_catch_up(&self, segment: &Segment) -> bool {
        let live = self.playlist_for(Track::Main).is_some_and(|p| p.is_live());
        let position = self.pending_seek.unwrap_or(self.playhead.time);
        live && matches!(self.hashes, Hashes::Loaded(_)) && segment.start > position + HELD_SEGMENT_MARGIN_S
    }

    /// Fetch the map again now, unless a fetch is under way.
    pub(super) fn refetch_hashes(&mut self, now_ms: u64) {
        let Some(url) = self.config.segment_hashes_url.clone() else { return };
        if self.requests.active.values().any(|r| r.purpose == Purpose::Hashes) {
            return;
        }
        self.hashes_retry_at = None;
        self.fetch(Purpose::Hashes, Resource { url, range: None }, Vec::new(), 0, now_ms);
    }

    /// After a map arrived, or as the playhead nears them: check held segments
    /// again. Listed now: verified. Still missing and needed soon: played
    /// unverified (never shared). Otherwise: wait and ask again.
    pub(super) fn recheck_held_segments(&mut self, now_ms: u64) {
        let held: Vec<(usize, HeldSegment)> =
            self.tracks.iter_mut().enumerate().filter_map(|(i, t)| t.held_for_map.take().map(|h| (i, h))).collect();
        let mut waiting = false;
        for (i, h) in held {
            let track = self.tracks[i].track;
            match self.verify(&h.segment, &h.body) {
                Verdict::Unknown if self.map_may_catch_up(&h.segment) => {
                    self.tracks[i].held_for_map = Some(h);
                    waiting = true;
                }
                _ => match h.from {
                    HeldFrom::Http(req) => self.on_segment(now_ms, req, track, h.level, &h.segment, h.body),
                    HeldFrom::Peer { conn } => self.on_peer_bytes(now_ms, track, conn, &h.segment, h.body, false),
                },
            }
        }
        if waiting && self.hashes_retry_at.is_none() {
            self.hashes_retry_at = Some(now_ms + HASH_MAP_RETRY_MS);
        }
    }
}
