//! Serving on a listener until shutdown, and the wait for every socket's goodbye.

use crate::config::Config;
use crate::http::routes::router;
use crate::state::AppState;
use axum::serve::ListenerExt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;

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
