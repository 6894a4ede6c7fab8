//! Fuzzes the HLS playlist parser (`hls::parse_playlist`, master and media) and what
//! the engine does next with a parsed playlist: the quality ladder and the swarms'
//! info_hashes of a master, the live refresh of a media playlist (`merge_live`,
//! `has_new_segments`, `reload_delay_ms`) and the inspector's summary. The input is
//! one playlist, or two (a live refresh) when the text has a second `#EXTM3U`.
//!
//! Invariants: nothing panics; every URL of a parsed playlist is absolute (RFC 3986:
//! it has a scheme; `https:x` stays as it is, as §5.2.2 says for a strict parser); segments
//! are numbered by position and by media sequence; a refresh keeps its segments;
//! the summary's JSON reads back; every info_hash is 20 characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tubeswarm::engine::levels::ladder;
use tubeswarm::engine::{caption_tracks, webvtt_urls, InfoHashVersion, SwarmNaming};
use tubeswarm::hls::{has_new_segments, merge_live, parse_playlist, reload_delay_ms, MediaPlaylist, Playlist, Summary};
use tubeswarm::uri::scheme;

const URL: &str = "https://video.example/static/streaming-playlists/hls/uuid/uuid-master.m3u8?token=x";

fuzz_target!(|data: &[u8]| {
    // As the engine reads a playlist body (src/engine/playlists.rs).
    let text = String::from_utf8_lossy(data);
    let (first, refresh) = match text.match_indices("#EXTM3U").nth(1) {
        Some((at, _)) => text.split_at(at),
        None => (&text[..], ""),
    };
    let Ok(playlist) = parse_playlist(first, URL) else { return };
    check(&playlist);
    match playlist {
        Playlist::Master(master) => {
            let (levels, audio) = ladder(&master);
            for version in [InfoHashVersion::V2_3, InfoHashVersion::V2_2] {
                let naming = SwarmNaming { swarm_id: URL.into(), version };
                for (position, level) in levels.iter().enumerate() {
                    assert_eq!(naming.level(level, position).chars().count(), 20);
                }
                if let Some(audio) = &audio {
                    assert_eq!(naming.audio(audio).chars().count(), 20);
                }
            }
            for track in caption_tracks(&master) {
                assert!(absolute(&track.playlist_url));
            }
        }
        Playlist::Media(media) => {
            assert!(webvtt_urls(&media).iter().all(|u| absolute(u)));
            // A refresh that brings the same playlist again.
            refreshed(&media, media.clone());
            if let Ok(fresh) = parse_playlist(refresh, URL) {
                check(&fresh);
                if let Playlist::Media(fresh) = fresh {
                    refreshed(&media, fresh);
                }
            }
        }
    }
});

/// What src/engine/playlists.rs does with a refresh of `previous`.
fn refreshed(previous: &MediaPlaylist, fresh: MediaPlaylist) {
    let count = fresh.segments.len();
    let changed = has_new_segments(Some(previous), &fresh);
    let merged = merge_live(Some(previous), fresh);
    assert_eq!(merged.segments.len(), count);
    reload_delay_ms(&merged, changed);
}

fn check(playlist: &Playlist) {
    let summary = Summary::of(playlist).to_json();
    assert_eq!(tubeswarm::json::parse(&summary.to_json()).map(|v| v.to_json()), Ok(summary.to_json()));
    match playlist {
        Playlist::Master(m) => {
            assert!(absolute(&m.url));
            assert!(m.variants.iter().chain(&m.iframe_variants).all(|v| absolute(&v.url)));
            assert!(m.renditions.iter().filter_map(|r| r.url.as_deref()).all(absolute));
        }
        Playlist::Media(m) => {
            assert!(absolute(&m.url));
            for (i, s) in m.segments.iter().enumerate() {
                assert_eq!(s.index, i);
                // Numbered from EXT-X-MEDIA-SEQUENCE, plus the segments EXT-X-SKIP skipped.
                assert!(s.sequence >= m.media_sequence);
                assert_eq!(s.sequence, m.segments[0].sequence.saturating_add(i as u64));
                assert!(s.duration.is_finite() && s.duration >= 0.0);
                for resource in std::iter::once(&s.resource).chain(&s.init) {
                    assert!(absolute(&resource.url));
                    if let Some(range) = resource.range {
                        range.end_inclusive();
                    }
                }
            }
            m.total_duration();
            m.is_live();
        }
    }
}

/// An absolute URI (RFC 3986 §4.3): one with a scheme.
fn absolute(url: &str) -> bool {
    scheme(url).is_some()
}
