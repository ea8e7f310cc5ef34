//! Which way our signals go (the server, a tab of this browser, the mesh), and signals
//! through the mesh: ours go along a route we pick from the adverts and keep
//! for the whole negotiation (so their order holds while the mesh changes under them);
//! answers go back the way the signal came; a peer on a route passes the signal to the
//! next one; a signal for us is checked as any other (`trust.rs`), and a neighbour that
//! hands us a forgery is disconnected. `docs/PROTOCOL.md`, "Relayed
//! signals".

use super::link::Phase;
use super::mesh::MAX_ADVERTS;
use crate::frames::{MeshFrame, Relayed};
use crate::ids::{ConnKey, Way};
use crate::io::Output;
use crate::state::Core;
use signaling_protocol::{PeerId, Signal};

/// Most peers remembered as in tabs of this browser (a few dozen at most).
const MAX_NEARBY: usize = 1024;

/// Why a neighbour that relays a forged signal is disconnected.
const FORGED: &str = "it relayed a signal that its sender did not sign (forged or altered)";

impl<M: Clone> Core<M> {
    pub(super) fn on_relayed(&mut self, key: &ConnKey, relayed: Relayed) {
        if relayed.to == self.me.id {
            if self.knows(&relayed.from) {
                self.reply_the_way_it_came(&relayed);
                self.signal_arrived(relayed.from, relayed.signal, Some(key.clone()));
            }
            return;
        }
        // Along the sender's route: to the peer after us on it, if our channel to it is
        // open (no detour: order matters more than arrival).
        let at = relayed.route.iter().position(|peer| *peer == self.me.id);
        let next = at.and_then(|at| relayed.route.get(at + 1));
        match next.and_then(|next| self.open_link(next)).map(|link| link.key.clone()) {
            Some(hop) => {
                let frame = MeshFrame::Relay(relayed);
                self.out.push_back(Output::SendMesh { key: hop, frame });
            }
            None => self.out.push_back(Output::Warn(format!(
                "dropped a signal relayed from {} to {}: its route leads nowhere from here",
                relayed.from, relayed.to
            ))),
        }
    }

    /// The neighbour of `key` relayed a signal that fails its check (see `trust.rs`).
    pub(super) fn forged(&mut self, key: &ConnKey) {
        if self.current(key).is_some_and(|link| link.phase.is_usable()) {
            self.begin_closing(&key.peer, FORGED);
        }
    }

    /// Sends `signal` to `to`: through the mesh when the server is gone (or when asked
    /// to prefer it) and a path exists; otherwise, while the server is there, through a
    /// tab of this browser if `to` is in one (one hop inside the browser instead of two
    /// trips over the network), else through the server.
    pub(super) fn send_signal(&mut self, to: PeerId, signal: Signal) {
        if (!self.signaling_open() || self.prefer_mesh)
            && let Some((hop, route)) = self.relay_route(&to)
        {
            self.pin(to.clone(), route.clone());
            let way = Way::Mesh { hop, route };
            return self.out.push_back(Output::Signal { to, signal, way });
        }
        if self.signaling_open() {
            let way = if self.nearby.contains(&to) { Way::Tab } else { Way::Server };
            self.out.push_back(Output::Signal { to, signal, way });
        } else {
            self.out.push_back(Output::Warn(format!(
                "a signal for {to} was not sent: the server is gone and no open channel leads there"
            )));
        }
    }

    /// The driver found `peer` in a tab of this browser (`here`), or lost it.
    pub(super) fn nearby(&mut self, peer: PeerId, here: bool) {
        self.nearby.retain(|nearby| *nearby != peer);
        if here && self.nearby.len() < MAX_NEARBY {
            self.nearby.push(peer);
        }
    }

    /// The way a signal of ours to `to` would take (the channel it starts on, and the
    /// route), if we can sign it and some open channel leads there: the way our last
    /// signal to `to` took while it holds, else a shortest one. A channel whose path is
    /// being restored carries nothing now, so it is no hop.
    pub(super) fn relay_route(&self, to: &PeerId) -> Option<(ConnKey, Vec<PeerId>)> {
        self.me.key.as_ref()?;
        let pinned = self.mesh.pinned.iter().find(|(pinned, _)| pinned == to);
        let holds = |route: &Vec<PeerId>| {
            self.link_in(&route[0], |phase| phase == Phase::Open) && self.mesh.path_holds(route)
        };
        let route = match pinned.map(|(_, route)| route).filter(|route| holds(route)) {
            Some(route) => route.clone(),
            None => {
                let open = self.neighbours(|phase| phase == Phase::Open);
                self.mesh.path(&self.me.id, &open, to)?
            }
        };
        let hop = self.link(&route[0])?.key.clone();
        Some((hop, route))
    }

    /// Our answers to a signal take the way it came, reversed, unless we already have a
    /// way to its sender: that way is known to work now, while our own view of the mesh
    /// may not show one yet (adverts lag behind a mesh that is forming).
    fn reply_the_way_it_came(&mut self, relayed: &Relayed) {
        let has_way = self.mesh.pinned.iter().any(|(peer, _)| *peer == relayed.from);
        if has_way || relayed.route.last() != Some(&self.me.id) {
            return;
        }
        let mut back: Vec<PeerId> = relayed.route.iter().rev().skip(1).cloned().collect();
        back.push(relayed.from.clone());
        self.pin(relayed.from.clone(), back);
    }

    fn pin(&mut self, to: PeerId, route: Vec<PeerId>) {
        self.unpin(&to);
        if self.mesh.pinned.len() >= MAX_ADVERTS {
            self.mesh.pinned.remove(0);
        }
        self.mesh.pinned.push((to, route));
    }

    /// Our signals to `peer` no longer need the way they took (its channel opened, or
    /// the attempt ended).
    pub(super) fn unpin(&mut self, peer: &PeerId) {
        self.mesh.pinned.retain(|(pinned, _)| pinned != peer);
    }
}
