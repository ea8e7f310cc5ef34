//! A connection's second data channel: unordered, no retransmits, one frame per message
//! (`wire/framing/single.rs`). Created pre-negotiated with a fixed id on both sides, like
//! the reliable one, so it opens with it and costs no extra round trip.
//!
//! It has no send queue: a message goes to the channel at once or is refused (too
//! large, or the channel's buffer is backed up). It closes with the reliable channel.

use crate::error::PeerError;
use crate::transport::reporter::Reporter;
use crate::transport::send_queue::send_frame;
use crate::wire::framing::{self, Frame};
use gloo_events::EventListener;
use signaling_protocol::PeerId;
use wasm_bindgen::JsCast;
use web_sys::{
    MessageEvent, RtcDataChannel, RtcDataChannelInit, RtcDataChannelType, RtcPeerConnection,
};

/// Label of the unreliable channel.
const LABEL: &str = "peer-wasm-unreliable";
/// Its fixed id (the reliable channel is 0).
const CHANNEL_ID: u16 = 1;
/// Most bytes the unreliable channel's buffer may hold before sends are refused with
/// [`PeerError::UnreliableBackedUp`]: a sender outpacing the network learns it at once
/// rather than filling the browser's buffer (16 MiB, past which `send()` throws).
pub const MAX_UNRELIABLE_BUFFERED: u32 = 1024 * 1024;

/// The unreliable channel of one connection and its message listener.
pub(crate) struct UnreliableChannel {
    channel: RtcDataChannel,
    _on_message: EventListener,
}

impl UnreliableChannel {
    /// Creates the channel on `pc`; what arrives on it is reported like what arrives on
    /// the reliable channel (see [`Reporter::received`]).
    pub fn create(pc: &RtcPeerConnection, reporter: &Reporter) -> Self {
        let init = RtcDataChannelInit::new();
        init.set_negotiated(true);
        init.set_id(CHANNEL_ID);
        init.set_ordered(false);
        init.set_max_retransmits(0);
        let channel = pc.create_data_channel_with_data_channel_dict(LABEL, &init);
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        let reporter = reporter.clone();
        let on_message = EventListener::new(&channel, "message", move |event| {
            let event: &MessageEvent = event.unchecked_ref();
            // A lost message is just absent, never broken: a frame this crate never
            // sends means a broken or hostile peer, as on the reliable channel.
            reporter.received(framing::decode_single(event.data()).map(Some));
            reporter.apply_now();
        });
        Self { channel, _on_message: on_message }
    }

    /// The channel itself (for its `open` event).
    pub fn channel(&self) -> &RtcDataChannel {
        &self.channel
    }

    /// Refuses a message to `peer` when the channel's buffer is backed up.
    pub fn check(&self, peer: &PeerId) -> Result<(), PeerError> {
        if self.channel.buffered_amount() >= MAX_UNRELIABLE_BUFFERED {
            return Err(PeerError::UnreliableBackedUp(peer.clone()));
        }
        Ok(())
    }

    /// Sends one frame to `peer` now, or refuses it (see [`UnreliableChannel::check`]).
    /// The channel opens before the connection counts as open and closes with it, so
    /// `send()` throws only in the moment the remote's close is arriving (the frame is
    /// within the size limit and the buffer far from the browser's): not connected.
    pub fn send(&self, peer: &PeerId, frame: &Frame) -> Result<(), PeerError> {
        self.check(peer)?;
        send_frame(&self.channel, frame).map_err(|_| PeerError::NotConnected(peer.clone()))
    }

    /// Closes the channel (what it holds still goes out, as the browser closes it).
    pub fn close(&self) {
        self.channel.close();
    }
}
