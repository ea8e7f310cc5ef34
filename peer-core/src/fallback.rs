//! The relay fallback: a connect whose ICE finds no path (it fails, or no path is up
//! [`RELAY_FALLBACK_MS`] after the connection began) tries once more through the TURN
//! relay only, when TURN servers are configured and relayed paths are not all it used
//! already. Both sides restrict themselves to relayed candidates; the larger id (the side
//! that restarts, as for an open link) sends an ICE restart offer on the same connection
//! and the smaller one answers it. Two symmetric NATs defeat every direct pair, and
//! Chromium's default policy then fails most of the time, where relay-only always
//! connects: this is the step that makes `connect` reach a path that exists.
//!
//! A failure reported while the switch is under way is the old candidates' verdict and
//! is ignored; once the relay restart's offer and answer are applied, a failure is the
//! relay's and ends the attempt, saying what was tried.

use super::link::{Fallback, Phase};
use crate::error::with_hint;
use crate::ids::ConnKey;
use crate::io::Output;
use crate::state::Core;
use crate::timings::RELAY_FALLBACK_MS;
use signaling_protocol::PeerId;

impl<M: Clone> Core<M> {
    /// Whether a connect may fall back to relayed paths (TURN servers are configured
    /// and the page did not restrict itself to them already). The driver says so at
    /// the start and whenever its ICE servers change.
    pub fn set_relay_fallback(&mut self, available: bool) {
        self.relay_fallback = available;
    }

    /// The fallback of a new link: armed when there is a relay to fall back on.
    pub(super) fn arm_fallback(&mut self) -> Fallback {
        if self.relay_fallback {
            Fallback::Armed { at: self.deadline_in(RELAY_FALLBACK_MS) }
        } else {
            Fallback::Unavailable
        }
    }

    /// The path to `peer` is up (or its channel open): no fallback needed.
    pub(super) fn disarm_fallback(&mut self, peer: &PeerId) {
        let Some(link) = self.link_mut(peer) else { return };
        if let Fallback::Armed { .. } = link.fallback {
            link.fallback = Fallback::Unavailable;
        }
    }

    /// The fallback deadline of the link to `peer` came with no path up yet.
    pub(super) fn fallback_due(&mut self, peer: &PeerId) {
        let Some(link) = self.link_mut(peer) else { return };
        link.fallback = Fallback::Unavailable;
        if let Phase::Offering { .. } = link.phase {
            // No answer yet: a restart offer cannot go on top of an unanswered offer,
            // and the answer may still bring a direct path. Wait another period.
            let at = self.deadline_in(RELAY_FALLBACK_MS);
            if let Some(link) = self.link_mut(peer) {
                link.fallback = Fallback::Armed { at };
            }
            return;
        }
        self.fall_back(peer);
    }

    /// ICE failed while the link to `peer` was negotiating: falls back to the relay if
    /// it can; if the relay was the last resort, gives ICE a short time to recover
    /// (see [`Core::wait_for_recovery`]).
    pub(super) fn negotiation_failed(&mut self, peer: &PeerId) {
        let Some(link) = self.link(peer) else { return };
        match link.fallback {
            Fallback::Armed { .. } => self.fall_back(peer),
            // The old candidates' verdict, reported before the relay restart applied.
            Fallback::Switching => {}
            Fallback::Relaying | Fallback::Unavailable => self.wait_for_recovery(peer),
        }
    }

    /// Why a connect failed when ICE failed and did not recover: what was tried.
    pub(super) fn ice_failure(fallback: Fallback, ice_error: Option<&str>) -> String {
        let reason = match fallback {
            Fallback::Relaying => "ICE failed on all paths, then through the relay: ICE failed",
            _ => "ICE failed",
        };
        with_hint(reason.into(), ice_error)
    }

    /// Restricts the link to `peer` to relayed paths and, on the side that restarts,
    /// offers the ICE restart that gathers them.
    fn fall_back(&mut self, peer: &PeerId) {
        let restarter = self.me.id > *peer;
        let signaling_open = self.signaling_open();
        let Some(link) = self.link_mut(peer) else { return };
        link.fallback = Fallback::Switching;
        let key = link.key.clone();
        // Never on top of an unanswered offer (ours, while `Offering`, or a restart's).
        let answered = !matches!(link.phase, Phase::Offering { .. }) && !link.restart_pending;
        let restart = restarter && signaling_open && answered;
        link.restart_pending |= restart;
        self.out.push_back(Output::Warn(format!(
            "no path to {peer} yet: trying again through the TURN relay only"
        )));
        self.out.push_back(Output::RelayOnly { key: key.clone() });
        if restart {
            self.out.push_back(Output::RestartIce { key, relay_only: true });
        }
    }

    /// A restart offer arrived while the link `key` negotiates: the remote fell back
    /// (its timer may run ahead of ours), so we restrict ourselves to the relay too when
    /// we have one (without, our candidates as they are meet its relayed ones).
    pub(super) fn remote_fell_back(&mut self, key: &ConnKey) {
        let relay = self.relay_fallback;
        let Some(link) = self.link_mut(&key.peer) else { return };
        if link.fallback.relay_only() {
            return;
        }
        link.fallback = Fallback::Switching;
        if relay {
            self.out.push_back(Output::RelayOnly { key: key.clone() });
        }
    }

    /// The relay restart's offer and answer are both applied on the link to `peer`
    /// (our answer went out, or the remote's answer came): ICE's next verdict is the
    /// relay's.
    pub(super) fn relay_negotiated(&mut self, peer: &PeerId) {
        if let Some(link) = self.link_mut(peer).filter(|link| link.fallback == Fallback::Switching)
        {
            link.fallback = Fallback::Relaying;
        }
    }
}
