//! The playlist model the engine works with: plain data, already corrected for
//! m3u8-rs's traps (see `parse.rs`), with every URL resolved to an absolute one.

use serde::Serialize;

/// A byte range inside a resource: `length` bytes starting at `offset`.
/// Always absolute here: an `EXT-X-BYTERANGE` without an offset has been given the
/// offset that follows the previous range of the same resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

impl ByteRange {
    /// One past the last byte. Saturates: the parser refuses a range that ends
    /// past 2^64, but a `ByteRange` can also be built by hand.
    ///
    /// ```
    /// use tubeswarm::hls::ByteRange;
    /// let r = ByteRange { offset: 1000, length: 720 };
    /// assert_eq!((r.end(), r.end_inclusive()), (1720, 1719));
    /// ```
    pub fn end(&self) -> u64 {
        self.offset.saturating_add(self.length)
    }

    /// The last byte, inclusive, as HTTP `Range` and PeerTube's hash keys write it.
    pub fn end_inclusive(&self) -> u64 {
        self.offset.saturating_add(self.length.saturating_sub(1))
    }
}

/// A resource the player fetches: an absolute URL and an optional byte range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub url: String,
    pub range: Option<ByteRange>,
}

/// `EXT-X-KEY`, kept so the engine can refuse encrypted streams clearly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Encryption {
    pub method: String,
    pub uri: Option<String>,
}

/// One media segment, with everything that applies to it carried forward.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// Media sequence number (`EXT-X-MEDIA-SEQUENCE` + position).
    pub sequence: u64,
    /// Position in this playlist (the p2p-media-loader VOD segment id).
    pub index: usize,
    /// `EXTINF` read as f64 from the text (m3u8-rs only keeps an f32).
    pub duration: f64,
    /// Start time on the playlist's timeline: the sum of the durations before it
    /// (for live: set by the live merge so it stays stable across refreshes).
    pub start: f64,
    pub resource: Resource,
    /// The init segment (`EXT-X-MAP`) in force for this segment, carried forward.
    pub init: Option<Resource>,
    /// The key in force for this segment, carried forward (`None` or METHOD=NONE: clear).
    pub encryption: Option<Encryption>,
    /// `EXT-X-DISCONTINUITY` before this segment.
    pub discontinuity: bool,
    /// Discontinuity sequence this segment belongs to.
    pub discontinuity_sequence: u64,
    /// `EXT-X-PROGRAM-DATE-TIME` of this segment in ms since the Unix epoch,
    /// carried forward from the last tag by adding durations.
    pub program_date_time_ms: Option<i64>,
    /// 1-based line of the segment's URI in the playlist text (for error messages).
    pub line: usize,
}

impl Segment {
    pub fn end(&self) -> f64 {
        self.start + self.duration
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaylistType {
    Vod,
    Event,
    /// No `EXT-X-PLAYLIST-TYPE`: a sliding-window live stream unless `EXT-X-ENDLIST`.
    Live,
}

/// A media playlist (one rendition's list of segments).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MediaPlaylist {
    pub url: String,
    pub version: Option<usize>,
    /// `EXT-X-TARGETDURATION` in seconds (decimal values are accepted and rounded up).
    pub target_duration: f64,
    pub media_sequence: u64,
    pub discontinuity_sequence: u64,
    pub playlist_type: PlaylistType,
    pub endlist: bool,
    pub independent_segments: bool,
    pub segments: Vec<Segment>,
    /// LL-HLS partial segments seen (`EXT-X-PART`); counted, not played.
    pub parts: usize,
}

impl MediaPlaylist {
    /// A playlist the player will not refresh: VOD, or any list that has ended.
    pub fn is_live(&self) -> bool {
        !self.endlist
    }
    pub fn total_duration(&self) -> f64 {
        self.segments.iter().map(|s| s.duration).sum()
    }
}

/// A video resolution from `RESOLUTION=WxH`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub width: u32,
    pub height: u32,
}

/// One `EXT-X-STREAM-INF` (or `EXT-X-I-FRAME-STREAM-INF`, kept apart).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    pub url: String,
    pub bandwidth: u64,
    pub average_bandwidth: Option<u64>,
    /// `CODECS` as written.
    pub codecs: Option<String>,
    pub resolution: Option<Resolution>,
    pub frame_rate: Option<f64>,
    pub video_range: Option<String>,
    /// Group ids this variant uses.
    pub audio_group: Option<String>,
    pub subtitles_group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenditionType {
    Audio,
    Video,
    Subtitles,
    ClosedCaptions,
}

/// One `EXT-X-MEDIA`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendition {
    pub kind: RenditionType,
    pub group_id: String,
    pub name: String,
    pub language: Option<String>,
    pub url: Option<String>,
    pub default: bool,
    pub autoselect: bool,
    pub channels: Option<String>,
}

/// A master (multivariant) playlist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MasterPlaylist {
    pub url: String,
    /// Playable variants, in playlist order.
    pub variants: Vec<Variant>,
    /// `EXT-X-I-FRAME-STREAM-INF` variants: trick play only, never chosen to play.
    pub iframe_variants: Vec<Variant>,
    pub renditions: Vec<Rendition>,
    pub independent_segments: bool,
}

/// Either kind of playlist, as found at a URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Playlist {
    Master(MasterPlaylist),
    Media(MediaPlaylist),
}
