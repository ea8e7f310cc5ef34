//! One link: the machine's record of the connection to one remote, and the phase it is
//! in. Each phase that can stall owns the deadline that bounds it.

use crate::ids::{CallId, ConnKey};
use crate::time::Instant;
use signaling_protocol::PeerInfo;

/// Where a connection is in its life. Closed links are not kept: they leave the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    /// We sent (or are creating) the offer and wait for the answer. The only phase in
    /// which a remote's offer collides with ours.
    Offering { deadline: Instant },
    /// Offer and answer are exchanged, or being exchanged by the answerer; ICE, DTLS
    /// and SCTP are setting up the channel.
    Connecting { deadline: Instant },
    /// The data channel is open.
    Open,
    /// The channel is open but its path went quiet (ICE `disconnected`): it may come
    /// back by itself within the grace time, or else ICE restarts.
    Stalled { grace: Instant },
    /// The path failed: ICE restarts on the same connection, so the channel and what is
    /// queued on it survive. The larger id sends a restart offer each retry period
    /// (unless one is still unanswered); the smaller id answers. Both give up when the
    /// path is not back after `tries_left` more periods.
    Restarting { retry: Instant, tries_left: u32 },
    /// Closing: what was queued before still goes out, nothing new is accepted. Bounded
    /// by the connection itself (ICE notices a vanished remote).
    Draining,
    /// The channel's close has begun; waiting for the `close` event, for at most the
    /// linger time.
    Closing { linger: Instant },
}

impl Phase {
    /// When this phase gives up waiting, if it waits.
    pub fn deadline(self) -> Option<Instant> {
        match self {
            Self::Offering { deadline } | Self::Connecting { deadline } => Some(deadline),
            Self::Stalled { grace } => Some(grace),
            Self::Restarting { retry, .. } => Some(retry),
            Self::Closing { linger } => Some(linger),
            Self::Open | Self::Draining => None,
        }
    }

    /// Whether the channel had opened (so its end is a `Disconnected` event).
    pub fn was_open(self) -> bool {
        self.is_usable() || self.is_closing()
    }

    /// Whether the channel is open for messages: it counts as connected, even while
    /// its path is being restored (what is sent meanwhile waits in the channel).
    pub fn is_usable(self) -> bool {
        matches!(self, Self::Open | Self::Stalled { .. } | Self::Restarting { .. })
    }

    /// Whether the channel is still being set up.
    pub fn is_negotiating(self) -> bool {
        matches!(self, Self::Offering { .. } | Self::Connecting { .. })
    }

    /// Whether the channel is closing (no more signals go out or are applied for it).
    pub fn is_closing(self) -> bool {
        matches!(self, Self::Draining | Self::Closing { .. })
    }
}

/// Where a negotiating link stands with the relay fallback (see `fallback.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fallback {
    /// Nothing to fall back on (no TURN server, relayed paths only already), or no
    /// need any more (the path came up).
    Unavailable,
    /// If no path is up by `at`, the relay is tried.
    Armed { at: Instant },
    /// Relayed paths only; the ICE restart that gathers them is under way.
    Switching,
    /// The relay restart's offer and answer are applied: what ICE says now is the
    /// relay's verdict.
    Relaying,
}

impl Fallback {
    /// Whether the link went over to relayed paths only (its later ICE restarts too).
    pub fn relay_only(self) -> bool {
        matches!(self, Self::Switching | Self::Relaying)
    }
}

/// The connection to one remote.
#[derive(Debug)]
pub(crate) struct Link {
    /// The remote, as the room knows it.
    pub peer: PeerInfo,
    /// The connection attempt this link is.
    pub key: ConnKey,
    pub phase: Phase,
    /// `connect()` calls answered when the channel opens (or the link ends).
    pub connecting: Vec<CallId>,
    /// `disconnect()` calls answered when the link ends.
    pub disconnecting: Vec<CallId>,
    /// `connect()` calls made while this link closes: a new link starts for them once
    /// this one has ended.
    pub reconnecting: Vec<CallId>,
    /// The server says the remote left the room (its socket dropped, or it left), while
    /// the channel is open or closing: the channel goes on as long as it works, and its
    /// `PeerLeft` follows our `Disconnected` when the link ends (unless the remote comes
    /// back to the room first, as it does after a reconnect).
    pub left: bool,
    /// What an ICE server said when it refused us, for the failure's reason.
    pub ice_error: Option<String>,
    /// Why the channel began closing, for the `Disconnected` event.
    pub closing_reason: Option<&'static str>,
    /// Our ICE restart offer went out and its answer has not come yet.
    pub restart_pending: bool,
    /// The relay fallback of a connect, and whether the link went over to it.
    pub fallback: Fallback,
    /// Heartbeat periods since anything was heard from the remote on this channel.
    pub silent_periods: u8,
    /// Mesh control frames the remote sent this heartbeat period (bounded: `gossip.rs`).
    pub mesh_frames: u32,
    /// Broadcasts the remote passed us this heartbeat period (bounded: `gossip.rs`).
    pub broadcasts: u32,
    /// The remote's digest of the mesh came (one per channel is answered).
    pub digested: bool,
    /// The negotiation made progress since its open deadline was last armed.
    pub progressed: bool,
    /// Times the open deadline was armed again for progress (bounded: `lifecycle.rs`).
    pub deadline_extensions: u8,
    /// ICE reported `failed` while negotiating, and has not come up since: the open
    /// deadline is the short wait for it to recover (see `lifecycle.rs`).
    pub ice_failed: bool,
}

impl Link {
    /// A new link in its first phase.
    pub fn new(peer: PeerInfo, key: ConnKey, phase: Phase, fallback: Fallback) -> Self {
        Self {
            peer,
            key,
            phase,
            connecting: Vec::new(),
            disconnecting: Vec::new(),
            reconnecting: Vec::new(),
            left: false,
            ice_error: None,
            closing_reason: None,
            restart_pending: false,
            fallback,
            silent_periods: 0,
            mesh_frames: 0,
            broadcasts: 0,
            digested: false,
            progressed: false,
            deadline_extensions: 0,
            ice_failed: false,
        }
    }

    /// The deadlines of this link: its phase's, and its fallback's.
    #[cfg(test)]
    pub fn deadlines(&self) -> impl Iterator<Item = Instant> {
        let fallback = match self.fallback {
            Fallback::Armed { at } => Some(at),
            _ => None,
        };
        self.phase.deadline().into_iter().chain(fallback)
    }
}
