//! Signals: ours signed (and sealed) and sent the way the machine chose; theirs checked
//! (and opened) before the machine acts on them; and rejoining the room when the
//! signaling connection drops. The crypto is the identity module's; here it is done in
//! the driver's task, in order, so that signals leave and are applied as they were made.

use super::{Driver, Rejoined};
use crate::identity::signals::{check_incoming, now_ms, outgoing};
use crate::signaling::error::SignalingError;
use crate::signaling::join::join;
use peer_core::{ConnKey, Input, MeshFrame, RejoinFailure, Relayed, Way};
use signaling_protocol::{ClientMessage, PeerId, Signal};

impl Driver {
    /// Signs (and seals) our `signal` for `to` and sends it `way`. A failure to send
    /// means the signaling connection is down, which its own end reports.
    pub(super) fn sign_and_send(&mut self, to: PeerId, signal: Signal, way: Way) {
        let seal = self.seal.as_ref();
        let signal = outgoing(&self.identity, &self.room, &to, signal, seal, now_ms());
        match way {
            // There are no tabs natively; the server reaches every peer.
            Way::Server | Way::Tab => {
                if let Some(link) = &self.link {
                    let _ = link.send(ClientMessage::Signal { to, signal });
                }
            }
            Way::Mesh { hop, route } => {
                let relayed = Relayed { from: self.me.id.clone(), to, route, signal };
                self.send_mesh(&hop, MeshFrame::Relay(relayed));
            }
        }
    }

    /// Checks (and opens) `signal` from `from` against its `key`; the verdict goes back
    /// to the machine behind the outputs being executed.
    pub(super) fn check(&mut self, from: PeerId, signal: Signal, key: &str, via: Option<ConnKey>) {
        let seal = self.seal.as_ref();
        let (signal, verdict) =
            check_incoming(key, &self.room, &from, &self.me.id, signal, seal, now_ms());
        self.queue(Input::Checked { from, signal, via, verdict });
    }

    /// One attempt to rejoin, in a task of its own; its outcome comes back to the loop.
    pub(super) fn rejoin(&mut self) {
        let Some(request) = self.rejoin.clone() else { return };
        let identity = self.identity.clone();
        let rejoins = self.rejoins.clone();
        tokio::spawn(async move {
            let _ = rejoins.send(join(&request, &identity).await);
        });
    }

    /// What a rejoin attempt came back with, for the machine.
    pub(super) fn rejoined(&mut self, rejoined: Rejoined) {
        let input = match rejoined {
            // Closed meanwhile: the new connection is simply dropped.
            Ok(_) if self.core.is_closed() => return,
            Ok(joined) => {
                self.link = Some(joined.link);
                Input::Rejoined { roster: joined.roster }
            }
            Err(error) => {
                let failure = match &error {
                    SignalingError::Refused { code, .. } => RejoinFailure::Refused(*code),
                    _ => RejoinFailure::Unreachable,
                };
                Input::RejoinFailed { failure, error: error.to_string() }
            }
        };
        self.apply(input);
    }
}
