//! A peer-wasm peer outside the browser: the `peer-core` machine driven by tokio, with
//! native WebRTC (str0m) for its connections. It speaks the same protocol as the browser
//! package (`docs/PROTOCOL.md`), so native peers and browser tabs share rooms.
//!
//! Layers, from the top:
//! - `api/`: what a program uses (`Peer`, `JoinOptions`, `PeerEvent`, `Payload`,
//!   `PeerError`);
//! - `driver/`: one tokio task that owns the machine, carries out its outputs and feeds
//!   it what happens, with the time;
//! - `signaling/`: the WebSocket to the signaling server (challenge, join, messages);
//! - `transport/`: one WebRTC connection (str0m, a UDP socket) with its two data
//!   channels;
//! - `identity/`: the peer's key, join proofs, signed and sealed signals;
//! - `wire/`: the data channel's frames (messages, chunks, mesh frames).

pub mod api;
mod driver;
mod identity;
mod signaling;
mod transport;
pub(crate) mod wire;
