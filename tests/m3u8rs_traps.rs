//! The known traps of m3u8-rs 6.0.1, each shown on m3u8-rs itself next to what
//! `tubeswarm::hls` makes of the same text. If m3u8-rs fixes one, its assertion
//! here fails, and the reason for reading playlists ourselves must be revisited.

use m3u8_rs::Playlist as M3u8Playlist;
use tubeswarm::hls::{parse_playlist, MediaPlaylist, Playlist};

fn theirs(text: &str) -> m3u8_rs::MediaPlaylist {
    match m3u8_rs::parse_playlist_res(text.as_bytes()) {
        Ok(M3u8Playlist::MediaPlaylist(m)) => m,
        other => panic!("m3u8-rs did not read a media playlist: {other:?}"),
    }
}

fn ours(text: &str) -> MediaPlaylist {
    match parse_playlist(text, "https://example.org/v/index.m3u8") {
        Ok(Playlist::Media(m)) => m,
        other => panic!("not a media playlist: {other:?}"),
    }
}

#[test]
fn map_and_key_apply_only_to_the_next_segment() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n\
                #EXTINF:4,\na.m4s\n#EXTINF:4,\nb.m4s\n#EXT-X-ENDLIST\n";
    let m = theirs(text);
    assert!(m.segments[0].map.is_some() && m.segments[1].map.is_none(), "m3u8-rs: MAP on the first segment only");
    let o = ours(text);
    assert!(o.segments.iter().all(|s| s.init.as_ref().is_some_and(|i| i.url.ends_with("/init.mp4"))));
}

#[test]
fn a_decimal_target_duration_yields_a_fake_segment() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4.5\n#EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n";
    let m = theirs(text);
    assert!(m.segments.iter().any(|s| s.uri == ".5"), "m3u8-rs: {:?}", m.segments);
    let o = ours(text);
    assert_eq!(o.segments.len(), 1);
    assert_eq!(o.target_duration, 5.0);
}

#[test]
fn tags_after_the_last_uri_are_dropped() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\na.ts\n\
                #EXT-X-PART:DURATION=1.0,URI=\"a.1.ts\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"a.2.ts\"\n";
    let m = theirs(text);
    assert!(m.unknown_tags.is_empty() && m.segments.len() == 1, "m3u8-rs keeps nothing of the trailing tags");
    assert_eq!(ours(text).parts, 1);
}

#[test]
fn ll_hls_tags_land_on_the_next_segment() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PART:DURATION=1.0,URI=\"a.1.ts\"\n\
                #EXTINF:4,\na.ts\n#EXT-X-ENDLIST\n";
    let m = theirs(text);
    assert!(m.segments[0].unknown_tags.iter().any(|t| t.tag.contains("PART")), "m3u8-rs: {:?}", m.segments[0].unknown_tags);
    let o = ours(text);
    assert_eq!((o.segments.len(), o.parts), (1, 1));
}

#[test]
fn byterange_without_offset_keeps_no_offset() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n#EXT-X-BYTERANGE:100@0\nf.mp4\n\
                #EXTINF:4,\n#EXT-X-BYTERANGE:50\nf.mp4\n#EXT-X-ENDLIST\n";
    let m = theirs(text);
    assert_eq!(m.segments[1].byte_range.as_ref().unwrap().offset, None);
    let o = ours(text);
    let r = o.segments[1].resource.range.unwrap();
    assert_eq!((r.offset, r.length), (100, 50));
}

#[test]
fn durations_are_f32() {
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:5\n#EXTINF:4.004,\na.ts\n#EXT-X-ENDLIST\n";
    let m = theirs(text);
    assert_ne!(m.segments[0].duration as f64, 4.004);
    assert_eq!(ours(text).segments[0].duration, 4.004);
}
