//! What went through one connection: what [`crate::Peer::stats`] answers.

use std::net::SocketAddr;

/// What went through a connection so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionStats {
    /// Data-channel messages written to the transport.
    pub messages_sent: u64,
    /// Their payload bytes.
    pub bytes_sent: u64,
    /// Data-channel messages received.
    pub messages_received: u64,
    /// Their payload bytes.
    pub bytes_received: u64,
    /// Where the last datagram came from (the remote end of the path in use).
    pub remote: Option<SocketAddr>,
}
