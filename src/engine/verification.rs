//! Checking every segment against the segments-sha256 map before it is used,
//! including the lagging map of a live stream.
//!
//! A segment's bytes are hashed first, here (`sha2`, native tools and tests) or
//! by the host when `Config::host_hashes` (the browser's WebCrypto, off the main
//! thread: `Output::Hash`, answered by `Input::Hashed`); meanwhile the bytes wait
//! here and the track loads nothing else. The verdict, from the digest and the
//! map, then decides as before: appended and shared, held for a lagging live
//! map, or thrown away and fetched elsewhere.

use super::*;
use crate::integrity::{sha256, Sha256Digest};

/// Where a segment came from (what a verdict does with it).
#[derive(Debug, Clone)]
pub(crate) enum Arrival {
    /// Over HTTP: played unverified if a live map stays silent until it is needed.
    Http { req: Request, level: Option<usize> },
    /// From a peer: never played unverified (HTTP serves it instead); `may_hold`:
    /// it may wait for a lagging live map; `also_from`: peer ids that sent its
    /// first bytes (a resumed transfer), dropped with `conn` if the hash fails.
    Peer { conn: ConnId, may_hold: bool, also_from: Vec<String> },
}

/// A segment whose bytes the host is hashing.
#[derive(Debug, Clone)]
pub(crate) struct Checking {
    track: Track,
    segment: Segment,
    body: Arc<[u8]>,
    arrival: Arrival,
}

/// A live segment waiting for the hash map to list it (its digest kept).
#[derive(Debug, Clone)]
pub(crate) struct HeldSegment {
    pub(super) from: Arrival,
    pub(super) segment: Segment,
    pub(super) body: Arc<[u8]>,
    pub(super) digest: Sha256Digest,
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

    fn verdict(&self, segment: &Segment, digest: Option<&Sha256Digest>) -> Verdict {
        match (&self.hashes, digest) {
            (Hashes::Loaded(map), Some(d)) => map.verdict(&segment.resource.url, segment.resource.range, d),
            _ => Verdict::Unknown,
        }
    }

    /// Judge a segment's bytes: hashed (here, or by the host), then the verdict.
    /// Without a map there is nothing to compare with, and no hashing.
    pub(super) fn check(&mut self, now_ms: u64, track: Track, segment: Segment, body: Arc<[u8]>, arrival: Arrival) {
        if !matches!(self.hashes, Hashes::Loaded(_)) {
            return self.judge(now_ms, track, &segment, body, arrival, None);
        }
        // The wasm build always asks its host (WebCrypto, or the tools module's
        // SHA-256 on a page without it): sha2 stays out of the player's module.
        if !self.config.host_hashes && cfg!(not(target_arch = "wasm32")) {
            let digest = sha256(&body);
            return self.judge(now_ms, track, &segment, body, arrival, Some(digest));
        }
        let id = self.next_hash_id;
        self.next_hash_id += 1;
        let Some(t) = self.track_mut(track) else { return };
        t.checking = Some(id);
        self.outputs.push_back(Output::Hash { id, data: body.clone() });
        self.checking.insert(id, Checking { track, segment, body, arrival });
    }

    /// The host's digest: judge the segment, unless its track started over meanwhile.
    pub(super) fn on_hashed(&mut self, now_ms: u64, id: HashId, digest: Sha256Digest) {
        let Some(c) = self.checking.remove(&id) else { return };
        let Some(t) = self.track_mut(c.track).filter(|t| t.checking == Some(id)) else { return };
        t.checking = None;
        self.judge(now_ms, c.track, &c.segment, c.body, c.arrival, Some(digest));
    }

    fn judge(&mut self, now_ms: u64, track: Track, segment: &Segment, body: Arc<[u8]>, arrival: Arrival, digest: Option<Sha256Digest>) {
        let verdict = self.verdict(segment, digest.as_ref());
        match arrival {
            Arrival::Http { req, level } => self.judge_http(now_ms, req, track, level, segment, body, verdict, digest),
            Arrival::Peer { conn, may_hold, also_from } => self.judge_peer(now_ms, track, (conn, also_from), segment, body, may_hold, verdict, digest),
        }
    }

    /// Hold a segment for a fresher live map, and ask for one.
    fn hold(&mut self, now_ms: u64, track: Track, from: Arrival, segment: &Segment, body: Arc<[u8]>, digest: Option<Sha256Digest>) {
        let Some(digest) = digest else { return };
        if let Some(t) = self.track_mut(track) {
            t.held_for_map = Some(HeldSegment { from, segment: segment.clone(), body, digest });
        }
        self.refetch_hashes(now_ms);
    }

    #[allow(clippy::too_many_arguments)]
    fn judge_http(&mut self, now_ms: u64, req: Request, track: Track, level: Option<usize>, segment: &Segment, body: Arc<[u8]>, verdict: Verdict, digest: Option<Sha256Digest>) {
        if self.phase != Phase::Playing || self.track_mut(track).is_none() {
            return;
        }
        let verified = match verdict {
            Verdict::Valid => true,
            Verdict::Unknown if self.map_may_catch_up(segment) => {
                // PeerTube rewrites a live map as segments appear, so it lags the
                // playlist: hold the segment and ask for the map again.
                return self.hold(now_ms, track, Arrival::Http { req, level }, segment, body, digest);
            }
            Verdict::Unknown => false,
            Verdict::Mismatch { expected, actual } => {
                // Never appended, stored or shared: fetch it again from another source.
                self.stats.integrity_failures += 1;
                let (expected, actual) = (to_hex(&expected), to_hex(&actual));
                self.emit(Event::IntegrityFailure { url: req.url.clone(), base: req.base.clone(), expected, actual });
                return self.retry_or_give_up(now_ms, req, None, "SHA-256 mismatch".into());
            }
        };
        self.accept_segment(now_ms, track, level, segment, body, Source::Http, req.url, verified);
    }

    /// A segment a peer sent: appended and shared when its hash matches; held for
    /// a fresher map when a live map does not list it yet (`may_hold`); otherwise
    /// never used, and the peer is dropped if the bytes are wrong.
    #[allow(clippy::too_many_arguments)]
    fn judge_peer(&mut self, now_ms: u64, track: Track, from: (ConnId, Vec<String>), segment: &Segment, body: Arc<[u8]>, may_hold: bool, verdict: Verdict, digest: Option<Sha256Digest>) {
        let (conn, also_from) = from;
        if self.phase != Phase::Playing || self.track_mut(track).is_none() {
            return;
        }
        match verdict {
            Verdict::Valid => {}
            Verdict::Unknown if self.config.p2p_without_hashes => {}
            Verdict::Unknown if may_hold && self.map_may_catch_up(segment) => {
                // The live map lags the playlist: wait for it, as for HTTP.
                return self.hold(now_ms, track, Arrival::Peer { conn, may_hold: false, also_from }, segment, body, digest);
            }
            Verdict::Unknown => {
                // Still unlisted when needed: not played (it cannot be checked),
                // and the peer did nothing wrong; HTTP serves it.
                return self.schedule(now_ms);
            }
            Verdict::Mismatch { expected, actual } => {
                // Never appended, stored or shared; the peer is dropped and avoided.
                self.stats.integrity_failures += 1;
                let (expected, actual) = (to_hex(&expected), to_hex(&actual));
                return self.reject_peer(now_ms, track, (conn, &also_from), segment, expected, actual);
            }
        }
        self.stats.p2p_downloaded_bytes += body.len() as u64;
        let level = (track == Track::Main).then_some(self.level);
        self.accept_segment(now_ms, track, level, segment, body, Source::P2p, format!("peer:{conn}"), true);
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
            match self.verdict(&h.segment, Some(&h.digest)) {
                Verdict::Unknown if self.map_may_catch_up(&h.segment) => {
                    self.tracks[i].held_for_map = Some(h);
                    waiting = true;
                }
                _ => self.judge(now_ms, track, &h.segment, h.body, h.from, Some(h.digest)),
            }
        }
        if waiting && self.hashes_retry_at.is_none() {
            self.hashes_retry_at = Some(now_ms + HASH_MAP_RETRY_MS);
        }
    }
}
