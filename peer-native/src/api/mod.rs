//! What a program uses: the peer, its options, its events, its payloads and errors.

pub mod error;
pub mod payload;
