//! The live streams' routes (see [`crate::live`]): each a folder of
//! `master.m3u8`, `<v>.m3u8` (the window now), `<v>-<000123>.ts` and PeerTube's
//! `segments-sha256.json`, all made per request from the clock.
//!
//! | path | what |
//! |---|---|
//! | `/media/live/` | PeerTube's live: 15 segments of 4 s |
//! | `/media/live-dvr/` | PeerTube 8.2's DVR: an hour in the window |
//! | `/media/live-ending/` | a live that stops [`ENDING_AFTER_MS`] after the server started: `#EXT-X-ENDLIST` |
//! | `/media/live-gone/` | one that stops then and whose playlists answer 404, as PeerTube's do once a live ended |
//! | `/mirror/ok/live/`, `/mirror/poison/live/` | a mirror of `/media/live/`, and one whose segments have a byte flipped |
//! | `/media/live/src/` | the recording itself, with ffmpeg's own VOD playlists: the TS VOD sample |

use std::path::Path;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::live::{LiveLoop, LiveManifest, DVR_WINDOW_SEGMENTS, HASHES_FILE, MANIFEST_FILE, SOURCE_DIR, WINDOW_SEGMENTS};

const PLAYLIST_TYPE: &str = "application/vnd.apple.mpegurl";
/// When `/media/live-ending/` and `/media/live-gone/` stop: long enough for a
/// viewer to start (5 segments behind the edge), short for the test that waits
/// for their end.
pub const ENDING_AFTER_MS: u64 = 20_000;

/// What kind of live one folder serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Live,
    Dvr,
    Ending,
    Gone,
    Poisoned,
}

#[derive(Clone)]
struct LiveState {
    media: std::path::PathBuf,
    started: Instant,
    started_epoch_ms: i64,
    kind: Kind,
}

/// The live folders, for any outer router state.
pub fn routes<S: Clone + Send + Sync + 'static>(media: &Path) -> Router<S> {
    let started = Instant::now();
    let started_epoch_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0);
    let mut router = Router::new();
    for (prefix, kind) in [
        ("/media/live", Kind::Live),
        ("/mirror/ok/live", Kind::Live),
        ("/media/live-dvr", Kind::Dvr),
        ("/media/live-ending", Kind::Ending),
        ("/media/live-gone", Kind::Gone),
        ("/mirror/poison/live", Kind::Poisoned),
    ] {
        let state = LiveState { media: media.to_path_buf(), started, started_epoch_ms, kind };
        router = router.merge(Router::new().route(&format!("{prefix}/{{file}}"), get(live_file)).with_state(state));
    }
    router
}

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn load(media: &Path, window: usize) -> Result<LiveLoop, Response> {
    let path = media.join("live").join(MANIFEST_FILE);
    let missing = |why: String| text(StatusCode::NOT_FOUND, format!("no live stream: {why}\n"));
    let bytes = tokio::fs::read(&path).await.map_err(|e| missing(format!("{}: {e}", path.display())))?;
    let manifest: LiveManifest = serde_json::from_slice(&bytes).map_err(|e| missing(format!("{}: {e}", path.display())))?;
    LiveLoop::new(manifest, window).map_err(missing)
}

async fn live_file(State(state): State<LiveState>, UrlPath(file): UrlPath<String>) -> Response {
    let window = if state.kind == Kind::Dvr { DVR_WINDOW_SEGMENTS } else { WINDOW_SEGMENTS };
    let live = match load(&state.media, window).await {
        Ok(live) => live,
        Err(response) => return response,
    };
    let elapsed = state.started.elapsed().as_millis() as u64;
    let ended = matches!(state.kind, Kind::Ending | Kind::Gone) && elapsed >= ENDING_AFTER_MS;
    // Once a live ends, its window stays as it was at the end.
    let at = if ended { ENDING_AFTER_MS } else { elapsed };
    let playlist = |body: String| ([(header::CONTENT_TYPE, PLAYLIST_TYPE), (header::CACHE_CONTROL, "no-cache")], body).into_response();
    if file == "master.m3u8" {
        return playlist(live.manifest().master.clone());
    }
    if state.kind == Kind::Gone && ended {
        return text(StatusCode::NOT_FOUND, "this live has ended\n".into());
    }
    if file == HASHES_FILE {
        return ([(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache")], live.hashes(at)).into_response();
    }
    if let Some(name) = file.strip_suffix(".m3u8") {
        return match live.playlist(name, at, state.started_epoch_ms) {
            Some(mut body) => {
                if ended {
                    body.push_str("#EXT-X-ENDLIST\n");
                }
                playlist(body)
            }
            None => text(StatusCode::NOT_FOUND, format!("no variant {name}\n")),
        };
    }
    let Some(source) = live.source_file(&file, at) else {
        return text(StatusCode::NOT_FOUND, format!("{file} is not in the live window\n"));
    };
    let path = state.media.join("live").join(SOURCE_DIR).join(source);
    match tokio::fs::read(&path).await {
        Ok(mut bytes) => {
            if state.kind == Kind::Poisoned {
                let middle = bytes.len() / 2;
                if let Some(b) = bytes.get_mut(middle) {
                    *b ^= 0xff;
                }
            }
            ([(header::CONTENT_TYPE, "video/mp2t")], Body::from(bytes)).into_response()
        }
        Err(e) => text(StatusCode::NOT_FOUND, format!("{}: {e}\n", path.display())),
    }
}
