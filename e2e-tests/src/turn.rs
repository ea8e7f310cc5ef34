//! A real TURN server for the tests: Debian's coturn (`turnserver`), on loopback and
//! free ports, authenticating by the TURN REST scheme (`use-auth-secret`) with a secret
//! the test gives the signaling server too. Killed on drop.

use browser_harness::{free_port, wait_for_port};
use std::process::Stdio;
use tokio::process::{Child, Command};

/// The realm coturn answers with (any name does for REST credentials).
const REALM: &str = "peer-wasm";

/// A running `turnserver`.
pub struct TurnServer {
    child: Child,
    /// Its TCP and UDP port on 127.0.0.1.
    pub port: u16,
    /// The `static-auth-secret` it checks credentials with.
    pub secret: String,
}

impl TurnServer {
    /// Starts coturn on a free port with `secret`; panics with a how-to when it cannot.
    pub async fn start(secret: &str) -> Self {
        let port = free_port().unwrap_or_else(|e| panic!("{e}"));
        Self::start_on(port, secret).await
    }

    /// Starts coturn on `port` (again, after [`TurnServer::kill`]).
    pub async fn start_on(port: u16, secret: &str) -> Self {
        // Relay ports of its own, derived from the listening port so that two servers of
        // parallel tests do not share a range.
        let min_port = 40_000 + (port % 1_000) * 20;
        let pidfile = std::env::temp_dir().join(format!("peer-wasm-turn-{port}.pid"));
        let child = Command::new("turnserver")
            .args(["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
            .arg(format!("--listening-port={port}"))
            .arg(format!("--min-port={min_port}"))
            .arg(format!("--max-port={}", min_port + 19))
            .args(["--use-auth-secret", &format!("--static-auth-secret={secret}")])
            .arg(format!("--realm={REALM}"))
            .args(["--allow-loopback-peers", "--no-tls", "--no-dtls", "--no-cli"])
            .arg(format!("--pidfile={}", pidfile.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("turnserver: {e} (scripts/setup.sh installs coturn)"));
        wait_for_port(port, "turnserver").await.unwrap_or_else(|e| panic!("{e}"));
        Self { child, port, secret: secret.to_owned() }
    }

    /// Its `turn:` URL (the browser reaches it over UDP).
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}", self.port)
    }

    /// Its `turn:` URL over TCP (`?transport=tcp`): the way out of networks that drop UDP.
    pub fn tcp_url(&self) -> String {
        format!("{}?transport=tcp", self.url())
    }

    /// Kills it at once (a crash: no goodbye to its clients).
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}
