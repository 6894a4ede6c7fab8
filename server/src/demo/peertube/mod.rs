//! PeerTube's REST API for the sample VOD, so the player's PeerTube mode (and the
//! embed page's `peertube=` parameter) work offline against the demo server.
//!
//! - `GET /api/v1/videos/{id}`: a `VideoDetails` object, as PeerTube 7 sends it,
//!   with one HLS streaming playlist (`type: 1`) whose `files` are the master's
//!   renditions on disk, one redundancy (`/mirror/ok/vod`) and the demo's own
//!   tracker in `trackerUrls`;
//! - `GET /api/v1/videos/{id}/chapters`, `/storyboards`, `/captions`: PeerTube 6+'s
//!   shapes, made from `chapters.json`, `storyboards.json` and `captions-*.vtt`;
//! - `POST /api/v1/videos/{id}/views`: view reports, kept for the tests
//!   (`GET /api/v1/demo/views` lists them; see [`views`]);
//! - `GET /api/v1/config`: `serverVersion` (`--peertube-version`), from which the
//!   player picks the swarm form of the instance's own viewers;
//! - `/w/{id}`, `/videos/watch/{id}` and `/videos/embed/{id}`: redirect to the
//!   embed page on that video (query kept), so PeerTube's URLs open here too.
//!
//! `{id}` is the master's uuid (`<uuid>-master.m3u8` in `media/vod/`), its
//! shortUUID, or the numeric id 1. Anything else: 404 in PeerTube's error shape.
//! Everything is derived per request from what is on disk, with absolute URLs
//! built from the request's `Host` header (PeerTube's API always sends absolute
//! URLs, and the page may reach this server by any name).

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, RawQuery, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use tubeswarm::hls::{parse_playlist, MasterPlaylist, Playlist, RenditionType};

/// Where the sample VOD lives, relative to the media folder, and where it is served.
const VOD_DIR: &str = "vod";
const VOD_URL: &str = "/media/vod";
const MIRROR_URL: &str = "/mirror/ok/vod";
const MASTER_SUFFIX: &str = "-master.m3u8";
/// short-uuid's default alphabet (flickrBase58), which PeerTube's shortUUID uses.
const BASE58: &[u8] = b"123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";

pub mod samples;
mod views;

use samples::Kind;

/// What the handlers share: the media folder, the release to answer as, the
/// view reports received, the video file tokens given out.
#[derive(Clone)]
struct Media {
    dir: PathBuf,
    version: String,
    views: views::ViewLog,
    tokens: samples::FileTokens,
}

/// The API routes, for any outer router state (they carry their own).
pub fn routes<S: Clone + Send + Sync + 'static>(media: &Path, version: &str) -> Router<S> {
    Router::new()
        .route("/api/v1/config", get(config))
        .route("/api/v1/videos/{id}", get(video))
        .route("/api/v1/videos/{id}/views", post(views::record).put(views::record))
        .route("/api/v1/videos/{id}/watching", post(views::record).put(views::record))
        .route("/api/v1/demo/views", get(views::list))
        .route("/api/v1/videos/{id}/chapters", get(chapters))
        .route("/api/v1/videos/{id}/storyboards", get(storyboards))
        .route("/api/v1/videos/{id}/captions", get(captions))
        .route("/w/{id}", get(watch_page))
        .route("/videos/watch/{id}", get(watch_page))
        .route("/videos/embed/{id}", get(watch_page))
        .route("/api/v1/videos/{id}/token", post(samples::token))
        .route(&format!("{}/{{uuid}}/{{file}}", samples::PRIVATE_HLS_URL), get(samples::private_file))
        .route(&format!("{}/{{file}}", samples::WEB_VIDEOS_URL), get(samples::web_video_file))
        .with_state(Media {
            dir: media.to_path_buf(),
            version: version.to_string(),
            views: views::ViewLog::new(),
            tokens: samples::FileTokens::default(),
        })
}

/// `GET /api/v1/config`: the few fields a player reads (PeerTube's answer has
/// many more), with the release given by `--peertube-version`.
async fn config(State(media): State<Media>) -> Response {
    json_response(json!({
        "serverVersion": media.version,
        "serverCommit": null,
        "instance": { "name": "tubeswarm demo", "shortDescription": "Sample media for tubeswarm" },
        "tracker": { "enabled": true },
        "webrtc": { "stunServers": [] },
        "live": { "enabled": true, "latencySetting": { "enabled": true } },
        "views": { "videos": { "watchingInterval": { "anonymous": 5000, "users": 5000 } } },
    }))
}

/// PeerTube's `shortUUID`: the uuid's 128 bits in base 58, padded to 22 characters
/// (short-uuid's `consistentLength`).
pub fn short_uuid(uuid: &str) -> Option<String> {
    let hex: String = uuid.chars().filter(|c| *c != '-').collect();
    let mut n = u128::from_str_radix(&hex, 16).ok()?;
    let mut digits = Vec::new();
    while n > 0 {
        digits.push(BASE58[(n % 58) as usize]);
        n /= 58;
    }
    while digits.len() < 22 {
        digits.push(BASE58[0]);
    }
    digits.reverse();
    String::from_utf8(digits).ok()
}

/// A video of the demo instance, found by `id`: its uuid, what kind of sample it
/// is, and the VOD's parsed master playlist (every sample is made of it).
struct Vod {
    uuid: String,
    kind: Kind,
    master: MasterPlaylist,
    /// The VOD's own uuid (its files are named after it).
    media_uuid: String,
    dir: PathBuf,
    base: String,
}

impl Vod {
    /// Where one of the VOD's HLS files is served for this video.
    fn url(&self, file: &str) -> String {
        if self.kind.gated() {
            format!("{}{}/{}/{file}", self.base, samples::PRIVATE_HLS_URL, self.uuid)
        } else {
            format!("{}{VOD_URL}/{file}", self.base)
        }
    }
}

/// `http://<Host>`: the name this request reached us by.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// PeerTube's error body (RFC 7807 problem details plus its `error` field).
fn fail(status: StatusCode, message: &str) -> Response {
    fail_with_code(status, message, None)
}

/// The same, with PeerTube's machine-readable `code` (`video_requires_password`…).
fn fail_with_code(status: StatusCode, message: &str, code: Option<&str>) -> Response {
    let mut body = json!({
        "type": "https://docs.joinpeertube.org/api-rest-reference.html",
        "title": status.canonical_reason().unwrap_or(""),
        "detail": message,
        "status": status.as_u16(),
        "error": message,
        "docs": "https://docs.joinpeertube.org/api-rest-reference.html#tag/Video/operation/getVideo",
    });
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    (
        status,
        [(
            header::CONTENT_TYPE,
            "application/problem+json; charset=utf-8",
        )],
        body.to_string(),
    )
        .into_response()
}

fn not_found() -> Response {
    fail(StatusCode::NOT_FOUND, "Video not found")
}

fn json_response(value: Value) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        value.to_string(),
    )
        .into_response()
}

/// The uuids of the masters in `media/vod/`, sorted (the numeric id is 1 + index).
async fn uuids(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(uuid) = name.strip_suffix(MASTER_SUFFIX) {
                if short_uuid(uuid).is_some() {
                    found.push(uuid.to_string());
                }
            }
        }
    }
    found.sort();
    found
}

/// The video `id` names (uuid, shortUUID or numeric id), if the request may see it.
async fn find(media: &Media, id: &str, headers: &HeaderMap) -> Result<Vod, Response> {
    let dir = media.dir.join(VOD_DIR);
    let on_disk = uuids(&dir).await;
    let media_uuid = on_disk.first().cloned().ok_or_else(not_found)?;
    // The VOD on disk first (id 1), then the samples made of it.
    let all: Vec<String> = on_disk.iter().cloned().chain(samples::EXTRA_UUIDS.iter().map(|u| u.to_string())).collect();
    let uuid = all
        .iter()
        .enumerate()
        .find(|(i, uuid)| {
            uuid.eq_ignore_ascii_case(id)
                || short_uuid(uuid).as_deref() == Some(id)
                || id.parse::<usize>().ok() == Some(i + 1)
        })
        .map(|(_, uuid)| uuid.clone())
        .ok_or_else(not_found)?;
    let kind = samples::kind_of(&uuid).unwrap_or(Kind::Public);
    samples::check(kind, headers)?;
    let base = base_url(headers);
    let file = format!("{media_uuid}{MASTER_SUFFIX}");
    let text = tokio::fs::read_to_string(dir.join(&file))
        .await
        .map_err(|_| not_found())?;
    let url = format!("{base}{VOD_URL}/{file}");
    let master = match parse_playlist(&text, &url) {
        Ok(Playlist::Master(master)) => master,
        _ => {
            return Err(fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the master playlist does not parse",
            ))
        }
    };
    Ok(Vod {
        uuid,
        kind,
        master,
        media_uuid,
        dir,
        base,
    })
}

/// The last path segment of a URL (every file of the VOD sits in one folder).
fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

/// One rendition as a PeerTube `VideoFile`: its media playlist names the one
/// fragmented MP4 that holds it (`EXT-X-MAP`).
struct Rendition<'a> {
    playlist: &'a str,
    height: u32,
    width: u32,
    fps: f64,
    has_video: bool,
    has_audio: bool,
}

async fn video_file(vod: &Vod, id: usize, r: &Rendition<'_>) -> Option<(Value, f64)> {
    let name = file_name(r.playlist);
    let text = tokio::fs::read_to_string(vod.dir.join(name)).await.ok()?;
    let Ok(Playlist::Media(media)) = parse_playlist(&text, &vod.url(name)) else {
        return None;
    };
    let mp4 = file_name(&media.segments.first()?.init.as_ref()?.url).to_string();
    let size = tokio::fs::metadata(vod.dir.join(&mp4)).await.ok()?.len();
    let label = if r.has_video {
        format!("{}p", r.height)
    } else {
        "Audio only".to_string()
    };
    let file_url = vod.url(&mp4);
    let file = json!({
        "id": id,
        "resolution": { "id": r.height, "label": label },
        "size": size,
        "width": r.width,
        "height": r.height,
        "fps": r.fps,
        "torrentUrl": null,
        "torrentDownloadUrl": null,
        "fileUrl": file_url,
        // PeerTube's download route is not served here: the file itself downloads.
        "fileDownloadUrl": file_url,
        "playlistUrl": vod.url(name),
        "magnetUri": null,
        "hasAudio": r.has_audio,
        "hasVideo": r.has_video,
        "storage": 0,
    });
    Some((file, media.total_duration()))
}

async fn video(
    State(media): State<Media>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let vod = match find(&media, &id, &headers).await {
        Ok(vod) => vod,
        Err(response) => return response,
    };
    let split_audio = vod
        .master
        .renditions
        .iter()
        .find(|r| r.kind == RenditionType::Audio && r.url.is_some());
    let mut renditions: Vec<Rendition> = vod
        .master
        .variants
        .iter()
        .map(|v| Rendition {
            playlist: &v.url,
            height: v.resolution.map_or(0, |r| r.height),
            width: v.resolution.map_or(0, |r| r.width),
            fps: v.frame_rate.unwrap_or(0.0),
            has_video: true,
            has_audio: split_audio.is_none(),
        })
        .collect();
    // PeerTube lists the resolutions highest first, the audio-only file last.
    renditions.sort_by(|a, b| b.height.cmp(&a.height));
    if let Some(audio) = split_audio.and_then(|r| r.url.as_deref()) {
        renditions.push(Rendition {
            playlist: audio,
            height: 0,
            width: 0,
            fps: 0.0,
            has_video: false,
            has_audio: true,
        });
    }
    let mut files = Vec::new();
    let mut duration: f64 = 0.0;
    for (i, r) in renditions.iter().enumerate() {
        if let Some((file, seconds)) = video_file(&vod, i + 1, r).await {
            duration = duration.max(seconds);
            files.push(file);
        }
    }
    let uuid = &vod.uuid;
    let media_uuid = &vod.media_uuid;
    let short = short_uuid(uuid).unwrap_or_default();
    let base = &vod.base;
    let host = base.trim_start_matches("http://");
    let (privacy_id, privacy_label) = vod.kind.privacy();
    let web_videos = if vod.kind.has_web_videos() { web_video_files(&media, &vod, fps_of(&renditions)).await } else { Vec::new() };
    let streaming_playlists = match vod.kind {
        Kind::WebVideosOnly => json!([]),
        // Gone from the server (a failed move to object storage, say): 404.
        Kind::BrokenHls => json!([{
            "id": 1, "type": 1,
            "playlistUrl": format!("{base}/static/streaming-playlists/hls/{uuid}/{uuid}-master.m3u8"),
            "segmentsSha256Url": format!("{base}/static/streaming-playlists/hls/{uuid}/{uuid}-segments-sha256.json"),
            "redundancies": [], "files": [],
        }]),
        kind => json!([{
            "id": 1,
            "type": 1,
            "playlistUrl": vod.url(&format!("{media_uuid}{MASTER_SUFFIX}")),
            "segmentsSha256Url": vod.url(&format!("{media_uuid}-segments-sha256.json")),
            // Mirrors hold public videos only.
            "redundancies": if kind.gated() { json!([]) } else { json!([{ "baseUrl": format!("{base}{MIRROR_URL}") }]) },
            "files": files,
        }]),
    };
    let aspect = renditions
        .iter()
        .find(|r| r.height > 0)
        .map(|r| (r.width as f64 / r.height as f64 * 10_000.0).round() / 10_000.0);
    let when = "2026-01-01T00:00:00.000Z";
    let account = json!({
        "id": 1, "name": "demo", "displayName": "tubeswarm demo",
        "url": format!("{base}/accounts/demo"), "host": host, "avatars": [],
    });
    let channel = json!({
        "id": 1, "name": "demo_channel", "displayName": "tubeswarm samples",
        "url": format!("{base}/video-channels/demo_channel"), "host": host, "avatars": [],
    });
    // Two halves: one json! this long exceeds the macro recursion limit.
    let mut details = json!({
        "id": 1,
        "uuid": uuid,
        "shortUUID": short,
        "url": format!("{base}/videos/watch/{uuid}"),
        "name": vod.kind.title(),
        "category": { "id": 15, "label": "Science & Technology" },
        "licence": { "id": 7, "label": "Public Domain Dedication" },
        "language": { "id": "en", "label": "English" },
        "privacy": { "id": privacy_id, "label": privacy_label },
        "nsfw": false,
        "nsfwFlags": 0,
        "nsfwSummary": null,
        "description": "Colour bars, a counter and beeps, made by ffmpeg for the tubeswarm demo.",
        "truncatedDescription": "Colour bars, a counter and beeps, made by ffmpeg for the tubeswarm demo.",
        "support": null,
        "duration": duration.round() as u64,
        "aspectRatio": aspect,
        "isLocal": true,
        "isLive": false,
        "createdAt": when,
        "updatedAt": when,
        "publishedAt": when,
        "originallyPublishedAt": null,
        "inputFileUpdatedAt": when,
        // The sample has no preview image (the storyboard is a sprite sheet, not
        // a poster): null, so a player shows no poster rather than a wrong one.
        "thumbnailPath": null,
        "previewPath": null,
        "embedPath": format!("/videos/embed/{uuid}"),
        "embedUrl": format!("{base}/videos/embed/{uuid}"),
    });
    let playback = json!({
        "views": 0,
        "viewers": 0,
        "likes": 0,
        "dislikes": 0,
        "comments": 0,
        "tags": ["tubeswarm", "sample"],
        "commentsPolicy": { "id": 1, "label": "Enabled" },
        "downloadEnabled": true,
        "waitTranscoding": false,
        "state": { "id": 1, "label": "Published" },
        "blacklisted": false,
        "account": account,
        "channel": channel,
        // As PeerTube lists them: the HTTP announce URL (for torrent clients)
        // and the WebSocket one (the only kind a web player uses).
        "trackerUrls": [format!("{base}/tracker/announce"), format!("ws://{host}/tracker/socket")],
        // Web videos (one plain MP4 per resolution), for the samples that have them.
        "files": web_videos,
        "streamingPlaylists": streaming_playlists,
    });
    if let (Some(details), Value::Object(playback)) = (details.as_object_mut(), playback) {
        details.extend(playback);
    }
    json_response(details)
}

/// The frame rate of the video renditions (for the web videos made of them).
fn fps_of(renditions: &[Rendition]) -> f64 {
    renditions.iter().map(|r| r.fps).find(|f| *f > 0.0).unwrap_or(0.0)
}

/// The web videos on disk (`<media>/web/<uuid>-<height>.mp4`), highest first.
async fn web_video_files(media: &Media, vod: &Vod, fps: f64) -> Vec<Value> {
    let dir = media.dir.join(samples::WEB_VIDEOS_DIR);
    let prefix = format!("{}-", vod.media_uuid);
    let mut found: Vec<(u32, u64, String)> = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(&dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            let height = name.strip_prefix(&prefix).and_then(|n| n.strip_suffix(".mp4")).and_then(|h| h.parse::<u32>().ok());
            if let (Some(height), Ok(meta)) = (height, entry.metadata().await) {
                found.push((height, meta.len(), name));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0));
    found
        .into_iter()
        .enumerate()
        .map(|(i, (height, size, name))| {
            let url = format!("{}{}/{name}", vod.base, samples::WEB_VIDEOS_URL);
            json!({
                "id": 100 + i, "resolution": { "id": height, "label": format!("{height}p") }, "size": size,
                "width": height * 16 / 9, "height": height, "fps": fps,
                "fileUrl": url, "fileDownloadUrl": url, "torrentUrl": null, "magnetUri": null,
                "hasAudio": true, "hasVideo": true, "storage": 0,
            })
        })
        .collect()
}

/// A JSON file of the VOD folder, parsed; `None` if missing or broken.
async fn read_json(vod: &Vod, name: &str) -> Option<Value> {
    let bytes = tokio::fs::read(vod.dir.join(name)).await.ok()?;
    serde_json::from_slice(&bytes).ok()
}

async fn chapters(
    State(media): State<Media>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    match find(&media, &id, &headers).await {
        Ok(vod) => {
            let list = read_json(&vod, "chapters.json")
                .await
                .and_then(|v| v.get("chapters").cloned())
                .unwrap_or_else(|| json!([]));
            json_response(json!({ "chapters": list }))
        }
        Err(response) => response,
    }
}

async fn storyboards(
    State(media): State<Media>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let vod = match find(&media, &id, &headers).await {
        Ok(vod) => vod,
        Err(response) => return response,
    };
    let mut list = read_json(&vod, "storyboards.json")
        .await
        .and_then(|v| v.get("storyboards").cloned())
        .unwrap_or_else(|| json!([]));
    // PeerTube's fileUrl is absolute; storyboardPath stays a path on the instance.
    if let Some(boards) = list.as_array_mut() {
        for board in boards {
            if let Some(path) = board.get("fileUrl").and_then(Value::as_str) {
                if path.starts_with('/') {
                    board["fileUrl"] = json!(format!("{}{path}", vod.base));
                }
            }
        }
    }
    json_response(json!({ "storyboards": list }))
}

async fn captions(
    State(media): State<Media>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let vod = match find(&media, &id, &headers).await {
        Ok(vod) => vod,
        Err(response) => return response,
    };
    let mut languages = Vec::new();
    if let Ok(mut entries) = tokio::fs::read_dir(&vod.dir).await {
        while let Ok(Some(entry)) = entries.next_entry().await {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(lang) = name
                .strip_prefix("captions-")
                .and_then(|n| n.strip_suffix(".vtt"))
            {
                languages.push(lang.to_string());
            }
        }
    }
    languages.sort();
    let data: Vec<Value> = languages
        .iter()
        .map(|lang| {
            // The master's SUBTITLES rendition names the language; else its code.
            let label = vod
                .master
                .renditions
                .iter()
                .find(|r| r.kind == RenditionType::Subtitles && r.language.as_deref() == Some(lang))
                .map_or(lang.clone(), |r| r.name.clone());
            let path = format!("{VOD_URL}/captions-{lang}.vtt");
            json!({
                "language": { "id": lang, "label": label },
                "captionPath": path,
                "fileUrl": format!("{}{path}", vod.base),
                "m3u8Url": vod.url(&format!("captions-{lang}.m3u8")),
                "automaticallyGenerated": false,
                "updatedAt": "2026-01-01T00:00:00.000Z",
            })
        })
        .collect();
    json_response(json!({ "total": data.len(), "data": data }))
}

/// PeerTube's watch and embed URLs open the embed page on that video.
async fn watch_page(
    State(media): State<Media>,
    UrlPath(id): UrlPath<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let vod = match find(&media, &id, &headers).await {
        Ok(vod) => vod,
        Err(response) => return response,
    };
    let watch = format!("{}/w/{}", vod.base, vod.uuid);
    let mut target = format!("/embed.html?peertube={}", encode_component(&watch));
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        target.push('&');
        target.push_str(&query);
    }
    Redirect::to(&target).into_response()
}

/// `encodeURIComponent`, for one URL in a query string.
fn encode_component(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{encode_component, file_name, short_uuid};

    #[test]
    fn short_uuids_are_base58_of_the_uuid() {
        // The all-zero uuid is all '1's; one is "2" padded.
        assert_eq!(
            short_uuid("00000000-0000-0000-0000-000000000000").unwrap(),
            "1".repeat(22)
        );
        assert_eq!(
            short_uuid("00000000-0000-0000-0000-000000000001").unwrap(),
            format!("{}2", "1".repeat(21))
        );
        assert_eq!(
            short_uuid("00000000-0000-0000-0000-00000000003a").unwrap(),
            format!("{}21", "1".repeat(20))
        );
        // u128::MAX needs exactly 22 base-58 digits.
        assert_eq!(
            short_uuid("ffffffff-ffff-ffff-ffff-ffffffffffff")
                .unwrap()
                .len(),
            22
        );
        assert!(short_uuid("not-a-uuid").is_none());
    }

    #[test]
    fn helpers() {
        assert_eq!(file_name("http://h/media/vod/a-240.m3u8?x=1"), "a-240.m3u8");
        assert_eq!(
            encode_component("http://h:1/w/a b"),
            "http%3A%2F%2Fh%3A1%2Fw%2Fa%20b"
        );
    }
}
