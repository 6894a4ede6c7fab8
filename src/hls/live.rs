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
}
