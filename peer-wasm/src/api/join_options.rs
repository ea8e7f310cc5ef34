//! How a peer joins, beyond its room and name: its identity, its passphrase, its ICE
//! servers and transport policy, and whether and how fast it rejoins when the signaling
//! connection drops.

use crate::identity::Identity;
use crate::signaling::sealing::Passphrase;
use peer_core::Backoff;
use signaling_protocol::IceServer;

/// The longest wait between two attempts to rejoin that a page may ask for.
const MAX_RECONNECT_DELAY_MS: u32 = 10 * 60 * 1000;

/// How a peer joins, beyond its room and name. `JoinOptions::default()` uses the ICE
/// servers the signaling server hands out, any path ICE finds, and rejoins by itself
/// (as the same peer) when the signaling connection drops, waiting 250 ms doubling up
/// to 3 s between attempts.
///
/// ```
/// use peer_wasm::{IceServer, JoinOptions};
/// let turn = IceServer {
///     urls: vec!["turn:turn.example.org:3478".into()],
///     username: Some("name".into()),
///     credential: Some("secret".into()),
/// };
/// let options = JoinOptions::default().ice_servers(vec![turn]).relay_only();
/// let patient = JoinOptions::default().reconnect_delays(1_000, 30_000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JoinOptions {
    identity: Option<Identity>,
    passphrase: Option<Passphrase>,
    ice_servers: Option<Vec<IceServer>>,
    relay_only: bool,
    reconnect: Option<Backoff>,
    mesh_signaling: bool,
    same_origin_signaling: bool,
}

impl Default for JoinOptions {
    fn default() -> Self {
        Self {
            identity: None,
            passphrase: None,
            ice_servers: None,
            relay_only: false,
            reconnect: Some(Backoff::default()),
            mesh_signaling: false,
            same_origin_signaling: true,
        }
    }
}

impl JoinOptions {
    /// Uses these ICE servers instead of the signaling server's.
    pub fn ice_servers(self, servers: Vec<IceServer>) -> Self {
        Self { ice_servers: Some(servers), ..self }
    }

    /// Connects through TURN relays only (`iceTransportPolicy: "relay"`): no direct path
    /// is tried, so no address of this machine reaches the other peer.
    pub fn relay_only(self) -> Self {
        Self { relay_only: true, ..self }
    }

    /// Waits from `min_ms` (the first attempt), doubling up to `max_ms`, between attempts
    /// to rejoin after the signaling connection dropped (each wait shortened by up to
    /// half at random). Values are clamped to 1 ms .. 10 min, `max_ms` to at least
    /// `min_ms`.
    pub fn reconnect_delays(self, min_ms: u32, max_ms: u32) -> Self {
        let min_ms = min_ms.clamp(1, MAX_RECONNECT_DELAY_MS);
        let max_ms = max_ms.clamp(min_ms, MAX_RECONNECT_DELAY_MS);
        Self { reconnect: Some(Backoff { min_ms, max_ms }), ..self }
    }

    /// Never rejoins: when the signaling connection drops, it is over (open channels go
    /// on; new connections cannot be made).
    pub fn no_reconnect(self) -> Self {
        Self { reconnect: None, ..self }
    }

    /// Sends signals (offers, answers, candidates) through the mesh whenever some open
    /// channel leads to their target, not only when the signaling server is gone: a new
    /// connection then costs the server nothing. Signed end to end, so the peers that
    /// pass them on cannot forge or alter them.
    pub fn mesh_signaling(self) -> Self {
        Self { mesh_signaling: true, ..self }
    }

    /// Signals every peer through the server, even those in other tabs of this browser
    /// (by default they are signaled over a `BroadcastChannel`, which is faster and
    /// spares the server).
    pub fn no_same_origin_signaling(self) -> Self {
        Self { same_origin_signaling: false, ..self }
    }

    /// Joins as `identity` (one the page kept), rather than as a new one: the peer gets
    /// the same id as before. A second page joining with it takes the first one's place.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Encrypts every signal but `bye`s end to end with a key derived from `passphrase`
    /// (and the room's name), so that the server, other tabs and relaying peers see
    /// neither SDP nor candidates (so none of this machine's addresses). Only peers that
    /// joined with the same passphrase connect; connecting to any other fails at once,
    /// saying why. Unlike a room's secret, the server never sees it.
    pub fn passphrase(self, passphrase: impl Into<String>) -> Self {
        Self { passphrase: Some(Passphrase(passphrase.into())), ..self }
    }

    /// The identity the page gave, if any.
    pub(crate) fn own_identity(&self) -> Option<&Identity> {
        self.identity.as_ref()
    }

    /// The passphrase signals are sealed with, if any.
    pub(crate) fn own_passphrase(&self) -> Option<&Passphrase> {
        self.passphrase.as_ref()
    }

    /// The page's own servers, if it gave any.
    pub(crate) fn own_servers(&self) -> Option<&[IceServer]> {
        self.ice_servers.as_deref()
    }

    /// Whether only relayed paths may be used.
    pub(crate) fn is_relay_only(&self) -> bool {
        self.relay_only
    }

    /// Whether peers in other tabs of this browser are signaled directly.
    pub(crate) fn signals_same_origin(&self) -> bool {
        self.same_origin_signaling
    }

    /// Whether signals go through the mesh whenever they can.
    pub(crate) fn prefers_mesh(&self) -> bool {
        self.mesh_signaling
    }

    /// How to rejoin, if at all.
    pub(crate) fn reconnect(&self) -> Option<Backoff> {
        self.reconnect
    }
}
