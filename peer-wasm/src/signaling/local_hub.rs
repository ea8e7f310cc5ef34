//! An in-page signaling hub: several [`crate::Peer`]s of one page introduced to each
//! other without a server. For tests and single-page demos; it plays the server's part
//! of the protocol for one room (a challenge, ids derived from keys, sender stamped
//! here). It trusts the page: a join's proof is not checked (the peers still check each
//! other's signals).

use crate::error::PeerError;
use crate::signaling::link::{SignalingEvent, SignalingLink, SignalingTransport};
use futures_channel::mpsc::{self, UnboundedSender};
use signaling_protocol::{
    ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage, peer_id_for, validate_key,
};
use std::cell::RefCell;
use std::rc::Rc;

/// One room living in the page. Clone it to share it; each [`LocalHub::link`] is one
/// peer's connection to it.
#[derive(Clone, Default)]
pub struct LocalHub {
    members: Rc<RefCell<Members>>,
}

#[derive(Default)]
struct Members {
    /// Joined members, in join order.
    joined: Vec<(PeerInfo, UnboundedSender<SignalingEvent>)>,
}

impl Members {
    fn deliver(&self, to: &PeerId, message: ServerMessage) -> bool {
        let target = self.joined.iter().find(|(info, _)| &info.id == to);
        target.is_some_and(|(_, outbox)| {
            outbox.unbounded_send(SignalingEvent::Message(message)).is_ok()
        })
    }

    fn broadcast(&self, except: &PeerId, message: &ServerMessage) {
        for (_, outbox) in self.joined.iter().filter(|(info, _)| &info.id != except) {
            let _ = outbox.unbounded_send(SignalingEvent::Message(message.clone()));
        }
    }
}

impl LocalHub {
    /// A new, empty room.
    pub fn new() -> Self {
        Self::default()
    }

    /// Closes every link, as a signaling server going away would: open data channels
    /// are not affected.
    pub fn shut_down(&self) {
        let members = std::mem::take(&mut self.members.borrow_mut().joined);
        for (_, outbox) in members {
            let closed = SignalingEvent::Closed { reason: "the hub shut down".into() };
            let _ = outbox.unbounded_send(closed);
            outbox.close_channel();
        }
    }

    /// A signaling link for one more peer of this room.
    pub fn link(&self) -> SignalingLink {
        let (outbox, events) = mpsc::unbounded();
        let challenge = ServerMessage::Challenge { nonce: "local".into() };
        let _ = outbox.unbounded_send(SignalingEvent::Message(challenge));
        let members = Rc::clone(&self.members);
        let transport = HubTransport { members, id: RefCell::new(None), outbox };
        SignalingLink { transport: Rc::new(transport), events }
    }
}

struct HubTransport {
    members: Rc<RefCell<Members>>,
    /// The id of the key it joined with, once joined.
    id: RefCell<Option<PeerId>>,
    outbox: UnboundedSender<SignalingEvent>,
}

impl HubTransport {
    fn reply(&self, message: ServerMessage) {
        let _ = self.outbox.unbounded_send(SignalingEvent::Message(message));
    }

    /// Refuses a message as the server would; `to` names a refused signal's target.
    fn refuse(&self, code: ErrorCode, to: Option<&PeerId>) {
        let message = code.description().into();
        self.reply(ServerMessage::Error { code, message, to: to.cloned() });
    }
}

impl SignalingTransport for HubTransport {
    fn send(&self, message: &ClientMessage) -> Result<(), PeerError> {
        if self.outbox.is_closed() {
            return Err(PeerError::SignalingClosed);
        }
        let mut members = self.members.borrow_mut();
        let seat = members.joined.iter().position(|(_, out)| out.same_receiver(&self.outbox));
        let joined = seat.is_some();
        let me = self.id.borrow().clone().unwrap_or_else(|| PeerId::new(""));
        match message.clone() {
            ClientMessage::Join { .. } if joined => self.refuse(ErrorCode::AlreadyJoined, None),
            ClientMessage::Join { key, .. } if validate_key(&key).is_err() => {
                self.refuse(ErrorCode::InvalidKey, None);
            }
            // One page's own hub has one room and no strangers: the secret is not needed.
            ClientMessage::Join { room, name, key, .. } => {
                let id = peer_id_for(&key);
                self.id.replace(Some(id.clone()));
                let info = PeerInfo { id: id.clone(), name, key: Some(key) };
                // The same key again: this link takes the earlier one's place.
                let earlier = members.joined.iter().position(|(held, _)| held.id == id);
                let took_over = earlier.map(|index| members.joined.remove(index).1);
                if let Some(earlier) = &took_over {
                    let reason = "another link joined with the same key".into();
                    let _ = earlier.unbounded_send(SignalingEvent::Replaced { reason });
                }
                let peers = members.joined.iter().map(|(info, _)| info.clone()).collect();
                let ice_servers = Vec::new();
                self.reply(ServerMessage::Welcome { id: id.clone(), room, peers, ice_servers });
                if took_over.is_none() {
                    members.broadcast(&id, &ServerMessage::PeerJoined { peer: info.clone() });
                }
                members.joined.push((info, self.outbox.clone()));
            }
            ClientMessage::Signal { to, .. } if !joined => {
                self.refuse(ErrorCode::NotJoined, Some(&to))
            }
            ClientMessage::Signal { to, .. } if to == me => {
                self.refuse(ErrorCode::SignalToSelf, Some(&to))
            }
            ClientMessage::Signal { to, signal } => {
                let relayed = ServerMessage::Signal { from: me, signal };
                if !members.deliver(&to, relayed) {
                    self.refuse(ErrorCode::UnknownPeer, Some(&to));
                }
            }
        }
        Ok(())
    }

    fn close(&self) {
        let mut members = self.members.borrow_mut();
        let seat = members.joined.iter().position(|(_, out)| out.same_receiver(&self.outbox));
        if let Some(index) = seat {
            let (me, _) = members.joined.remove(index);
            members.broadcast(&me.id.clone(), &ServerMessage::PeerLeft { peer: me });
        }
        let closed = SignalingEvent::Closed { reason: "closed by this peer".into() };
        let _ = self.outbox.unbounded_send(closed);
        self.outbox.close_channel();
    }
}

impl Drop for HubTransport {
    fn drop(&mut self) {
        self.close();
    }
}
