//! The owner's calls, as commands to the driver's task: each answered in turn.

use super::Driver;
use crate::values::delivery::Delivery;
use crate::values::error::PeerError;
use crate::values::payload::Payload;
use crate::values::stats::ConnectionStats;
use peer_core::{CallId, ConnKey, Input};
use signaling_protocol::{PeerId, PeerInfo};
use tokio::sync::{oneshot, watch};

/// A call of [`crate::Peer`], with where its answer goes.
#[derive(Debug)]
pub(crate) enum Command {
    Connect {
        peer: PeerId,
        answer: oneshot::Sender<Result<(), PeerError>>,
    },
    Disconnect {
        peer: PeerId,
        answer: oneshot::Sender<Result<(), PeerError>>,
    },
    Send {
        to: Option<PeerId>,
        payload: Payload,
        delivery: Delivery,
        answer: oneshot::Sender<Result<usize, PeerError>>,
    },
    Broadcast {
        payload: Payload,
        answer: oneshot::Sender<Result<usize, PeerError>>,
    },
    SendFile {
        peer: PeerId,
        name: String,
        size: u64,
        file: std::fs::File,
        answer: oneshot::Sender<Result<Started, PeerError>>,
    },
    CancelFile {
        key: ConnKey,
        id: u32,
    },
    Stats {
        peer: PeerId,
        answer: oneshot::Sender<Result<ConnectionStats, PeerError>>,
    },
    Peers {
        answer: oneshot::Sender<Vec<PeerInfo>>,
    },
    Connected {
        answer: oneshot::Sender<Vec<PeerInfo>>,
    },
    Close {
        answer: oneshot::Sender<()>,
    },
}

impl Driver {
    pub(super) fn command(&mut self, command: Command) {
        match command {
            Command::Connect { peer, answer } => {
                let call = self.call(answer);
                self.apply(Input::Connect { peer, call });
            }
            Command::Disconnect { peer, answer } => {
                let call = self.call(answer);
                self.apply(Input::Disconnect { peer, call });
            }
            Command::Send { to, payload, delivery, answer } => {
                let sent = match to {
                    Some(peer) => self.send_to(&peer, &payload, delivery).map(|()| 1),
                    None => self.send_to_all(&payload, delivery),
                };
                let _ = answer.send(sent);
            }
            Command::Broadcast { payload, answer } => {
                let _ = answer.send(self.broadcast(&payload));
            }
            Command::SendFile { peer, name, size, file, answer } => {
                let _ = answer.send(self.send_file(&peer, &name, size, file));
            }
            Command::CancelFile { key, id } => self.cancel_file(&key, id),
            Command::Stats { peer, answer } => {
                let _ = answer.send(self.stats(&peer));
            }
            Command::Peers { answer } => {
                let _ = answer.send(self.core.roster().to_vec());
            }
            Command::Connected { answer } => {
                let _ = answer.send(self.core.connected());
            }
            Command::Close { answer } => {
                if !self.core.is_closed() {
                    self.apply(Input::Close);
                }
                // Answered once what was queued went out (see `start.rs`).
                self.closers.push(answer);
            }
        }
    }

    /// What went through the open connection to `peer`.
    fn stats(&self, peer: &PeerId) -> Result<ConnectionStats, PeerError> {
        let key = self.core.open_key(peer)?;
        let live = self.connections.get(&key);
        live.map(|live| live.connection.stats())
            .ok_or_else(|| PeerError::NotConnected(peer.clone()))
    }

    /// A new call whose answer goes to `answer`.
    fn call(&mut self, answer: oneshot::Sender<Result<(), PeerError>>) -> CallId {
        self.next_call += 1;
        let call = CallId(self.next_call);
        self.calls.insert(call, answer);
        call
    }
}

/// What the driver answers a `send_file` with: the transfer's number and its channels.
#[derive(Debug)]
pub(crate) struct Started {
    pub id: u32,
    pub key: ConnKey,
    pub size: u64,
    pub progress: watch::Receiver<u64>,
    pub done: oneshot::Receiver<Result<(), PeerError>>,
}
