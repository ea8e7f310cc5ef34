//! A peer-wasm peer outside the browser: the `peer-core` machine driven by tokio, with
//! native WebRTC (str0m) for its connections. It speaks the same protocol as the browser
//! package (`docs/PROTOCOL.md`), so native peers and browser tabs share rooms.
//!
//! ```no_run
//! # async fn run() -> Result<(), peer_native::PeerError> {
//! use peer_native::{JoinOptions, Payload, Peer, PeerEvent};
//! let (peer, mut events) =
//!     Peer::join(JoinOptions::new("ws://127.0.0.1:8080/ws", "lobby", "bot")).await?;
//! while let Some(event) = events.next().await {
//!     if let PeerEvent::PeerJoined(other) = event {
//!         peer.connect(&other.id).await?;
//!         peer.send_to(&other.id, Payload::Text("hello".into()), Default::default()).await?;
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Layers, from the top:
//! - `api/`: what a program holds ([`Peer`], [`OutgoingFile`]): each call a command to
//!   the driver's task;
//! - `driver/`: one tokio task that owns the machine, carries out its outputs and feeds
//!   it what happens, with the time (and reads and writes files);
//! - `transport/`: one WebRTC connection (str0m, a UDP socket per local address) with
//!   its two data channels;
//! - `signaling/`: the WebSocket to the signaling server (challenge, join, messages);
//! - `wire/`: the data channel's frames (messages, chunks, file and mesh frames);
//! - `values/`: what goes in and out ([`JoinOptions`], [`Payload`], [`Delivery`],
//!   [`PeerEvent`], [`PeerError`]), used by every layer above;
//! - `identity/`: the peer's key, join proofs, signed and sealed signals.
//!
//! What differs from the browser package: no STUN or TURN (str0m has no TURN client, and
//! native peers offer host candidates only, so they reach peers on the same network, the
//! same machine, or any peer that can reach them); no tabs of one browser; files are
//! read from and saved to disk ([`Peer::send_file`], [`JoinOptions::download_dir`]).

pub mod api;
mod driver;
mod identity;
mod signaling;
mod transport;
pub mod values;
mod wire;

pub use api::files::OutgoingFile;
pub use api::peer::Peer;
pub use identity::keys::Identity;
pub use signaling_protocol::{PeerId, PeerInfo};
pub use values::delivery::Delivery;
pub use values::error::PeerError;
pub use values::events::{Events, PeerEvent};
pub use values::options::JoinOptions;
pub use values::payload::Payload;
pub use values::stats::ConnectionStats;
