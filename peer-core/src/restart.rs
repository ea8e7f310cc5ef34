//! How an open link gets its path back. A path that went quiet (ICE `disconnected`) has
//! a grace time to come back by itself; a failed one is restored by an ICE restart on
//! the same connection, so the data channel, its SCTP association and what is queued
//! on it survive. The larger id restarts (the rule that settles offer collisions) and
//! offers again each retry period while the path is not back; after a bounded time both
//! sides give up and the link ends with the reason.

use super::lifecycle::Ending;
use super::link::Phase;
use crate::error::{connect_failed, with_hint};
use crate::ids::{ConnKey, PathState};
use crate::io::Output;
use crate::state::Core;
use crate::timings::{RESTART_GIVE_UP_MS, RESTART_RETRY_MS, STALL_GRACE_MS};
use signaling_protocol::PeerId;

impl<M: Clone> Core<M> {
    pub(super) fn path_changed(&mut self, key: &ConnKey, state: PathState) {
        let Some(link) = self.current(key) else { return };
        let (peer, phase) = (key.peer.clone(), link.phase);
        match (state, phase) {
            (PathState::Up, Phase::Stalled { .. } | Phase::Restarting { .. }) => {
                self.set_phase(&peer, Phase::Open);
            }
            (PathState::Down, Phase::Open) => {
                let grace = self.deadline_in(STALL_GRACE_MS);
                self.set_phase(&peer, Phase::Stalled { grace });
            }
            (PathState::Failed, Phase::Open) => self.restart(&peer),
            (PathState::Failed, Phase::Stalled { .. }) => {
                self.set_phase(&peer, Phase::Open);
                self.restart(&peer);
            }
            (PathState::Up | PathState::Down, phase) if phase.is_negotiating() => {
                if state == PathState::Up {
                    self.disarm_fallback(&peer);
                    // Recovered: the short wait ends as a deadline that saw progress.
                    if let Some(link) = self.link_mut(&peer) {
                        link.ice_failed = false;
                    }
                }
                self.progressed(&peer);
            }
            (PathState::Failed, phase) if phase.is_negotiating() => self.negotiation_failed(&peer),
            // What was queued cannot go out any more.
            (PathState::Failed, phase) if phase.is_closing() => {
                let error = connect_failed(&peer, "the path failed while the channel closed");
                self.finish(&peer, error, Ending::Quietly);
            }
            _ => {}
        }
    }

    /// Begins restoring the path of the open link to `peer` (its phase deadline, if any,
    /// is already gone).
    pub(super) fn restart(&mut self, peer: &PeerId) {
        let retry = self.deadline_in(RESTART_RETRY_MS);
        let tries_left = RESTART_GIVE_UP_MS / RESTART_RETRY_MS - 1;
        let Some(link) = self.link_mut(peer) else { return };
        link.phase = Phase::Restarting { retry, tries_left };
        // Whatever an ICE server said before is not why this path failed.
        link.ice_error = None;
        self.out.push_back(Output::Warn(format!("the path to {peer} failed: restarting ICE")));
        self.offer_restart(peer);
    }

    /// One retry period of a restart went by with the path still down.
    pub(super) fn retry_restart(&mut self, peer: &PeerId, tries_left: u32) {
        let Some(link) = self.link(peer) else { return };
        if tries_left == 0 {
            let reason = format!(
                "its path failed and ICE restarts did not restore it within {} s",
                RESTART_GIVE_UP_MS / 1000
            );
            let reason = with_hint(reason, link.ice_error.as_deref());
            return self.finish(peer, connect_failed(peer, &reason), Ending::WithBye);
        }
        let retry = self.deadline_in(RESTART_RETRY_MS);
        self.set_phase(peer, Phase::Restarting { retry, tries_left: tries_left - 1 });
        self.offer_restart(peer);
    }

    /// Sends a restart offer to `peer` if we are the side that restarts, the server can
    /// carry it, and no earlier one waits for its answer (an offer on top of an
    /// unanswered one would cross its answer).
    pub(super) fn offer_restart(&mut self, peer: &PeerId) {
        let restarter = self.me.id > *peer;
        let signaling_open = self.signaling_open();
        let Some(link) = self.link_mut(peer) else { return };
        if restarter && signaling_open && !link.restart_pending {
            link.restart_pending = true;
            let key = link.key.clone();
            let relay_only = link.fallback.relay_only();
            self.out.push_back(Output::RestartIce { key, relay_only });
        }
    }
}
