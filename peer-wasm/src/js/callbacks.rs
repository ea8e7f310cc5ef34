//! Delivers [`PeerEvent`]s to the callbacks a JS page registered.

use crate::api::events::PeerEvent;
use crate::log;
use js_sys::{Array, Function, Object, Reflect};
use signaling_protocol::PeerInfo;
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};

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
                let message = Object::new();
                set(&message, "from", &from.id.as_str().into());
                set(&message, "fromName", &from.name.as_str().into());
                set(&message, "data", &payload.to_js());
                self.call(Kind::Message, &message, &none);
            }
            PeerEvent::Broadcast { from, payload } => {
                let message = Object::new();
                set(&message, "from", &from.id.as_str().into());
                set(&message, "fromName", &from.name.as_str().into());
                set(&message, "data", &payload.to_js());
                set(&message, "broadcast", &true.into());
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
