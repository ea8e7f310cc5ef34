//! What a program uses: the peer, its options, its events, its payloads and errors.

pub mod error;
pub mod events;
pub mod files;
pub mod options;
pub mod payload;
pub mod peer;
