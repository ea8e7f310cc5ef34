//! The two signaling servers the page needs: ours (in-process, serving `www/`) and
//! PeerJS's (the `peer` npm package, a node child process).

use crate::Error;
use axum::http::{HeaderName, HeaderValue};
use axum::serve::ListenerExt;
use browser_harness::{free_port, wait_for_port};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

/// Our signaling server's routes, on 127.0.0.1 and a free port; stops on drop.
pub struct Signaling {
    /// Where it listens.
    pub addr: SocketAddr,
    _stop: watch::Sender<bool>,
}

impl Signaling {
    /// Serves [`signaling_server::app`] as `signaling_server::run` does (TCP_NODELAY,
    /// peer addresses), plus two headers that make the page cross-origin isolated:
    /// only then does `performance.now()` count in 5 µs steps instead of 100 µs, which
    /// round trips of about 0.4 ms need. Nothing else of the server changes.
    pub async fn start(static_dir: PathBuf) -> Result<Self, Error> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = watch::channel(false);
        let config = signaling_server::Config { static_dir, ..Default::default() };
        let header = |name: &'static str, value: &'static str| {
            SetResponseHeaderLayer::overriding(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            )
        };
        let router = signaling_server::app(config, stopped)
            .layer(header("cross-origin-opener-policy", "same-origin"))
            .layer(header("cross-origin-embedder-policy", "require-corp"));
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::spawn(async move {
            let service = router.into_make_service_with_connect_info::<SocketAddr>();
            if let Err(error) = axum::serve(listener, service).await {
                eprintln!("[bench] signaling server: {error}");
            }
        });
        Ok(Self { addr, _stop: stop })
    }
}

/// The PeerJS server (`bench/node_modules/peer`) on 127.0.0.1; killed on drop.
pub struct PeerJs {
    /// Where it listens.
    pub port: u16,
    _child: Child,
}

impl PeerJs {
    /// Starts it with node and waits until it accepts connections.
    pub async fn start(root: &Path) -> Result<Self, Error> {
        let port = free_port()?;
        let child = Command::new("node")
            .arg(root.join("bench/node_modules/peer/dist/bin/peerjs.js"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--path", "/"])
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("node: {e}"))?;
        wait_for_port(port, "the PeerJS server").await?;
        Ok(Self { port, _child: child })
    }
}
