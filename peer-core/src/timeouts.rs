//! Time going by: every deadline lives in the state it bounds (a link's phase, its relay
//! fallback, the heartbeat, the advert, the wait before a rejoin); [`Core::poll_timeout`]
//! is the earliest of them and [`Core::handle_timeout`] acts on those that came. A
//! deadline is only state, so ending what it bounds disarms it: nothing to cancel.

use super::lifecycle::Ending;
use super::link::{Fallback, Phase};
use super::time::Instant;
use crate::error::{connect_failed, with_hint};
use crate::sorting::sort_by;
use crate::state::{Core, Signaling};
use crate::timings::OPEN_DEADLINE_MS;
use signaling_protocol::PeerId;

/// What a deadline bounds.
#[derive(PartialEq)]
enum Due {
    Heartbeat,
    Advert,
    Rejoin,
    Fallback(PeerId),
    Phase(PeerId),
}

impl<M: Clone> Core<M> {
    /// When [`Core::handle_timeout`] is next due: the earliest deadline (`None`: nothing
    /// waits on time).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines().map(|(at, _)| at).min()
    }

    /// The time is `now`: acts on every deadline that came, each once, earliest first
    /// (a driver whose timer fired late, as in a throttled background tab, sees each
    /// periodic one once, not once per period missed).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance(now);
        let due: Vec<(Instant, Due)> = {
            let mut due: Vec<_> = self.deadlines().filter(|(at, _)| *at <= self.now).collect();
            // Stable: equal deadlines keep the order of `deadlines`.
            sort_by(&mut due, |(a, _), (b, _)| a < b);
            due
        };
        for (at, what) in due {
            // An earlier one may have ended or moved this one.
            if self.deadlines().any(|(still, same)| still == at && same == what) {
                self.fire(what);
            }
        }
        self.follow_mesh();
    }

    /// Every deadline, with what it bounds, in the order equal ones are handled.
    fn deadlines(&self) -> impl Iterator<Item = (Instant, Due)> + '_ {
        let rejoin = match self.signaling {
            Signaling::Reconnecting { wait, .. } => wait,
            _ => None,
        };
        let own = [
            self.heartbeat_at.map(|at| (at, Due::Heartbeat)),
            self.advert_at.map(|at| (at, Due::Advert)),
            rejoin.map(|at| (at, Due::Rejoin)),
        ];
        let fallbacks = self.links.iter().filter_map(|link| match link.fallback {
            Fallback::Armed { at } => Some((at, Due::Fallback(link.key.peer.clone()))),
            _ => None,
        });
        let phases = self
            .links
            .iter()
            .filter_map(|link| Some((link.phase.deadline()?, Due::Phase(link.key.peer.clone()))));
        own.into_iter().flatten().chain(fallbacks).chain(phases)
    }

    fn fire(&mut self, due: Due) {
        match due {
            Due::Heartbeat => self.heartbeat_due(),
            Due::Advert => self.advert_due(),
            Due::Rejoin => self.rejoin_due(),
            Due::Fallback(peer) => self.fallback_due(&peer),
            Due::Phase(peer) => self.phase_due(&peer),
        }
    }

    /// The deadline of the phase of the link to `peer` came.
    fn phase_due(&mut self, peer: &PeerId) {
        let Some(link) = self.link(peer) else { return };
        let (peer, phase) = (peer.clone(), link.phase);
        // ICE failed and did not recover in time: why, with what was tried.
        let failed =
            link.ice_failed.then(|| Self::ice_failure(link.fallback, link.ice_error.as_deref()));
        match phase {
            Phase::Offering { .. } | Phase::Connecting { .. } if failed.is_some() => {
                let reason = failed.unwrap_or_default();
                self.finish(&peer, connect_failed(&peer, &reason), Ending::WithBye);
            }
            Phase::Offering { .. } | Phase::Connecting { .. } => {
                if self.deadline_extended(&peer) {
                    return;
                }
                let Some(link) = self.link(&peer) else { return };
                let waited = OPEN_DEADLINE_MS / 1000 * (1 + u32::from(link.deadline_extensions));
                let reason = if link.fallback.relay_only() {
                    format!(
                        "ICE found no path, then through the relay: no data channel within {waited} s"
                    )
                } else {
                    format!("no data channel within {waited} s")
                };
                let reason = with_hint(reason, link.ice_error.as_deref());
                self.finish(&peer, connect_failed(&peer, &reason), Ending::WithBye);
            }
            Phase::Stalled { .. } => {
                // The grace is over (its deadline went with it): the path is not coming back
                // by itself.
                self.set_phase(&peer, Phase::Open);
                self.restart(&peer);
            }
            Phase::Restarting { tries_left, .. } => self.retry_restart(&peer, tries_left),
            Phase::Open | Phase::Draining | Phase::Closing { .. } => {
                let error = connect_failed(&peer, "the data channel did not close in time");
                self.finish(&peer, error, Ending::Quietly);
            }
        }
    }
}
