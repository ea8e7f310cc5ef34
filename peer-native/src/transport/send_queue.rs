//! The reliable channel's queue: frames wait here while str0m's buffer for channel 0
//! is above a high-water mark, so the reliable channel never fills the buffer str0m
//! shares between both channels and the unreliable one always finds room.

use crate::wire::frame::Frame;
use std::collections::VecDeque;

/// Frames are handed to str0m while channel 0 has less than this in its buffer.
pub const HIGH_WATER_BYTES: usize = 256 * 1024;
/// Most bytes waiting in the queue; past it, sends are refused until it drains (one
/// frame may take it past the limit, so any frame can always be queued once).
pub const MAX_QUEUED_BYTES: usize = 64 * 1024 * 1024;

/// The frames waiting for channel 0, oldest first.
#[derive(Debug, Default)]
pub struct SendQueue {
    frames: VecDeque<Frame>,
    queued_bytes: usize,
}

/// A frame's payload size.
pub fn frame_len(frame: &Frame) -> usize {
    match frame {
        Frame::Text(text) => text.len(),
        Frame::Binary(bytes) => bytes.len(),
    }
}

impl SendQueue {
    /// Whether [`MAX_QUEUED_BYTES`] or more wait.
    pub fn is_full(&self) -> bool {
        self.queued_bytes >= MAX_QUEUED_BYTES
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Bytes waiting.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Adds a frame at the back.
    pub fn push(&mut self, frame: Frame) {
        self.queued_bytes += frame_len(&frame);
        self.frames.push_back(frame);
    }

    /// Puts back at the front a frame [`SendQueue::pop`] took and str0m refused.
    pub fn unpop(&mut self, frame: Frame) {
        self.queued_bytes += frame_len(&frame);
        self.frames.push_front(frame);
    }

    /// Removes the oldest frame.
    pub fn pop(&mut self) -> Option<Frame> {
        let frame = self.frames.pop_front()?;
        self.queued_bytes -= frame_len(&frame);
        Some(frame)
    }
}
