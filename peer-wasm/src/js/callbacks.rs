//! Delivers [`PeerEvent`]s to the callbacks a JS page registered.

use crate::api::events::PeerEvent;
use crate::log;
use crate::transport::plain_messages::message_event;
use js_sys::{Array, Function, Object, Reflect};
use signaling_protocol::PeerInfo;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

/// Senders whose id and name are kept as JS strings: a message's sender is turned
/// into JS text once, not per message (each conversion decodes UTF-8 in JS).
const SENDERS_KEPT: usize = 32;

/// The callback slots, one per kind of event.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    Message,
    PeerJoined,
    PeerLeft,
    Connected,
    Disconnected,
    SignalingClosed,
    SignalingState,
}

const KINDS: usize = 7;

/// The registered callbacks. Each is cloned out before it is called, so a callback may
/// register or remove callbacks itself.
#[derive(Default)]
pub(crate) struct Callbacks {
    slots: RefCell<[Option<Function>; KINDS]>,
    /// The latest senders: id, name, and both as JS strings (oldest first).
    senders: RefCell<Vec<(String, String, JsValue, JsValue)>>,
}

impl Callbacks {
    /// Registers (or, with `None`, removes) the callback for `kind`.
    pub fn set(&self, kind: Kind, callback: Option<Function>) {
        self.slots.borrow_mut()[kind as usize] = callback;
    }

    /// Calls the callbacks registered for this event, if any.
    pub fn dispatch(&self, event: PeerEvent) {
        let none = JsValue::UNDEFINED;
        match event {
            PeerEvent::Message { from, payload } => {
                let (id, name) = self.sender(&from);
                let message = message_event(&id, &name, &payload.to_js(), false);
                self.call(Kind::Message, &message, &none);
            }
            PeerEvent::Broadcast { from, payload } => {
                let (id, name) = self.sender(&from);
                let message = message_event(&id, &name, &payload.to_js(), true);
                self.call(Kind::Message, &message, &none);
            }
            PeerEvent::PeerJoined(peer) => self.call(Kind::PeerJoined, &peer_info_js(&peer), &none),
            PeerEvent::PeerLeft(peer) => self.call(Kind::PeerLeft, &peer_info_js(&peer), &none),
            PeerEvent::Connected(peer) => self.call(Kind::Connected, &peer_info_js(&peer), &none),
            PeerEvent::Disconnected { peer, reason } => {
                let argument = peer_info_js(&peer);
                set(argument.unchecked_ref(), "reason", &reason.into());
                self.call(Kind::Disconnected, &argument, &none);
            }
            PeerEvent::SignalingClosed { reason } => {
                // Told as the end (`onSignalingClosed`) and as a state.
                self.call(Kind::SignalingClosed, &reason.as_str().into(), &none);
                self.call(Kind::SignalingState, &"closed".into(), &reason.into());
            }
            PeerEvent::SignalingReconnecting { reason } => {
                self.call(Kind::SignalingState, &"reconnecting".into(), &reason.into());
            }
            PeerEvent::SignalingReconnected => {
                self.call(Kind::SignalingState, &"connected".into(), &none);
            }
        }
    }

    /// The sender's id and name as JS strings, made once while it is among the latest
    /// [`SENDERS_KEPT`] senders.
    fn sender(&self, from: &PeerInfo) -> (JsValue, JsValue) {
        let mut senders = self.senders.borrow_mut();
        let same = |(id, name, ..): &&(String, String, JsValue, JsValue)| {
            *id == from.id.as_str() && *name == from.name
        };
        if let Some((.., id, name)) = senders.iter().find(same) {
            return (id.clone(), name.clone());
        }
        if senders.len() == SENDERS_KEPT {
            senders.remove(0);
        }
        let (id, name) = (JsValue::from_str(from.id.as_str()), JsValue::from_str(&from.name));
        senders.push((from.id.as_str().to_owned(), from.name.clone(), id.clone(), name.clone()));
        (id, name)
    }

    fn call(&self, kind: Kind, argument: &JsValue, second: &JsValue) {
        let callback = self.slots.borrow()[kind as usize].clone();
        if let Some(callback) = callback
            && let Err(error) = callback.call2(&JsValue::NULL, argument, second)
        {
            // A throwing callback must not stop the peer; the page still sees why.
            log::warn("an event callback threw:");
            web_sys::console::error_1(&error);
        }
    }
}

/// `{id, name}` as a plain JS object.
pub(crate) fn peer_info_js(peer: &PeerInfo) -> JsValue {
    let object = Object::new();
    set(&object, "id", &peer.id.as_str().into());
    set(&object, "name", &peer.name.as_str().into());
    object.into()
}

/// `[{id, name}, ...]` as a JS array.
pub(crate) fn peer_list_js(peers: &[PeerInfo]) -> JsValue {
    peers.iter().map(peer_info_js).collect::<Array>().into()
}

fn set(object: &Object, key: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &key.into(), value);
}
