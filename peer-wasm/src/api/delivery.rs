//! How a message travels: reliably (ordered, retransmitted, any size) or unreliably
//! (unordered, sent once, one channel message at most).

/// Which of a connection's two data channels a message takes.
///
/// ```no_run
/// # use peer_wasm::{Delivery, Payload, Peer, PeerId};
/// # fn cursor(peer: &Peer, id: &PeerId) -> Result<(), peer_wasm::PeerError> {
/// // A cursor position: a lost one is soon replaced by the next.
/// let position = Payload::json(&[120, 48])?;
/// peer.send_to_with(id, &position, Delivery::Unreliable)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// Ordered, retransmitted until it arrives, of any size up to
    /// [`crate::MAX_MESSAGE_BYTES`] (chunked as needed), queued with backpressure
    /// (see [`crate::Peer::ready`]).
    #[default]
    Reliable,
    /// Sent once, with no retransmits and in no particular order: it may be lost, or
    /// overtake an earlier one (game state, cursors, voice-like data). One channel message
    /// at most: bigger messages are refused with [`PeerError::TooLargeForUnreliable`](crate::error::PeerError::TooLargeForUnreliable)
    /// (the limit is the remote's `maxMessageSize`, 256 KiB in Chromium, capped at
    /// 256 KiB). Not queued: when the channel's buffer already holds
    /// [`crate::MAX_UNRELIABLE_BUFFERED`] bytes, the send is refused with
    /// [`PeerError::UnreliableBackedUp`](crate::error::PeerError::UnreliableBackedUp), so nothing is dropped silently on our side.
    Unreliable,
}
