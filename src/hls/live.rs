//! Live playlists: keeping one timeline across refreshes of a sliding window.
//!
//! Every refresh of a live playlist starts its own clock at 0. The player needs
//! one timeline, so a fresh playlist is aligned on the previous one by media
//! sequence number: a segment already known keeps its start time, and new ones
//! follow on.

use super::MediaPlaylist;

/// Align `fresh` on `previous` (if any) and return it. When the two windows do not
/// overlap (the player fell more than a window behind), the fresh window is placed
/// right after the previous one: the gap is unknown, and a timeline that keeps
/// moving forward is what the media element needs.
///
/// ```
/// use tubeswarm::hls::{merge_live, parse_playlist, Playlist};
/// let a = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:10\n#EXTINF:4,\na.ts\n#EXTINF:4,\nb.ts\n";
/// let b = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:11\n#EXTINF:4,\nb.ts\n#EXTINF:4,\nc.ts\n";
/// let media = |t| match parse_playlist(t, "http://x/live.m3u8").unwrap() { Playlist::Media(m) => m, _ => unreachable!() };
/// let merged = merge_live(Some(&media(a)), media(b));
/// assert_eq!(merged.segments[0].start, 4.0); // b.ts keeps its place
/// assert_eq!(merged.segments[1].start, 8.0);
/// ```
pub fn merge_live(previous: Option<&MediaPlaylist>, mut fresh: MediaPlaylist) -> MediaPlaylist {
    let Some(prev) = previous else { return fresh };
    let (Some(first_fresh), Some(last_prev)) = (fresh.segments.first(), prev.segments.last()) else {
        return fresh;
    };
    let shift = match prev.segments.iter().find(|s| s.sequence == first_fresh.sequence) {
        Some(known) => known.start - first_fresh.start,
        None => match last_prev.sequence.checked_add(1).and_then(|next| fresh.segments.iter().find(|s| s.sequence == next)) {
            // The window slid by more than one refresh but still continues the old one.
            Some(next) => last_prev.end() - next.start,
            None if first_fresh.sequence > last_prev.sequence => last_prev.end() - first_fresh.start,
            // The sequence went backwards (a restarted encoder): start a fresh timeline
            // after everything seen so far, so nothing already buffered is overwritten.
            None => last_prev.end() - first_fresh.start,
        },
    };
    for s in &mut fresh.segments {
        s.start += shift;
    }
    fresh
}

/// A live media playlist refreshed as the player refreshes one: each text is
/// parsed and merged with the window before ([`merge_live`]); a text that is
/// not a media playlist is refused and the window before is kept. What the
/// tools module's `LivePlaylist` runs (and its benchmark against hls.js).
///
/// ```
/// use tubeswarm::hls::LiveWindow;
/// let mut live = LiveWindow::new("https://example.org/live/0.m3u8");
/// let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:7\n#EXTINF:4,\n7.ts\n";
/// assert_eq!(live.refresh(text), Ok(1));
/// assert_eq!(live.first().map(|s| s.sequence), Some(7));
/// ```
#[derive(Debug, Clone)]
pub struct LiveWindow {
    url: String,
    current: Option<MediaPlaylist>,
}

impl LiveWindow {
    pub fn new(url: &str) -> LiveWindow {
        LiveWindow { url: url.to_string(), current: None }
    }

    /// Parse a refresh and merge it with the window before: the number of
    /// segments in the window, or why the text was refused.
    pub fn refresh(&mut self, text: &str) -> Result<usize, String> {
        let fresh = match super::parse_playlist(text, &self.url).map_err(|e| e.to_string())? {
            super::Playlist::Media(m) => m,
            super::Playlist::Master(_) => return Err("a master playlist, not a media playlist".to_string()),
        };
        let merged = merge_live(self.current.as_ref(), fresh);
        let n = merged.segments.len();
        self.current = Some(merged);
        Ok(n)
    }

    /// The window's first segment, `None` before the first refresh.
    pub fn first(&self) -> Option<&super::Segment> {
        self.current.as_ref().and_then(|p| p.segments.first())
    }
}

/// How long to wait before refreshing a live playlist (RFC 8216 §6.3.4): the target
/// duration after a change, half of it when the last refresh brought nothing new.
pub fn reload_delay_ms(playlist: &MediaPlaylist, changed: bool) -> u64 {
    let target_ms = (playlist.target_duration.max(1.0) * 1000.0) as u64;
    if changed {
        target_ms
    } else {
        target_ms / 2
    }
}

/// Whether `fresh` brought a segment `previous` did not have.
pub fn has_new_segments(previous: Option<&MediaPlaylist>, fresh: &MediaPlaylist) -> bool {
    let last_prev = previous.and_then(|p| p.segments.last()).map(|s| s.sequence);
    match (last_prev, fresh.segments.last()) {
        (Some(p), Some(f)) => f.sequence > p || fresh.endlist != previous.is_some_and(|p| p.endlist),
        (None, _) => true,
        (Some(_), None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hls::{parse_playlist, Playlist};

    fn live(seq: u64, names: &[&str], endlist: bool) -> MediaPlaylist {
        let mut t = format!("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:{seq}\n");
        for n in names {
            t.push_str(&format!("#EXTINF:4.0,\n{n}\n"));
        }
        if endlist {
            t.push_str("#EXT-X-ENDLIST\n");
        }
        match parse_playlist(&t, "http://h/live.m3u8").unwrap() {
            Playlist::Media(m) => m,
            Playlist::Master(_) => unreachable!(),
        }
    }

    #[test]
    fn overlapping_windows_keep_start_times() {
        let a = live(100, &["100", "101", "102"], false);
        let b = merge_live(Some(&a), live(102, &["102", "103", "104"], false));
        assert_eq!(b.segments.iter().map(|s| s.start).collect::<Vec<_>>(), vec![8.0, 12.0, 16.0]);
        assert!(has_new_segments(Some(&a), &b));
        assert_eq!(reload_delay_ms(&b, true), 4000);
        assert_eq!(reload_delay_ms(&b, false), 2000);
    }

    #[test]
    fn a_window_that_slid_past_continues_the_timeline() {
        let a = live(100, &["100", "101"], false); // ends at 8.0
        let b = merge_live(Some(&a), live(110, &["110", "111"], false));
        assert_eq!(b.segments[0].start, 8.0);
        let restarted = merge_live(Some(&b), live(0, &["0", "1"], false));
        assert_eq!(restarted.segments[0].start, 16.0);
    }

    #[test]
    fn a_last_sequence_number_of_u64_max_is_followed_by_nothing() {
        // A crash of fuzz/fuzz_targets/playlist.rs: `last + 1` overflowed.
        let a = live(u64::MAX, &["max"], false);
        let b = merge_live(Some(&a), live(3, &["3"], false));
        assert_eq!(b.segments[0].start, 4.0, "a sequence that went back: after what was seen");
    }

    #[test]
    fn unchanged_and_ended() {
        let a = live(5, &["5", "6"], false);
        let same = live(5, &["5", "6"], false);
        assert!(!has_new_segments(Some(&a), &same));
        let ended = live(5, &["5", "6"], true);
        assert!(has_new_segments(Some(&a), &ended));
        assert!(!ended.is_live());
    }

    #[test]
    fn a_live_window_keeps_its_timeline_across_refreshes_and_keeps_its_window_on_a_bad_one() {
        let window = |last: u64| {
            let mut t = format!("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:{}\n", last - 2);
            for seq in last - 2..=last {
                t.push_str(&format!("#EXTINF:4.0,\n0-{seq:06}.ts\n"));
            }
            t
        };
        let mut live = LiveWindow::new("https://example.org/live/0.m3u8");
        assert!(live.first().is_none());
        assert_eq!(live.refresh(&window(10)), Ok(3));
        assert_eq!(live.refresh(&window(12)), Ok(3));
        let first = live.first().unwrap();
        assert_eq!((first.sequence, first.start), (10, 8.0), "the window slid by two segments of 4 s");
        assert_eq!(live.refresh("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n"), Err("a master playlist, not a media playlist".to_string()));
        assert!(live.refresh("not a playlist").is_err());
        assert_eq!(live.refresh(&window(13)), Ok(3), "the window before was kept");
        assert_eq!(live.first().unwrap().sequence, 11);
    }
}
