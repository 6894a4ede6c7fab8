//! The demo server's routes and the layers around them.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use tower::ServiceExt;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;

use super::Config;
use crate::tracker::{self, Tracker, TrackerConfig};

const PLAYLIST_TYPE: &str = "application/vnd.apple.mpegurl";

/// The MIME type the player needs for a path, by extension. `None`: whatever
/// `ServeDir` guesses (html, css, images…).
pub fn content_type_for(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next()?;
    let (_, ext) = name.rsplit_once('.')?;
    Some(match ext.to_ascii_lowercase().as_str() {
        "m3u8" | "m3u" => PLAYLIST_TYPE,
        "mp4" | "m4s" | "m4v" => "video/mp4",
        "m4a" => "audio/mp4",
        "ts" => "video/mp2t",
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript",
        "vtt" => "text/vtt",
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        _ => return None,
    })
}

/// The whole application for `config`.
pub fn router(config: &Config) -> Router {
    let media = ServeDir::new(&config.media).append_index_html_on_directories(false);

    let mut app = Router::new()
        // The live streams are made per request from the clock (live_routes.rs).
        .merge(super::live_routes::routes(&config.media))
        .nest_service("/media", media.clone())
        // Mirrors, for the player's fallback and retry tests.
        .nest_service("/mirror/ok", media.clone())
        .route("/mirror/broken", any(not_found))
        .route("/mirror/broken/{*rest}", any(not_found))
        .nest_service("/mirror/flaky", flaky(media.clone()))
        .nest_service("/mirror/poison", poison(media.clone()))
        // Origins that reset, stall and answer 5xx in bursts (faults.rs).
        .merge(super::faults::routes(media))
        // PeerTube's REST API for the sample VOD (PeerTube mode, offline).
        .merge(super::peertube::routes(&config.media, &config.peertube_version))
        // The WebSocket tracker, as PeerTube serves it.
        .route("/tracker/socket", tracker::endpoint(demo_tracker()))
        .nest_service("/pkg", ServeDir::new(&config.pkg))
        // hls.js from npm, for the page that shows tubeswarm as hls.js's loader.
        .nest_service("/vendor/hls.js", ServeDir::new(config.npm.join("hls.js/dist")))
        .fallback_service(ServeDir::new(&config.www))
        .layer(middleware::from_fn(fix_content_type));
    if config.verbose {
        app = app.layer(middleware::from_fn(log_request));
    }
    app.layer(cors())
}

/// Any origin may fetch anything here (the player is tested from other origins),
/// with `Range`, and may read the headers a ranged response carries.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS, Method::POST, Method::PUT])
        // What PeerTube's player sends: Range for segments, JSON view reports,
        // a bearer token or a video password.
        .allow_headers([
            header::RANGE,
            header::IF_RANGE,
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static("x-peertube-video-password"),
        ])
        .expose_headers([
            header::CONTENT_RANGE,
            header::CONTENT_LENGTH,
            header::ACCEPT_RANGES,
        ])
}

/// `/mirror/flaky/`: the media folder, but every other request (the 1st, 3rd, …)
/// fails with 503, so a player that retries once always succeeds.
fn flaky(
    media: ServeDir,
) -> impl tower::Service<Request, Response = Response, Error = Infallible, Future = impl Send>
       + Clone
       + Send {
    // Flips on every request; `fetch_xor` returns the state before the flip.
    let served_last = Arc::new(AtomicBool::new(true));
    tower::service_fn(move |request: Request| {
        let served_last = served_last.clone();
        let media = media.clone();
        async move {
            if served_last.fetch_xor(true, Ordering::SeqCst) {
                return Ok(
                    (StatusCode::SERVICE_UNAVAILABLE, "flaky mirror: try again\n").into_response(),
                );
            }
            let response = media.oneshot(request).await?;
            Ok(response.map(Body::new))
        }
    })
}

/// `/mirror/poison/`: the media folder, but every ranged response that does not
/// start at byte 0 (media segments; init segments start at 0) has one byte in its
/// middle flipped. The player must catch it with the segment hashes, never play it.
fn poison(
    media: ServeDir,
) -> impl tower::Service<Request, Response = Response, Error = Infallible, Future = impl Send>
       + Clone
       + Send {
    tower::service_fn(move |request: Request| {
        let media = media.clone();
        async move {
            if !is_media_segment(&request) {
                return Ok(media.oneshot(request).await?.map(Body::new));
            }
            let (parts, bytes) = match whole_response(media, request).await {
                Ok(whole) => whole,
                Err(response) => return Ok(response),
            };
            let mut bytes = bytes.to_vec();
            let middle = bytes.len() / 2;
            if let Some(b) = bytes.get_mut(middle) {
                *b ^= 0xff;
            }
            Ok(Response::from_parts(parts, Body::from(bytes)))
        }
    })
}

/// A media segment: a ranged request that does not start at byte 0 (init
/// segments start there; playlists are not ranged).
pub(super) fn is_media_segment(request: &Request) -> bool {
    request
        .headers()
        .get(header::RANGE)
        .and_then(|r| r.to_str().ok())
        .is_some_and(|r| !r.starts_with("bytes=0-"))
}

/// `request` served from `media` with its whole body read, for a route to alter;
/// an unsuccessful answer, or a body over 64 MiB, is the response to send as is.
pub(super) async fn whole_response(media: ServeDir, request: Request) -> Result<(axum::http::response::Parts, bytes::Bytes), Response> {
    let Ok(response) = media.oneshot(request).await;
    if !response.status().is_success() {
        return Err(response.map(Body::new));
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(Body::new(body), 64 << 20).await {
        Ok(bytes) => Ok((parts, bytes)),
        Err(_) => Err((StatusCode::INTERNAL_SERVER_ERROR, "body too large to alter\n").into_response()),
    }
}

/// The demo's tracker: default limits, except the announce limit per address
/// and info_hash, which is off: every viewer of this loopback server (test browsers
/// reloading pages included) counts as the same address here.
fn demo_tracker() -> Tracker {
    let mut config = TrackerConfig::default();
    config.limits.max_announces_per_window = 0;
    Tracker::new(config)
}

async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "broken mirror\n").into_response()
}

/// Sets the MIME types a player depends on (`ServeDir` guesses `.m3u8` as
/// `audio/x-mpegurl` and does not know `.m4s`).
async fn fix_content_type(request: Request, next: Next) -> Response {
    let content_type = content_type_for(request.uri().path());
    let mut response = next.run(request).await;
    if let Some(content_type) = content_type {
        let status = response.status();
        if status.is_success() || status == StatusCode::NOT_MODIFIED {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
    }
    response
}

async fn log_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let uri = request.uri().clone();
    let range = request
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(|r| format!(" [{r}]"))
        .unwrap_or_default();
    let response = next.run(request).await;
    eprintln!(
        "{method} {uri}{range} -> {} ({} ms)",
        response.status().as_u16(),
        started.elapsed().as_millis()
    );
    response
}

#[cfg(test)]
mod tests {
    use super::content_type_for;

    #[test]
    fn content_types() {
        assert_eq!(
            content_type_for("/media/vod/x-master.m3u8"),
            Some("application/vnd.apple.mpegurl")
        );
        assert_eq!(
            content_type_for("/media/vod/seg001.m4s"),
            Some("video/mp4")
        );
        assert_eq!(
            content_type_for("/pkg/tubeswarm_bg.wasm"),
            Some("application/wasm")
        );
        assert_eq!(
            content_type_for("/pkg/tubeswarm.js"),
            Some("text/javascript")
        );
        assert_eq!(
            content_type_for("/media/vod/captions-en.VTT"),
            Some("text/vtt")
        );
        assert_eq!(content_type_for("/"), None);
        assert_eq!(content_type_for("/a.b/index"), None);
    }
}
