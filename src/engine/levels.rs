//! The quality ladder: video levels from the master playlist, and the separate
//! audio rendition when there is one.

use crate::codecs::split_codecs;
use crate::hls::{MasterPlaylist, MediaPlaylist, RenditionType};

/// A level as the JS API shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct LevelInfo {
    pub index: usize,
    pub width: u32,
    pub height: u32,
    pub bandwidth: u64,
    pub codecs: Option<String>,
    /// "720p", or "Audio only".
    pub label: String,
    pub audio_only: bool,
    /// `FRAME-RATE` (part of the p2p stream id; the UI's frame step).
    pub frame_rate: Option<f64>,
}

/// One playable video (or muxed) level.
#[derive(Debug, Clone)]
pub struct Level {
    pub info: LevelInfo,
    pub url: String,
    /// `VIDEO-RANGE`, which the p2p stream id includes.
    pub video_range: Option<String>,
    pub playlist: Option<MediaPlaylist>,
    pub requested: bool,
}

/// The separate audio rendition that video levels refer to by `AUDIO=`.
#[derive(Debug, Clone)]
pub struct AudioRendition {
    pub url: String,
    /// Audio codecs from the variants' `CODECS` (None: read the init segment).
    pub codecs: Option<String>,
    /// `NAME`, `LANGUAGE`, `CHANNELS`: part of its p2p stream id.
    pub name: String,
    pub language: Option<String>,
    pub channels: Option<String>,
    /// Its position among the group's renditions (the p2pml 2.2 stream index).
    pub position: usize,
    pub playlist: Option<MediaPlaylist>,
    pub requested: bool,
}

/// Levels and audio rendition for a master playlist.
pub fn ladder(master: &MasterPlaylist) -> (Vec<Level>, Option<AudioRendition>) {
    let levels: Vec<Level> = master
        .variants
        .iter()
        .enumerate()
        .map(|(index, v)| {
            let (width, height) = v.resolution.map_or((0, 0), |r| (r.width, r.height));
            let label = if height > 0 { format!("{height}p") } else { format!("{} kbps", v.bandwidth / 1000) };
            Level {
                info: LevelInfo {
                    index,
                    width,
                    height,
                    bandwidth: v.bandwidth,
                    codecs: v.codecs.clone(),
                    label,
                    audio_only: false,
                    frame_rate: v.frame_rate,
                },
                url: v.url.clone(),
                video_range: v.video_range.clone(),
                playlist: None,
                requested: false,
            }
        })
        .collect();
    // The audio group of the first variant that names one, and in it the DEFAULT
    // rendition (or the first) that has its own playlist.
    let audio = master.variants.iter().find_map(|v| v.audio_group.as_ref().map(|g| (g, v))).and_then(|(group, v)| {
        let in_group = || master.renditions.iter().filter(|r| r.kind == RenditionType::Audio && &r.group_id == group && r.url.is_some());
        let chosen = in_group().find(|r| r.default).or_else(|| in_group().next())?;
        let codecs = v.codecs.as_deref().map(|c| split_codecs(c).1).filter(|a| !a.is_empty());
        let position = in_group().position(|r| r == chosen).unwrap_or(0);
        Some(AudioRendition {
            url: chosen.url.clone()?,
            codecs,
            name: chosen.name.clone(),
            language: chosen.language.clone(),
            channels: chosen.channels.clone(),
            position,
            playlist: None,
            requested: false,
        })
    });
    (levels, audio)
}

/// The single level of a stream given as a media playlist.
pub fn single_level(url: &str, playlist: MediaPlaylist) -> Level {
    Level {
        info: LevelInfo { index: 0, width: 0, height: 0, bandwidth: 0, codecs: None, label: "Default".into(), audio_only: false, frame_rate: None },
        url: url.to_string(),
        video_range: None,
        playlist: Some(playlist),
        requested: true,
    }
}

/// The "Audio only" entry listed after the video levels.
pub fn audio_only_info(index: usize, audio: &AudioRendition) -> LevelInfo {
    LevelInfo { index, width: 0, height: 0, bandwidth: 0, codecs: audio.codecs.clone(), label: "Audio only".into(), audio_only: true, frame_rate: None }
}
