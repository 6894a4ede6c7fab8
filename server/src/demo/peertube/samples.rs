//! The demo instance's videos besides the public sample, all made of the same
//! media on disk, each the case a player must handle as PeerTube serves it:
//!
//! | uuid | privacy | what it has |
//! |---|---|---|
//! | the VOD's own | public | HLS and a mirror (`files: []`, as framatube.org's answer) |
//! | `PASSWORD_UUID` | password-protected | HLS under `/static/streaming-playlists/hls/private/`; the API and the files answer 403 without [`VIDEO_PASSWORD`] |
//! | `PRIVATE_UUID` | private | the same path; the API and the files answer 401 without `Authorization: Bearer` [`USER_TOKEN`] (403 with another token) or a video file token |
//! | `WEB_VIDEO_UUID` | public | web videos only: `streamingPlaylists: []` |
//! | `BROKEN_HLS_UUID` | public | an HLS playlist that is gone (404) and web videos: the player's fallback |
//!
//! Video file tokens come from `POST /api/v1/videos/{id}/token`, as PeerTube
//! gives them, and open that video's files as `?videoFileToken=`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path as UrlPath, Request, State};
use axum::http::header::HeaderMap;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::{fail, fail_with_code, json_response, Media, VOD_DIR};

pub const PASSWORD_UUID: &str = "b0a3c1d2-5e4f-4a6b-8c7d-9e0f1a2b3c4d";
pub const PRIVATE_UUID: &str = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f";
pub const WEB_VIDEO_UUID: &str = "d2e3f4a5-b6c7-4d8e-9f0a-1b2c3d4e5f60";
pub const BROKEN_HLS_UUID: &str = "e3f4a5b6-c7d8-4e9f-8a1b-2c3d4e5f6071";
/// The password-protected sample's password.
pub const VIDEO_PASSWORD: &str = "demo-password";
/// The access token of the private sample's owner.
pub const USER_TOKEN: &str = "demo-user-token";
/// Where web videos are served from (`<media>/web/` on disk).
pub const WEB_VIDEOS_URL: &str = "/static/web-videos";
pub const WEB_VIDEOS_DIR: &str = "web";
/// Non-public videos' HLS files (`<media>/vod/` on disk, behind the checks).
pub const PRIVATE_HLS_URL: &str = "/static/streaming-playlists/hls/private";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Public,
    PasswordProtected,
    Private,
    WebVideosOnly,
    BrokenHls,
}

impl Kind {
    /// PeerTube's `VideoPrivacy` id and label.
    pub fn privacy(self) -> (u8, &'static str) {
        match self {
            Kind::PasswordProtected => (5, "Password protected"),
            Kind::Private => (3, "Private"),
            _ => (1, "Public"),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Kind::Public => "tubeswarm sample video",
            Kind::PasswordProtected => "tubeswarm sample video (password protected)",
            Kind::Private => "tubeswarm sample video (private)",
            Kind::WebVideosOnly => "tubeswarm sample video (web videos only)",
            Kind::BrokenHls => "tubeswarm sample video (HLS gone, web videos left)",
        }
    }

    /// HLS files behind the access checks.
    pub fn gated(self) -> bool {
        matches!(self, Kind::PasswordProtected | Kind::Private)
    }

    pub fn has_web_videos(self) -> bool {
        matches!(self, Kind::WebVideosOnly | Kind::BrokenHls)
    }
}

/// The extra samples, by uuid.
pub fn kind_of(uuid: &str) -> Option<Kind> {
    [
        (PASSWORD_UUID, Kind::PasswordProtected),
        (PRIVATE_UUID, Kind::Private),
        (WEB_VIDEO_UUID, Kind::WebVideosOnly),
        (BROKEN_HLS_UUID, Kind::BrokenHls),
    ]
    .into_iter()
    .find(|(u, _)| u.eq_ignore_ascii_case(uuid))
    .map(|(_, k)| k)
}

pub const EXTRA_UUIDS: [&str; 4] = [PASSWORD_UUID, PRIVATE_UUID, WEB_VIDEO_UUID, BROKEN_HLS_UUID];

/// Video file tokens given out: token → the video it opens.
#[derive(Clone, Default)]
pub struct FileTokens(Arc<Mutex<HashMap<String, String>>>);

impl FileTokens {
    fn issue(&self, uuid: &str) -> String {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let token = format!("demo-file-token-{}-{}", map.len() + 1, &uuid[..8]);
        map.insert(token.clone(), uuid.to_string());
        token
    }

    fn opens(&self, token: &str, uuid: &str) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).get(token).is_some_and(|u| u == uuid)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|h| h.to_str().ok())
}

/// Whether a request may see a video of `kind`: PeerTube's answers when not
/// (`checkCanSeeVideo`): 403 `video_requires_password` / `incorrect_video_password`,
/// 401 without a login for a private video, 403 with someone else's.
pub fn check(kind: Kind, headers: &HeaderMap) -> Result<(), Response> {
    let problem = |status: StatusCode, code: &str, message: &str| fail_with_code(status, message, Some(code));
    match kind {
        Kind::PasswordProtected => match header(headers, "x-peertube-video-password") {
            Some(VIDEO_PASSWORD) => Ok(()),
            // The owner sees it with their token.
            _ if header(headers, "authorization") == Some(&format!("Bearer {USER_TOKEN}")) => Ok(()),
            Some(_) => Err(problem(StatusCode::FORBIDDEN, "incorrect_video_password", "Incorrect video password. Access to the video is denied.")),
            None => Err(problem(StatusCode::FORBIDDEN, "video_requires_password", "Please provide a password to access this password protected video")),
        },
        Kind::Private => match header(headers, "authorization") {
            Some(a) if a == format!("Bearer {USER_TOKEN}") => Ok(()),
            Some(_) => Err(problem(StatusCode::FORBIDDEN, "forbidden", "Cannot fetch information of private/internal/blocked video")),
            None => Err(problem(StatusCode::UNAUTHORIZED, "unauthorized", "Cannot fetch information of private/internal/blocked video")),
        },
        _ => Ok(()),
    }
}

/// `POST /api/v1/videos/{id}/token`: `{files: {token, expires}}` for whoever may see it.
pub(super) async fn token(State(media): State<Media>, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some(kind) = kind_of(&id) else {
        // Public videos need no token; PeerTube still gives one to a logged-in user.
        return fail(StatusCode::UNAUTHORIZED, "Authentication is required to get a file token of a public video");
    };
    if let Err(response) = check(kind, &headers) {
        return response;
    }
    let token = media.tokens.issue(&id.to_ascii_lowercase());
    let expires = "2099-01-01T00:00:00.000Z";
    json_response(json!({ "files": { "token": token, "expires": expires } }))
}

/// `/static/streaming-playlists/hls/private/{uuid}/{file}`: the VOD's files, for
/// whoever may see that video (header, token, or `?videoFileToken=`).
pub(super) async fn private_file(State(media): State<Media>, UrlPath((uuid, file)): UrlPath<(String, String)>, request: Request) -> Response {
    let Some(kind) = kind_of(&uuid).filter(|k| k.gated()) else { return fail(StatusCode::NOT_FOUND, "File not found") };
    let file_token = request.uri().query().unwrap_or("").split('&').find_map(|kv| kv.strip_prefix("videoFileToken="));
    let by_token = file_token.is_some_and(|t| media.tokens.opens(t, &uuid.to_ascii_lowercase()));
    if !by_token {
        if let Err(response) = check(kind, request.headers()) {
            return response;
        }
    }
    serve(&media, VOD_DIR, &file, request).await
}

/// `/static/web-videos/{file}`: the web video MP4s.
pub(super) async fn web_video_file(State(media): State<Media>, UrlPath(file): UrlPath<String>, request: Request) -> Response {
    serve(&media, WEB_VIDEOS_DIR, &file, request).await
}

/// One file of `<media>/<dir>/`, with Range, as the static files are served.
async fn serve(media: &Media, dir: &str, file: &str, mut request: Request) -> Response {
    if file.contains('/') || file.contains("..") {
        return fail(StatusCode::NOT_FOUND, "File not found");
    }
    let Ok(uri) = format!("/{file}").parse::<Uri>() else { return fail(StatusCode::NOT_FOUND, "File not found") };
    *request.uri_mut() = uri;
    match ServeDir::new(media.dir.join(dir)).oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new).into_response(),
        Err(_) => fail(StatusCode::INTERNAL_SERVER_ERROR, "cannot read the file"),
    }
}
