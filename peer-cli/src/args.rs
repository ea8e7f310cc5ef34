//! The command line's options.

use clap::Parser;
use peer_native::JoinOptions;
use std::net::IpAddr;
use std::path::PathBuf;

/// A peer in a room of the signaling server: prints each message it receives as
/// `NAME: TEXT` and each event as `* ...` on stdout, and sends each line of stdin as
/// text to every connected peer; `/file PATH` sends a file, and files received are
/// saved in the current folder.
#[derive(Debug, Parser)]
#[command(version)]
pub struct Args {
    /// The signaling server's WebSocket URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws")]
    pub url: String,
    /// The room to join.
    #[arg(long)]
    pub room: String,
    /// The name the others see.
    #[arg(long)]
    pub name: String,
    /// Connect to everyone in the room, and to everyone who joins.
    #[arg(long)]
    pub connect_all: bool,
    /// The room's secret (the first peer sets it).
    #[arg(long)]
    pub secret: Option<String>,
    /// Seal signals with a key from this passphrase (only peers with it can connect).
    #[arg(long)]
    pub passphrase: Option<String>,
    /// Keep the peer's key in this file (created if missing), so that the peer keeps its
    /// id from one run to the next.
    #[arg(long)]
    pub identity: Option<PathBuf>,
    /// A local address to offer as a host candidate (repeat for several; default: every
    /// IPv4 address of this machine that is up).
    #[arg(long = "bind")]
    pub bind: Vec<IpAddr>,
    /// STUN or TURN servers: refused, native peers cannot use them (see peer-native).
    #[arg(long = "ice-server")]
    pub ice_servers: Vec<String>,
    /// Relayed paths only: refused, native peers have no TURN client.
    #[arg(long)]
    pub relay_only: bool,
    /// Do not rejoin the room when the signaling connection drops.
    #[arg(long)]
    pub no_reconnect: bool,
}

impl Args {
    /// The join's options, or why these arguments cannot make a peer.
    pub fn join_options(self) -> Result<JoinOptions, String> {
        if self.relay_only || !self.ice_servers.is_empty() {
            return Err("native peers have no STUN or TURN client: --ice-server and --relay-only \
                        are not supported (peers connect over host candidates)"
                .into());
        }
        let mut options = JoinOptions::new(self.url, self.room, self.name);
        options.secret = self.secret;
        options.passphrase = self.passphrase;
        options.reconnect = !self.no_reconnect;
        options.bind = self.bind;
        // Files peers send are saved where the command runs.
        options.download_dir = Some(PathBuf::from("."));
        if let Some(path) = self.identity {
            options.identity = Some(crate::key_file::load_or_create(&path)?);
        }
        Ok(options)
    }
}
