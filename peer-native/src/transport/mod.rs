//! One WebRTC connection to a remote peer, native: a str0m `Rtc` (sans-IO) driven by
//! its own tokio task over UDP sockets, with the two negotiated data channels of
//! `docs/PROTOCOL.md` ("The data channel"): id 0 `"peer-wasm"` ordered and reliable,
//! id 1 `"peer-wasm-unreliable"` unordered with no retransmits, neither announced in
//! band.
//!
//! - `connection`: the handle the driver holds ([`connection::Connection`]);
//! - `types`: channels, reports, configuration, counters, errors;
//! - `session`: the connection's state without I/O, set up and signals applied;
//!   `sending`: frames written; `drive`: str0m run; `events`: str0m's events;
//! - `send_queue`: the reliable channel's bounded queue;
//! - `task`: sockets and the task;
//! - `sdp`: what is read from SDP and candidates, local host addresses.
//!
//! Local host candidates travel inside the SDP (no trickling); remote candidates may
//! come either way. mDNS candidates (`.local`) of browsers are skipped: the browser
//! still reaches us when it checks our host candidates.

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
