//! What the simulated server and network do with each output of a peer: the simulation's
//! driver. Signatures always check out here (`trust_tests.rs` covers the checks).

use super::{End, LATENCY_MS, OPEN_DELAY_MS, Sim};
use peer_core::{
    ConnKey, Input, MeshFrame, Output, PathState, RejoinFailure, Relayed, Role, Verdict, Way,
};
use signaling_protocol::{Signal, Step};

impl Sim {
    /// Acts on everything peer `at` asked for.
    pub(super) fn drain(&mut self, at: usize) {
        while let Some(output) = self.peers[at].core.poll_output() {
            self.execute(at, output);
        }
    }

    fn execute(&mut self, at: usize, output: Output<super::Msg>) {
        if std::env::var_os("SIM_TRACE").is_some() {
            eprintln!("{} {} -> {output:?}", self.now.as_millis(), self.peers[at].info.name);
        }
        match output {
            // No tabs here: every peer is in a browser of its own.
            Output::Signal { to, signal, way: Way::Server | Way::Tab } => {
                self.through_server(at, &to, signal);
            }
            Output::StartConnection { key, role } => {
                self.ends.push(End::new(at, key.clone()));
                if role == Role::Offerer {
                    let step = Step::Offer { sdp: "offer".into() };
                    self.deliver(at, 0, Input::Outbound { key, step });
                }
            }
            Output::Apply { key, step } => self.negotiate(at, key, &step),
            Output::RestartIce { key, .. } => {
                self.restarts += 1;
                let step = Step::Restart { sdp: "restart offer".into() };
                self.deliver(at, 0, Input::Outbound { key, step });
            }
            Output::RelayOnly { .. } | Output::Warn(_) => {}
            Output::CloseChannel { key } => {
                self.deliver(at, 0, Input::ChannelClosing { key: key.clone() });
                self.over_channel(at, &key, |key| Input::ChannelClosed { key });
                self.deliver(at, LATENCY_MS, Input::ChannelClosed { key });
            }
            Output::Release { key, .. } => {
                let Some(end) = self.end(at, &key) else { return };
                if self.ends.remove(end).open {
                    self.over_channel(at, &key, |key| Input::ChannelClosed { key });
                }
            }
            Output::Settle { call, result } => self.peers[at].settled.push((call, result)),
            Output::Emit(event) => self.peers[at].events.push((self.now, event)),
            Output::CloseSignaling => self.leave_server(at),
            Output::Rejoin => self.rejoin(at),
            Output::Heartbeat { key } => self.over_channel(at, &key, |key| Input::Heard { key }),
            Output::SendMesh { key, frame } => {
                self.over_channel(at, &key, |key| Input::Mesh { key, frame });
            }
            Output::Signal { to, signal, way: Way::Mesh { hop, route } } => {
                self.relayed += 1;
                let from = self.peers[at].info.id.clone();
                let signal = Signal { at: self.sign(), ..signal };
                let frame = MeshFrame::Relay(Relayed { from, to, route, signal });
                self.over_channel(at, &hop, |key| Input::Mesh { key, frame });
            }
            Output::Verify { from, signal, via, .. } => {
                let checked = Input::Checked { from, signal, via, verdict: Verdict::Good };
                self.deliver(at, 0, checked);
            }
        }
    }

    /// A signal through the server, if it is up and both peers are on it.
    fn through_server(&mut self, at: usize, to: &signaling_protocol::PeerId, signal: Signal) {
        let Some(to) = self.peers.iter().position(|peer| peer.info.id == *to) else { return };
        if self.server_up && self.peers[at].on_server && self.peers[to].on_server {
            let from = self.peers[at].info.id.clone();
            let signal = Signal { at: self.sign(), ..signal };
            self.deliver(to, LATENCY_MS, Input::Signal { from, signal });
        }
    }

    /// What the connection `key` does with a remote's offer or answer: an offer is
    /// answered; an applied answer brings the path up (the channel open too, the first
    /// time) on both ends after the opening delay.
    fn negotiate(&mut self, at: usize, key: ConnKey, step: &Step) {
        match step {
            Step::Offer { .. } | Step::Restart { .. } => {
                let step = Step::Answer { sdp: "answer".into() };
                self.deliver(at, 0, Input::Outbound { key, step });
            }
            Step::Answer { .. } => {
                let (Some(mine), Some(theirs)) = (self.end(at, &key), self.remote_end(at, &key))
                else {
                    return;
                };
                for end in [mine, theirs] {
                    let (owner, key) = (self.ends[end].owner, self.ends[end].key.clone());
                    let up = Input::Path { key: key.clone(), state: PathState::Up };
                    self.deliver(owner, OPEN_DELAY_MS, up);
                    if !std::mem::replace(&mut self.ends[end].open, true) {
                        self.deliver(owner, OPEN_DELAY_MS, Input::ChannelOpen { key });
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends what `make` builds to the other end of peer `at`'s connection `key`.
    fn over_channel(
        &mut self,
        at: usize,
        key: &ConnKey,
        make: impl FnOnce(ConnKey) -> Input<super::Msg>,
    ) {
        if let Some(remote) = self.remote_end(at, key) {
            let (owner, key) = (self.ends[remote].owner, self.ends[remote].key.clone());
            self.deliver(owner, LATENCY_MS, make(key));
        }
    }

    /// Peer `at`'s end of `key`.
    pub(super) fn end(&self, at: usize, key: &ConnKey) -> Option<usize> {
        self.ends.iter().position(|end| end.owner == at && end.key == *key)
    }

    /// Peer `at` closed its signaling connection: the server tells the room it left.
    fn leave_server(&mut self, at: usize) {
        if !std::mem::take(&mut self.peers[at].on_server) || !self.server_up {
            return;
        }
        let info = self.peers[at].info.clone();
        for other in (0..self.peers.len()).filter(|other| *other != at) {
            if self.peers[other].on_server {
                self.deliver(other, LATENCY_MS, Input::PeerLeft(info.clone()));
            }
        }
    }

    /// One attempt of peer `at` to rejoin: back on the server with the room as it now
    /// is, or the server cannot be reached.
    fn rejoin(&mut self, at: usize) {
        if !self.server_up {
            let (failure, error) = (RejoinFailure::Unreachable, "unreachable".to_owned());
            return self.deliver(at, LATENCY_MS, Input::RejoinFailed { failure, error });
        }
        self.peers[at].on_server = true;
        let info = self.peers[at].info.clone();
        let mut roster = Vec::new();
        for other in (0..self.peers.len()).filter(|other| *other != at) {
            if self.peers[other].on_server {
                roster.push(self.peers[other].info.clone());
                self.deliver(other, LATENCY_MS, Input::PeerJoined(info.clone()));
            }
        }
        self.deliver(at, LATENCY_MS, Input::Rejoined { roster });
    }
}
