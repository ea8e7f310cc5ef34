//! Whether a signal is its sender's own, whatever carried it (the server, a tab of this
//! browser, the mesh): every signal is signed by its sender (docs/PROTOCOL.md,
//! "Identity"). A signal arrives, is held against the key the room gave its sender (that
//! key must be the key of the sender's id), goes to the driver for its signature check
//! ([`Output::Verify`]), and comes back with a [`Verdict`]. Only a good one is acted on,
//! once. A forged or altered one ends the connect it belongs to at once, saying so, and
//! the neighbour that relayed it is disconnected. With a passphrase, signals travel
//! sealed (docs/PROTOCOL.md, "Sealed signals"): one sealed with another passphrase, or
//! sent in the clear, is refused the same way, with a reason a person can act on.

use super::lifecycle::Ending;
use crate::error::connect_failed;
use crate::ids::ConnKey;
use crate::io::{Output, Verdict};
use crate::state::Core;
use signaling_protocol::{PeerId, SessionId, Signal, Step, key_matches_id, signal_fingerprint};

/// How many signals acted on are remembered (by fingerprint), to drop a replay of one.
/// Only signals that checked out are remembered, so no one but their senders can push
/// one out; older ones are refused for their age ([`FRESH_MS`], [`freshness_verdict`]) anyway.
const MAX_SEEN: usize = 1024;

/// How many refused sealed signals are remembered, so that an offer and the candidates
/// that follow it (which cannot be told apart sealed) are answered with one bye.
const MAX_REFUSED_SEALED: usize = 16;

/// How far a signal's `at` (milliseconds since the Unix epoch, stamped by its sender) may
/// be from the receiver's clock: an older one is refused (a replay of an old signal gets
/// nowhere), and two machines' clocks may differ a bit.
pub const FRESH_MS: u64 = 5 * 60 * 1000;

/// [`Verdict::Stale`] for a signal stamped `at` that is not within [`FRESH_MS`] of
/// `now_unix_ms` (the receiver's wall clock, read by its driver); `None` when its age
/// does not refuse it. Checked before the signature: a stale signal costs no crypto.
pub fn freshness_verdict(at: u64, now_unix_ms: u64) -> Option<Verdict> {
    (at.abs_diff(now_unix_ms) > FRESH_MS).then_some(Verdict::Stale)
}

/// What a signal is before any crypto, for a peer that has a passphrase (`sealing`) or
/// not: `Some` verdict when its being sealed or not refuses it already. Byes travel in
/// the clear with or without one, so that a peer can always be told why.
pub fn sealing_verdict(step: &Step, sealing: bool) -> Option<Verdict> {
    match step {
        Step::Sealed { .. } if !sealing => Some(Verdict::SealedWithoutPassphrase),
        Step::Sealed { .. } | Step::Bye { .. } => None,
        _ if sealing => Some(Verdict::InTheClear),
        _ => None,
    }
}

/// The signal a sealed one of session `session` held (`inner`, if its text read as a
/// signal), to be checked as any other; [`Verdict::Forged`] when it is none, is sealed
/// again, or belongs to another session than the envelope says.
pub fn unsealed(session: SessionId, inner: Option<Signal>) -> Result<Signal, Verdict> {
    match inner {
        Some(inner) if inner.session == session && !matches!(inner.step, Step::Sealed { .. }) => {
            Ok(inner)
        }
        _ => Err(Verdict::Forged),
    }
}

/// Why a peer's signals cannot be trusted.
enum Untrusted {
    /// The room gave no key for it (a peer learned of through the mesh only).
    NoKey,
    /// The key the room gave for it is not the key of its id.
    WrongKey,
}

/// A connect's failure when the key announced for `peer` is not its own.
pub(super) fn wrong_key(peer: &PeerId) -> String {
    format!(
        "a signal from {peer} failed verification: the key announced for it is not the key of \
         its id"
    )
}

impl<M: Clone> Core<M> {
    /// A signal from `from` arrived (relayed by the neighbour of `via`, if through the
    /// mesh): it goes to have its signature checked, if its sender can be trusted at all.
    pub(super) fn signal_arrived(&mut self, from: PeerId, signal: Signal, via: Option<ConnKey>) {
        // A stranger's signal: not a peer of the room (as the server or the mesh says).
        if !self.knows(&from) {
            return;
        }
        match self.key_of(&from) {
            Ok(key) => {
                let key = key.to_owned();
                self.out.push_back(Output::Verify { from, signal, key, via });
            }
            Err(Untrusted::NoKey) => {
                self.trust.rejected += 1;
                let warning = format!("dropped a signal from {from}: no key of its own is known");
                self.out.push_back(Output::Warn(warning));
            }
            Err(Untrusted::WrongKey) => self.refuse(&from, &signal, via, wrong_key(&from)),
        }
    }

    /// The driver checked a signal's signature.
    pub(super) fn signal_checked(
        &mut self,
        from: PeerId,
        signal: Signal,
        via: Option<ConnKey>,
        verdict: Verdict,
    ) {
        match verdict {
            Verdict::Good => {
                let fingerprint = signal_fingerprint(&from, &self.me.id, &signal);
                if self.trust.seen.contains(&fingerprint) {
                    self.trust.rejected += 1;
                    let warning = format!("dropped a replayed signal from {from}");
                    return self.out.push_back(Output::Warn(warning));
                }
                if self.trust.seen.len() >= MAX_SEEN {
                    self.trust.seen.pop_front();
                }
                self.trust.seen.push_back(fingerprint);
                self.on_signal(&from, signal);
            }
            Verdict::Stale => {
                self.trust.rejected += 1;
                let warning = format!("dropped a signal from {from}: signed too long ago");
                self.out.push_back(Output::Warn(warning));
            }
            Verdict::Forged => {
                let reason = format!(
                    "a signal from {from} failed verification (forged or altered on the way)"
                );
                self.refuse(&from, &signal, via, reason);
            }
            Verdict::OtherPassphrase => {
                let reason =
                    format!("{from} encrypts its signals with a passphrase other than ours");
                self.refuse(&from, &signal, via, reason);
            }
            Verdict::SealedWithoutPassphrase => {
                let reason =
                    format!("{from} encrypts its signals with a passphrase and we have none");
                self.refuse(&from, &signal, via, reason);
            }
            Verdict::InTheClear => {
                let reason = format!(
                    "{from} sent its signals in the clear, and this peer uses a passphrase"
                );
                self.refuse(&from, &signal, via, reason);
            }
        }
    }

    /// Drops a signal that is not its sender's: the neighbour that relayed it is
    /// disconnected, the connect it belongs to fails at once with `reason`, and the
    /// sender of an offer is told why in a bye (as is the sender of a sealed signal,
    /// which may be an offer, once per session).
    fn refuse(&mut self, from: &PeerId, signal: &Signal, via: Option<ConnKey>, reason: String) {
        self.trust.rejected += 1;
        self.out.push_back(Output::Warn(reason.clone()));
        if let Some(neighbour) = via {
            self.forged(&neighbour);
        }
        let negotiating = self.link(from).is_some_and(|link| {
            link.phase.is_negotiating() && !link.left && link.key.session == signal.session
        });
        if negotiating {
            self.finish(from, connect_failed(from, &reason), Ending::WithBye);
        } else if self.link(from).is_none() && self.answers_with_bye(from, signal) {
            let bye = Step::Bye { reason: Some(reason) };
            self.send_signal(from.clone(), Signal::new(signal.session, bye));
        }
    }

    /// Whether a refused `signal` from `from`, with no connection to it, is answered
    /// with a bye: an offer is; a sealed signal is when it is the first of its session.
    fn answers_with_bye(&mut self, from: &PeerId, signal: &Signal) -> bool {
        match signal.step {
            Step::Offer { .. } => true,
            Step::Sealed { .. } => {
                let refused = &mut self.trust.refused_sealed;
                let session = (from.clone(), signal.session);
                if refused.contains(&session) {
                    return false;
                }
                if refused.len() >= MAX_REFUSED_SEALED {
                    refused.pop_front();
                }
                refused.push_back(session);
                true
            }
            _ => false,
        }
    }

    /// The key `peer`'s signals are checked against: the room's record of it, which
    /// must be the key of its id.
    fn key_of(&self, peer: &PeerId) -> Result<&str, Untrusted> {
        let known = self.roster.iter().find(|known| known.id == *peer);
        match known.and_then(|known| known.key.as_deref()) {
            Some(key) if key_matches_id(key, peer) => Ok(key),
            Some(_) => Err(Untrusted::WrongKey),
            None => Err(Untrusted::NoKey),
        }
    }

    /// Whether the room announced a key for `peer` that is not the key of its id (a
    /// connect to it is refused at once: none of its signals could be trusted).
    pub(super) fn has_wrong_key(&self, peer: &PeerId) -> bool {
        matches!(self.key_of(peer), Err(Untrusted::WrongKey))
    }

    /// How many signals were dropped as forged, altered, replayed or stale, or sealed
    /// (or not) against this peer's passphrase.
    pub fn rejected_signals(&self) -> u32 {
        self.trust.rejected
    }
}
