//! What goes wrong in the simulated room: the server going away and coming back, a
//! path failing, a tab crashing or hanging.

use super::{LATENCY_MS, Sim};
use peer_core::{Input, PathState};

impl Sim {
    /// The server goes down: every signaling connection drops.
    pub fn server_down(&mut self) {
        self.server_up = false;
        for at in 0..self.peers.len() {
            if std::mem::take(&mut self.peers[at].on_server) {
                let reason = "the server went away".to_owned();
                self.deliver(at, 0, Input::SignalingClosed { reason });
            }
        }
    }

    /// The server is back (peers come back to it as they rejoin).
    pub fn server_up(&mut self) {
        self.server_up = true;
    }

    /// The path between `a` and `b` fails (a network change): both ends are told.
    pub fn path_fails(&mut self, a: &str, b: &str) {
        let (a, b) = (self.peer(a), self.peer(b));
        for end in 0..self.ends.len() {
            let (owner, peer) = (self.ends[end].owner, &self.ends[end].key.peer);
            if (owner == a && *peer == self.peers[b].info.id)
                || (owner == b && *peer == self.peers[a].info.id)
            {
                let key = self.ends[end].key.clone();
                self.deliver(owner, 0, Input::Path { key, state: PathState::Failed });
            }
        }
    }

    /// The tab of `name` crashes: silence on its channels; the server sees its socket
    /// drop and tells the room it left.
    pub fn crash(&mut self, name: &str) {
        let at = self.peer(name);
        self.peers[at].crashed = true;
        self.peers[at].on_server = false;
        let info = self.peers[at].info.clone();
        for other in (0..self.peers.len()).filter(|other| *other != at) {
            if self.peers[other].on_server {
                self.deliver(other, LATENCY_MS, Input::PeerLeft(info.clone()));
            }
        }
    }

    /// The tab of `name` hangs: it does nothing more, but its socket stays open, so the
    /// server still has it in the room.
    pub fn hang(&mut self, name: &str) {
        let at = self.peer(name);
        self.peers[at].crashed = true;
    }
}
