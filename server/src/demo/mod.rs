//! `tubeswarm-demo`: the demo server.
//!
//! One port, loopback by default:
//! - `/` → the `www/` folder, `/pkg/` → wasm-pack's output, `/media/` → the sample
//!   media (HTTP Range, CORS, fixed MIME types);
//! - `/media/live/live.m3u8` and `/media/live/master.m3u8`: the looped live stream
//!   (see [`crate::live`]), made from the wall clock since start;
//! - `/mirror/ok/` (same files as `/media/`), `/mirror/broken/` (404 to everything),
//!   `/mirror/flaky/` (503 to every other request) for the player's fallback tests,
//!   `/mirror/poison/` (one flipped byte in every media segment) for its integrity tests;
//! - `/tracker/socket`: the WebSocket tracker (see `crate::tracker`).

mod args;
mod routes;

pub use args::{parse_args, Command, Config, USAGE};
pub use routes::{content_type_for, router};

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A server started by [`start`]: where it listens and how to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl RunningServer {
    /// The page URL, as printed at start.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task)
            .await
            .context("server task")?
            .context("server")
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        tokio::select! {
            _ = signal => self.stop().await,
            result = &mut self.task => result.context("server task")?.context("server"),
        }
    }
}

/// Binds and starts serving in the background on the current tokio runtime.
pub async fn start(config: Config) -> anyhow::Result<RunningServer> {
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", config.host, config.port))?;
    let addr = listener.local_addr()?;
    let app = router(&config);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task,
    })
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed by this call, not
/// on first poll, so call it before announcing the URL: a signal sent right after
/// the announcement then shuts down gracefully instead of killing the process.
/// Must be called inside a tokio runtime.
pub fn interrupted() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {},
                        _ = terminate.recv() => {},
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
