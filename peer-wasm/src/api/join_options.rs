//! How a peer joins, beyond its room and name: its identity, its passphrase, its ICE
//! servers and transport policy, and whether and how fast it rejoins when the signaling
//! connection drops.

use crate::error::PeerError;
use crate::ice::{get, read_servers};
use crate::identity::Identity;
use crate::signaling::sealing::Passphrase;
use peer_core::Backoff;
use signaling_protocol::IceServer;
use wasm_bindgen::JsValue;

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

    /// The `identity` option of a JS options object: a `CryptoKeyPair`, read apart from
    /// the others because reading it takes WebCrypto (a promise).
    pub(crate) fn identity_from_js(options: &JsValue) -> Option<JsValue> {
        get(options, "identity")
    }

    /// Encrypts every signal but `bye`s end to end with a key derived from `passphrase`
    /// (and the room's name), so that the server, other tabs and relaying peers see
    /// neither SDP nor candidates (so none of this machine's addresses). Only peers that
    /// joined with the same passphrase connect; connecting to any other fails at once,
    /// saying why. Unlike a room's secret, the server never sees it.
    pub fn passphrase(self, passphrase: impl Into<String>) -> Self {
        Self { passphrase: Some(Passphrase(passphrase.into())), ..self }
    }

    /// Reads `{passphrase, iceServers, iceTransportPolicy, reconnect, meshSignaling,
    /// sameOriginSignaling}` from a page's options object (its `secret` and `identity`
    /// are read by the caller).
    pub(crate) fn from_js(options: &JsValue) -> Result<Self, PeerError> {
        let invalid = |what, reason| PeerError::InvalidInput { what, reason };
        let mut read = Self::default();
        if let Some(passphrase) = get(options, "passphrase") {
            let passphrase = passphrase.as_string().filter(|passphrase| !passphrase.is_empty());
            read.passphrase = Some(Passphrase(
                passphrase.ok_or(invalid("passphrase", "expected a non-empty string"))?,
            ));
        }
        if let Some(servers) = get(options, "iceServers") {
            read.ice_servers = Some(read_servers(&servers).ok_or(invalid(
                "iceServers",
                "expected an array of {urls, username?, credential?}, urls a string or strings",
            ))?);
        }
        read.relay_only = match get(options, "iceTransportPolicy").map(|v| v.as_string()) {
            None => false,
            Some(Some(policy)) if policy == "all" => false,
            Some(Some(policy)) if policy == "relay" => true,
            Some(_) => return Err(invalid("iceTransportPolicy", "expected \"all\" or \"relay\"")),
        };
        let expected = "expected true, false or {minDelayMs?, maxDelayMs?} (milliseconds)";
        match get(options, "reconnect") {
            None => {}
            Some(flag) if flag.as_bool() == Some(true) => {}
            Some(flag) if flag.as_bool() == Some(false) => read = read.no_reconnect(),
            Some(delays) if delays.is_object() => {
                let defaults = Backoff::default();
                let delay = |key, default: u32| match get(&delays, key) {
                    None => Ok(default),
                    Some(ms) => ms
                        .as_f64()
                        .filter(|ms| ms.fract() == 0.0 && *ms >= 1.0 && *ms <= 600_000.0)
                        .map(|ms| ms as u32)
                        .ok_or(invalid("reconnect", expected)),
                };
                let min_ms = delay("minDelayMs", defaults.min_ms)?;
                let max_ms = delay("maxDelayMs", defaults.max_ms.max(min_ms))?;
                if max_ms < min_ms {
                    return Err(invalid("reconnect", "maxDelayMs is below minDelayMs"));
                }
                read = read.reconnect_delays(min_ms, max_ms);
            }
            Some(_) => return Err(invalid("reconnect", expected)),
        }
        match get(options, "meshSignaling").map(|flag| flag.as_bool()) {
            None | Some(Some(false)) => {}
            Some(Some(true)) => read = read.mesh_signaling(),
            Some(None) => return Err(invalid("meshSignaling", "expected true or false")),
        }
        match get(options, "sameOriginSignaling").map(|flag| flag.as_bool()) {
            None | Some(Some(true)) => {}
            Some(Some(false)) => read = read.no_same_origin_signaling(),
            Some(None) => return Err(invalid("sameOriginSignaling", "expected true or false")),
        }
        Ok(read)
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
