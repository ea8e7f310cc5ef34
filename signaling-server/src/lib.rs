//! The signaling server: introduces peers and relays their WebRTC negotiation.
//!
//! Peers join a room over a WebSocket at `/ws` (JSON messages of [`signaling_protocol`],
//! documented in `docs/PROTOCOL.md`), each proving it holds the key its id is derived
//! from; the server announces arrivals and departures, and relays signals (offers,
//! answers, ICE candidates: any JSON object, which it does not read) to one peer of the
//! same room with the sender stamped. It never sees the messages peers exchange over
//! their data channels. It also serves the chat page from a directory.
//!
//! Layout: [`Config`] (`config.rs`); the ICE servers each peer is handed (`ice.rs`), with
//! TURN credentials minted for it (`turn.rs`); each connection's challenge and the check
//! of a join's proof (`identity.rs`); the rooms behind one interface (`backend.rs`): in
//! memory (`rooms.rs`, one mutex) or shared by several instances through Redis
//! (`shared.rs`, `shared/`); each peer's queue, bounded in messages and bytes
//! (`outbox.rs`); what a connection's frames do, with no socket (`connection.rs`); one
//! socket, one task (`session.rs`), its deadlines on one timer (`clock.rs`), and how it
//! ends (`goodbye.rs`); connection caps and the token bucket (`limits.rs`); `/metrics`
//! (`metrics.rs`); the page (`static_files.rs`); a socket-free driver of the message
//! handling for the fuzz targets (`fuzzing.rs`); a real Redis and a peer's key pair for
//! tests (`testing.rs`); [`app`] and [`run`] here, so tests can serve on `127.0.0.1:0`.

mod backend;
mod clock;
mod config;
mod connection;
#[doc(hidden)]
pub mod fuzzing;
mod goodbye;
mod ice;
mod identity;
mod limits;
mod metrics;
mod outbox;
mod rooms;
mod session;
mod shared;
mod static_files;
#[doc(hidden)]
pub mod testing;
mod turn;

pub use config::{Config, ConfigError, MIN_TURN_CREDENTIAL_TTL};
pub use turn::{Credentials as TurnCredentials, TurnSecret, mint as mint_turn_credentials};

use axum::Router;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use backend::RoomBackend;
use limits::Connections;
use metrics::{Metrics, Occupancy, Rejection};
use rooms::Rooms;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// Initial read buffer of each WebSocket.
const READ_BUFFER_BYTES: usize = 256;

/// What every request handler shares.
pub struct AppState {
    config: Config,
    rooms: RoomBackend,
    connections: Arc<Connections>,
    metrics: Arc<Metrics>,
    /// Flips to `true` on shutdown, so open sockets end.
    shutdown: watch::Receiver<bool>,
}

impl AppState {
    /// Empty rooms, no connections, every metric at zero, all as `config` says.
    fn new(config: Config, shutdown: watch::Receiver<bool>) -> Self {
        let mut metrics = Metrics::new();
        let redis_metrics =
            config.redis_url.as_ref().map(|_| shared::RedisMetrics::register(metrics.registry()));
        let metrics = Arc::new(metrics);
        let rooms = match (&config.redis_url, redis_metrics) {
            (Some(url), Some(redis_metrics)) => RoomBackend::Redis(shared::SharedRooms::start(
                url,
                &config,
                Arc::clone(&metrics),
                redis_metrics,
                shutdown.clone(),
            )),
            _ => RoomBackend::Memory(Rooms::new(
                config.max_peers_per_room,
                config.max_rooms,
                config.require_room_secrets,
                Arc::clone(&metrics),
            )),
        };
        let connections =
            Arc::new(Connections::new(config.max_connections, config.max_connections_per_ip));
        Self { config, rooms, connections, metrics, shutdown }
    }
}

/// The routes: `/ws`, `/healthz`, `/metrics` (unless disabled), `/` and the static files.
/// (Sockets end when `shutdown` flips; unlike [`run`], this does not wait for them.)
pub fn app(config: Config, shutdown: watch::Receiver<bool>) -> Router {
    router(Arc::new(AppState::new(config, shutdown)))
}

fn router(state: Arc<AppState>) -> Router {
    let static_dir = state.config.static_dir.clone();
    let serve_metrics = state.config.metrics;
    let index_dir = static_dir.clone();
    let mut router =
        Router::new().route("/ws", get(upgrade)).route("/healthz", get(|| async { "ok" }));
    if serve_metrics {
        router = router.route("/metrics", get(render_metrics));
    }
    router
        .route("/", get(move || async move { static_files::index(&index_dir).await }))
        .fallback_service(ServeDir::new(static_dir))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn upgrade(
    ws: WebSocketUpgrade,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Response {
    let allowed = &state.config.allowed_origins;
    let origin = headers.get(header::ORIGIN).and_then(|origin| origin.to_str().ok());
    if !allowed.is_empty() && !origin.is_some_and(|origin| allowed.iter().any(|a| a == origin)) {
        tracing::warn!(%client, ?origin, "refused: origin not allowed");
        state.metrics.rejected(Rejection::Origin);
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    let max = state.config.max_message_bytes;
    let shutdown = state.shutdown.clone();
    let admission = state.connections.admit(client.ip());
    if admission.is_none() {
        state.metrics.rejected(Rejection::ConnectionLimit);
    }
    // tungstenite's default 128 KiB read buffer per socket would cost over 1 GB for
    // 10k idle peers; signaling messages are small (a candidate is ~200 bytes), and the
    // buffer grows on demand for an SDP.
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            match admission {
                Some(admission) => session::spawn(socket, state, shutdown, admission),
                None => session::refuse_busy(socket, client).await,
            }
        })
}

/// `GET /metrics`: the Prometheus / OpenMetrics text exposition.
async fn render_metrics(State(state): State<Arc<AppState>>) -> Response {
    let content_type = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    let (peers, rooms) = state.rooms.occupancy();
    let now = Occupancy { connections: state.connections.open(), peers, rooms };
    ([(header::CONTENT_TYPE, content_type)], state.metrics.render(now)).into_response()
}

/// Serves on `listener` until `shutdown` completes, then closes every socket and returns
/// once each was sent its close frame (1001), or given up on (within two seconds).
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = watch::channel(false);
    let state = Arc::new(AppState::new(config, stopped));
    let connections = Arc::clone(&state.connections);
    let router = router(state);
    // Signals are small and latency-bound: no Nagle delay on any socket.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down");
            let _ = stop.send(true);
        })
        .await?;
    // The server is done with its HTTP connections, but not with the WebSockets, which
    // left hyper when upgraded: returning now would let the runtime drop their sessions
    // mid-goodbye, and their clients see a reset instead of a close frame. So wait for
    // every session (as mini-redis does), each within two seconds: one to notice,
    // in a send stuck on a full socket, and one for the close frame.
    connections.all_closed().await;
    Ok(())
}
