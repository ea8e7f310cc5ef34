//! Identifiers of peers.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A peer's identifier: derived from its public key ([`crate::peer_id_for`]), the same
/// on every server and after every reconnect.
///
/// Compare it, print it, send it back; check a key against it with
/// [`crate::key_matches_id`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerId(String);

impl PeerId {
    /// Wraps an id (derived, or as it arrived on the wire).
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The identifier as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for PeerId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for PeerId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

/// What a room knows about one of its peers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// The peer's id, derived from `key`.
    pub id: PeerId,
    /// Display name the peer chose when joining (validated by [`crate::validate_name`]).
    pub name: String,
    /// The public key the peer announced when joining (see [`crate::validate_key`]):
    /// other peers check the signals it sends through the mesh against it, so a peer that
    /// relays them cannot forge or alter them. Omitted from the JSON when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl PeerInfo {
    /// A peer with no announced key.
    pub fn new(id: impl Into<PeerId>, name: impl Into<String>) -> Self {
        Self { id: id.into(), name: name.into(), key: None }
    }
}

/// One connection attempt between two peers, chosen by the peer that sends the offer.
/// Every signal of the attempt carries it, so a late answer, candidate or bye of an
/// earlier attempt is recognised and dropped. A JSON number below 2^32.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub u32);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
