//! Caption tracks: the master playlist's `EXT-X-MEDIA:TYPE=SUBTITLES` renditions.
//!
//! PeerTube lists each caption as a one-segment media playlist whose segment is
//! the whole WebVTT file. Browsers show WebVTT natively through `<track>`, so the
//! player hands the page the file's URL instead of segmenting captions itself.

use crate::hls::{MasterPlaylist, MediaPlaylist, RenditionType};

/// One caption track a master playlist offers.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptionTrack {
    pub name: String,
    /// BCP 47 language tag (`LANGUAGE`), when given.
    pub language: Option<String>,
    /// The track's media playlist.
    pub playlist_url: String,
    /// `DEFAULT=YES`: show it without the viewer asking.
    pub default: bool,
    pub autoselect: bool,
}

/// The caption tracks of `master`, in playlist order (those without a URI are
/// in-band and need nothing from us).
pub fn caption_tracks(master: &MasterPlaylist) -> Vec<CaptionTrack> {
    master
        .renditions
        .iter()
        .filter(|r| r.kind == RenditionType::Subtitles)
        .filter_map(|r| {
            Some(CaptionTrack {
                name: r.name.clone(),
                language: r.language.clone(),
                playlist_url: r.url.clone()?,
                default: r.default,
                autoselect: r.autoselect,
            })
        })
        .collect()
}

/// The WebVTT file(s) a caption playlist points at, in order. One for PeerTube;
/// a segmented (live) caption playlist gives several.
pub fn webvtt_urls(playlist: &MediaPlaylist) -> Vec<String> {
    playlist.segments.iter().map(|s| s.resource.url.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hls::{parse_playlist, Playlist};

    const MASTER: &str = "#EXTM3U\n\
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,URI=\"a.m3u8\"\n\
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"English\",LANGUAGE=\"en\",AUTOSELECT=YES,DEFAULT=NO,URI=\"captions-en.m3u8\"\n\
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Français\",LANGUAGE=\"fr\",DEFAULT=YES,URI=\"fr/captions.m3u8\"\n\
        #EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID=\"cc\",NAME=\"CC1\",INSTREAM-ID=\"CC1\"\n\
        #EXT-X-STREAM-INF:BANDWIDTH=1000,AUDIO=\"audio\",SUBTITLES=\"subs\"\nv.m3u8\n";

    fn parse(text: &str, url: &str) -> Playlist {
        parse_playlist(text, url).expect("valid playlist")
    }

    #[test]
    fn lists_subtitle_renditions_with_resolved_urls() {
        let Playlist::Master(master) = parse(MASTER, "https://v.example/hls/x/master.m3u8") else { panic!("master") };
        let tracks = caption_tracks(&master);
        assert_eq!(tracks.len(), 2, "audio and in-band closed captions are not caption files: {tracks:?}");
        assert_eq!(tracks[0].name, "English");
        assert_eq!(tracks[0].language.as_deref(), Some("en"));
        assert_eq!(tracks[0].playlist_url, "https://v.example/hls/x/captions-en.m3u8");
        assert!(!tracks[0].default && tracks[0].autoselect);
        assert_eq!(tracks[1].playlist_url, "https://v.example/hls/x/fr/captions.m3u8");
        assert!(tracks[1].default);
    }

    #[test]
    fn peertube_caption_playlist_is_one_webvtt_file() {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:180\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:180,\ncaptions-en.vtt\n#EXT-X-ENDLIST\n";
        let Playlist::Media(media) = parse(text, "https://v.example/hls/x/captions-en.m3u8") else { panic!("media") };
        assert_eq!(webvtt_urls(&media), ["https://v.example/hls/x/captions-en.vtt"]);
    }
}
