//! One WebRTC connection and what it is made of: the `RTCPeerConnection`, its offer/answer
//! task, its two data channels and the reliable one's send queue, how its listeners
//! report to the driver (the mesh frames they pick out included), the JS path of its
//! plain messages (`plain_messages.rs`), and what the browser says about its path.

pub(crate) mod connection;
pub(crate) mod mesh_tap;
pub(crate) mod negotiation;
pub(crate) mod plain_messages;
pub(crate) mod reporter;
pub(crate) mod send_queue;
pub(crate) mod stats;
pub(crate) mod unreliable;
