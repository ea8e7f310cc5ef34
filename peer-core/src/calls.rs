//! The local calls: `connect()`, `disconnect()` and `close()`, each answered exactly once
//! (at once, or when the link it waits for opens or ends).

use super::lifecycle::Ending;
use super::link::Phase;
use crate::error::CoreError;
use crate::error::connect_failed;
use crate::ids::{CallId, Role};
use crate::io::Output;
use crate::state::{Core, Signaling};
use signaling_protocol::PeerId;

impl<M: Clone> Core<M> {
    pub(super) fn connect(&mut self, peer: &PeerId, call: CallId) {
        let refused = if self.closed {
            Some(CoreError::Closed)
        } else if *peer == self.me.id {
            Some(CoreError::SelfConnect)
        } else if !self.knows(peer) {
            Some(CoreError::UnknownPeer(peer.clone()))
        } else if self.has_wrong_key(peer) {
            Some(connect_failed(peer, &super::trust::wrong_key(peer)))
        } else {
            None
        };
        if let Some(error) = refused {
            return self.settle(call, Err(error));
        }
        let signaling = self.signaling;
        let relayable = self.relay_route(peer).is_some();
        match self.link_mut(peer) {
            Some(link) => match link.phase {
                phase if phase.is_usable() => self.settle(call, Ok(())),
                phase if phase.is_negotiating() => link.connecting.push(call),
                // Closing: a new connection starts once this one has ended.
                _ if link.left => self.settle(call, Err(CoreError::UnknownPeer(peer.clone()))),
                _ => link.reconnecting.push(call),
            },
            None if signaling == Signaling::Closed && !relayable => {
                self.settle(call, Err(CoreError::SignalingClosed));
            }
            None if signaling != Signaling::Connected && !relayable => {
                self.settle(call, Err(CoreError::SignalingReconnecting));
            }
            None => {
                let session = self.new_session();
                self.start_link(peer, Role::Offerer, session).connecting.push(call);
            }
        }
    }

    pub(super) fn disconnect(&mut self, peer: &PeerId, call: CallId) {
        let closed = self.closed;
        let Some(link) = self.link_mut(peer).filter(|_| !closed) else {
            return self.settle(call, Ok(()));
        };
        link.disconnecting.push(call);
        // A connect waiting for this link to close is overruled by this disconnect.
        let overruled = std::mem::take(&mut link.reconnecting);
        let phase = link.phase;
        for call in overruled {
            self.settle(call, Err(connect_failed(peer, "disconnect was called")));
        }
        match phase {
            // No bye: the channel's own close tells the remote, after the data still
            // queued (a bye through the server could overtake the remote's `open`).
            phase if phase.is_usable() => self.begin_closing(peer, "disconnect was called"),
            phase if phase.is_negotiating() => {
                self.finish(peer, connect_failed(peer, "disconnect was called"), Ending::WithBye);
            }
            // Already closing: answered when it ends.
            _ => {}
        }
    }

    pub(super) fn close(&mut self) {
        if self.closed {
            return;
        }
        self.closed = true;
        for peer in self.linked_peers() {
            // An open channel's close tells its remote itself (see `disconnect`).
            let ending = if self.link_in(&peer, Phase::was_open) {
                Ending::Draining
            } else {
                Ending::WithBye
            };
            self.finish(&peer, CoreError::Closed, ending);
        }
        self.heartbeat_at = None;
        self.advert_at = None;
        self.signaling = Signaling::Closed;
        self.out.push_back(Output::CloseSignaling);
    }
}
