//! The mesh on the driver's side: the frames (`wire.rs`), the signatures of relayed
//! signals (`crypto.rs`), and the order they are signed and checked in. The decisions
//! (routes, floods, membership) are the machine's, in `core/gossip.rs`.

pub(crate) mod crypto;
pub(crate) mod wire;

use crate::core::Relayed;

/// How far a relayed signal's time may be from ours: older ones are dropped (a relay
/// replaying an old signal gets nowhere), and clocks of two machines may differ a bit.
pub(crate) const FRESH_MS: u64 = 5 * 60 * 1000;

/// Work for the signing task. One task does it all, in order, so signals leave and are
/// applied in the order they were made (an offer before its candidates), while
/// WebCrypto's promises may settle in any order.
pub(crate) enum Job {
    /// Sign our signal and send it on the channel `hop`.
    Sign { hop: crate::core::ConnKey, relayed: Relayed },
    /// Check a signal relayed to us by `key`'s neighbour against its sender's key.
    Verify { key: crate::core::ConnKey, relayed: Relayed, public_key: Option<String> },
}

/// What a relayed signal's signature covers: the room (no replay into another room),
/// both ends, the time, and the signal's exact text.
pub(crate) fn signed_text(room: &str, relayed: &Relayed) -> String {
    let Relayed { from, to, at, text, .. } = relayed;
    format!("peer-wasm relay\n{room}\n{from}\n{to}\n{at}\n{text}")
}

/// Milliseconds since the epoch, by this machine's clock.
pub(crate) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}
