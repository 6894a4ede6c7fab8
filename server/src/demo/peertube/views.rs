//! `POST /api/v1/videos/{id}/views` (also `PUT`, and the older `/watching`), as
//! PeerTube takes them: 204, nothing returned. The demo keeps every report it
//! receives (body, `Authorization`, when) so the tests can check the exact
//! requests and their cadence: `GET /api/v1/demo/views` lists them.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::{fail, json_response, Media};

/// The reports received so far, oldest first.
#[derive(Clone, Default)]
pub struct ViewLog {
    started: Option<Instant>,
    entries: Arc<Mutex<Vec<Value>>>,
}

impl ViewLog {
    pub fn new() -> ViewLog {
        ViewLog { started: Some(Instant::now()), entries: Arc::default() }
    }
}

/// PeerTube's view validator (`video-view.ts`): a JSON object whose
/// `currentTime` is a whole number ≥ 0, `viewEvent` absent or "seek".
fn valid(body: &Value) -> Result<(), &'static str> {
    let Some(object) = body.as_object() else { return Err("the body is not a JSON object") };
    if !object.get("currentTime").is_some_and(|t| t.as_u64().is_some()) {
        return Err("currentTime must be a whole number of seconds");
    }
    if object.get("viewEvent").is_some_and(|e| e != "seek") {
        return Err("viewEvent must be \"seek\"");
    }
    Ok(())
}

pub(super) async fn record(State(media): State<Media>, UrlPath(id): UrlPath<String>, headers: HeaderMap, body: Bytes) -> Response {
    let body: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return fail(StatusCode::BAD_REQUEST, "the body is not JSON"),
    };
    if let Err(why) = valid(&body) {
        return fail(StatusCode::BAD_REQUEST, why);
    }
    let log = &media.views;
    let at_ms = log.started.map_or(0, |s| s.elapsed().as_millis() as u64);
    let header = |name: header::HeaderName| headers.get(name).and_then(|h| h.to_str().ok()).map(str::to_string);
    let entry = json!({
        "video": id,
        "atMs": at_ms,
        "body": body,
        "authorization": header(header::AUTHORIZATION),
        "contentType": header(header::CONTENT_TYPE),
    });
    if let Ok(mut entries) = log.entries.lock() {
        entries.push(entry);
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `GET /api/v1/demo/views`: what `record` kept (a demo-only route).
pub(super) async fn list(State(media): State<Media>) -> Response {
    let entries = media.views.entries.lock().map(|e| e.clone()).unwrap_or_default();
    json_response(json!({ "total": entries.len(), "data": entries }))
}
