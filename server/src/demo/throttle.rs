//! `--throttle-kbps N`: the demo server as if behind a slow link, for the startup
//! benchmark (bench/startup.mjs). Every response body under `/media/` is paced
//! through one shared link of N kbit/s: concurrent segment downloads share the
//! bandwidth, as they would on a real connection, instead of each getting N.
//! Headers go out at once; the body follows in 16 KiB pieces, each released when
//! the link has had time to carry it. Pages, the package and the tracker are not
//! throttled, so that the figure is the player's way of fetching media.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use futures_util::{stream, StreamExt};
use tokio::time::Instant;

const PIECE: usize = 16 * 1024;

/// One link's timetable: when it is free again.
#[derive(Clone)]
struct Link {
    bytes_per_s: f64,
    free_at: Arc<Mutex<Instant>>,
}

impl Link {
    fn new(kbps: u64) -> Self {
        Link {
            bytes_per_s: kbps.max(1) as f64 * 1000.0 / 8.0,
            free_at: Arc::new(Mutex::new(Instant::now())),
        }
    }

    /// Books the link for `len` bytes after whatever is booked already; returns
    /// when they have crossed it.
    fn book(&self, len: usize) -> Instant {
        let mut free_at = self.free_at.lock().unwrap_or_else(|e| e.into_inner());
        let start = (*free_at).max(Instant::now());
        *free_at = start + Duration::from_secs_f64(len as f64 / self.bytes_per_s);
        *free_at
    }
}

/// `app` with its `/media/` bodies paced through one link of `kbps` kbit/s.
pub fn throttle_media(app: Router, kbps: u64) -> Router {
    app.layer(middleware::from_fn_with_state(Link::new(kbps), pace))
}

async fn pace(State(link): State<Link>, request: Request, next: Next) -> Response {
    let media = request.uri().path().starts_with("/media/");
    let response = next.run(request).await;
    if !media {
        return response;
    }
    let (parts, body) = response.into_parts();
    let pieces = body.into_data_stream().flat_map(|chunk| {
        let pieces: Vec<Result<Bytes, axum::Error>> = match chunk {
            Ok(bytes) => (0..bytes.len())
                .step_by(PIECE)
                .map(|i| Ok(bytes.slice(i..(i + PIECE).min(bytes.len()))))
                .collect(),
            Err(e) => vec![Err(e)],
        };
        stream::iter(pieces)
    });
    let paced = pieces.then(move |piece| {
        let link = link.clone();
        async move {
            if let Ok(bytes) = &piece {
                tokio::time::sleep_until(link.book(bytes.len())).await;
            }
            piece
        }
    });
    Response::from_parts(parts, Body::from_stream(paced))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookings_queue_up_at_the_link_rate() {
        let link = Link::new(800); // 100,000 bytes/s
        let t0 = Instant::now();
        let near = |d: Duration, ms: u64| d >= Duration::from_millis(ms) && d < Duration::from_millis(ms + 50);
        assert!(near(link.book(50_000) - t0, 500));
        // A second download waits for the first: the bandwidth is shared.
        assert!(near(link.book(50_000) - t0, 1000));
        // An idle link starts from now, not from its last booking.
        *link.free_at.lock().unwrap() = Instant::now() - Duration::from_secs(5);
        let t1 = Instant::now();
        assert!(near(link.book(10_000) - t1, 100));
    }
}
