//! Carrying out the machine's outputs, one at a time and in order: each against the
//! connections, the signaling server, the waiting calls or the owner.

use super::files::Transfers;
use super::{Driver, Live};
use crate::transport::connection::Connection;
use crate::transport::types::Channel;
use crate::values::error::PeerError;
use crate::values::events::PeerEvent;
use crate::values::payload::Payload;
use crate::wire::frame::Frame;
use crate::wire::reading::Reader;
use crate::wire::sending::HEARTBEAT;
use peer_core::{ConnKey, Event, Input, Output, Role, release_linger_ms};

impl Driver {
    pub(super) fn execute(&mut self, output: Output<Payload>) {
        match output {
            Output::Signal { to, signal, way } => self.sign_and_send(to, signal, way),
            Output::StartConnection { key, role } => self.start_connection(key, role),
            Output::Apply { key, step } => {
                if let Some(live) = self.connections.get(&key) {
                    live.connection.apply(step);
                }
            }
            // No TURN client natively (see the crate doc): a restart gathers the same
            // host candidates again, and relay-only is not possible.
            Output::RestartIce { key, .. } => {
                if let Some(live) = self.connections.get(&key) {
                    live.connection.restart_ice();
                }
            }
            Output::RelayOnly { .. } => {}
            Output::CloseChannel { key } => {
                if let Some(live) = self.connections.get(&key) {
                    live.connection.close_when_drained();
                }
            }
            Output::Release { key, graceful } => {
                self.end_transfers(&key);
                if let Some(live) = self.connections.remove(&key).filter(|_| graceful) {
                    let until = linger(&live.connection);
                    self.lingering.insert(key, (live.connection, until));
                }
            }
            Output::Settle { call, result } => {
                if let Some(answer) = self.calls.remove(&call) {
                    let _ = answer.send(result.map_err(PeerError::from));
                }
            }
            Output::Emit(event) => self.emit(event),
            Output::CloseSignaling => {
                if let Some(link) = self.link.take() {
                    link.close();
                }
            }
            Output::Rejoin => self.rejoin(),
            Output::Heartbeat { key } => {
                if let Some(live) = self.connections.get(&key)
                    && live.connection.buffered_amount(Channel::Reliable) == 0
                {
                    let _ = live.connection.send(Channel::Reliable, heartbeat());
                }
            }
            Output::Warn(text) => tracing::warn!("{text}"),
            Output::SendMesh { key, frame } => self.send_mesh(&key, frame),
            Output::Verify { from, signal, key, via } => self.check(from, signal, &key, via),
        }
    }

    /// Creates the connection `key`; one that cannot be created fails at once.
    fn start_connection(&mut self, key: ConnKey, role: Role) {
        let reports = self.reports.clone();
        let reporting_key = key.clone();
        let report = move |report| {
            let _ = reports.send((reporting_key.clone(), report));
        };
        match Connection::start(role, &self.config, report) {
            Ok(connection) => {
                let files = Transfers::new(self.download_dir.is_some());
                self.connections.insert(key, Live { connection, reader: Reader::new(), files });
            }
            Err(error) => self.queue(Input::Failed { key, reason: error.to_string() }),
        }
    }

    /// Hands an event to the owner (who may have stopped listening: then it is dropped).
    fn emit(&mut self, event: Event<Payload>) {
        let event = match event {
            Event::PeerJoined(peer) => PeerEvent::PeerJoined(peer),
            Event::PeerLeft(peer) => PeerEvent::PeerLeft(peer),
            Event::Connected(peer) => PeerEvent::Connected(peer),
            Event::Disconnected { peer, reason } => PeerEvent::Disconnected { peer, reason },
            Event::Message { from, message } => PeerEvent::Message { from, payload: message },
            Event::Broadcast { from, message } => PeerEvent::Broadcast { from, payload: message },
            Event::SignalingClosed { reason } => PeerEvent::SignalingClosed { reason },
            Event::SignalingReconnecting { reason } => PeerEvent::SignalingReconnecting { reason },
            Event::SignalingReconnected => PeerEvent::SignalingReconnected,
        };
        let _ = self.events.send(event);
    }
}

/// The heartbeat frame.
fn heartbeat() -> Frame {
    Frame::Text(HEARTBEAT.to_owned())
}

/// Lets a released connection send what it queued, then close its channel: until when
/// it may take (`peer_core::release_linger_ms`).
fn linger(connection: &Connection) -> tokio::time::Instant {
    connection.close_when_drained();
    let buffered = u64::try_from(connection.buffered_amount(Channel::Reliable)).unwrap_or(u64::MAX);
    let ms = release_linger_ms(buffered);
    tokio::time::Instant::now() + std::time::Duration::from_millis(ms)
}
