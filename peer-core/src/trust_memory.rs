//! What the peer remembers of the signals it checked (the rules that use it are in
//! `trust.rs`).

use signaling_protocol::{PeerId, SessionId};
use std::collections::VecDeque;

/// What the peer remembers to tell good signals from bad ones.
#[derive(Default)]
pub(crate) struct Trust {
    /// Fingerprints of the latest signals acted on (`signal_fingerprint`: what was
    /// signed, not the signature, which a relay could rewrite into another that verifies).
    pub seen: VecDeque<[u8; 16]>,
    /// Signals dropped: forged, altered, replayed, stale, or from a peer without a
    /// proper key.
    pub rejected: u32,
    /// The latest sessions whose sealed signals were refused and answered with a bye.
    pub refused_sealed: VecDeque<(PeerId, SessionId)>,
}
