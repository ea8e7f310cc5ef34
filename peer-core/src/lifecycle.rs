//! How a link opens and ends: the channel opening, its open deadline extended for
//! progress or cut short when ICE fails, the graceful close, and the one place a link
//! ends ([`Core::finish`]).

use super::link::Phase;
use crate::error::{connect_failed, reason_of, with_hint};
use crate::ids::ConnKey;
use crate::io::{Event, Output};
use crate::state::Core;
use crate::timings::{ICE_RECOVERY_MS, LINGER_MS, OPEN_DEADLINE_EXTENSIONS, OPEN_DEADLINE_MS};

/// Most messages held for links that have not reported open yet.
const EARLY_LIMIT: usize = 1024;

/// How a link ends, for the remote and for what is queued on its channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ending {
    /// Torn down at once, the remote not told: it knows already (its channel closed,
    /// it left, it replaced the connection) or will by itself (its channel's close).
    Quietly,
    /// Torn down at once, and the remote is told why through signaling (`bye`).
    WithBye,
    /// What is queued goes out first; the channel's close then tells the remote.
    Draining,
}
use crate::error::CoreError;
use signaling_protocol::{PeerId, Signal, Step};

impl<M: Clone> Core<M> {
    pub(super) fn channel_open(&mut self, key: &ConnKey) {
        let Some(link) = self.link_mut(&key.peer).filter(|link| link.key == *key) else {
            return;
        };
        if !link.phase.is_negotiating() {
            return;
        }
        link.phase = Phase::Open;
        let calls = std::mem::take(&mut link.connecting);
        let peer = link.peer.clone();
        self.disarm_fallback(&key.peer);
        for call in calls {
            self.settle(call, Ok(()));
        }
        self.out.push_back(Output::Emit(Event::Connected(peer.clone())));
        let (held, others) = std::mem::take(&mut self.early)
            .into_iter()
            .partition::<Vec<_>, _>(|(held_for, _)| held_for == key);
        self.early = others;
        for (_, message) in held {
            self.out.push_back(Output::Emit(Event::Message { from: peer.clone(), message }));
        }
        self.keep_ticking();
        self.unpin(&key.peer);
        self.share_mesh(key);
        self.links_changed();
    }

    /// Everything queued on `key`'s channel went out and its close began: it gets the
    /// linger time to finish.
    pub(super) fn channel_closing(&mut self, key: &ConnKey) {
        if self.current(key).is_some_and(|link| link.phase == Phase::Draining) {
            let linger = self.deadline_in(LINGER_MS);
            self.set_phase(&key.peer, Phase::Closing { linger });
        }
    }

    /// `key`'s channel closed: the link ends.
    pub(super) fn channel_closed(&mut self, key: &ConnKey) {
        if let Some(link) = self.current(key) {
            // Unasked while open: the remote closed it (its `Disconnected` says why).
            let reason = if link.phase.is_usable() {
                "the peer closed the data channel"
            } else {
                "the data channel closed"
            };
            self.finish(&key.peer, connect_failed(&key.peer, reason), Ending::Quietly);
        }
    }

    /// `key`'s negotiation failed, or its remote broke the framing: the link ends.
    pub(super) fn failed(&mut self, key: &ConnKey, reason: String) {
        if let Some(link) = self.current(key) {
            let reason = with_hint(reason, link.ice_error.as_deref());
            self.finish(&key.peer, connect_failed(&key.peer, &reason), Ending::WithBye);
        }
    }

    /// A message arrived on `key`'s channel: delivered if the link had opened, held until
    /// its `Connected` if it arrived first (at most [`EARLY_LIMIT`] of them: a remote
    /// that sends more before its channel could open is broken).
    pub(super) fn received(&mut self, key: ConnKey, message: M) {
        let Some(link) = self.link_mut(&key.peer).filter(|link| link.key == key) else {
            return;
        };
        link.silent_periods = 0;
        let (peer, phase) = (link.peer.clone(), link.phase);
        if phase.was_open() {
            self.out.push_back(Output::Emit(Event::Message { from: peer, message }));
        } else if self.early.len() < EARLY_LIMIT {
            self.early.push((key, message));
        } else {
            let error = connect_failed(&peer.id, "it sent too much before its channel opened");
            self.finish(&peer.id, error, Ending::WithBye);
        }
    }

    /// The negotiation with `peer` made progress: if its open deadline comes while it
    /// does, it gets another (see [`OPEN_DEADLINE_EXTENSIONS`]).
    pub(super) fn progressed(&mut self, peer: &PeerId) {
        if let Some(link) = self.link_mut(peer).filter(|link| link.phase.is_negotiating()) {
            link.progressed = true;
        }
    }

    /// ICE failed while the link to `peer` negotiates. Chromium's ICE may still recover
    /// (`failed` then `connected`) as the remote's last candidates arrive: a TURN
    /// allocation over TCP is gathered well after the host candidates, whose pairs
    /// across NATs fail at once. So the open deadline becomes a short wait
    /// ([`ICE_RECOVERY_MS`]); the path coming up within it lets the attempt go on.
    pub(super) fn wait_for_recovery(&mut self, peer: &PeerId) {
        let Some(link) = self.link(peer).filter(|link| !link.ice_failed) else { return };
        if link.phase.deadline().is_none() {
            return;
        }
        let deadline = self.deadline_in(ICE_RECOVERY_MS);
        let Some(link) = self.link_mut(peer) else { return };
        link.ice_failed = true;
        link.phase = match link.phase {
            Phase::Offering { .. } => Phase::Offering { deadline },
            _ => Phase::Connecting { deadline },
        };
    }

    /// The open deadline of a link that made progress since it was armed: armed again,
    /// at most [`OPEN_DEADLINE_EXTENSIONS`] times; whether it was.
    pub(super) fn deadline_extended(&mut self, peer: &PeerId) -> bool {
        let Some(link) = self.link(peer) else { return false };
        if !link.progressed || link.deadline_extensions >= OPEN_DEADLINE_EXTENSIONS {
            return false;
        }
        let deadline = self.deadline_in(OPEN_DEADLINE_MS);
        let Some(link) = self.link_mut(peer) else { return false };
        link.progressed = false;
        link.deadline_extensions += 1;
        link.phase = match link.phase {
            Phase::Offering { .. } => Phase::Offering { deadline },
            _ => Phase::Connecting { deadline },
        };
        true
    }

    /// Starts a graceful close: the link stops counting as connected, what is queued
    /// still goes out, then the channel closes (which the remote sees after the data).
    /// A link whose path is being restored has nothing to drain through: it ends now,
    /// and the remote, waiting for the restart, is told by the server (`bye`).
    pub(super) fn begin_closing(&mut self, peer: &PeerId, reason: &'static str) {
        let Some(link) = self.link_mut(peer) else { return };
        link.closing_reason = Some(reason);
        let (phase, left, key) = (link.phase, link.left, link.key.clone());
        if let Phase::Restarting { .. } = phase {
            let ending = if left { Ending::Quietly } else { Ending::WithBye };
            return self.finish(peer, connect_failed(peer, reason), ending);
        }
        link.phase = Phase::Draining;
        self.out.push_back(Output::CloseChannel { key });
    }

    /// Ends the link to `peer` (its deadlines go with it): answers its calls (`connect()`
    /// ones with `error`), releases the connection as `ending` says (telling the remote
    /// with a `bye`, or letting what is queued go out), reports `Disconnected` if it had
    /// opened and `PeerLeft` if the peer left meanwhile, then starts the connection that
    /// `connect()` calls made while it closed wait for.
    pub(super) fn finish(&mut self, peer: &PeerId, error: CoreError, ending: Ending) {
        let Some(index) = self.links.iter().position(|link| link.key.peer == *peer) else {
            return;
        };
        let link = self.links.swap_remove(index);
        self.early.retain(|(key, _)| *key != link.key);
        let reason = link.closing_reason.map_or_else(|| reason_of(&error), str::to_owned);
        for call in link.connecting {
            self.settle(call, Err(error.clone()));
        }
        for call in link.disconnecting {
            self.settle(call, Ok(()));
        }
        if ending == Ending::WithBye {
            self.send_bye(&link.key, &reason);
        }
        let graceful = ending == Ending::Draining;
        self.out.push_back(Output::Release { key: link.key, graceful });
        if link.phase.was_open() {
            let peer = link.peer.clone();
            self.out.push_back(Output::Emit(Event::Disconnected { peer, reason }));
            self.links_changed();
        }
        self.unpin(peer);
        if link.left {
            self.forget(peer);
        }
        for call in link.reconnecting {
            self.connect(peer, call);
        }
    }

    /// Removes a peer that left the room from the roster, and reports it.
    pub(super) fn forget(&mut self, id: &PeerId) {
        if let Some(index) = self.roster.iter().position(|known| known.id == *id) {
            let peer = self.roster.remove(index);
            self.out.push_back(Output::Emit(Event::PeerLeft(peer)));
        }
    }

    /// Tells the remote we ended `key`'s attempt, and why.
    pub(super) fn send_bye(&mut self, key: &ConnKey, reason: &str) {
        let step = Step::Bye { reason: Some(reason.to_owned()) };
        let signal = Signal::new(key.session, step);
        self.send_signal(key.peer.clone(), signal);
    }
}
