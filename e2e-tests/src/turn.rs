//! A real TURN server for the tests: Debian's coturn (`turnserver`), on loopback and
//! free ports, authenticating by the TURN REST scheme (`use-auth-secret`) with a secret
//! the test gives the signaling server too; over UDP and TCP, and over TLS when started
//! with [`TurnServer::start_tls`]. Killed on drop.

use browser_harness::{free_port, wait_for_port};
use std::path::PathBuf;
use std::process::Stdio;
use tokio::process::{Child, Command};

/// The realm coturn answers with (any name does for REST credentials).
const REALM: &str = "peer-wasm";

/// A running `turnserver`.
pub struct TurnServer {
    child: Child,
    /// Its TCP and UDP port on 127.0.0.1.
    pub port: u16,
    /// Its TLS port on 127.0.0.1, when it has one.
    pub tls_port: Option<u16>,
    /// The `static-auth-secret` it checks credentials with.
    pub secret: String,
    /// The self-signed certificate of its TLS port, removed on drop.
    _certificate: Option<Certificate>,
}

impl TurnServer {
    /// Starts coturn on a free port with `secret`; panics with a how-to when it cannot.
    pub async fn start(secret: &str) -> Self {
        let port = free_port().unwrap_or_else(|e| panic!("{e}"));
        Self::start_on(port, secret).await
    }

    /// Starts coturn on `port` (again, after [`TurnServer::kill`]).
    pub async fn start_on(port: u16, secret: &str) -> Self {
        Self::spawn(port, secret, None).await
    }

    /// Starts coturn with a TLS port too, on a self-signed certificate for 127.0.0.1
    /// (made here with `openssl`): a browser reaches it only if told to accept that
    /// certificate.
    pub async fn start_tls(secret: &str) -> Self {
        let port = free_port().unwrap_or_else(|e| panic!("{e}"));
        Self::spawn(port, secret, Some(Certificate::new(port))).await
    }

    async fn spawn(port: u16, secret: &str, certificate: Option<Certificate>) -> Self {
        // Relay ports of its own, derived from the listening port so that two servers of
        // parallel tests do not share a range.
        let min_port = 40_000 + (port % 1_000) * 20;
        let pidfile = std::env::temp_dir().join(format!("peer-wasm-turn-{port}.pid"));
        let mut command = Command::new("turnserver");
        command
            .args(["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
            .arg(format!("--listening-port={port}"))
            .arg(format!("--min-port={min_port}"))
            .arg(format!("--max-port={}", min_port + 19))
            .args(["--use-auth-secret", &format!("--static-auth-secret={secret}")])
            .arg(format!("--realm={REALM}"))
            .args(["--allow-loopback-peers", "--no-dtls", "--no-cli"])
            .arg(format!("--pidfile={}", pidfile.display()));
        let tls_port = match &certificate {
            Some(certificate) => {
                let tls_port = free_port().unwrap_or_else(|e| panic!("{e}"));
                command
                    .arg(format!("--tls-listening-port={tls_port}"))
                    .arg(format!("--cert={}", certificate.cert.display()))
                    .arg(format!("--pkey={}", certificate.key.display()));
                Some(tls_port)
            }
            None => {
                command.arg("--no-tls");
                None
            }
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("turnserver: {e} (scripts/setup.sh installs coturn)"));
        wait_for_port(port, "turnserver").await.unwrap_or_else(|e| panic!("{e}"));
        if let Some(tls_port) = tls_port {
            wait_for_port(tls_port, "turnserver (TLS)").await.unwrap_or_else(|e| panic!("{e}"));
        }
        let secret = secret.to_owned();
        Self { child, port, tls_port, secret, _certificate: certificate }
    }

    /// Its `turn:` URL (the browser reaches it over UDP).
    pub fn url(&self) -> String {
        format!("turn:127.0.0.1:{}", self.port)
    }

    /// Its `turn:` URL over TCP (`?transport=tcp`): the way out of networks that drop UDP.
    pub fn tcp_url(&self) -> String {
        format!("{}?transport=tcp", self.url())
    }

    /// Its `turns:` URL (TLS over TCP), if started with [`TurnServer::start_tls`].
    pub fn tls_url(&self) -> Option<String> {
        self.tls_port.map(|port| format!("turns:127.0.0.1:{port}?transport=tcp"))
    }

    /// Kills it at once (a crash: no goodbye to its clients).
    pub async fn kill(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A self-signed certificate and its key for 127.0.0.1, in files removed on drop.
struct Certificate {
    cert: PathBuf,
    key: PathBuf,
}

impl Certificate {
    fn new(port: u16) -> Self {
        let dir = std::env::temp_dir();
        let cert = dir.join(format!("peer-wasm-turn-{port}.crt"));
        let key = dir.join(format!("peer-wasm-turn-{port}.key"));
        let made = std::process::Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"])
            .args(["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(made.is_ok_and(|status| status.success()), "openssl could not make a certificate");
        Self { cert, key }
    }
}

impl Drop for Certificate {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.cert);
        let _ = std::fs::remove_file(&self.key);
    }
}
