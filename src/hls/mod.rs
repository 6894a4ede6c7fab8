//! HLS playlists: a model read by a line scanner that avoids m3u8-rs's known traps
//! (see `parse.rs` for the traps and the decisions on invalid input).
//!
//! ```
//! use tubeswarm::hls::{parse_playlist, Playlist};
//! let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg0.ts\n#EXT-X-ENDLIST\n";
//! let Playlist::Media(media) = parse_playlist(text, "https://example.org/v/index.m3u8").unwrap() else {
//!     panic!("a media playlist")
//! };
//! assert_eq!(media.segments[0].resource.url, "https://example.org/v/seg0.ts");
//! assert!(media.endlist);
//! ```

mod model;
mod parse;
mod error;
mod live;
mod summary;

pub use error::ParseError;
pub use live::{has_new_segments, merge_live, reload_delay_ms, LiveWindow};
pub use model::*;
pub use parse::parse_playlist;
pub use summary::Summary;
