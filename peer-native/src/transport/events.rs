//! What a session does with str0m's events: channels opening and closing, frames
//! arriving, ICE state changes.

use super::session::Session;
use super::types::{Channel, Report};
use crate::wire::frame::Frame;
use peer_core::PathState;
use std::time::Instant;
use str0m::channel::{ChannelData, ChannelId};
use str0m::{Event, IceConnectionState};

impl Session {
    /// Which of our two channels `id` is, if either.
    fn channel_of(&self, id: ChannelId) -> Option<Channel> {
        if self.channels[0] == Some(id) {
            Some(Channel::Reliable)
        } else if self.channels[1] == Some(id) {
            Some(Channel::Unreliable)
        } else {
            None
        }
    }

    /// Handles one event of str0m.
    pub(super) fn on_event(&mut self, event: Event, now: Instant) {
        match event {
            Event::IceConnectionStateChange(state) => self.on_ice_state(state, now),
            Event::ChannelOpen(id, _) => {
                if let Some(channel) = self.channel_of(id) {
                    self.opened[channel.stream_id() as usize] = true;
                }
                // A channel closed before it opened stays closed.
                if self.opened == [true, true] && !self.open_reported && !self.closed_reported {
                    self.open_reported = true;
                    self.reports.push(Report::ChannelOpen);
                }
            }
            Event::ChannelData(data) => self.on_data(data),
            Event::ChannelClose(id) => {
                // The reliable channel is the connection's: its close ends it.
                let reliable = self.channel_of(id) == Some(Channel::Reliable);
                if reliable && self.open_reported && !self.closed_reported {
                    self.closed_reported = true;
                    self.reports.push(Report::ChannelClosed);
                }
            }
            _ => {}
        }
    }

    fn on_data(&mut self, data: ChannelData) {
        // A channel the remote opened on another stream id (it should not) is ignored.
        let Some(channel) = self.channel_of(data.id) else { return };
        self.stats.messages_received += 1;
        self.stats.bytes_received += data.data.len() as u64;
        let frame = if data.binary {
            Frame::Binary(data.data)
        } else {
            // Browsers only send valid UTF-8; anything else gets replacement characters
            // rather than a panic or a dropped frame.
            match String::from_utf8(data.data) {
                Ok(text) => Frame::Text(text),
                Err(error) => Frame::Text(String::from_utf8_lossy(error.as_bytes()).into_owned()),
            }
        };
        self.reports.push(Report::Received { channel, frame });
    }

    fn on_ice_state(&mut self, state: IceConnectionState, now: Instant) {
        let path = match state {
            IceConnectionState::Connected | IceConnectionState::Completed => PathState::Up,
            IceConnectionState::Disconnected => PathState::Down,
            IceConnectionState::New | IceConnectionState::Checking => return,
        };
        if self.path == Some(path) {
            return;
        }
        self.down_since = (path == PathState::Down).then_some(now);
        self.path = Some(path);
        self.reports.push(Report::Path(path));
    }
}
