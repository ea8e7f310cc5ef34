//! How a native peer joins: the browser's join options, where they mean the same.

use crate::identity::keys::Identity;
use std::net::IpAddr;
use std::path::PathBuf;

/// What [`crate::Peer::join`] needs. `url`, `room` and `name` are required; the rest
/// has the browser package's defaults.
#[derive(Clone, Debug)]
pub struct JoinOptions {
    /// The signaling server's WebSocket URL, e.g. `ws://127.0.0.1:8080/ws`.
    pub url: String,
    /// The room to join.
    pub room: String,
    /// The name other peers see.
    pub name: String,
    /// Who the peer is: the same identity gives the same id after any restart. A new
    /// one is generated when `None`.
    pub identity: Option<Identity>,
    /// The room's secret: the first peer sets it, later joins must present the same.
    pub secret: Option<String>,
    /// Seals every signal with a key derived from this passphrase (`docs/PROTOCOL.md`,
    /// "Sealed signals"): only peers with the same passphrase can connect.
    pub passphrase: Option<String>,
    /// Rejoin the room as the same peer when the signaling connection drops.
    pub reconnect: bool,
    /// Send signals through the mesh whenever a path exists, not only without the server.
    pub prefer_mesh: bool,
    /// The local addresses offered as host candidates; empty: every IPv4 address of
    /// this machine that is up, loopback included.
    pub bind: Vec<IpAddr>,
    /// Where files peers send are saved (under their names made safe, never replacing
    /// a file); `None`: offers of files are refused.
    pub download_dir: Option<PathBuf>,
}

impl JoinOptions {
    /// Options with the defaults: a new identity, no passphrase, rejoining on.
    pub fn new(url: impl Into<String>, room: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            room: room.into(),
            name: name.into(),
            identity: None,
            secret: None,
            passphrase: None,
            reconnect: true,
            prefer_mesh: false,
            bind: Vec::new(),
            download_dir: None,
        }
    }
}
