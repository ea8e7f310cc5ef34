//! The routes: the WebSocket upgrade at `/ws` (origin check and connection caps first),
//! `/healthz`, `/metrics`, `/` and the static files.

use crate::config::Config;
use crate::http::static_files;
use crate::metrics::{Occupancy, Rejection};
use crate::session::task;
use crate::state::AppState;
use axum::Router;
use axum::extract::{ConnectInfo, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

/// Initial read buffer of each WebSocket.
const READ_BUFFER_BYTES: usize = 256;

/// The routes: `/ws`, `/healthz`, `/metrics` (unless disabled), `/` and the static files.
/// (Sockets end when `shutdown` flips; unlike [`run`](crate::http::serve::run), this does
/// not wait for them.)
pub fn app(config: Config, shutdown: watch::Receiver<bool>) -> Router {
    router(Arc::new(AppState::new(config, shutdown)))
}

/// The routes over `state` (what [`app`] and [`run`](crate::http::serve::run) serve).
pub fn router(state: Arc<AppState>) -> Router {
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
                Some(admission) => task::spawn(socket, state, shutdown, admission),
                None => task::refuse_busy(socket, client).await,
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
