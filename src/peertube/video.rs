//! A video's API answer → what the player needs to play it, as PeerTube's own
//! player reads it: HLS when a streaming playlist exists, the web videos (plain
//! MP4 files) otherwise and as the fallback, the `ws`/`wss` trackers only, the
//! instance's mirrors, every URL absolute.

use super::api::{StreamingPlaylist, VideoDetails, VideoFile};
use crate::json::{Obj, Value};
use crate::uri;

/// `VideoStreamingPlaylistType.HLS` in PeerTube's models.
const HLS: u32 = 1;

/// Who may see the video (`VideoPrivacy` 1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privacy {
    Public,
    Unlisted,
    /// Only its owner: a token is needed (`Authorization`, `videoFileToken`).
    Private,
    /// Logged-in users of the instance: a token is needed.
    Internal,
    /// Anyone with the password (`x-peertube-video-password`).
    PasswordProtected,
}

impl Privacy {
    pub fn as_str(self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Unlisted => "unlisted",
            Privacy::Private => "private",
            Privacy::Internal => "internal",
            Privacy::PasswordProtected => "password-protected",
        }
    }

    fn from_id(id: Option<i64>) -> Privacy {
        match id {
            Some(2) => Privacy::Unlisted,
            Some(3) => Privacy::Private,
            Some(4) => Privacy::Internal,
            Some(5) => Privacy::PasswordProtected,
            _ => Privacy::Public,
        }
    }

    /// Whether its static files need a video file token.
    pub fn needs_file_token(self) -> bool {
        matches!(self, Privacy::Private | Privacy::Internal | Privacy::PasswordProtected)
    }
}

/// One web video: a progressive MP4 at one resolution.
#[derive(Debug, Clone, PartialEq)]
pub struct WebVideo {
    pub url: String,
    /// The resolution's height (0: audio only).
    pub height: u32,
    pub width: Option<u32>,
    pub label: String,
    pub size: Option<u64>,
    pub fps: Option<f64>,
}

/// The video, ready for the player.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayableVideo {
    pub uuid: Option<String>,
    pub short_uuid: Option<String>,
    pub title: String,
    pub is_live: bool,
    pub duration: Option<f64>,
    /// The watch page on the instance ("Watch on …").
    pub page_url: String,
    pub embed_url: Option<String>,
    pub poster: Option<String>,
    pub privacy: Privacy,
    /// The HLS master playlist; `None`: web videos only.
    pub src: Option<String>,
    pub segments_sha256_url: Option<String>,
    /// Base URLs of the instance's mirrors (redundancies).
    pub mirrors: Vec<String>,
    /// WebTorrent trackers the instance's player uses: its `ws`/`wss` ones.
    pub trackers: Vec<String>,
    /// Progressive MP4s, highest resolution first (audio-only last).
    pub web_videos: Vec<WebVideo>,
    /// Where a logged-in viewer stopped (`userHistory.currentTime`).
    pub history_time: Option<f64>,
}

impl WebVideo {
    pub fn to_json(&self) -> Value {
        Obj::new()
            .field("url", self.url.as_str())
            .field("height", self.height)
            .field("width", self.width)
            .field("label", self.label.as_str())
            .field("size", self.size)
            .field("fps", self.fps)
            .build()
    }
}

impl PlayableVideo {
    /// What `peertubeVideo()` gives the page (camelCase, as www/peertube.js reads it).
    pub fn to_json(&self) -> Value {
        Obj::new()
            .field("uuid", self.uuid.clone())
            .field("shortUuid", self.short_uuid.clone())
            .field("title", self.title.as_str())
            .field("isLive", self.is_live)
            .field("duration", self.duration)
            .field("pageUrl", self.page_url.as_str())
            .field("embedUrl", self.embed_url.clone())
            .field("poster", self.poster.clone())
            .field("privacy", self.privacy.as_str())
            .field("src", self.src.clone())
            .field("segmentsSha256Url", self.segments_sha256_url.clone())
            .field("mirrors", self.mirrors.clone())
            .field("trackers", self.trackers.clone())
            .field("webVideos", Value::Array(self.web_videos.iter().map(WebVideo::to_json).collect()))
            .field("historyTime", self.history_time)
            .build()
    }
}

/// Why an answer cannot be played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoError {
    /// Neither an HLS playlist nor a web video.
    NothingToPlay,
}

impl std::fmt::Display for VideoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VideoError::NothingToPlay => f.write_str("this video has neither an HLS playlist nor a web video to play"),
        }
    }
}

/// `url` made absolute against the instance (PeerTube sends some paths, e.g.
/// `previewPath`); `None` for an empty or unresolvable one.
fn absolute(instance: &str, url: Option<&str>) -> Option<String> {
    let url = url.map(str::trim).filter(|u| !u.is_empty())?;
    uri::resolve(instance, url).ok()
}

/// Web videos, highest first, audio-only last; files without a URL skipped.
fn web_videos(instance: &str, files: &[VideoFile]) -> Vec<WebVideo> {
    let mut list: Vec<WebVideo> = files
        .iter()
        .filter_map(|f| {
            let url = absolute(instance, f.file_url.as_deref())?;
            let resolution = f.resolution.as_ref();
            let height = resolution.and_then(|r| r.id.as_ref()).and_then(|i| i.as_i64()).or(f.height.map(i64::from)).unwrap_or(0);
            let height = u32::try_from(height).unwrap_or(0);
            let label = resolution.and_then(|r| r.label.clone()).unwrap_or_else(|| if height == 0 { "Audio only".into() } else { format!("{height}p") });
            Some(WebVideo { url, height, width: f.width, label, size: f.size, fps: f.fps.filter(|x| x.is_finite() && *x > 0.0) })
        })
        .collect();
    // Highest first; 0 (audio only) sorts last.
    let rank = |w: &WebVideo| if w.height == 0 { 0 } else { u64::from(w.height) + 1 };
    crate::sort::sort_by(&mut list, |a, b| rank(a) > rank(b));
    list
}

/// The HLS playlist PeerTube's player picks: the first of type HLS with a URL.
fn hls_playlist(video: &VideoDetails) -> Option<&StreamingPlaylist> {
    video.streaming_playlists.iter().find(|p| p.kind.unwrap_or(HLS) == HLS && p.playlist_url.as_deref().is_some_and(|u| !u.trim().is_empty()))
}

/// The trackers PeerTube's player announces to: `ws:`/`wss:` only (the list also
/// carries the instance's `https://…/tracker/announce`, for torrent clients).
pub fn websocket_trackers(instance: &str, urls: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for url in urls.iter().filter_map(|u| absolute(instance, Some(u))) {
        if matches!(uri::scheme(&url).as_deref(), Some("ws" | "wss")) && !out.contains(&url) {
            out.push(url);
        }
    }
    out
}

/// What the player needs from a video's API answer, `instance` being the
/// instance's origin (`https://video.example`).
///
/// ```
/// use tubeswarm::peertube::{playable_video, VideoDetails};
/// let video = VideoDetails::from_json(&tubeswarm::json::parse(r#"{
///   "uuid": "9c9de5e8-0a1e-484a-b099-e80766180a6d", "name": "A video", "isLive": false,
///   "trackerUrls": ["https://video.example/tracker/announce", "wss://video.example/tracker/socket"],
///   "streamingPlaylists": [{"type": 1,
///     "playlistUrl": "https://video.example/static/streaming-playlists/hls/9c9d/9c9d-master.m3u8",
///     "segmentsSha256Url": "https://video.example/static/streaming-playlists/hls/9c9d/9c9d-segments-sha256.json",
///     "redundancies": [{"baseUrl": "https://mirror.example/hls/9c9d"}]}],
///   "files": []
/// }"#).unwrap()).unwrap();
/// let v = playable_video(&video, "https://video.example").unwrap();
/// assert_eq!(v.trackers, ["wss://video.example/tracker/socket"]);
/// assert_eq!(v.mirrors, ["https://mirror.example/hls/9c9d"]);
/// assert!(v.src.unwrap().ends_with("-master.m3u8"));
/// ```
pub fn playable_video(video: &VideoDetails, instance: &str) -> Result<PlayableVideo, VideoError> {
    let hls = hls_playlist(video);
    // PeerTube lists the HLS playlist's files under it, and web videos under the
    // video; only the latter are progressive MP4s.
    let web = web_videos(instance, &video.files);
    if hls.is_none() && web.is_empty() {
        return Err(VideoError::NothingToPlay);
    }
    let uuid = video.uuid.clone();
    let page_url = absolute(instance, video.url.as_deref())
        .or_else(|| uuid.as_ref().or(video.short_uuid.as_ref()).and_then(|id| absolute(instance, Some(&format!("/w/{id}")))))
        .unwrap_or_else(|| instance.to_string());
    Ok(PlayableVideo {
        uuid,
        short_uuid: video.short_uuid.clone(),
        title: video.name.clone().unwrap_or_default(),
        is_live: video.is_live,
        duration: video.duration.filter(|d| d.is_finite() && *d > 0.0),
        page_url,
        embed_url: absolute(instance, video.embed_url.as_deref().or(video.embed_path.as_deref())),
        poster: absolute(instance, video.preview_url.as_deref().or(video.preview_path.as_deref()).or(video.thumbnail_path.as_deref())),
        privacy: Privacy::from_id(video.privacy.as_ref().and_then(|p| p.id.as_ref()).and_then(|i| i.as_i64())),
        src: hls.and_then(|p| absolute(instance, p.playlist_url.as_deref())),
        segments_sha256_url: hls.and_then(|p| absolute(instance, p.segments_sha256_url.as_deref())),
        mirrors: hls.map_or_else(Vec::new, |p| p.redundancies.iter().filter_map(|r| absolute(instance, r.base_url.as_deref())).collect()),
        trackers: websocket_trackers(instance, &video.tracker_urls),
        web_videos: web,
        history_time: video.user_history.as_ref().and_then(|h| h.current_time).filter(|t| t.is_finite() && *t > 0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> VideoDetails {
        VideoDetails::from_json(&crate::json::parse(json).unwrap()).unwrap()
    }

    fn read(json: &str) -> Result<VideoDetails, String> {
        VideoDetails::from_json(&crate::json::parse(json).unwrap())
    }

    #[test]
    fn framatube_s_answer_is_hls_with_mirrors_and_the_wss_tracker() {
        // The shape of framatube.org's answer for "What is PeerTube?": HLS only,
        // files: [], redundancies, an https and a wss tracker, paths for images.
        let v = parse(r#"{
            "id": 1, "uuid": "9c9de5e8-0a1e-484a-b099-e80766180a6d", "shortUUID": "kkGMgK9ZtnKfYAgnEtQxbv",
            "name": "What is PeerTube?", "isLive": false, "duration": 113,
            "url": "https://framatube.org/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "embedPath": "/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "previewPath": "/lazy-static/previews/a.jpg", "privacy": {"id": 1, "label": "Public"},
            "trackerUrls": ["https://framatube.org/tracker/announce", "wss://framatube.org:443/tracker/socket"],
            "files": [],
            "streamingPlaylists": [{"id": 7, "type": 1,
              "playlistUrl": "https://framatube.org/static/streaming-playlists/hls/9c9d/9c9d-master.m3u8",
              "segmentsSha256Url": "https://framatube.org/static/streaming-playlists/hls/9c9d/segments-sha256.json",
              "redundancies": [{"baseUrl": "https://peertube.a/static/redundancy/hls/9c9d"}, {"baseUrl": ""}, {}],
              "files": [{"resolution": {"id": 1080, "label": "1080p"}, "fileUrl": "https://framatube.org/x-1080-fragmented.mp4"}]}]
        }"#);
        let p = playable_video(&v, "https://framatube.org").unwrap();
        assert_eq!(p.trackers, ["wss://framatube.org:443/tracker/socket"]);
        assert_eq!(p.mirrors, ["https://peertube.a/static/redundancy/hls/9c9d"]);
        assert_eq!(p.poster.as_deref(), Some("https://framatube.org/lazy-static/previews/a.jpg"));
        assert_eq!(p.embed_url.as_deref(), Some("https://framatube.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d"));
        assert!(p.web_videos.is_empty(), "an HLS playlist's fragmented files are not web videos");
        assert_eq!(p.privacy, Privacy::Public);
        assert_eq!(p.duration, Some(113.0));
    }

    #[test]
    fn web_videos_only_are_playable_highest_first() {
        let v = parse(r#"{"uuid": "u", "name": "Old video", "privacy": {"id": 2},
            "files": [
              {"resolution": {"id": 0, "label": "Audio only"}, "fileUrl": "/static/web-videos/u-0.mp4", "size": 10},
              {"resolution": {"id": 480, "label": "480p"}, "fileUrl": "/static/web-videos/u-480.mp4", "size": 2000, "fps": 25},
              {"resolution": {"id": 720, "label": "720p"}, "fileUrl": "/static/web-videos/u-720.mp4", "size": 5000, "fps": 25},
              {"resolution": {"id": 240, "label": "240p"}}
            ]}"#);
        let p = playable_video(&v, "https://v.example").unwrap();
        assert_eq!(p.src, None);
        let heights: Vec<u32> = p.web_videos.iter().map(|w| w.height).collect();
        assert_eq!(heights, [720, 480, 0], "sorted, the file without a URL skipped");
        assert_eq!(p.web_videos[0].url, "https://v.example/static/web-videos/u-720.mp4");
        assert_eq!(p.privacy, Privacy::Unlisted);
        assert_eq!(p.page_url, "https://v.example/w/u");
    }

    #[test]
    fn nothing_to_play_is_a_clear_error() {
        let v = parse(r#"{"uuid": "u", "streamingPlaylists": [{"type": 1, "playlistUrl": ""}], "files": []}"#);
        assert_eq!(playable_video(&v, "https://v.example"), Err(VideoError::NothingToPlay));
        assert!(VideoError::NothingToPlay.to_string().contains("HLS"));
    }

    #[test]
    fn privacy_history_and_odd_ids() {
        let v = parse(r#"{"privacy": {"id": "5"}, "userHistory": {"currentTime": 42.5},
            "streamingPlaylists": [{"playlistUrl": "/static/streaming-playlists/hls/private/u/m.m3u8"}]}"#);
        let p = playable_video(&v, "https://v.example").unwrap();
        assert_eq!(p.privacy, Privacy::PasswordProtected);
        assert!(p.privacy.needs_file_token());
        assert_eq!(p.history_time, Some(42.5));
        assert_eq!(p.src.as_deref(), Some("https://v.example/static/streaming-playlists/hls/private/u/m.m3u8"));
    }

    #[test]
    fn trackers_keep_websockets_only_once_each() {
        let urls: Vec<String> =
            ["https://v.example/tracker/announce", "wss://v.example/tracker/socket", "ws://x/s", "wss://v.example/tracker/socket", "udp://t:1", "/tracker/socket"]
                .map(String::from)
                .to_vec();
        assert_eq!(websocket_trackers("https://v.example", &urls), ["wss://v.example/tracker/socket", "ws://x/s"]);
    }

    #[test]
    fn a_field_of_the_wrong_type_is_an_error_not_a_panic() {
        assert_eq!(read(r#"{"streamingPlaylists": "no"}"#).unwrap_err(), "video.streamingPlaylists must be a list");
        assert!(read(r#"[1,2]"#).is_err());
        assert!(read(r#"{"files": [{"fileUrl": 3}]}"#).unwrap_err().contains("fileUrl"));
        // Unknown fields and nulls are fine.
        assert!(read(r#"{"x": 1, "name": null, "files": []}"#).is_ok());
    }
}
