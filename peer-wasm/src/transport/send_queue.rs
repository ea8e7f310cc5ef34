//! Backpressure for one data channel: frames go to the channel while its buffer is
//! below a high-water mark, and wait in a bounded queue otherwise; the channel's
//! `bufferedamountlow` event resumes sending (no polling).
//!
//! The channel's buffer is kept between 32 and 64 KiB while frames wait, the marks of the
//! benchmark's raw `RTCDataChannel` code (simple-peer's high mark is 64 KiB too). More
//! in the channel lets the SCTP stack of a connection still in slow start burst further
//! ahead than its socket takes: packets are dropped on send (`packetsDiscardedOnSend`
//! in `getStats()`), and the transfer stalls while they are sent again. 16 KiB messages
//! beside raw JS, five runs of each on this shared machine:
//! - 64-128 KiB: the first transfer on a fresh connection moved 0.82-0.96x raw JS's
//!   bytes, and dropped 1,300-4,600 of its 33,000 packets in each of six first transfers
//!   of one run; later transfers on the same connection 0.99-1.14x;
//! - 32-64 KiB: first transfers 0.91-1.09x (packets dropped in two of six, 70 and 420);
//!   later ones 0.91-1.11x.
//!
//! Queues of MiBs inside the channel made it 5-10x slower. The channel's own 16 MiB
//! limit, past which `send()` throws, is never approached.

use crate::error::PeerError;
use crate::wire::framing::Frame;
use futures_channel::oneshot;
use js_sys::JsString;
use signaling_protocol::PeerId;
use std::collections::VecDeque;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::RtcDataChannel;

/// Frames are handed to the channel while its buffer holds less than this.
pub(crate) const HIGH_WATER_BYTES: u32 = 64 * 1024;
/// The channel asks for more (`bufferedamountlow`) when its buffer drops to this.
pub(crate) const LOW_WATER_BYTES: u32 = 32 * 1024;
/// Most bytes waiting in one peer's queue; past it, sends fail with
/// [`PeerError::QueueFull`] until the queue drains (see [`crate::Peer::ready`]).
pub const MAX_QUEUED_BYTES: usize = 64 * 1024 * 1024;

#[wasm_bindgen]
extern "C" {
    // `send(string)` taking the JS string itself: web-sys's `send_with_str` would copy
    // it into WASM memory and back out.
    #[wasm_bindgen(js_name = RTCDataChannel)]
    type StringSender;
    #[wasm_bindgen(method, catch, js_name = send)]
    fn send_string(this: &StringSender, data: &JsString) -> Result<(), JsValue>;
}

/// Hands one frame to `channel` (`send()` throws when the channel is not open).
pub(crate) fn send_frame(channel: &RtcDataChannel, frame: &Frame) -> Result<(), JsValue> {
    match frame {
        Frame::Text(text) => channel.unchecked_ref::<StringSender>().send_string(text),
        Frame::Binary(bytes) => channel.send_with_array_buffer_view(bytes),
    }
}

/// The frames waiting for one channel.
pub(crate) struct SendQueue {
    channel: RtcDataChannel,
    frames: VecDeque<Frame>,
    queued_bytes: usize,
    /// `ready()` calls, resolved when the queue is empty.
    drained: Vec<oneshot::Sender<()>>,
    /// Close the channel once the queue is empty (a graceful disconnect).
    close_when_drained: bool,
    /// The channel was closed by this queue.
    closed: bool,
    /// Told after each change whether the queue is idle (empty and not closing): messages
    /// sent from JS must overtake nothing queued here (`plain_messages.rs`).
    idle: Box<dyn Fn(bool)>,
}

impl SendQueue {
    /// A queue for `channel`, which it configures for the low-water event; it tells
    /// `idle` whether it is idle after each change.
    pub fn new(channel: RtcDataChannel, idle: impl Fn(bool) + 'static) -> Self {
        channel.set_buffered_amount_low_threshold(LOW_WATER_BYTES);
        Self {
            channel,
            frames: VecDeque::new(),
            queued_bytes: 0,
            drained: Vec::new(),
            close_when_drained: false,
            closed: false,
            idle: Box::new(idle),
        }
    }

    /// Queues the frames of one message (all or none) and sends what the channel takes.
    pub fn push(&mut self, peer: &PeerId, frames: Vec<Frame>) -> Result<(), PeerError> {
        if self.is_full() && !self.close_when_drained {
            return Err(PeerError::QueueFull(peer.clone()));
        }
        self.push_control(peer, frames)
    }

    /// Queues a mesh control frame even over the limit: they are small and few (bounded
    /// by the mesh's own limits), and dropping one would leave the mesh's view stale.
    pub fn push_control(&mut self, peer: &PeerId, frames: Vec<Frame>) -> Result<(), PeerError> {
        if self.close_when_drained {
            return Err(PeerError::NotConnected(peer.clone()));
        }
        let bytes: usize = frames.iter().map(Frame::len).sum();
        self.queued_bytes += bytes;
        self.frames.extend(frames);
        // Nothing can close here: pushes are refused once closing.
        self.pump().map(drop).map_err(PeerError::browser)
    }

    /// Hands frames to the channel until its buffer reaches the high-water mark.
    /// Called after each push and on every `bufferedamountlow` event. `true` when it
    /// closed the channel (the queue ran empty after [`SendQueue::close_when_drained`]).
    pub fn pump(&mut self) -> Result<bool, JsValue> {
        let sent = self.send_frames();
        (self.idle)(self.frames.is_empty() && !self.close_when_drained);
        sent?;
        if self.frames.is_empty() {
            for waiter in self.drained.drain(..) {
                let _ = waiter.send(());
            }
            if self.close_when_drained && !self.closed {
                self.channel.close();
                self.closed = true;
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn send_frames(&mut self) -> Result<(), JsValue> {
        while !self.frames.is_empty() && self.channel.buffered_amount() < HIGH_WATER_BYTES {
            let Some(frame) = self.frames.pop_front() else { break };
            self.queued_bytes -= frame.len();
            send_frame(&self.channel, &frame)?;
        }
        Ok(())
    }

    /// Whether the queue holds [`MAX_QUEUED_BYTES`] or more: further messages are
    /// refused until it drains. (One message may take it past the limit, so a single
    /// message of any allowed size can always be sent.)
    pub fn is_full(&self) -> bool {
        self.queued_bytes >= MAX_QUEUED_BYTES
    }

    /// Whether every frame has been handed to the channel.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Bytes queued here plus bytes in the channel's own buffer.
    pub fn buffered_amount(&self) -> usize {
        self.queued_bytes + self.channel.buffered_amount() as usize
    }

    /// Resolves once every queued frame has been handed to the channel.
    pub fn drained(&mut self) -> oneshot::Receiver<()> {
        let (done, waiting) = oneshot::channel();
        if self.frames.is_empty() {
            let _ = done.send(());
        } else {
            self.drained.push(done);
        }
        waiting
    }

    /// Closes the channel once everything queued has been handed to it; refuses new
    /// frames from now on. `true` when that closed it at once (nothing was queued).
    pub fn close_when_drained(&mut self) -> bool {
        self.close_when_drained = true;
        (self.idle)(false);
        if self.frames.is_empty() && !self.closed {
            self.channel.close();
            self.closed = true;
            return true;
        }
        false
    }
}
