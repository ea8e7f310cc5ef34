//! How a peer reaches the others before it has data channels: the transport interface
//! (`link.rs`), its carriers (the server's WebSocket, the in-page hub, a
//! `BroadcastChannel` between tabs of one browser), the join handshake and a rejoin's
//! attempt, and the passphrase's key that seals signals.

pub(crate) mod join;
pub(crate) mod link;
pub(crate) mod local_hub;
pub(crate) mod rejoin;
pub(crate) mod same_origin;
pub(crate) mod sealing;
pub(crate) mod websocket;
