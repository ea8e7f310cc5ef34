//! What the room and the remote say: arrivals and departures, and signals (offers,
//! answers, candidates, restarts, byes).

use super::lifecycle::Ending;
use super::link::Phase;
use crate::error::CoreError;
use crate::error::connect_failed;
use crate::ids::Role;
use crate::io::{Event, Output};
use crate::state::Core;
use signaling_protocol::{PeerId, PeerInfo, SessionId, Signal, Step};

impl<M: Clone> Core<M> {
    pub(super) fn peer_joined(&mut self, peer: PeerInfo) {
        if let Some(link) = self.link_mut(&peer.id).filter(|link| link.left) {
            // Back before its channel ended (it rejoined after a reconnect): for the owner
            // of this peer it never left.
            link.left = false;
            link.peer = peer.clone();
            if let Some(known) = self.roster.iter_mut().find(|known| known.id == peer.id) {
                *known = peer;
            }
            return;
        }
        if let Some(known) = self.roster.iter_mut().find(|known| known.id == peer.id) {
            // Known already (through the mesh while the server was gone): the server's
            // record (with its key) replaces the mesh's, unannounced.
            *known = peer;
            return;
        }
        self.roster.push(peer.clone());
        self.out.push_back(Output::Emit(Event::PeerJoined(peer)));
    }

    /// The server says `id` left. An open channel to it is not the server's to end: it
    /// goes on while it works (the peer may only have lost its signaling connection),
    /// and ends when the channel itself ends or falls silent (see `liveness.rs`).
    pub(super) fn peer_left(&mut self, id: &PeerId) {
        let Some(link) = self.link_mut(id) else {
            return self.forget(id);
        };
        // Its `PeerLeft` follows the end of the link.
        link.left = true;
        let stranded = std::mem::take(&mut link.reconnecting);
        let phase = link.phase;
        for call in stranded {
            self.settle(call, Err(CoreError::UnknownPeer(id.clone())));
        }
        match phase {
            // A path being restored needs the remote's signals, which can no longer come.
            Phase::Stalled { .. } | Phase::Restarting { .. } => {
                let error = connect_failed(id, "the peer left the room");
                self.finish(id, error, Ending::Quietly);
            }
            phase if phase.is_negotiating() => {
                self.finish(id, connect_failed(id, "the peer left the room"), Ending::Quietly);
            }
            _ => {}
        }
    }

    pub(super) fn on_signal(&mut self, from: &PeerId, signal: Signal) {
        // A peer that left the room (its channel may still be closing) signals no more.
        if !self.knows(from) || self.link(from).is_some_and(|link| link.left) {
            return;
        }
        let Signal { session, step, .. } = signal;
        if let Step::Offer { .. } = step {
            return self.on_offer(from, session, step);
        }
        let from_restarter = *from > self.me.id;
        let Some(link) = self.link_mut(from).filter(|link| link.key.session == session) else {
            return; // stale: of a session that is over, or never was ours
        };
        let key = link.key.clone();
        match (step, link.phase) {
            (Step::Answer { sdp }, Phase::Offering { deadline }) => {
                link.phase = Phase::Connecting { deadline };
                self.out.push_back(Output::Apply { key, step: Step::Answer { sdp } });
                self.progressed(from);
            }
            // The answer to our ICE restart offer (and only then: an answer the
            // connection does not wait for would break it), on an open link or one
            // falling back to the relay.
            (step @ Step::Answer { .. }, phase) if restartable(phase) && link.restart_pending => {
                link.restart_pending = false;
                self.out.push_back(Output::Apply { key, step });
                self.relay_negotiated(from);
            }
            // The larger id restarts ICE (as it wins a collision); we answer. Before the
            // channel opened, a restart is the remote falling back to the relay.
            (step @ Step::Restart { .. }, phase) if restartable(phase) && from_restarter => {
                if phase.is_negotiating() {
                    self.remote_fell_back(&key);
                    self.progressed(from);
                }
                self.out.push_back(Output::Apply { key, step });
            }
            (step @ Step::Candidate { .. }, phase) if !phase.is_closing() => {
                self.out.push_back(Output::Apply { key, step });
                self.progressed(from);
            }
            (Step::Bye { .. }, phase) if phase.is_usable() => {
                self.begin_closing(from, "the peer closed the connection");
            }
            (Step::Bye { reason }, phase) if phase.is_negotiating() => {
                let reason = match reason {
                    // A stranger's text: bounded.
                    Some(reason) => format!(
                        "the peer closed the connection: {}",
                        reason.chars().take(200).collect::<String>()
                    ),
                    None => "the peer closed the connection".to_owned(),
                };
                self.finish(from, connect_failed(from, &reason), Ending::Quietly);
            }
            // A second answer, a candidate for a closing channel, a bye while closing.
            _ => {}
        }
    }

    pub(super) fn on_offer(&mut self, from: &PeerId, session: SessionId, offer: Step) {
        let mut waiting = Vec::new();
        let ours_wins = self.me.id > *from;
        if let Some(link) = self.link_mut(from) {
            let collision = matches!(link.phase, Phase::Offering { .. });
            if link.key.session == session || (collision && ours_wins) {
                return; // a duplicate, or the loser's offer: ours wins
            }
            // The remote replaced the connection (or yields to ours): whoever waited for
            // the old one waits for the new one.
            waiting.append(&mut link.connecting);
            waiting.append(&mut link.reconnecting);
            let ending = if link.phase.was_open() { Ending::Draining } else { Ending::Quietly };
            let error = connect_failed(from, "the peer restarted the connection");
            self.finish(from, error, ending);
        }
        let link = self.start_link(from, Role::Answerer, session);
        link.connecting = waiting;
        let key = link.key.clone();
        self.out.push_back(Output::Apply { key, step: offer });
    }
}

/// Whether a link in `phase` takes an ICE restart: open (its path failed), or past its
/// offer and answer and falling back to the relay (see `fallback.rs`).
fn restartable(phase: Phase) -> bool {
    phase.is_usable() || matches!(phase, Phase::Connecting { .. })
}
