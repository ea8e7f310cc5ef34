//! What both room backends speak: the signal as the server holds it, the one encoding of
//! a server message, what a join presents and what it gets back. A member is known by
//! its id and by the [`Ticket`] of the join that seated it, so whatever an old connection
//! does after a newer one with its key took its seat (leave, relay) names its own ticket
//! and touches nothing of the newer one.

use axum::extract::ws::Utf8Bytes;
use signaling_protocol::{PeerId, ServerMessage};

/// A signal as the server holds it: any JSON object, relayed without being read, so a
/// new kind of signal needs no server change.
pub type OpaqueSignal = serde_json::Map<String, serde_json::Value>;

/// `message` as the JSON text frame sent to clients. Messages are encoded once and
/// queued as shared text: a broadcast to a room costs one encoding, and each queued
/// message costs a pointer, not a copy.
pub fn encode(message: &ServerMessage<OpaqueSignal>) -> Utf8Bytes {
    // Plain structs and enums with string keys, and JSON values (whose numbers, parsed
    // from JSON, are finite): serde_json cannot fail on them.
    #[allow(clippy::expect_used)]
    serde_json::to_string(message).expect("a ServerMessage always encodes").into()
}

/// One join's seat: tells a connection's membership apart from a later connection's
/// under the same id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ticket(pub(crate) u64);

/// What a join must present, its proof checked.
pub struct Admit<'a> {
    /// The room to enter.
    pub room: &'a str,
    /// The display name.
    pub name: &'a str,
    /// The room's secret, if any.
    pub secret: Option<&'a str>,
    /// The peer's public key, handed to the others.
    pub key: &'a str,
    /// The id derived from `key`.
    pub id: PeerId,
}

/// How a peer entered its room.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// Its id was not a member: announced as a join.
    Fresh,
    /// In place of the connection of its key that held the seat (not announced).
    TookOver,
}

/// A successful join.
#[derive(Debug, PartialEq, Eq)]
pub struct Joined {
    /// The peer's id.
    pub id: PeerId,
    /// Names this join when it leaves and relays.
    pub ticket: Ticket,
    /// How it came in.
    pub arrival: Arrival,
}
