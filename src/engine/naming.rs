//! The tracker info_hash of each stream, as p2p-media-loader names it: viewers,
//! the simulator and the native seeder must all compute it the same way, or
//! they sit in different swarms.

use super::levels::{AudioRendition, Level};
use crate::p2p::{hlsjs_video_codec, info_hash, info_hash_v2_2, stream_swarm_id, StreamProperties, StreamType};

/// Which form of the tracker info_hash to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InfoHashVersion {
    /// p2p-media-loader 2.3 (stream index: SHA-1 of the stream's properties).
    #[default]
    V2_3,
    /// p2p-media-loader 2.1 and 2.2, as PeerTube 7.1–8 ships (stream index: position).
    V2_2,
}

impl InfoHashVersion {
    /// `"2.2"` or `"2.3"` (also `"2.3.1"`, `"v2.2"`): the p2p-media-loader release
    /// whose form to use; `None` for anything else.
    pub fn parse(text: &str) -> Option<InfoHashVersion> {
        let t = text.trim().trim_start_matches(['v', 'V']);
        let mut parts = t.split('.');
        match (parts.next(), parts.next()) {
            (Some("2"), Some("2" | "1")) => Some(InfoHashVersion::V2_2),
            (Some("2"), Some("3")) => Some(InfoHashVersion::V2_3),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InfoHashVersion::V2_3 => "2.3",
            InfoHashVersion::V2_2 => "2.2",
        }
    }
}

/// A swarm id (the master URL without its query, unless configured) and the
/// info_hash form: everything the streams' hashes depend on besides the streams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwarmNaming {
    pub swarm_id: String,
    pub version: InfoHashVersion,
}

impl SwarmNaming {
    /// The info_hash of the video level at `position` in the master playlist.
    pub fn level(&self, level: &Level, position: usize) -> String {
        let info = &level.info;
        let codec = hlsjs_video_codec(info.codecs.as_deref());
        let size = |v: u32| (v > 0).then_some(u64::from(v));
        let frame_rate = info.frame_rate.map(crate::p2p::js::number_to_string);
        let props = StreamProperties::main_level(
            info.bandwidth,
            codec.as_deref(),
            size(info.width),
            size(info.height),
            frame_rate.as_deref(),
            level.video_range.as_deref(),
        );
        self.hash(StreamType::Main, &props, position)
    }

    /// The info_hash of the separate audio rendition.
    pub fn audio(&self, audio: &AudioRendition) -> String {
        let props = StreamProperties::audio_track(audio.codecs.as_deref(), audio.language.as_deref(), audio.channels.as_deref(), Some(&audio.name));
        self.hash(StreamType::Secondary, &props, audio.position)
    }

    fn hash(&self, stream_type: StreamType, props: &StreamProperties, position: usize) -> String {
        match self.version {
            InfoHashVersion::V2_3 => info_hash(&stream_swarm_id(&self.swarm_id, stream_type, &props.stream_index())),
            InfoHashVersion::V2_2 => info_hash_v2_2(&stream_swarm_id(&self.swarm_id, stream_type, &position.to_string())),
        }
    }
}
