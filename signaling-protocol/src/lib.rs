//! The signaling protocol: every message a client and the signaling server exchange.
//!
//! Both `signaling-server` and `peer-wasm` depend on this crate, so the two can never
//! disagree about the wire format. Messages are JSON text frames; each is an object with a
//! `"type"` field naming the variant (snake_case), which reads well in a browser console.
//! `docs/PROTOCOL.md` documents the same format for people writing other clients; the
//! golden tests in `tests/golden.rs` pin it.
//!
//! The crate depends on serde, and on sha2 for ids (`identity.rs`): the server encodes
//! with `serde_json`, the browser with the browser's own `JSON`.

mod ice;
mod identity;
mod ids;
mod limits;
mod messages;

pub use ice::IceServer;
pub use identity::{
    ID_CHARS, KEY_CHARS, SIGNATURE_CHARS, join_text, key_matches_id, peer_id_for, safety_number,
    signal_fingerprint, signal_text, validate_key,
};
pub use ids::{PeerId, PeerInfo, SessionId};
pub use limits::{
    MAX_NAME_CHARS, MAX_ROOM_CHARS, MAX_SECRET_CHARS, validate_name, validate_room, validate_secret,
};
pub use messages::{ClientMessage, ErrorCode, ServerMessage, Signal, Step, TAKEN_OVER_CLOSE_CODE};
