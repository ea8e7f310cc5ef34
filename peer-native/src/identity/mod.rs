//! Who this peer is and how its signals are trusted (docs/PROTOCOL.md, "Identity",
//! "Signed signals", "Sealed signals"), in pure Rust where the browser uses WebCrypto:
//! the key pair and its texts (`keys.rs`), the stamping, signing and checking of signals
//! (`signals.rs`) and the room's passphrase key that seals them (`sealing.rs`). The
//! bytes signed and the ids come from `signaling_protocol`, shared with the browser and
//! the server, so that all three sign and check the same text.

// Used by the driver, which is written alongside.
#![allow(dead_code)]

pub(crate) mod keys;
pub(crate) mod sealing;
pub(crate) mod signals;
#[cfg(test)]
mod tests;
