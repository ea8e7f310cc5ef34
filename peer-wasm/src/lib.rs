//! Peer-to-peer messaging between browser tabs over WebRTC data channels.
//!
//! Each tab runs a [`Peer`]: it joins a room through a small signaling server (which
//! only relays WebRTC offers, answers and ICE candidates) and then talks to the other
//! peers over direct data channels. Every peer is client and server at once: it can
//! `connect` to any peer of the room, accepts connections from any of them, and sends
//! to all or to one.
//!
//! # Layout
//!
//! One folder per layer, listed top down; a layer uses those below it:
//!
//! - `js/`: the JS API, every `#[wasm_bindgen]` export and the TypeScript types they
//!   name (`types.rs`): the `Peer` class (`peer_class.rs`), its event callbacks, its
//!   files and keys, and the options a page passes, read and checked (`options.rs`).
//! - `api/`: the Rust API: [`Peer`], and the values it takes and gives ([`Room`],
//!   [`JoinOptions`], [`PeerEvent`], [`Delivery`]).
//! - `driver/`: carries out, against the browser, what the connection logic decides,
//!   and feeds it what happens. That logic is a sans-IO state machine, the `peer-core`
//!   crate (its docs say how it is driven).
//! - `signaling/`: reaching the other peers before there is a channel: the transport
//!   interface (`link.rs`) and its carriers (the server's `websocket.rs`, the in-page
//!   `local_hub.rs`, `same_origin.rs` between tabs of one browser), the join handshake
//!   and a rejoin's attempt, and the passphrase's key that seals signals (`sealing.rs`).
//! - `transport/`: one WebRTC connection: its `RTCPeerConnection` (`connection.rs`),
//!   its offer/answer task, its two data channels (`unreliable.rs` the second) and the
//!   reliable one's backpressure (`send_queue.rs`), how its listeners report to the
//!   driver (`reporter.rs`), the plain messages that go between the page and the channel
//!   in JS (`plain_messages.rs`), and what the browser says about its path (`stats.rs`).
//! - `files/`: file transfers beside the messages: the driver of each connection's
//!   files machine.
//! - `wire/`: the formats: the signaling messages as JSON (`signaling_json.rs`), what a
//!   message carries (`payload.rs`) and how it travels on a channel (`framing.rs`,
//!   chunked past the SCTP message limit), the mesh frames (`mesh_frames.rs`), the file
//!   frames (`file_frames.rs`), and the one registry of the tags that open text frames
//!   (`tags.rs`).
//!
//! Two ties run the other way, by design: the driver takes the Rust API's values (the
//! join options, the events, the delivery), and a connection holds its file transfers,
//! which send through its queue.
//!
//! Beside this file (which only declares modules and re-exports) lies what every layer
//! uses: `error.rs`, the one error type; `identity.rs`, the key that signs our signals;
//! `ice.rs`, the ICE servers as the browser takes them; `log.rs`, `timer.rs` and
//! `alarm.rs` (a machine's one timer); and `allocator.rs`, the heap allocator.

mod alarm;
mod allocator;
mod api;
mod driver;
mod error;
mod files;
mod ice;
mod identity;
mod js;
mod log;
mod signaling;
mod timer;
mod transport;
mod wire;

pub use api::delivery::Delivery;
pub use api::events::PeerEvent;
pub use api::join_options::JoinOptions;
pub use api::peer::Peer;
pub use api::room::Room;
pub use error::PeerError;
pub use files::{IncomingFile, MAX_FILE_BYTES, OutgoingFile};
pub use identity::Identity;
pub use js::peer_class::JsPeer;
pub use signaling::link::{SignalingEvent, SignalingLink, SignalingTransport};
pub use signaling::local_hub::LocalHub;
pub use signaling::websocket::WebSocketSignaling;
pub use signaling_protocol::{IceServer, PeerId, PeerInfo};
pub use transport::send_queue::MAX_QUEUED_BYTES;
pub use transport::stats::PathStats;
pub use transport::unreliable::MAX_UNRELIABLE_BUFFERED;
pub use wire::framing::MAX_MESSAGE_BYTES;
pub use wire::payload::Payload;
/// Most hops a broadcast travels through the mesh ([`Peer::broadcast`]).
pub const MAX_BROADCAST_HOPS: u8 = peer_core::MAX_TTL;
