//! Running an axum app in the background, as both servers do: bind, serve with
//! the clients' addresses (`ConnectInfo<SocketAddr>`), stop gracefully on
//! request or on a signal ([`interrupted`]).

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinError, JoinHandle};

/// A server started by [`spawn`]: where it listens and how to stop it.
pub struct Running {
    pub addr: SocketAddr,
    /// What errors name it ("server" unless [`Running::named`]).
    name: &'static str,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Names the server in its errors (`"<name> task"`, `"<name>"`).
    pub fn named(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// `http://ADDR/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits. Upgraded
    /// connections (WebSockets) are not waited for: they end with the runtime.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let ended = (&mut self.task).await;
        self.ended(ended)
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    pub async fn serve_until(mut self, signal: impl Future<Output = ()>) -> anyhow::Result<()> {
        tokio::select! {
            _ = signal => self.stop().await,
            ended = &mut self.task => self.ended(ended),
        }
    }

    fn ended(&self, ended: Result<std::io::Result<()>, JoinError>) -> anyhow::Result<()> {
        ended
            .with_context(|| format!("{} task", self.name))?
            .context(self.name)
    }
}

/// Binds `host:port` and serves `app` there in the background on the current
/// tokio runtime, with the clients' addresses available as
/// `ConnectInfo<SocketAddr>`.
pub async fn spawn(host: &str, port: u16, app: Router) -> anyhow::Result<Running> {
    let listener = TcpListener::bind((host, port))
        .await
        .with_context(|| format!("cannot listen on {host}:{port}"))?;
    let addr = listener.local_addr()?;
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(Running {
        addr,
        name: "server",
        shutdown: Some(tx),
        task,
    })
}

/// Completes on Ctrl-C or SIGTERM. The handlers are installed by this call, not
/// on first poll, so call it before announcing the URL: a signal sent right after
/// the announcement then shuts down gracefully instead of killing the process.
/// Must be called inside a tokio runtime.
pub fn interrupted() -> impl Future<Output = ()> {
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
