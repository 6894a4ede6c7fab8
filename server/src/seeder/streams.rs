//! The streams to seed: the chosen video levels and the audio rendition of a
//! master playlist, each with its media playlist and the tracker info_hash its
//! viewers announce.
//!
//! The info_hash is computed from the same ladder (`tubeswarm::engine::levels`)
//! and the same stream properties as the viewer's engine does for the level it
//! plays (`tubeswarm::engine::SwarmNaming`, which the engine's `swarm_config` uses too): a seeder that announced
//! any other hash would sit alone in its swarm.

use anyhow::{bail, Context};
use tubeswarm::engine::levels::{ladder, single_level};
use tubeswarm::engine::{InfoHashVersion, StreamKey, SwarmNaming, Track};
use tubeswarm::hls::{parse_playlist, MediaPlaylist, Playlist, Segment};
use tubeswarm::p2p::swarm_id_from_url;

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

/// The swarm naming the seeder's viewers use (the engine's own `SwarmNaming`).
pub fn naming_of(args: &Args) -> SwarmNaming {
    let swarm_id = args.swarm_id.clone().unwrap_or_else(|| swarm_id_from_url(&args.master).to_string());
    let version = if args.info_hash_v2_2 { InfoHashVersion::V2_2 } else { InfoHashVersion::V2_3 };
    SwarmNaming { swarm_id, version }
}

/// Fetch the master playlist and the media playlists of the chosen levels and
/// of the audio rendition.
pub fn load(agent: &ureq::Agent, args: &Args) -> anyhow::Result<Vec<Stream>> {
    let naming = naming_of(args);
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
