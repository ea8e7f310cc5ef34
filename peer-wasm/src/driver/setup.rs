//! What a driver starts from, besides its machine: the ICE servers its connections use
//! and how the peer goes about rejoining, the mesh and sealing signals, as its join
//! asked.

use crate::api::join_options::JoinOptions;
use crate::identity::Identity;
use crate::signaling::sealing::SealKey;
use peer_core::Backoff;
use signaling_protocol::IceServer;

/// The ICE servers new connections use: the page's own, or else the signaling server's
/// latest (it renews their TURN credentials before they expire).
pub(crate) struct Ice {
    servers: Vec<IceServer>,
    from_page: bool,
    relay_only: bool,
}

impl Ice {
    /// As the join's options say, with the servers the welcome carried.
    pub fn new(options: &JoinOptions, from_server: Vec<IceServer>) -> Self {
        let own = options.own_servers().map(<[IceServer]>::to_vec);
        let from_page = own.is_some();
        let servers = own.unwrap_or(from_server);
        Self { servers, from_page, relay_only: options.is_relay_only() }
    }

    /// The configuration for a new connection or an ICE restart: the latest servers,
    /// relayed candidates only if the page asked for that or `relay_only`.
    pub fn configuration(&self, relay_only: bool) -> web_sys::RtcConfiguration {
        crate::ice::configuration(&self.servers, self.relay_only || relay_only)
    }

    /// Whether a connect can fall back to relayed paths: a TURN server is configured,
    /// and the page did not restrict itself to relayed paths already.
    pub fn can_fall_back(&self) -> bool {
        !self.relay_only && crate::ice::has_turn(&self.servers)
    }

    /// Takes the signaling server's latest servers, unless the page gave its own.
    pub fn renew(&mut self, from_server: Vec<IceServer>) {
        if !self.from_page {
            self.servers = from_server;
        }
    }
}

/// How the peer goes about the mesh and rejoining, as its join asked.
pub(crate) struct Setup {
    /// How to rejoin when signaling drops (`None`: not at all).
    pub backoff: Option<Backoff>,
    /// Who we are: what our signals are signed with.
    pub signer: Identity,
    /// Send signals through the mesh whenever a path exists, not only without the server.
    pub prefer_mesh: bool,
    /// The server's URL, to find the room's peers in other tabs of this browser and
    /// signal them directly (`None`: always through the server).
    pub same_origin: Option<String>,
    /// The key of the room's passphrase, if the join gave one: every signal but a bye
    /// leaves sealed with it, and only sealed ones are taken.
    pub seal_key: Option<SealKey>,
}
