//! How a connection's event listeners and negotiation task report to the driver: they
//! post [`Input`]s into the peer's channel, tagged with the connection's key. They hold
//! a sender, a key and a way to have the driver apply what they posted at once, never
//! the peer, so there are no reference cycles.

use crate::log;
use crate::wire::framing::FrameError;
use crate::wire::payload::Payload;
use futures_channel::mpsc::UnboundedSender;
use peer_core::{ConnKey, Input};
use std::rc::Rc;

/// The driver's input, as connections and timers post it.
pub(crate) type PeerInput = Input<Payload>;

/// Has the driver apply the inputs posted so far at once (it holds the driver weakly).
pub(crate) type ApplyNow = Rc<dyn Fn()>;

/// Posts the reports of one connection.
#[derive(Clone)]
pub(crate) struct Reporter {
    inputs: UnboundedSender<PeerInput>,
    apply_now: ApplyNow,
    key: ConnKey,
}

impl Reporter {
    /// A reporter for the connection `key`.
    pub fn new(inputs: UnboundedSender<PeerInput>, apply_now: ApplyNow, key: ConnKey) -> Self {
        Self { inputs, apply_now, key }
    }

    /// The connection this reporter speaks for.
    pub fn key(&self) -> &ConnKey {
        &self.key
    }

    /// Posts the input `make` builds from the key; dropped silently once the peer is gone.
    /// The driver applies it in a microtask, or at once after [`Reporter::apply_now`].
    pub fn report(&self, make: impl FnOnce(ConnKey) -> PeerInput) {
        let _ = self.inputs.unbounded_send(make(self.key.clone()));
    }

    /// Has the driver apply what was posted at once instead of in a microtask: a message
    /// reaches the page's handler without a task switch on the way (a round trip crosses
    /// two). Only from an event listener the browser calls, where nothing of the driver
    /// is in use; inputs keep their order, as all go through the one channel.
    pub fn apply_now(&self) {
        (self.apply_now)();
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
