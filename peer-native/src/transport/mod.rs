//! One WebRTC connection to a remote peer, native: a str0m `Rtc` (sans-IO) driven by
//! its own tokio task over UDP sockets, with the two negotiated data channels of
//! `docs/PROTOCOL.md` ("The data channel"): id 0 `"peer-wasm"` ordered and reliable,
//! id 1 `"peer-wasm-unreliable"` unordered with no retransmits, neither announced in
//! band (str0m's `ChannelConfig::negotiated`; checked against Chromium's own
//! negotiated channels, see `tests/chromium.rs`).
//!
//! - `connection`: the handle the driver holds ([`connection::Connection`]);
//! - `types`: channels, reports, configuration, counters, errors;
//! - `session`: the connection's state without I/O, set up and signals applied;
//!   `sending`: frames written; `drive`: str0m run; `events`: str0m's events;
//! - `send_queue`: the reliable channel's bounded queue;
//! - `task`: sockets and the task;
//! - `sdp`: what is read from SDP and candidates, local host addresses.
//!
//! Choices:
//! - One UDP socket per local address (port 0), not one on `0.0.0.0`: str0m needs each
//!   datagram's local address, which an unspecified bind does not give.
//! - Local host candidates travel inside the SDP (nothing is trickled); remote
//!   candidates come either way. A browser's mDNS candidates (`.local`) and TCP ones
//!   are skipped: the browser still reaches us when it checks our host candidates, and
//!   we learn its address as a peer-reflexive one.
//! - str0m has no ICE `failed`: a path down for 10 s is reported failed.
//! - `restart_ice` is ignored while an offer of ours waits for its answer; an answer
//!   with none waiting is stale and dropped.
//! - Empty frames are refused (`TransportError::Empty`): str0m's SCTP (sctp-proto 0.10)
//!   sends nothing for an empty message. Receiving one from a browser works.
//! - str0m's contract (every change followed by polling it until `Timeout`) is kept
//!   under the session's lock: the handle's calls drain str0m before they return, the
//!   task sends what was drained and delivers the reports.

// Used by the driver.
#![allow(dead_code)]

pub mod connection;
pub mod drive;
mod events;
pub mod sdp;
pub mod send_queue;
pub mod sending;
pub mod session;
mod task;
pub mod types;

#[cfg(test)]
mod tests;
