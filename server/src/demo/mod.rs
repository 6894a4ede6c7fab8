//! `tubeswarm-demo`: the demo server.
//!
//! One port, loopback by default:
//! - `/` → the `www/` folder, `/pkg/` → wasm-pack's output, `/media/` → the sample
//!   media (HTTP Range, CORS, fixed MIME types);
//! - `/media/live/`, `/media/live-dvr/`, `/media/live-ending/`, `/media/live-gone/`:
//!   PeerTube-made MPEG-TS lives looped from a recording, made from the wall clock
//!   since start (see [`live_routes`] and [`crate::live`]); `/media/live/src/`
//!   the recording itself, a TS VOD;
//! - `/mirror/ok/` (same files as `/media/`), `/mirror/broken/` (404 to everything),
//!   `/mirror/flaky/` (503 to every other request) for the player's fallback tests,
//!   `/mirror/poison/` (one flipped byte in every media segment) for its integrity tests;
//! - `/tracker/socket`: the WebSocket tracker (see `crate::tracker`);
//! - `/api/v1/videos/{id}[/chapters|/storyboards|/captions]`: PeerTube's API for the
//!   sample VOD, and PeerTube's watch/embed URLs (see [`peertube`]).

mod args;
mod faults;
pub mod live_routes;
pub mod peertube;
mod routes;
mod throttle;

pub use args::{parse_args, Command, Config, DEFAULT_PEERTUBE_VERSION, USAGE};
pub use routes::{content_type_for, router};

use crate::serve::{self, Running};

/// Ctrl-C or SIGTERM; lives in [`crate::serve`] (the tracker binary uses it too).
pub use crate::serve::interrupted;

/// A server started by [`start`]: where it listens (`addr`, `url()` →
/// `http://ADDR/`) and how to stop it (`stop()`, `serve_until(signal)`).
pub type RunningServer = Running;

/// Binds and starts serving in the background on the current tokio runtime.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    serve::spawn(&config.host, config.port, router(&config)).await
}

/// [`start`], with `/media/` paced through one link of `throttle_kbps` kbit/s
/// when given (`--throttle-kbps`, for the startup benchmark).
pub async fn start_throttled(config: Config, throttle_kbps: Option<u64>) -> anyhow::Result<RunningServer> {
    let app = router(&config);
    let app = match throttle_kbps {
        Some(kbps) => throttle::throttle_media(app, kbps),
        None => app,
    };
    serve::spawn(&config.host, config.port, app).await
}
