//! How a connection's event listeners and negotiation task report to the driver: they
//! post [`Input`]s into the peer's channel, tagged with the connection's key. They hold
//! a sender and a key, never the peer, so there are no reference cycles.

use crate::log;
use crate::wire::framing::FrameError;
use crate::wire::payload::Payload;
use futures_channel::mpsc::UnboundedSender;
use peer_core::{ConnKey, Input};

/// The driver's input, as connections and timers post it.
pub(crate) type PeerInput = Input<Payload>;

/// Posts the reports of one connection.
#[derive(Clone)]
pub(crate) struct Reporter {
    inputs: UnboundedSender<PeerInput>,
    key: ConnKey,
}

impl Reporter {
    /// A reporter for the connection `key`.
    pub fn new(inputs: UnboundedSender<PeerInput>, key: ConnKey) -> Self {
        Self { inputs, key }
    }

    /// The connection this reporter speaks for.
    pub fn key(&self) -> &ConnKey {
        &self.key
    }

    /// Posts the input `make` builds from the key; dropped silently once the peer is gone.
    pub fn report(&self, make: impl FnOnce(ConnKey) -> PeerInput) {
        let _ = self.inputs.unbounded_send(make(self.key.clone()));
    }

    /// Reports what a channel's frame gave: a message, a part of one (a sign of life
    /// too: a long message takes seconds), or broken framing, which means a buggy or
    /// hostile peer: the connection then fails.
    pub fn received(&self, decoded: Result<Option<Payload>, FrameError>) {
        match decoded {
            Ok(Some(message)) => self.report(|key| Input::Received { key, message }),
            Ok(None) => self.report(|key| Input::Heard { key }),
            Err(error) => {
                log::warn(&format!("{} sent an invalid frame: {error:?}", self.key.peer));
                let reason = "the peer broke the framing".into();
                self.report(|key| Input::Failed { key, reason });
            }
        }
    }
}
