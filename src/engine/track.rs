//! One SourceBuffer's loading state, and the choice of its next segment.

use std::collections::VecDeque;
use std::sync::Arc;

use super::buffer::buffered_end;
use super::io::{RequestId, TimeRange, Track};
use crate::hls::{MediaPlaylist, Resource, Segment};

/// The last segment handed to the SourceBuffer, to continue the chain from.
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    pub sequence: u64,
    pub start: f64,
    pub end: f64,
    /// Where the run of back-to-back appends that ends here began.
    pub run_start: f64,
}

impl Appended {
    /// The record for `segment`, appended after `previous`.
    pub fn after(previous: Option<&Appended>, segment: &Segment) -> Appended {
        let run_start = match previous {
            Some(p) if (p.end - segment.start).abs() < 0.1 => p.run_start,
            _ => segment.start,
        };
        Appended { sequence: segment.sequence, start: segment.start, end: segment.end(), run_start }
    }
}

/// An append not yet confirmed by `AppendDone`; kept so a QuotaExceededError can
/// be answered by evicting and appending again, without refetching.
#[derive(Debug, Clone)]
pub struct UnconfirmedAppend {
    pub data: Arc<[u8]>,
    pub timestamp_offset: Option<f64>,
}

#[derive(Debug)]
pub struct TrackState {
    pub track: Track,
    /// The init segment now in the SourceBuffer.
    pub init_appended: Option<Resource>,
    pub last_appended: Option<Appended>,
    /// The segment or init request under way for this track.
    pub in_flight: Option<RequestId>,
    /// The segment being fetched from a peer for this track.
    pub peer_fetch: Option<super::peer_deadlines::PeerFetch>,
    /// A segment of this track whose bytes the host is hashing.
    pub checking: Option<super::HashId>,
    /// A live segment that arrived before the (lagging) hash map listed it,
    /// waiting for a fresher map.
    pub held_for_map: Option<super::HeldSegment>,
    pub unconfirmed: VecDeque<UnconfirmedAppend>,
    /// A `Remove` is under way.
    pub removing: bool,
    /// Appends held back until a `Remove` makes room (after QuotaExceededError).
    pub held_for_quota: bool,
    /// The last segment of a VOD is in the SourceBuffer.
    pub complete: bool,
    pub buffered: Vec<TimeRange>,
    /// Loader mode: what the other player asked for, oldest first.
    pub loads: VecDeque<super::loader::PendingLoad>,
    /// MPEG-TS: the remuxer feeding this SourceBuffer, the init it made last
    /// (appended again only when it changes), the discontinuity sequence last remuxed.
    pub remuxer: Option<Box<dyn super::ts_remux::TsRemux>>,
    pub ts_init: Option<Arc<[u8]>>,
    pub ts_discontinuity: Option<u64>,
}

impl TrackState {
    pub fn new(track: Track) -> Self {
        TrackState {
            track,
            init_appended: None,
            last_appended: None,
            in_flight: None,
            peer_fetch: None,
            checking: None,
            held_for_map: None,
            unconfirmed: VecDeque::new(),
            removing: false,
            held_for_quota: false,
            complete: false,
            buffered: Vec::new(),
            loads: VecDeque::new(),
            remuxer: None,
            ts_init: None,
            ts_discontinuity: None,
        }
    }
}

/// What a track should do next.
#[derive(Debug, Clone, PartialEq)]
pub enum NextSegment<'a> {
    /// Load this segment.
    Load(&'a Segment),
    /// Enough is buffered ahead of the playhead.
    BufferFull,
    /// Past the last segment: a VOD is complete; a live stream waits for a refresh.
    End,
    /// The playhead is before the playlist's first segment (live: fell out of the window).
    BeforeWindow,
}

/// Pick the next segment for a track whose buffer is `buffered`, at playhead
/// `position`, keeping `goal` seconds ahead. `pending` says appends are still
/// under way, so `buffered` may not show them yet.
///
/// The last appended segment continues the chain when it touches the buffered
/// run at the playhead: its end, not the browser's rounded buffered end, says
/// where the next segment starts. That avoids loading a segment twice because
/// the media ended a few milliseconds before its `EXTINF` did.
/// Where the media loaded for a track runs out, from `position` on: the end of
/// the buffered run there, or of the last append when that continues it.
pub fn loaded_until(buffered: &[TimeRange], last: Option<&Appended>, pending: bool, position: f64) -> f64 {
    let base = buffered_end(buffered, position).unwrap_or(position);
    let mut t = base;
    if let Some(l) = last {
        let touches_buffer = l.start - 1.0 <= base && l.end + 1.0 >= base;
        // Appends not yet reflected in `buffered`: the run they extend counts.
        let run_in_flight = pending && l.run_start - 1.0 <= base && base <= l.end + 1.0;
        if touches_buffer || run_in_flight {
            t = t.max(l.end);
        }
    }
    t
}

pub fn next_segment<'a>(
    playlist: &'a MediaPlaylist,
    buffered: &[TimeRange],
    last: Option<&Appended>,
    pending: bool,
    position: f64,
    goal: f64,
) -> NextSegment<'a> {
    let t = loaded_until(buffered, last, pending, position);
    if t >= position + goal {
        return NextSegment::BufferFull;
    }
    let Some(first) = playlist.segments.first() else { return NextSegment::End };
    // A small step past `t` lands inside the segment that starts at `t`.
    let probe = t + 0.05;
    if probe < first.start {
        return if t + 1.0 < first.start { NextSegment::BeforeWindow } else { NextSegment::Load(first) };
    }
    playlist.segments.iter().find(|s| s.start <= probe && probe < s.end()).map_or(NextSegment::End, NextSegment::Load)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hls::{parse_playlist, Playlist};

    fn vod(n: usize) -> MediaPlaylist {
        let mut t = String::from("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n");
        for i in 0..n {
            t.push_str(&format!("#EXTINF:4.000000,\ns{i}.m4s\n"));
        }
        t.push_str("#EXT-X-ENDLIST\n");
        match parse_playlist(&t, "http://h/v.m3u8").unwrap() {
            Playlist::Media(m) => m,
            Playlist::Master(_) => unreachable!(),
        }
    }

    fn r(start: f64, end: f64) -> TimeRange {
        TimeRange { start, end }
    }

    fn seq(n: NextSegment) -> Option<u64> {
        match n {
            NextSegment::Load(s) => Some(s.sequence),
            _ => None,
        }
    }

    #[test]
    fn starts_at_the_playhead_and_continues_the_chain() {
        let p = vod(10);
        assert_eq!(seq(next_segment(&p, &[], None, false, 0.0, 30.0)), Some(0));
        // Segments 0 and 1 appended but not yet visible in `buffered`.
        let last = Appended { sequence: 0, start: 0.0, end: 4.0, run_start: 0.0 };
        assert_eq!(seq(next_segment(&p, &[], Some(&last), true, 0.0, 30.0)), Some(1));
        let last = Appended { sequence: 1, start: 4.0, end: 8.0, run_start: 0.0 };
        assert_eq!(seq(next_segment(&p, &[], Some(&last), true, 0.0, 30.0)), Some(2));
        // Nothing pending and nothing buffered: the old run does not count.
        assert_eq!(seq(next_segment(&p, &[], Some(&last), false, 0.0, 30.0)), Some(0));
        // The browser reports a buffered end a little short of 8.0.
        let last = Appended { sequence: 1, start: 4.0, end: 8.0, run_start: 0.0 };
        assert_eq!(seq(next_segment(&p, &[r(0.0, 7.98)], Some(&last), false, 1.0, 30.0)), Some(2));
    }

    #[test]
    fn stops_at_the_goal_and_at_the_end() {
        let p = vod(10);
        let last = Appended { sequence: 7, start: 28.0, end: 32.0, run_start: 0.0 };
        assert_eq!(next_segment(&p, &[r(0.0, 32.0)], Some(&last), false, 1.0, 30.0), NextSegment::BufferFull);
        let last = Appended { sequence: 9, start: 36.0, end: 40.0, run_start: 0.0 };
        assert_eq!(next_segment(&p, &[r(20.0, 40.0)], Some(&last), false, 30.0, 30.0), NextSegment::End);
    }

    #[test]
    fn a_seek_restarts_from_the_new_position() {
        let p = vod(30);
        let last = Appended { sequence: 3, start: 12.0, end: 16.0, run_start: 0.0 };
        // Far ahead, unbuffered.
        assert_eq!(seq(next_segment(&p, &[r(0.0, 16.0)], Some(&last), false, 70.0, 30.0)), Some(17));
        // Back into the buffer: continue after what is buffered there.
        assert_eq!(seq(next_segment(&p, &[r(0.0, 16.0)], Some(&last), false, 5.0, 30.0)), Some(4));
        // Back before an evicted region.
        let last = Appended { sequence: 20, start: 80.0, end: 84.0, run_start: 60.0 };
        assert_eq!(seq(next_segment(&p, &[r(60.0, 84.0)], Some(&last), false, 2.0, 30.0)), Some(0));
    }

    #[test]
    fn before_a_live_window() {
        let mut p = vod(5);
        for s in &mut p.segments {
            s.start += 100.0;
        }
        assert_eq!(next_segment(&p, &[], None, false, 10.0, 30.0), NextSegment::BeforeWindow);
        assert_eq!(seq(next_segment(&p, &[], None, false, 99.5, 30.0)), Some(0));
    }
}
