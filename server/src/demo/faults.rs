//! `/fault/<kind>/`: the media folder behind an origin that misbehaves, for the
//! fault tests (tests/e2e/faults.test.mjs). This machine has no `netem`, so the
//! faults are made here, at the HTTP layer, where a player meets them:
//!
//! - `/fault/reset/`: every 2nd media segment sends half its body, then the
//!   connection is dropped (the browser's fetch fails mid-body);
//! - `/fault/stall/`: every 3rd media segment sends half its body, then nothing
//!   for 10 s, then the rest (a connection that stopped moving);
//! - `/fault/5xx/`: media segments answer 503 in bursts, three in every ten.
//!
//! Only media segments misbehave (`routes::is_media_segment`, as `/mirror/poison/`):
//! init segments and playlists are served as they are.
//! Each kind counts its own requests, from the server's start.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use futures_util::stream;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use super::routes::{is_media_segment, whole_response};

/// How long `/fault/stall/` stops mid-body.
const STALL: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
enum Kind {
    Reset,
    Stall,
    Burst5xx,
}

impl Kind {
    /// Whether the `n`-th media segment (from 0) of this kind misbehaves.
    fn strikes(self, n: u64) -> bool {
        match self {
            Kind::Reset => n % 2 == 1,
            Kind::Stall => n % 3 == 2,
            Kind::Burst5xx => (1..=3).contains(&(n % 10)),
        }
    }
}

/// The three misbehaving origins, to merge into the demo's router.
pub fn routes(media: ServeDir) -> Router {
    Router::new()
        .nest_service("/fault/reset", misbehave(media.clone(), Kind::Reset))
        .nest_service("/fault/stall", misbehave(media.clone(), Kind::Stall))
        .nest_service("/fault/5xx", misbehave(media, Kind::Burst5xx))
}

fn misbehave(
    media: ServeDir,
    kind: Kind,
) -> impl tower::Service<Request, Response = Response, Error = Infallible, Future = impl Send> + Clone + Send {
    let count = Arc::new(AtomicU64::new(0));
    tower::service_fn(move |request: Request| {
        let (media, count) = (media.clone(), count.clone());
        async move {
            if !is_media_segment(&request) || !kind.strikes(count.fetch_add(1, Ordering::SeqCst)) {
                return Ok(media.oneshot(request).await?.map(Body::new));
            }
            if let Kind::Burst5xx = kind {
                return Ok((StatusCode::SERVICE_UNAVAILABLE, "fault/5xx: a burst of errors\n").into_response());
            }
            let (parts, bytes) = match whole_response(media, request).await {
                Ok(whole) => whole,
                Err(response) => return Ok(response),
            };
            let (first, rest) = (bytes.slice(..bytes.len() / 2), bytes.slice(bytes.len() / 2..));
            let body = match kind {
                // The Content-Length promised more: hyper drops the connection.
                Kind::Reset => Body::from_stream(stream::iter([
                    Ok(first),
                    Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "fault/reset")),
                ])),
                _ => Body::from_stream(futures_util::StreamExt::then(stream::iter([(first, false), (rest, true)]), |(piece, wait)| async move {
                    if wait {
                        tokio::time::sleep(STALL).await;
                    }
                    Ok::<Bytes, Infallible>(piece)
                })),
            };
            Ok(Response::from_parts(parts, body))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::Kind;

    #[test]
    fn which_requests_misbehave() {
        let hits = |k: Kind| (0..10).filter(|n| k.strikes(*n)).collect::<Vec<u64>>();
        assert_eq!(hits(Kind::Reset), [1, 3, 5, 7, 9]);
        assert_eq!(hits(Kind::Stall), [2, 5, 8]);
        assert_eq!(hits(Kind::Burst5xx), [1, 2, 3]);
    }
}
