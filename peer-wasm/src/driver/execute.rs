//! Carrying out the machine's outputs, one at a time and in order: each [`Output`]
//! against the connections, the signaling transport, the waiting calls and the event
//! handler.

use super::{Driver, find, take};
use crate::api::events::PeerEvent;
use crate::error::PeerError;
use crate::log;
use crate::timer::now;
use crate::transport::connection::Connection;
use crate::wire::payload::Payload;
use peer_core::{Event, Input, Output, release_linger_ms};
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;

impl Driver {
    pub(super) fn execute(&self, output: Output<Payload>) {
        match output {
            Output::Signal { to, signal, way } => self.sign_and_send(to, signal, way),
            Output::StartConnection { key, role } => {
                let config = self.ice_configuration();
                let receivers = (Rc::clone(&self.files), &self.messages);
                match Connection::start(key.clone(), role, self.reporting(), &config, receivers) {
                    Ok(connection) => self.connections.borrow_mut().push((key, connection)),
                    Err(error) => {
                        let reason = error.to_string();
                        self.core.borrow_mut().apply(Input::Failed { key, reason }, now());
                    }
                }
            }
            Output::Apply { key, step } => {
                if let Some(connection) = find(&self.connections.borrow(), &key) {
                    connection.deliver(step);
                }
            }
            Output::RestartIce { key, relay_only } => {
                if let Some(connection) = find(&self.connections.borrow(), &key) {
                    connection.restart_ice(&self.ice.borrow().configuration(relay_only));
                }
            }
            Output::RelayOnly { key } => {
                if let Some(connection) = find(&self.connections.borrow(), &key) {
                    connection.reconfigure(&self.ice.borrow().configuration(true));
                }
            }
            Output::CloseChannel { key } => {
                if let Some(connection) = find(&self.connections.borrow(), &key) {
                    connection.close_when_drained();
                }
            }
            Output::Release { key, graceful } => {
                let released = take(&self.connections, &key);
                if let Some(connection) = &released {
                    connection.close_for_messages();
                }
                if let Some(connection) = released.filter(|_| graceful) {
                    linger(connection);
                }
            }
            Output::Settle { call, result } => {
                if let Some(answer) = take(&self.calls, &call) {
                    let _ = answer.send(result.map_err(PeerError::from));
                }
            }
            Output::Emit(event) => self.emit(event),
            Output::CloseSignaling => self.signaling.borrow().close(),
            Output::Rejoin => self.rejoin(),
            Output::Heartbeat { key } => {
                if let Some(connection) = find(&self.connections.borrow(), &key) {
                    connection.heartbeat();
                }
            }
            Output::Warn(text) => log::warn(&text),
            Output::SendMesh { key, frame } => self.send_mesh(&key, frame),
            Output::Verify { from, signal, key, via } => self.check(from, signal, key, via),
        }
    }

    /// The configuration for a new connection: the latest servers.
    fn ice_configuration(&self) -> web_sys::RtcConfiguration {
        self.ice.borrow().configuration(false)
    }

    /// Calls the handler with no borrow held, so it may call back into the peer.
    fn emit(&self, event: Event<Payload>) {
        let event = match event {
            Event::PeerJoined(peer) => {
                if let Some(key) = &peer.key {
                    crate::identity::prepare(key);
                }
                PeerEvent::PeerJoined(peer)
            }
            Event::PeerLeft(peer) => PeerEvent::PeerLeft(peer),
            Event::Connected(peer) => {
                let connections = self.connections.borrow();
                let open = connections.iter().filter(|(key, _)| key.peer == peer.id);
                for (_, connection) in open {
                    connection.open_for_messages(&peer);
                }
                PeerEvent::Connected(peer)
            }
            Event::Disconnected { peer, reason } => PeerEvent::Disconnected { peer, reason },
            Event::Message { from, message } => PeerEvent::Message { from, payload: message },
            Event::Broadcast { from, message } => PeerEvent::Broadcast { from, payload: message },
            Event::SignalingClosed { reason } => PeerEvent::SignalingClosed { reason },
            Event::SignalingReconnecting { reason } => PeerEvent::SignalingReconnecting { reason },
            Event::SignalingReconnected => PeerEvent::SignalingReconnected,
        };
        let Some(mut handler) = self.handler.borrow_mut().take() else { return };
        handler(event);
        let mut slot = self.handler.borrow_mut();
        // Unless the handler set a new handler while it ran.
        if slot.is_none() {
            *slot = Some(handler);
        }
    }
}

/// Keeps a released connection alive until what it queued went out and its channel
/// closed, for at most as long as `peer_core::release_linger_ms` gives it.
fn linger(connection: Connection) {
    connection.close_when_drained();
    let buffered = u64::try_from(connection.buffered_amount()).unwrap_or(u64::MAX);
    let ms = u32::try_from(release_linger_ms(buffered)).unwrap_or(u32::MAX);
    spawn_local(async move {
        gloo_timers::future::TimeoutFuture::new(ms).await;
        drop(connection);
    });
}
