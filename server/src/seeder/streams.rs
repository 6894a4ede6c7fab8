//! The streams to seed: the chosen video levels and the audio rendition of a
//! master playlist, each with its media playlist and the tracker info_hash its
//! viewers announce.
//!
//! The info_hash is computed from the same ladder (`tubeswarm::engine::levels`)
//! and the same stream properties as the viewer's engine does for the level it
//! plays (see `swarm_config` in `src/engine/peering.rs`): a seeder that announced
//! any other hash would sit alone in its swarm.

use anyhow::{bail, Context};
use tubeswarm::engine::levels::{ladder, single_level, AudioRendition, Level};
use tubeswarm::engine::{StreamKey, Track};
use tubeswarm::hls::{parse_playlist, MediaPlaylist, Playlist, Segment};
use tubeswarm::p2p::{hlsjs_video_codec, info_hash, info_hash_v2_2, stream_swarm_id, swarm_id_from_url, StreamProperties, StreamType};

use super::args::Args;
use super::http;

/// One stream a swarm is joined for.
#[derive(Debug, Clone)]
pub struct Stream {
    pub key: StreamKey,
    pub track: Track,
    /// "720p", "audio": for logs and progress.
    pub label: String,
    pub info_hash: String,
    pub playlist: MediaPlaylist,
}

impl Stream {
    /// A segment's id on the p2p wire: its index in a VOD playlist, its media
    /// sequence number in a live one (as the viewer's engine numbers them).
    pub fn wire_id(&self, segment: &Segment) -> i64 {
        if self.playlist.is_live() {
            segment.sequence as i64
        } else {
            segment.index as i64
        }
    }
}

/// Which form of info_hash, and from which swarm id.
#[derive(Debug, Clone)]
pub struct SwarmNaming {
    pub swarm_id: String,
    pub v2_2: bool,
}

impl SwarmNaming {
    pub fn of(args: &Args) -> SwarmNaming {
        let swarm_id = args.swarm_id.clone().unwrap_or_else(|| swarm_id_from_url(&args.master).to_string());
        SwarmNaming { swarm_id, v2_2: args.info_hash_v2_2 }
    }

    fn hash(&self, stream_type: StreamType, props: &StreamProperties, position: usize) -> String {
        if self.v2_2 {
            info_hash_v2_2(&stream_swarm_id(&self.swarm_id, stream_type, &position.to_string()))
        } else {
            info_hash(&stream_swarm_id(&self.swarm_id, stream_type, &props.stream_index()))
        }
    }

    /// The info_hash of the video level at `position` in the master playlist.
    pub fn level(&self, level: &Level, position: usize) -> String {
        let info = &level.info;
        let codec = hlsjs_video_codec(info.codecs.as_deref());
        let size = |v: u32| (v > 0).then_some(u64::from(v));
        let frame_rate = level.frame_rate.map(|f| f.to_string());
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

    /// The info_hash of the audio rendition.
    pub fn audio(&self, audio: &AudioRendition) -> String {
        let props = StreamProperties::audio_track(audio.codecs.as_deref(), audio.language.as_deref(), audio.channels.as_deref(), Some(&audio.name));
        self.hash(StreamType::Secondary, &props, audio.position)
    }
}

/// Fetch the master playlist and the media playlists of the chosen levels and
/// of the audio rendition.
pub fn load(agent: &ureq::Agent, args: &Args) -> anyhow::Result<Vec<Stream>> {
    let naming = SwarmNaming::of(args);
    let text = fetch_text(agent, &args.master)?;
    let master = match parse_playlist(&text, &args.master).with_context(|| format!("parsing {}", args.master))? {
        Playlist::Master(m) => m,
        Playlist::Media(playlist) => {
            // A bare media playlist is one level, as the viewer's engine treats it.
            let level = single_level(&args.master, playlist.clone());
            let info_hash = naming.level(&level, 0);
            return Ok(vec![Stream { key: StreamKey::Level(0), track: Track::Main, label: "default".into(), info_hash, playlist }]);
        }
    };
    let (levels, audio) = ladder(&master);
    let mut streams = Vec::new();
    for (position, level) in levels.iter().enumerate() {
        if !args.levels.is_empty() && !args.levels.contains(&level.info.height) {
            continue;
        }
        let playlist = media_playlist(agent, &level.url)?;
        let info_hash = naming.level(level, position);
        streams.push(Stream { key: StreamKey::Level(position), track: Track::Main, label: level.info.label.clone(), info_hash, playlist });
    }
    if streams.is_empty() {
        let heights: Vec<String> = levels.iter().map(|l| l.info.height.to_string()).collect();
        bail!("no level of {} has the height asked for (it has {})", args.master, heights.join(", "));
    }
    if let Some(audio) = audio {
        let playlist = media_playlist(agent, &audio.url)?;
        let info_hash = naming.audio(&audio);
        streams.push(Stream { key: StreamKey::Audio, track: Track::Audio, label: "audio".into(), info_hash, playlist });
    }
    Ok(streams)
}

fn media_playlist(agent: &ureq::Agent, url: &str) -> anyhow::Result<MediaPlaylist> {
    let text = fetch_text(agent, url)?;
    match parse_playlist(&text, url).with_context(|| format!("parsing {url}"))? {
        Playlist::Media(p) => Ok(p),
        Playlist::Master(_) => bail!("{url} is a master playlist where a media playlist was expected"),
    }
}

fn fetch_text(agent: &ureq::Agent, url: &str) -> anyhow::Result<String> {
    String::from_utf8(http::get(agent, url, None)?).with_context(|| format!("{url} is not UTF-8"))
}
