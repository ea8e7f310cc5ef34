//! The driver's side of signaling: what the transport delivers, fed to the machine as
//! inputs; and rejoining (one attempt per `Output::Rejoin`), which swaps in a new
//! transport.

use super::Driver;
use crate::signaling::link::SignalingEvent;
use crate::transport::reporter::PeerInput;
use futures_channel::mpsc::UnboundedReceiver;
use futures_util::StreamExt;
use peer_core::Input;
use signaling_protocol::ServerMessage;
use wasm_bindgen_futures::spawn_local;

impl Driver {
    /// Feeds what a signaling transport delivers into the input loop, until it ends.
    pub(super) fn forward(&self, mut events: UnboundedReceiver<SignalingEvent>) {
        let this = self.this.clone();
        spawn_local(async move {
            while let Some(event) = events.next().await {
                let Some(driver) = this.upgrade() else { break };
                if let Some(input) = driver.input_for(event) {
                    let _ = driver.inputs.unbounded_send(input);
                }
            }
        });
    }

    /// One attempt to rejoin, in a task of its own; its outcome comes back as an input.
    pub(super) fn rejoin(&self) {
        let Some(driver) = self.this.upgrade() else { return };
        spawn_local(async move {
            let Some(rejoin) = &driver.rejoin else { return };
            let input = match rejoin.attempt().await {
                Ok((link, welcome)) => {
                    if driver.core.borrow().is_closed() {
                        return link.transport.close();
                    }
                    driver.renew_ice(welcome.ice_servers);
                    driver.signaling.replace(link.transport);
                    driver.forward(link.events);
                    Input::Rejoined { roster: welcome.roster }
                }
                Err(input) => input,
            };
            let _ = driver.inputs.unbounded_send(input);
        });
    }

    /// Takes the server's latest ICE servers (unless the page gave its own), and tells
    /// the machine whether a relay is there to fall back on. Called from tasks, never
    /// while the machine is borrowed.
    fn renew_ice(&self, servers: Vec<signaling_protocol::IceServer>) {
        let mut ice = self.ice.borrow_mut();
        ice.renew(servers);
        self.core.borrow_mut().set_relay_fallback(ice.can_fall_back());
    }

    /// The machine's input for what the signaling transport delivered; renewed ICE
    /// servers are the driver's own business.
    fn input_for(&self, event: SignalingEvent) -> Option<PeerInput> {
        match event {
            SignalingEvent::Message(ServerMessage::IceServers { ice_servers }) => {
                self.renew_ice(ice_servers);
                None
            }
            event => machine_input(event),
        }
    }
}

/// The machine's input for a server message or the transport's end.
fn machine_input(event: SignalingEvent) -> Option<PeerInput> {
    Some(match event {
        SignalingEvent::Message(ServerMessage::PeerJoined { peer }) => Input::PeerJoined(peer),
        SignalingEvent::Message(ServerMessage::PeerLeft { peer }) => Input::PeerLeft(peer),
        SignalingEvent::Message(ServerMessage::Signal { from, signal }) => {
            Input::Signal { from, signal }
        }
        SignalingEvent::Message(ServerMessage::Error { code, message, to }) => {
            Input::Refused { code, message, to }
        }
        // The handshake of our join, done before the driver starts; renewals, above.
        SignalingEvent::Message(
            ServerMessage::Challenge { .. }
            | ServerMessage::Welcome { .. }
            | ServerMessage::IceServers { .. },
        ) => return None,
        SignalingEvent::Closed { reason } => Input::SignalingClosed { reason },
        SignalingEvent::Replaced { reason } => Input::SignalingOver { reason },
    })
}
