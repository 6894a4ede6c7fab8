//! The figures `tubeswarm-inspect` prints and the conformance test compares with the
//! corpus reference (`shared/corpus/playlists/reference.jsonl`): same names, same meaning.

use serde::Serialize;

use super::model::Playlist;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// `"master"` or `"media"`.
    pub kind: &'static str,
    /// `EXT-X-STREAM-INF` variants (I-frame variants are not counted here).
    pub variants: usize,
    /// `EXT-X-MEDIA` renditions.
    pub media_renditions: usize,
    pub segments: usize,
    /// Sum of the segment durations, rounded to the millisecond.
    pub total_duration: f64,
    /// `None` for a master playlist. A media playlist without the tag reports the
    /// value the parser inferred (the longest segment, rounded up).
    pub target_duration: Option<f64>,
    /// `None` for a master playlist.
    pub media_sequence: Option<u64>,
    pub endlist: bool,
    /// Segments with a byte range (`EXT-X-MAP` ranges and parts are not counted).
    pub byteranges: usize,
    pub has_map: bool,
    /// `EXT-X-I-FRAME-STREAM-INF` variants.
    pub iframe_variants: usize,
    /// LL-HLS `EXT-X-PART` tags.
    pub parts: usize,
}

impl Summary {
    /// The summary as JSON: the same names as the corpus reference (snake_case).
    pub fn to_json(&self) -> crate::json::Value {
        crate::json::Obj::new()
            .field("kind", self.kind)
            .field("variants", self.variants)
            .field("media_renditions", self.media_renditions)
            .field("segments", self.segments)
            .field("total_duration", self.total_duration)
            .field("target_duration", self.target_duration)
            .field("media_sequence", self.media_sequence)
            .field("endlist", self.endlist)
            .field("byteranges", self.byteranges)
            .field("has_map", self.has_map)
            .field("iframe_variants", self.iframe_variants)
            .field("parts", self.parts)
            .build()
    }

    pub fn of(playlist: &Playlist) -> Summary {
        match playlist {
            Playlist::Master(m) => Summary {
                kind: "master",
                variants: m.variants.len(),
                media_renditions: m.renditions.len(),
                segments: 0,
                total_duration: 0.0,
                target_duration: None,
                media_sequence: None,
                endlist: false,
                byteranges: 0,
                has_map: false,
                iframe_variants: m.iframe_variants.len(),
                parts: 0,
            },
            Playlist::Media(m) => Summary {
                kind: "media",
                variants: 0,
                media_renditions: 0,
                segments: m.segments.len(),
                total_duration: (m.total_duration() * 1000.0).round() / 1000.0,
                target_duration: Some(m.target_duration),
                media_sequence: Some(m.media_sequence),
                endlist: m.endlist,
                byteranges: m.segments.iter().filter(|s| s.resource.range.is_some()).count(),
                has_map: m.segments.iter().any(|s| s.init.is_some()),
                iframe_variants: 0,
                parts: m.parts,
            },
        }
    }
}
