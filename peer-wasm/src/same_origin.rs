//! Signals between tabs of one browser: peers of the same room on the same server, in
//! pages of one origin, find each other over a `BroadcastChannel` and pass their offers,
//! answers and candidates through it instead of the server (one hop inside the browser
//! instead of two trips over the network). The server stays the authority: ids and
//! membership come from it, a signal is taken only from a peer it has in the room (the
//! machine checks), and a peer not found nearby is signaled through the server, as is
//! everyone while the server is gone (the machine sends nothing then).
//!
//! The channel's messages are plain objects: `{kind: "hello", from}` when a peer starts
//! (answered by `{kind: "here", from}` from each peer already there), `{kind: "gone",
//! from}` when it closes, and `{kind: "signal", from, to, signal}` with the signal as
//! JSON text. Pages of one origin trust each other (they run the same site's code).

use crate::core::Input;
use crate::reporter::PeerInput;
use crate::wire::{self, set, string};
use futures_channel::mpsc::UnboundedSender;
use gloo_events::EventListener;
use js_sys::Object;
use signaling_protocol::{PeerId, Signal};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

/// Most peers remembered as nearby (pages of one browser: a few dozen at most).
const MAX_NEARBY: usize = 1024;

/// This peer's end of its room's channel between tabs.
pub(crate) struct SameOrigin {
    channel: BroadcastChannel,
    me: PeerId,
    nearby: Rc<RefCell<Vec<PeerId>>>,
    _listener: EventListener,
}

impl SameOrigin {
    /// Opens the channel of `room` on the server at `url` and says hello; what arrives
    /// for `me` goes to `inputs`. `None` where there is no `BroadcastChannel`.
    pub fn open(
        url: &str,
        room: &str,
        me: &PeerId,
        inputs: UnboundedSender<PeerInput>,
    ) -> Option<Self> {
        let channel = BroadcastChannel::new(&format!("peer-wasm {url} {room}")).ok()?;
        let nearby = Rc::new(RefCell::new(Vec::new()));
        let listener = {
            let (channel, me, nearby) = (channel.clone(), me.clone(), Rc::clone(&nearby));
            EventListener::new(&channel.clone(), "message", move |event| {
                let data = event.unchecked_ref::<MessageEvent>().data();
                let (Some(kind), Some(from)) = (string(&data, "kind"), string(&data, "from"))
                else {
                    return;
                };
                let from = PeerId::new(from);
                match kind.as_str() {
                    "hello" | "here" => {
                        let mut nearby = nearby.borrow_mut();
                        if !nearby.contains(&from) && nearby.len() < MAX_NEARBY {
                            nearby.push(from);
                        }
                        if kind == "hello" {
                            post(&channel, "here", &me, None);
                        }
                    }
                    "gone" => nearby.borrow_mut().retain(|peer| *peer != from),
                    "signal" if string(&data, "to").as_deref() == Some(me.as_str()) => {
                        let signal =
                            string(&data, "signal").and_then(|text| wire::decode_signal(&text));
                        if let Some(signal) = signal {
                            let _ = inputs.unbounded_send(Input::Signal { from, signal });
                        }
                    }
                    _ => {}
                }
            })
        };
        post(&channel, "hello", me, None);
        Some(Self { channel, me: me.clone(), nearby, _listener: listener })
    }

    /// Whether `peer` is in a tab of this browser, so a signal to it can go this way.
    pub fn carries(&self, peer: &PeerId) -> bool {
        self.nearby.borrow().contains(peer)
    }

    /// Sends `signal` to the nearby peer `to`.
    pub fn send(&self, to: &PeerId, signal: &Signal) {
        post(&self.channel, "signal", &self.me, Some((to, signal)));
    }
}

impl Drop for SameOrigin {
    fn drop(&mut self) {
        post(&self.channel, "gone", &self.me, None);
        self.channel.close();
    }
}

fn post(channel: &BroadcastChannel, kind: &str, me: &PeerId, signal: Option<(&PeerId, &Signal)>) {
    let message = Object::new();
    set(&message, "kind", kind.into());
    set(&message, "from", me.as_str().into());
    if let Some((to, signal)) = signal {
        set(&message, "to", to.as_str().into());
        set(&message, "signal", wire::encode_signal(signal).into());
    }
    // A closed channel refuses: the peer is closing, nothing is lost that it needed.
    let _ = channel.post_message(&JsValue::from(message));
}
