//! The parts of PeerTube's REST API answers the player reads, as PeerTube 6–8
//! send them. Every field is optional: instances of different releases leave
//! different fields out, and a missing field must not cost the viewer the video.
//! A field of the wrong type is an error naming it (the answer is not what
//! PeerTube sends). Read with `crate::json` (see its opening comment).

use crate::json::{Fields, Value};

type Bad = String;

/// `GET /api/v1/videos/{id}` (`VideoDetails`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoDetails {
    pub id: Option<u64>,
    pub uuid: Option<String>,
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labelled {
    pub id: Option<Id>,
    pub label: Option<String>,
}

/// PeerTube writes ids as numbers (privacy 1–5, resolutions) and sometimes as
/// strings (a language "en"); both are read, neither is an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Id {
    Number(f64),
    Text(String),
}

impl Id {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Id::Number(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(*f as i64),
            Id::Number(_) => None,
            Id::Text(t) => t.parse().ok(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamingPlaylist {
    pub id: Option<u64>,
    /// 1: HLS (`VideoStreamingPlaylistType.HLS`).
    pub kind: Option<u32>,
    pub playlist_url: Option<String>,
    pub segments_sha256_url: Option<String>,
    pub redundancies: Vec<Redundancy>,
    pub files: Vec<VideoFile>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Redundancy {
    pub base_url: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
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

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserHistory {
    pub current_time: Option<f64>,
}

fn small(n: Option<u64>) -> Option<u32> {
    n.map(|n| n.min(u64::from(u32::MAX)) as u32)
}

fn list<T>(f: &Fields, key: &str, path: &str, read: impl Fn(&Fields) -> Result<T, Bad>) -> Result<Vec<T>, Bad> {
    f.objects(key)?.iter().map(|v| read(&Fields::new(v, path)?)).collect()
}

impl Labelled {
    fn read(f: &Fields) -> Result<Labelled, Bad> {
        let id = match f.raw("id") {
            None => None,
            Some(Value::Number(n)) => Some(Id::Number(*n)),
            Some(Value::String(s)) => Some(Id::Text(s.clone())),
            Some(_) => return Err(f.wrong("id", "a number or a string")),
        };
        Ok(Labelled { id, label: f.string("label")? })
    }
}

impl VideoFile {
    fn read(f: &Fields) -> Result<VideoFile, Bad> {
        Ok(VideoFile {
            resolution: f.object("resolution", "file.resolution")?.map(|r| Labelled::read(&r)).transpose()?,
            file_url: f.string("fileUrl")?,
            size: f.whole("size")?,
            fps: f.number("fps")?,
            width: small(f.whole("width")?),
            height: small(f.whole("height")?),
            has_audio: f.boolean("hasAudio")?,
            has_video: f.boolean("hasVideo")?,
        })
    }
}

impl StreamingPlaylist {
    fn read(f: &Fields) -> Result<StreamingPlaylist, Bad> {
        Ok(StreamingPlaylist {
            id: f.whole("id")?,
            kind: small(f.whole("type")?),
            playlist_url: f.string("playlistUrl")?,
            segments_sha256_url: f.string("segmentsSha256Url")?,
            redundancies: list(f, "redundancies", "redundancies[]", |r| Ok(Redundancy { base_url: r.string("baseUrl")? }))?,
            files: list(f, "files", "streamingPlaylists[].files[]", VideoFile::read)?,
        })
    }
}

impl VideoDetails {
    /// A video's API answer; an error names the first field of a wrong type.
    ///
    /// ```
    /// use tubeswarm::peertube::VideoDetails;
    /// let v = VideoDetails::from_json(&tubeswarm::json::parse(r#"{"uuid":"u","isLive":true}"#).unwrap()).unwrap();
    /// assert!(v.is_live);
    /// assert!(VideoDetails::from_json(&tubeswarm::json::parse(r#"{"files":"no"}"#).unwrap()).is_err());
    /// ```
    pub fn from_json(v: &Value) -> Result<VideoDetails, Bad> {
        let f = Fields::new(v, "video")?;
        Ok(VideoDetails {
            id: f.whole("id")?,
            uuid: f.string("uuid")?,
            short_uuid: f.string("shortUUID")?,
            name: f.string("name")?,
            url: f.string("url")?,
            embed_url: f.string("embedUrl")?,
            embed_path: f.string("embedPath")?,
            is_live: f.boolean("isLive")?.unwrap_or(false),
            duration: f.number("duration")?,
            preview_url: f.string("previewUrl")?,
            preview_path: f.string("previewPath")?,
            thumbnail_path: f.string("thumbnailPath")?,
            privacy: f.object("privacy", "video.privacy")?.map(|p| Labelled::read(&p)).transpose()?,
            streaming_playlists: list(&f, "streamingPlaylists", "video.streamingPlaylists[]", StreamingPlaylist::read)?,
            files: list(&f, "files", "video.files[]", VideoFile::read)?,
            tracker_urls: f.strings("trackerUrls")?,
            user_history: f.object("userHistory", "video.userHistory")?.map(|h| h.number("currentTime").map(|t| UserHistory { current_time: t })).transpose()?,
            aspect_ratio: f.number("aspectRatio")?,
        })
    }
}
