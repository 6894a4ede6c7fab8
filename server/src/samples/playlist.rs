//! Reads the media playlists ffmpeg wrote, with the player's own parser
//! (`tubeswarm::hls::parse_playlist`), so the sample files are also a check that
//! the parser reads what ffmpeg writes.

use tubeswarm::hls::{parse_playlist, Playlist};

use super::writers::SegmentSpan;

/// Where relative URIs are resolved; only the last path component is kept.
const BASE: &str = "http://samples.invalid/media/";

/// The segments of a media playlist: each one's file name (the URI's last path
/// component) and span. A segment without a byte range spans all of `file_size`
/// of its file, which the caller supplies.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedSegment {
    pub file: String,
    pub range: Option<(u64, u64)>,
    pub duration: f64,
}

pub fn read_media_playlist(name: &str, text: &str) -> Result<Vec<ListedSegment>, String> {
    let url = format!("{BASE}{name}");
    let playlist = parse_playlist(text, &url).map_err(|e| format!("{name}: {e}"))?;
    let Playlist::Media(media) = playlist else {
        return Err(format!(
            "{name}: a master playlist where a media playlist was expected"
        ));
    };
    if media.segments.is_empty() {
        return Err(format!("{name}: no segments"));
    }
    Ok(media
        .segments
        .iter()
        .map(|segment| ListedSegment {
            file: last_component(&segment.resource.url).to_string(),
            range: segment.resource.range.map(|r| (r.offset, r.length)),
            duration: segment.duration,
        })
        .collect())
}

/// The spans of a single-file rendition: every segment must be a byte range of
/// `file`.
pub fn single_file_spans(name: &str, text: &str, file: &str) -> Result<Vec<SegmentSpan>, String> {
    read_media_playlist(name, text)?
        .into_iter()
        .map(|segment| match segment.range {
            Some((offset, length)) if segment.file == file => Ok(SegmentSpan {
                offset,
                length,
                duration: segment.duration,
            }),
            Some(_) => Err(format!(
                "{name}: a segment in {} instead of {file}",
                segment.file
            )),
            None => Err(format!("{name}: a segment without EXT-X-BYTERANGE")),
        })
        .collect()
}

fn last_component(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ffmpeg_single_file_playlist() {
        let text = "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n\
#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MAP:URI=\"f-240-fragmented.mp4\",BYTERANGE=\"841@0\"\n\
#EXTINF:4.000000,\n#EXT-X-BYTERANGE:908010@841\nf-240-fragmented.mp4\n\
#EXTINF:3.989333,\n#EXT-X-BYTERANGE:1000@908851\nf-240-fragmented.mp4\n#EXT-X-ENDLIST\n";
        let spans = single_file_spans("f-240.m3u8", text, "f-240-fragmented.mp4").unwrap();
        assert_eq!(
            spans,
            vec![
                SegmentSpan {
                    offset: 841,
                    length: 908010,
                    duration: 4.0
                },
                SegmentSpan {
                    offset: 908851,
                    length: 1000,
                    duration: 3.989333
                },
            ]
        );
        assert!(single_file_spans("f-240.m3u8", text, "other.mp4").is_err());
    }

    #[test]
    fn reads_separate_segment_files() {
        let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MAP:URI=\"init.mp4\"\n\
#EXTINF:4.000000,\nseg000.m4s\n#EXTINF:4.000000,\nseg001.m4s\n#EXT-X-ENDLIST\n";
        let segments = read_media_playlist("source.m3u8", text).unwrap();
        assert_eq!(segments.len(), 2);
        assert_eq!(segments[1].file, "seg001.m4s");
        assert_eq!(segments[1].range, None);
        assert!(single_file_spans("source.m3u8", text, "seg000.m4s").is_err());
    }
}
