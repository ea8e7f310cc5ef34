//! Our signals stamped, signed and (with a passphrase) sealed on their way out, and the
//! signals that come for us opened and checked (docs/PROTOCOL.md, "Signed signals" steps
//! 3 and 4, "Sealed signals"). Which key a sender's signals are checked against, and
//! replays (step 5), are the machine's (`peer_core`); this is the crypto and the clock.

use super::keys::{Identity, verify};
use super::sealing::SealKey;
use peer_core::{Verdict, freshness_verdict, sealing_verdict};
use signaling_protocol::{PeerId, Signal, Step, signal_text};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch by this machine's clock: what signals are stamped
/// with and checked against (0 for a clock set before 1970).
pub fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

/// Stamps `at` (`now_ms`, milliseconds since the Unix epoch) and `sig` on our `signal`
/// for `to` in `room`.
pub fn sign_signal(
    identity: &Identity,
    room: &str,
    to: &PeerId,
    mut signal: Signal,
    now_ms: u64,
) -> Signal {
    signal.at = now_ms;
    signal.sig = identity.sign(&signal_text(room, &identity.id(), to, &signal));
    signal
}

/// Our `signal` for `to` as it leaves: stamped and signed, then sealed with `seal_key`
/// (when the join gave a passphrase) unless it is a bye, which any peer must be able to
/// read, so that one with another passphrase or none is told why.
pub fn outgoing(
    identity: &Identity,
    room: &str,
    to: &PeerId,
    signal: Signal,
    seal_key: Option<&SealKey>,
    now_ms: u64,
) -> Signal {
    let signed = sign_signal(identity, room, to, signal, now_ms);
    match seal_key {
        Some(seal_key) if !matches!(signed.step, Step::Bye { .. }) => seal_key.seal(&signed),
        _ => signed,
    }
}

/// Whether `signal`, from `from` to `me` in `room`, is fresh (`peer_core::freshness_verdict`
/// against `now_ms`) and signed by `key` over the text with `me` as its recipient: a signal for
/// another peer, room or session, or altered on the way, is [`Verdict::Forged`].
pub fn check_signal(
    key: &str,
    room: &str,
    from: &PeerId,
    me: &PeerId,
    signal: &Signal,
    now_ms: u64,
) -> Verdict {
    if let Some(stale) = freshness_verdict(signal.at, now_ms) {
        stale
    } else if verify(key, &signal_text(room, from, me, signal), &signal.sig) {
        Verdict::Good
    } else {
        Verdict::Forged
    }
}

/// A `signal` that came from `from` for `me`, checked against `key` as the machine asked
/// (`Output::Verify`): first sealed or not as this peer expects (`seal_key` is the
/// passphrase's key, if the join gave one), then opened, then [`check_signal`]. Returns
/// the signal to hand back to the machine with the verdict: the one inside when it was
/// opened, else the one that came (a refused envelope still names its session).
pub fn check_incoming(
    key: &str,
    room: &str,
    from: &PeerId,
    me: &PeerId,
    signal: Signal,
    seal_key: Option<&SealKey>,
    now_ms: u64,
) -> (Signal, Verdict) {
    if let Some(verdict) = sealing_verdict(&signal.step, seal_key.is_some()) {
        return (signal, verdict);
    }
    let signal = match (seal_key, &signal.step) {
        (Some(seal_key), Step::Sealed { .. }) => match seal_key.open(&signal) {
            Ok(inner) => inner,
            Err(verdict) => return (signal, verdict),
        },
        _ => signal,
    };
    let verdict = check_signal(key, room, from, me, &signal, now_ms);
    (signal, verdict)
}
