//! The peer's bookkeeping: who is in the room, and the connection to each remote.
//!
//! Only the driver task and the `Peer` methods touch it, each in one short borrow that
//! never spans an `.await`.

use crate::connection::{Connection, Reporter};
use crate::driver::Input;
use crate::negotiation::Role;
use crate::signaling::SignalingTransport;
use crate::{PeerError, PeerEvent};
use futures_channel::mpsc::UnboundedSender;
use futures_channel::oneshot;
use signaling_protocol::{PeerId, PeerInfo};
use std::collections::HashMap;
use std::rc::Rc;

/// The mutable state of one peer.
pub(crate) struct State {
    /// The other peers in the room, in the order they joined.
    pub roster: Vec<PeerInfo>,
    /// The connection to each remote we are connected or connecting to.
    pub links: HashMap<PeerId, Link>,
    /// Whether signaling still works (new connections can be negotiated).
    pub signaling_open: bool,
    /// Whether `close()` was called.
    pub closed: bool,
    /// Numbers connections, so events of a replaced one are recognised as stale.
    next_generation: u64,
}

/// The connection to one remote, and who waits on it.
pub(crate) struct Link {
    /// The remote, as the room knew it when the link started.
    pub peer: PeerInfo,
    /// Matches [`Reporter`] events to this very connection.
    pub generation: u64,
    pub connection: Connection,
    pub role: Role,
    /// The data channel is open.
    pub open: bool,
    /// As offerer: the remote's answer arrived (no offer collision possible any more).
    pub answered: bool,
    /// `connect()` calls waiting for the channel to open.
    pub connect_waiters: Vec<oneshot::Sender<Result<(), PeerError>>>,
    /// `disconnect()` calls waiting for the channel to close.
    pub close_waiters: Vec<oneshot::Sender<()>>,
}

impl Link {
    /// Registers a `connect()` call; resolved when the channel opens or the link ends.
    pub fn wait_open(&mut self) -> oneshot::Receiver<Result<(), PeerError>> {
        let (done, waiting) = oneshot::channel();
        self.connect_waiters.push(done);
        waiting
    }

    /// Fails the pending `connect()` calls with `reason`, resolves the `disconnect()`
    /// calls, and hands back the connection (still alive: dropping it closes it) with
    /// the `Disconnected` event when the channel had been open.
    pub fn finish(self, reason: &str) -> (Connection, Option<PeerEvent>) {
        for waiter in self.connect_waiters {
            let peer = self.peer.id.clone();
            let failure = PeerError::ConnectFailed { peer, reason: reason.to_owned() };
            let _ = waiter.send(Err(failure));
        }
        for waiter in self.close_waiters {
            let _ = waiter.send(());
        }
        (self.connection, self.open.then_some(PeerEvent::Disconnected(self.peer)))
    }

    /// Registers a `disconnect()` call; resolved when the link ends.
    pub fn wait_closed(&mut self) -> oneshot::Receiver<()> {
        let (done, waiting) = oneshot::channel();
        self.close_waiters.push(done);
        waiting
    }
}

impl State {
    /// The state right after joining, with the room's current peers.
    pub fn new(roster: Vec<PeerInfo>) -> Self {
        Self {
            roster,
            links: HashMap::new(),
            signaling_open: true,
            closed: false,
            next_generation: 0,
        }
    }

    /// The room's record of `id` (a nameless record if it already left).
    pub fn info(&self, id: &PeerId) -> PeerInfo {
        self.roster
            .iter()
            .find(|peer| &peer.id == id)
            .cloned()
            .unwrap_or_else(|| PeerInfo { id: id.clone(), name: String::new() })
    }

    /// Whether `id` is in the room.
    pub fn knows(&self, id: &PeerId) -> bool {
        self.roster.iter().any(|peer| &peer.id == id)
    }

    /// The open link to `peer`, or why there is none.
    pub fn open_link(&self, peer: &PeerId) -> Result<&Link, PeerError> {
        if self.closed {
            return Err(PeerError::Closed);
        }
        match self.links.get(peer).filter(|link| link.open) {
            Some(link) => Ok(link),
            None if self.knows(peer) => Err(PeerError::NotConnected(peer.clone())),
            None => Err(PeerError::UnknownPeer(peer.clone())),
        }
    }

    /// The peers with an open data channel, in room order.
    pub fn connected(&self) -> Vec<PeerInfo> {
        let open = |peer: &&PeerInfo| self.links.get(&peer.id).is_some_and(|link| link.open);
        self.roster.iter().filter(open).cloned().collect()
    }

    /// Starts a new connection to `peer`, replacing any previous one silently (the
    /// caller decides what the old one's waiters and events become).
    pub fn start_link(
        &mut self,
        peer: &PeerId,
        role: Role,
        inputs: &UnboundedSender<Input>,
        signaling: &Rc<dyn SignalingTransport>,
    ) -> Result<&mut Link, PeerError> {
        self.next_generation += 1;
        let generation = self.next_generation;
        let reporter = Reporter::new(inputs.clone(), peer.clone(), generation);
        let connection = Connection::start(role, reporter, Rc::clone(signaling))?;
        let link = Link {
            peer: self.info(peer),
            generation,
            connection,
            role,
            open: false,
            answered: false,
            connect_waiters: Vec::new(),
            close_waiters: Vec::new(),
        };
        Ok(self.links.entry(peer.clone()).insert_entry(link).into_mut())
    }

    /// Ends the connection to `peer` at once (see [`Link::finish`]) and returns the
    /// `Disconnected` event when it had been open.
    pub fn remove_link(&mut self, peer: &PeerId, reason: &str) -> Option<PeerEvent> {
        let (connection, event) = self.links.remove(peer)?.finish(reason);
        // Dropping the connection closes it.
        drop(connection);
        event
    }
}
