//! The signaling protocol: every message a client and the signaling server exchange.
//!
//! Both `signaling-server` and `peer-wasm` depend on this crate, so the two can never
//! disagree about the wire format. Messages are JSON text frames; each is an object with a
//! `"type"` field naming the variant (snake_case), which reads well in a browser console.
//! `docs/PROTOCOL.md` documents the same format for people writing other clients; the
//! golden tests in `tests/golden.rs` pin it.
//!
//! The crate depends on serde only: the server encodes with `serde_json`, the browser
//! with `serde-wasm-bindgen` and the browser's own `JSON`.

mod ice;
mod ids;
mod limits;
mod messages;

pub use ice::IceServer;
pub use ids::{PeerId, PeerInfo, SessionId};
pub use limits::{
    MAX_KEY_CHARS, MAX_NAME_CHARS, MAX_ROOM_CHARS, MAX_SECRET_CHARS, validate_key, validate_name,
    validate_room, validate_secret,
};
pub use messages::{ClientMessage, ErrorCode, ServerMessage, Signal, Step};
