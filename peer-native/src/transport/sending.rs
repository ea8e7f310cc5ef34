//! Frames going out: the reliable queue fed to str0m under its high-water mark,
//! unreliable frames written at once, buffered amounts, the graceful close.
//!
//! Each write to str0m is one mutation, followed by a drain (`drive`): str0m asks
//! for its output to be polled to the end after every mutation.

use super::send_queue;
use super::session::Session;
use super::types::{Channel, Report, TransportError, UNRELIABLE_BACKED_UP};
use crate::wire::frame::Frame;
use std::time::Instant;
use str0m::RtcError;

impl Session {
    /// Queues a frame on channel 0 or writes it to channel 1 at once.
    pub fn send(&mut self, channel: Channel, frame: Frame) -> Result<(), TransportError> {
        let size = send_queue::frame_len(&frame);
        if size == 0 {
            return Err(TransportError::Empty);
        }
        if size > self.max_frame {
            return Err(TransportError::TooLarge { size, max: self.max_frame });
        }
        if self.closing || self.closed_reported || self.failed {
            return Err(TransportError::NotOpen);
        }
        let sent = match channel {
            Channel::Reliable if self.queue.is_full() => Err(TransportError::QueueFull),
            Channel::Reliable => {
                self.queue.push(frame);
                Ok(())
            }
            Channel::Unreliable => self.send_unreliable(&frame),
        };
        self.drain(Instant::now());
        sent
    }

    fn send_unreliable(&mut self, frame: &Frame) -> Result<(), TransportError> {
        if !self.open_reported {
            return Err(TransportError::NotOpen);
        }
        if self.sctp_buffered(Channel::Unreliable) >= UNRELIABLE_BACKED_UP {
            return Err(TransportError::BackedUp);
        }
        match self.write(Channel::Unreliable, frame) {
            Ok(true) => Ok(()),
            Ok(false) => Err(TransportError::BackedUp),
            Err(error) => {
                tracing::debug!(%error, "unreliable write refused");
                Err(TransportError::NotOpen)
            }
        }
    }

    /// Writes one frame to str0m: `false` when its buffer has no room.
    fn write(&mut self, channel: Channel, frame: &Frame) -> Result<bool, RtcError> {
        let Some(id) = self.channels[channel.stream_id() as usize] else { return Ok(false) };
        let Some(mut handle) = self.rtc.channel(id) else { return Ok(false) };
        let (binary, bytes) = match frame {
            Frame::Text(text) => (false, text.as_bytes()),
            Frame::Binary(bytes) => (true, bytes.as_slice()),
        };
        let written = handle.write(binary, bytes)?;
        if written {
            self.stats.messages_sent += 1;
            self.stats.bytes_sent += bytes.len() as u64;
        }
        Ok(written)
    }

    /// Bytes in str0m's buffer for `channel`.
    fn sctp_buffered(&mut self, channel: Channel) -> usize {
        let Some(id) = self.channels[channel.stream_id() as usize] else { return 0 };
        self.rtc.channel(id).map_or(0, |mut handle| handle.buffered_amount())
    }

    /// What waits to go out on `channel`: queued here plus in str0m's buffer.
    pub fn buffered_amount(&mut self, channel: Channel) -> usize {
        let queued = match channel {
            Channel::Reliable => self.queue.queued_bytes(),
            Channel::Unreliable => 0,
        };
        let buffered = queued + self.sctp_buffered(channel);
        // Reading it goes through str0m's `&mut` handle, which counts as a mutation.
        self.drain(Instant::now());
        buffered
    }

    /// Closes both channels once the queue and str0m's buffer for channel 0 are empty.
    pub fn close_when_drained(&mut self) {
        self.closing = true;
        self.drain(Instant::now());
    }

    /// Does the next step of sending, if one is due: hands the oldest queued frame to
    /// str0m while channel 0 is under its high-water mark, or closes a channel once
    /// asked and drained. `true` when it changed str0m (which must be drained then).
    pub(super) fn send_step(&mut self) -> bool {
        if self.failed || !self.rtc.is_alive() {
            return false;
        }
        if self.open_reported
            && !self.queue.is_empty()
            && self.sctp_buffered(Channel::Reliable) < send_queue::HIGH_WATER_BYTES
        {
            let Some(frame) = self.queue.pop() else { return false };
            return match self.write(Channel::Reliable, &frame) {
                Ok(true) => true,
                Ok(false) => {
                    self.queue.unpop(frame);
                    false
                }
                Err(error) => {
                    self.fail(format!("writing to the data channel: {error}"));
                    false
                }
            };
        }
        if self.closing && !self.close_sent {
            return self.close_step();
        }
        false
    }

    /// Closes the unreliable channel, then the reliable one, once everything queued
    /// went out; before the channels opened, reports them closed at once (as a
    /// browser's channel would).
    fn close_step(&mut self) -> bool {
        if !self.open_reported {
            self.close_sent = true;
            self.closed_reported = true;
            self.reports.push(Report::ChannelClosing);
            self.reports.push(Report::ChannelClosed);
            return false;
        }
        if !self.queue.is_empty() || self.sctp_buffered(Channel::Reliable) != 0 {
            return false;
        }
        // The reliable channel's close is what the remote reports as closed: last.
        let next = if self.channels_closed == 0 { Channel::Unreliable } else { Channel::Reliable };
        if self.channels_closed == 0 {
            self.reports.push(Report::ChannelClosing);
        }
        self.channels_closed += 1;
        self.close_sent = self.channels_closed == 2;
        if let Some(id) = self.channels[next.stream_id() as usize] {
            self.rtc.direct_api().close_data_channel(id);
        }
        true
    }
}
