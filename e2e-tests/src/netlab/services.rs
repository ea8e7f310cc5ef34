//! The servers on the lab's internet: coturn (both UDP and TCP on one port, relaying on
//! the internet address) and the real signaling server, in this process but listening
//! inside the internet namespace.

use super::netns::Namespace;
use super::topology::INTERNET_IP;
use crate::server::TestServer;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// coturn's port (the namespace is the lab's own: a fixed port collides with nothing).
pub const TURN_PORT: u16 = 3478;

/// The secret coturn and the signaling server share (TURN REST credentials).
pub const TURN_SECRET: &str = "network lab secret";

/// A running coturn in the internet namespace; killed on drop, its pid file removed.
pub struct Coturn {
    _child: Child,
    pidfile: PathBuf,
}

impl Drop for Coturn {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.pidfile);
    }
}

impl Coturn {
    /// Starts coturn on [`TURN_PORT`] of [`INTERNET_IP`], UDP and TCP; returns once it
    /// accepts TCP connections (it opens its UDP socket first).
    pub async fn start(internet: &Namespace) -> Result<Self, String> {
        let pidfile = std::env::temp_dir().join(format!("{}-turn.pid", internet.name()));
        let child = Command::new("ip")
            .args(["netns", "exec", internet.name(), "turnserver", "-n"])
            .arg(format!("--listening-ip={INTERNET_IP}"))
            .arg(format!("--relay-ip={INTERNET_IP}"))
            .arg(format!("--listening-port={TURN_PORT}"))
            .args(["--min-port=49152", "--max-port=49999"])
            .args(["--use-auth-secret", &format!("--static-auth-secret={TURN_SECRET}")])
            .args(["--realm=peer-wasm", "--no-tls", "--no-dtls", "--no-cli"])
            .arg(format!("--pidfile={}", pidfile.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("turnserver: {e} (scripts/setup.sh installs coturn)"))?;
        let turn = Self { _child: child, pidfile };
        let addr = SocketAddr::from((INTERNET_IP, TURN_PORT));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !internet.accepts_tcp(addr) {
            if Instant::now() > deadline {
                return Err(format!("coturn did not listen on {addr} within 10 s"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(turn)
    }
}

/// Which ICE servers the signaling server hands out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IceServers {
    /// `stun:` only.
    Stun,
    /// `stun:` and `turn:` (UDP).
    StunAndTurn,
    /// `turn:` over UDP and `turn:...?transport=tcp`, no STUN.
    TurnUdpAndTcp,
}

/// The signaling server, serving `www/`, on a free port of [`INTERNET_IP`].
pub fn signaling(internet: &Namespace, ice: IceServers) -> Result<TestServer, String> {
    let www = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www");
    if !www.join("pkg/peer_wasm.js").is_file() {
        return Err("www/pkg is missing: run `wasm-pack build peer-wasm --dev --target web \
                    --out-dir ../www/pkg` from the repository root"
            .into());
    }
    let mut config = signaling_server::Config { static_dir: www, ..Default::default() };
    let turn = format!("turn:{INTERNET_IP}:{TURN_PORT}");
    let stun = vec![format!("stun:{INTERNET_IP}:{TURN_PORT}")];
    let (stun_urls, turn_urls) = match ice {
        IceServers::Stun => (stun, vec![]),
        IceServers::StunAndTurn => (stun, vec![turn]),
        IceServers::TurnUdpAndTcp => (vec![], vec![turn.clone(), format!("{turn}?transport=tcp")]),
    };
    config.stun_urls = stun_urls;
    // The secret goes with the TURN URLs only (the server refuses one without the other).
    if !turn_urls.is_empty() {
        config.turn_secret = Some(signaling_server::TurnSecret::new(TURN_SECRET));
    }
    config.turn_urls = turn_urls;
    config.validate().map_err(|e| format!("the lab's server configuration: {e}"))?;
    let listener = internet.bind_tcp(SocketAddr::from((INTERNET_IP, 0)))?;
    Ok(TestServer::start_on(listener, config))
}
