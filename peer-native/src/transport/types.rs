//! The values a connection's user sees: which channel, what a connection reports, its
//! configuration, its counters and its errors.

use crate::wire::frame::Frame;
use signaling_protocol::Step;
use std::net::{IpAddr, SocketAddr};
use str0m::config::DtlsCert;

/// One of the connection's two negotiated data channels (`docs/PROTOCOL.md`, "The data
/// channel").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// Id 0, `"peer-wasm"`: ordered and reliable.
    Reliable,
    /// Id 1, `"peer-wasm-unreliable"`: unordered, no retransmits.
    Unreliable,
}

impl Channel {
    /// The SCTP stream id both peers agreed on without announcing it.
    pub fn stream_id(self) -> u16 {
        match self {
            Channel::Reliable => 0,
            Channel::Unreliable => 1,
        }
    }
}

/// What a connection tells its owner, in the order it happened.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    /// A step for the remote peer: our offer, answer or restart offer. (Local
    /// candidates travel inside the SDP: nothing is trickled.)
    Outbound(Step),
    /// Both data channels are open (reported once).
    ChannelOpen,
    /// The channels were closed here after [`close_when_drained`] drained the queue.
    ///
    /// [`close_when_drained`]: super::connection::Connection::close_when_drained
    ChannelClosing,
    /// The reliable channel is closed (by either side, or the connection died).
    ChannelClosed,
    /// A frame arrived on `channel`.
    Received {
        /// The channel it arrived on.
        channel: Channel,
        /// The frame.
        frame: Frame,
    },
    /// What ICE says of the path.
    Path(peer_core::PathState),
    /// The connection cannot go on (a description that did not apply, a DTLS or SCTP
    /// error); the reason is for people.
    Failed(String),
}

/// How to set up a connection.
#[derive(Clone)]
pub struct ConnectionConfig {
    /// Local addresses to offer as host candidates, one UDP socket each. Empty: every
    /// local IPv4 address that is up, and 127.0.0.1.
    pub bind: Vec<IpAddr>,
    /// The DTLS certificate every connection made with this configuration presents
    /// (its fingerprint goes in each offer and answer). Made once: making one per
    /// connection was a twentieth of the work of forming a mesh of 100.
    pub certificate: Option<DtlsCert>,
}

impl ConnectionConfig {
    /// Connections offering `bind` as host candidates (empty: every local address),
    /// with a certificate made now. Without one (the crypto backend could not make it),
    /// each connection makes its own.
    pub fn new(bind: Vec<IpAddr>) -> ConnectionConfig {
        let certificate = str0m::crypto::from_feature_flags().dtls_provider.generate_certificate();
        ConnectionConfig { bind, certificate }
    }
}

impl std::fmt::Debug for ConnectionConfig {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let certificate = self.certificate.as_ref().map(|_| "(made)");
        formatter
            .debug_struct("ConnectionConfig")
            .field("bind", &self.bind)
            .field("certificate", &certificate)
            .finish()
    }
}

/// Why a connection could not be made or a frame not sent.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TransportError {
    /// No tokio runtime to run the connection's task on.
    #[error("no tokio runtime: a connection must start inside one")]
    NoRuntime,
    /// No local address could be bound as a host candidate.
    #[error("no local address to bind: {0}")]
    NoAddress(String),
    /// The unreliable channel's buffer holds 1 MiB or more.
    #[error("the unreliable channel is backed up")]
    BackedUp,
    /// The frame is over the remote's message size limit.
    #[error("frame of {size} bytes is over the limit of {max} bytes")]
    TooLarge {
        /// The frame's size.
        size: usize,
        /// The limit ([`super::connection::Connection::max_frame`]).
        max: usize,
    },
    /// The reliable channel's queue is full; wait for it to drain.
    #[error("the send queue is full")]
    QueueFull,
    /// An empty frame: str0m (its SCTP, sctp-proto 0.10) sends no chunk for an empty
    /// message, so it would vanish silently. (Receiving one works.)
    #[error("an empty frame cannot be sent")]
    Empty,
    /// The channel is not open (not yet, or no longer).
    #[error("the channel is not open")]
    NotOpen,
}

/// An unreliable send is refused while channel 1 holds this much
/// (`docs/PROTOCOL.md`, "The unreliable channel").
pub const UNRELIABLE_BACKED_UP: usize = 1024 * 1024;

/// A datagram for the network.
pub struct Datagram {
    /// The local address (socket) to send from.
    pub source: SocketAddr,
    /// Where to.
    pub destination: SocketAddr,
    /// The bytes.
    pub contents: Vec<u8>,
}
