//! Applying one input: each kind of [`Input`] to the module that handles it, and
//! the helpers every module uses to start a link, set a deadline and say why a
//! connect failed.

use crate::error::CoreError;
use crate::ids::{ConnKey, Role};
use crate::io::{Input, Output};
use crate::lifecycle::Ending;
use crate::link::{Link, Phase};
use crate::state::Core;
use crate::time::Instant;
use crate::timings::OPEN_DEADLINE_MS;
use signaling_protocol::{ErrorCode, PeerId, SessionId, Signal, Step};

impl<M: Clone> Core<M> {
    /// Applies one input that came at `now`; its outputs wait in [`Core::poll_output`].
    /// Deadlines are acted on by [`Core::handle_timeout`] only.
    pub fn apply(&mut self, input: Input<M>, now: Instant) {
        self.advance(now);
        self.apply_one(input);
        // Once the input's changes are all made (a replaced link has its successor).
        self.follow_mesh();
    }

    pub(crate) fn apply_one(&mut self, input: Input<M>) {
        match input {
            Input::Connect { peer, call } => self.connect(&peer, call),
            Input::Disconnect { peer, call } => self.disconnect(&peer, call),
            Input::Close => self.close(),
            _ if self.closed => {}
            Input::PeerJoined(peer) => self.peer_joined(peer),
            Input::PeerLeft(peer) => self.peer_left(&peer.id),
            Input::Signal { from, signal } => self.signal_arrived(from, signal, None),
            Input::Checked { from, signal, via, verdict } => {
                self.signal_checked(from, signal, via, verdict);
            }
            Input::Refused { code, message, to } => self.refused(code, message, to),
            Input::SignalingClosed { reason } => self.signaling_closed(reason),
            Input::Rejoined { roster } => self.rejoined(roster),
            Input::RejoinFailed { failure, error } => self.rejoin_failed(failure, error),
            Input::SignalingOver { reason } => self.signaling_over(reason),
            Input::Nearby { peer, here } => self.nearby(peer, here),
            Input::Heard { key } => self.heard(&key),
            Input::Outbound { key, step } => self.outbound(key, step),
            Input::ChannelOpen { key } => self.channel_open(&key),
            Input::ChannelClosing { key } => self.channel_closing(&key),
            Input::ChannelClosed { key } => self.channel_closed(&key),
            Input::Received { key, message } => self.received(key, message),
            Input::Path { key, state } => self.path_changed(&key, state),
            Input::Failed { key, reason } => self.failed(&key, reason),
            Input::IceServerError { key, detail } => {
                if let Some(link) = self.link_mut(&key.peer).filter(|link| link.key == key) {
                    link.ice_error = Some(detail);
                }
            }
            Input::Mesh { key, frame } => self.on_mesh(key, frame),
        }
    }

    /// The server refused one of our messages: a signal's connect fails with its
    /// reason; anything else is only worth a warning.
    fn refused(&mut self, code: ErrorCode, message: String, to: Option<PeerId>) {
        let error = CoreError::Refused { code, message };
        match to.filter(|peer| self.link_in(peer, Phase::is_negotiating)) {
            Some(peer) => self.finish(&peer, error, Ending::WithBye),
            None => self.out.push_back(Output::Warn(error.to_string())),
        }
    }

    /// A connection made a step for its remote: it goes out with the session, unless
    /// the link is closing or gone.
    fn outbound(&mut self, key: ConnKey, step: Step) {
        if self.current(&key).is_some_and(|link| !link.phase.is_closing()) {
            if let Step::Answer { .. } = step {
                // Our answer to a relay restart is applied: see `fallback.rs`.
                self.relay_negotiated(&key.peer);
            }
            let signal = Signal::new(key.session, step);
            self.send_signal(key.peer, signal);
        }
    }

    pub(crate) fn start_link(
        &mut self,
        peer: &PeerId,
        role: Role,
        session: SessionId,
    ) -> &mut Link {
        let deadline = self.deadline_in(OPEN_DEADLINE_MS);
        let phase = match role {
            Role::Offerer => Phase::Offering { deadline },
            Role::Answerer => Phase::Connecting { deadline },
        };
        let fallback = self.arm_fallback();
        self.next_serial += 1;
        let key = ConnKey { peer: peer.clone(), session, serial: self.next_serial };
        self.out.push_back(Output::StartConnection { key: key.clone(), role });
        let link = Link::new(self.info(peer), key, phase, fallback);
        // The caller ended any earlier link to `peer` first.
        self.links.push(link);
        let last = self.links.len() - 1;
        &mut self.links[last]
    }

    /// The deadline `ms` milliseconds from now.
    pub(crate) fn deadline_in(&self, ms: u32) -> Instant {
        self.now.after_ms(ms)
    }

    /// The time is `now` (never going back: a clock that does is held still).
    pub(crate) fn advance(&mut self, now: Instant) {
        self.now = self.now.max(now);
    }
}
