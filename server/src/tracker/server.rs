//! The tracker over WebSockets, with axum: one task per connection, reading
//! the client's messages and writing the replies and the messages relayed to it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Extension, Router};

use super::state::Tracker;
use crate::serve::{self, Running};

/// Close code for "try again later" (RFC 6455 registry: 1013).
const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

/// The tracker's WebSocket endpoint, to mount at any path of a router with any
/// state (the demo server mounts it at `/tracker/socket`).
///
/// The client's IP address (for the announce limit) comes from axum's
/// `ConnectInfo<SocketAddr>` when the server was started with
/// `into_make_service_with_connect_info`; without it every client counts as
/// 127.0.0.1.
pub fn endpoint<S>(tracker: Tracker) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    get(upgrade).with_state(tracker)
}

/// A router that serves the tracker on every path (bittorrent-tracker does not
/// look at the path either).
pub fn router(tracker: Tracker) -> Router {
    Router::new()
        .route("/", endpoint(tracker.clone()))
        .fallback_service(endpoint::<()>(tracker))
}

async fn upgrade(
    State(tracker): State<Tracker>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(_) => {
            return (
                StatusCode::UPGRADE_REQUIRED,
                [("upgrade", "websocket")],
                "this is a WebTorrent tracker: connect with a WebSocket\n",
            )
                .into_response()
        }
    };
    let ip = connect_info
        .map(|Extension(ConnectInfo(addr))| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let limits = &tracker.config().limits;
    let max_frame = limits.max_frame_size.max(limits.max_message_size);
    // Tracker messages are small (announces under 1 KiB, offers a few KiB):
    // tungstenite's 128 KiB default buffers per socket would make 10,000 idle
    // viewers cost over a GiB. Larger messages still arrive, in more reads.
    upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(max_frame)
        .max_frame_size(max_frame)
        .on_upgrade(move |socket| serve_socket(tracker, socket, ip))
}

/// Bytes read from a tracker socket at a time.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Serves one client until it closes, errs, idles out, or abuses the size limit.
async fn serve_socket(tracker: Tracker, mut socket: WebSocket, ip: IpAddr) {
    let mut conn = match tracker.connect(ip) {
        Ok(conn) => conn,
        Err(failure) => {
            let _ = socket.send(Message::Text(failure.into())).await;
            let _ = socket
                .send(Message::Close(Some(CloseFrame {
                    code: CLOSE_TRY_AGAIN_LATER,
                    reason: "too many connections".into(),
                })))
                .await;
            return;
        }
    };
    let idle = tracker.config().limits.idle_timeout;
    let mut deadline = tokio::time::Instant::now() + idle;
    loop {
        let reply = tokio::select! {
            incoming = socket.recv() => {
                deadline = tokio::time::Instant::now() + idle;
                match incoming {
                    Some(Ok(Message::Text(text))) => conn.handle_text(text.as_str()),
                    Some(Ok(Message::Binary(bytes))) => conn.handle_binary(&bytes),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                    // Closed, or a protocol error (such as a frame over
                    // max_frame_size): the connection ends.
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                }
            }
            relayed = conn.relayed() => match relayed {
                Some(message) => Some(message),
                None => break,
            },
            _ = tokio::time::sleep_until(deadline) => {
                let _ = socket
                    .send(Message::Close(Some(CloseFrame {
                        code: axum::extract::ws::close_code::NORMAL,
                        reason: "idle".into(),
                    })))
                    .await;
                break;
            }
        };
        if let Some(reply) = reply {
            if socket.send(Message::Text(reply.into())).await.is_err() {
                break;
            }
        }
    }
    // Dropping `conn` removes its peers from their swarms.
}

/// A standalone tracker started by [`start`].
pub struct RunningTracker {
    pub addr: SocketAddr,
    pub tracker: Tracker,
    server: Running,
}

impl RunningTracker {
    /// `ws://ADDR/`, as printed at start.
    pub fn url(&self) -> String {
        format!("ws://{}/", self.addr)
    }

    /// Stops accepting and waits for the server to end. Open WebSockets are
    /// upgraded connections that axum's graceful shutdown does not wait for: they
    /// end with the runtime.
    pub async fn stop(self) -> anyhow::Result<()> {
        self.server.stop().await
    }

    /// Serves until `signal` completes, then stops.
    pub async fn serve_until(
        self,
        signal: impl std::future::Future<Output = ()>,
    ) -> anyhow::Result<()> {
        self.server.serve_until(signal).await
    }
}

/// Binds `host:port` and serves `tracker` there in the background.
pub async fn start(tracker: Tracker, host: &str, port: u16) -> anyhow::Result<RunningTracker> {
    let server = serve::spawn(host, port, router(tracker.clone()))
        .await?
        .named("tracker");
    Ok(RunningTracker {
        addr: server.addr,
        tracker,
        server,
    })
}
