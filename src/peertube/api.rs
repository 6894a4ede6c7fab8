//! The parts of PeerTube's REST API answers the player reads, as PeerTube 6–8
//! send them. Every field is optional with a default: instances of different
//! releases leave different fields out, and a missing field must not cost the
//! viewer the video. A field of the wrong type is an error (the answer is not
//! what PeerTube sends).

use serde::Deserialize;

/// `GET /api/v1/videos/{id}` (`VideoDetails`).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct VideoDetails {
    pub id: Option<u64>,
    pub uuid: Option<String>,
    #[serde(rename = "shortUUID")]
    pub short_uuid: Option<String>,
    pub name: Option<String>,
    pub url: Option<String>,
    pub embed_url: Option<String>,
    pub embed_path: Option<String>,
    pub is_live: bool,
    pub duration: Option<f64>,
    pub preview_url: Option<String>,
    pub preview_path: Option<String>,
    pub thumbnail_path: Option<String>,
    pub privacy: Option<Labelled>,
    pub streaming_playlists: Vec<StreamingPlaylist>,
    /// Web videos (one progressive MP4 per resolution).
    pub files: Vec<VideoFile>,
    pub tracker_urls: Vec<String>,
    /// Only for a logged-in viewer: where they stopped last time.
    pub user_history: Option<UserHistory>,
    pub aspect_ratio: Option<f64>,
}

/// `{id, label}` pairs (privacy, resolution, state…).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct Labelled {
    pub id: Option<Id>,
    pub label: Option<String>,
}

/// PeerTube writes ids as numbers (privacy 1–5, resolutions) and sometimes as
/// strings (a language "en"); both are read, neither is an error.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Id {
    Int(i64),
    Float(f64),
    Text(String),
}

impl Id {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Id::Int(i) => Some(*i),
            Id::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(*f as i64),
            Id::Float(_) => None,
            Id::Text(t) => t.parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct StreamingPlaylist {
    pub id: Option<u64>,
    /// 1: HLS (`VideoStreamingPlaylistType.HLS`).
    #[serde(rename = "type")]
    pub kind: Option<u32>,
    pub playlist_url: Option<String>,
    pub segments_sha256_url: Option<String>,
    pub redundancies: Vec<Redundancy>,
    pub files: Vec<VideoFile>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Redundancy {
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct VideoFile {
    pub resolution: Option<Labelled>,
    pub file_url: Option<String>,
    pub size: Option<u64>,
    pub fps: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_audio: Option<bool>,
    pub has_video: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserHistory {
    pub current_time: Option<f64>,
}

/// `GET /api/v1/config` (`ServerConfig`): only what the player needs.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ServerConfig {
    pub server_version: Option<String>,
}

/// PeerTube's error body (`application/problem+json`): `code` tells a missing
/// password from a wrong one.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ApiError {
    pub code: Option<String>,
    pub error: Option<String>,
    pub detail: Option<String>,
    pub status: Option<u16>,
}

/// `POST /api/v1/videos/{id}/token`: `{files: {token, expires}}`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct VideoToken {
    pub files: Option<FileToken>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct FileToken {
    pub token: Option<String>,
    pub expires: Option<String>,
}
