//! The JS side of a connection's reliable channel, for the JS API: plain messages (a
//! string, or a `Uint8Array`, in one frame) go between the page and the channel without
//! entering the module, both ways.
//!
//! - Receiving: the channel's `message` listener hands a `s` text frame or a binary frame
//!   that starts a message straight to the page's `onMessage`. Everything else goes to
//!   the module's listener, and so does everything while the page has no `onMessage`
//!   (a peer used from Rust never has one).
//! - Sending: the JS `Peer` object's own `sendTo`, `sendMessage` and `bufferedAmount`
//!   ([`MessageSink::answer_first_for`]) answer in JS without calling into the module: a
//!   string or `Uint8Array` within the remote's frame limit goes into the channel when
//!   nothing is queued before it and the channel's buffer is below the high-water mark
//!   (for `sendMessage`, on every connection, or none). Otherwise they call the class's
//!   methods: the module's path (the queue, chunks, or an error saying why not).
//!
//! Why: each message crossing into the module and back cost 10-25 µs per end (the
//! event and its data into WASM, the id string copied in, the machine, the event back
//! out), in a round trip of about 500 µs between two tabs here. On this path the
//! receive side takes 5 µs (20-30 through the module; raw JS 5) and the send side 5
//! (10-20 through the module; raw JS 0-5), by
//! `bash scripts/bench.sh --page-args "steps=rtt&trace=1"`.
//!
//! The machine still decides. The driver opens this path when the machine reports the
//! connection open (`Connected`, after any message that came early) and shuts it when
//! the machine closes or releases it. The module's listener shuts the receiving side
//! while a frame in progress (a chunked or typed message, a broadcast, a file) makes the
//! next frame its own, and the send queue shuts the sending side while it holds frames,
//! so no message overtakes another. A message taken here is a sign of life: the driver
//! tells the machine before it checks for silent peers ([`PlainMessages::take_heard`]).
//!
//! It also builds the `onMessage` argument of the messages that go through the module,
//! so both paths give the page the same object.

use crate::transport::send_queue::HIGH_WATER_BYTES;
use js_sys::{Function, Object};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use web_sys::{MessageEvent, RtcDataChannel};

#[wasm_bindgen(inline_js = r#"
export function message_event(from, fromName, data, broadcast) {
  return broadcast ? { from, fromName, data, broadcast } : { from, fromName, data };
}
export function plain_listener(channel, link, sink, module) {
  const listener = (event) => {
    const handler = sink.handler;
    if (link.plain && handler) {
      const data = event.data;
      let message;
      if (typeof data !== "string") message = new Uint8Array(data);
      else if (data.charCodeAt(0) === 115) message = data.slice(1);
      if (message !== undefined) {
        link.heard = true;
        try {
          handler({ from: link.from, fromName: link.fromName, data: message });
        } catch (error) {
          console.warn("peer-wasm: an event callback threw:");
          console.error(error);
        }
        return;
      }
    }
    module(event);
  };
  channel.addEventListener("message", listener);
  return () => channel.removeEventListener("message", listener);
}
export function set_plain(link, plain) { link.plain = plain; }
export function set_sendable(link, sendable) { link.sendable = sendable; }
export function open_link(link, sink, from, fromName, channel, maxFrame) {
  Object.assign(link, { from, fromName, channel, maxFrame });
  sink.links.set(from, link);
}
export function close_link(link, sink) {
  if (sink.links.get(link.from) === link) sink.links.delete(link.from);
}
export function take_heard(link) { const heard = link.heard; link.heard = false; return heard; }
export function new_sink() { return { handler: null, links: new Map() }; }
export function set_handler(sink, handler) { sink.handler = handler; }
export function shut_sink(sink) { sink.handler = null; sink.links.clear(); }
export function js_first(peer, sink, highWater) {
  const proto = Object.getPrototypeOf(peer);
  const method = (value) => ({ value, writable: true, configurable: true });
  Object.defineProperties(peer, {
    sendTo: method(function (id, data, options) {
      if (options == null && try_send(sink, id, data, highWater)) return;
      return proto.sendTo.call(this, id, data, options);
    }),
    sendMessage: method(function (data, options) {
      const sent = options == null ? try_send_all(sink, data, highWater) : -1;
      return sent >= 0 ? sent : proto.sendMessage.call(this, data, options);
    }),
    bufferedAmount: method(function (id) {
      const bytes = buffered_amount(sink, id);
      return bytes >= 0 ? bytes : proto.bufferedAmount.call(this, id);
    }),
  });
}
function buffered_amount(sink, id) {
  const link = sink.links.get(id);
  return link && link.sendable ? link.channel.bufferedAmount : -1;
}
const isBytes = (data) => Object.prototype.toString.call(data) === "[object Uint8Array]";
const takes = (link, data, highWater) =>
  link.sendable && link.channel.bufferedAmount < highWater &&
  (typeof data === "string" ? data.length * 3 < link.maxFrame : data.byteLength <= link.maxFrame);
function try_send(sink, id, data, highWater) {
  const link = sink.links.get(id);
  if (!link || !(typeof data === "string" || isBytes(data)) || !takes(link, data, highWater)) {
    return false;
  }
  try {
    link.channel.send(typeof data === "string" ? "s" + data : data);
  } catch {
    return false;
  }
  return true;
}
function try_send_all(sink, data, highWater) {
  const links = [...sink.links.values()];
  if (links.length === 0 || !(typeof data === "string" || isBytes(data))) return -1;
  if (!links.every((link) => takes(link, data, highWater))) return -1;
  const frame = typeof data === "string" ? "s" + data : data;
  let sent = 0;
  for (const link of links) {
    try {
      link.channel.send(frame);
      sent++;
    } catch {
      // Its channel closed under us (the close event is on its way): as a lost message.
    }
  }
  return sent;
}
"#)]
extern "C" {
    /// The argument of `onMessage`, made in one call with literal keys (setting each
    /// property from here would cross into JS, and decode its key, once per property).
    pub(crate) fn message_event(
        from: &JsValue,
        from_name: &JsValue,
        data: &JsValue,
        broadcast: bool,
    ) -> JsValue;
    fn plain_listener(
        channel: &RtcDataChannel,
        link: &Object,
        sink: &Object,
        module: &Closure<dyn FnMut(MessageEvent)>,
    ) -> Function;
    fn set_plain(link: &Object, plain: bool);
    fn set_sendable(link: &Object, sendable: bool);
    fn open_link(
        link: &Object,
        sink: &Object,
        from: &JsValue,
        from_name: &JsValue,
        channel: &RtcDataChannel,
        max_frame: usize,
    );
    fn close_link(link: &Object, sink: &Object);
    fn take_heard(link: &Object) -> bool;
    fn new_sink() -> Object;
    fn set_handler(sink: &Object, handler: &JsValue);
    fn shut_sink(sink: &Object);
    fn js_first(peer: &JsValue, sink: &Object, high_water: u32);
}

/// Where a peer's plain messages go: the page's `onMessage` (shared by all of the peer's
/// connections; none for a peer used from Rust, whose messages all go through the
/// module).
#[derive(Clone)]
pub(crate) struct MessageSink(Object);

impl MessageSink {
    pub fn new() -> Self {
        Self(new_sink())
    }

    /// Gives the JS object of a `Peer` its own `sendTo`, `sendMessage` and
    /// `bufferedAmount`, which answer from JS when they can and call the class's methods
    /// (the module's path) when not. `sendTo` and `sendMessage` without options send a
    /// string or `Uint8Array` within the remote's frame limit straight into the channel
    /// when the connection is open, nothing is queued before it and the channel's buffer
    /// is below [`HIGH_WATER_BYTES`] (for `sendMessage`, on every connection, or none);
    /// a channel that throws while closing is skipped, as a lost message.
    /// `bufferedAmount` reads the channel's while the queue is idle (then every byte
    /// waiting is in the channel's buffer). Otherwise the module queues the message,
    /// chunks it, or says why not.
    pub fn answer_first_for(&self, peer: &JsValue) {
        js_first(peer, &self.0, HIGH_WATER_BYTES);
    }

    /// The peer is gone: no message goes to the page or to a channel from JS any more.
    pub fn shut(&self) {
        shut_sink(&self.0);
    }

    /// Sets (or, with `None`, removes) the page's `onMessage` callback.
    pub fn set_handler(&self, handler: Option<&Function>) {
        set_handler(&self.0, handler.map_or(&JsValue::NULL, |handler| handler.as_ref()));
    }
}

/// What the JS side of one channel knows, and what it was last told.
pub(crate) struct PlainState {
    link: Object,
    sink: Object,
    /// The machine counts the connection open.
    open: Cell<bool>,
    /// No frame in progress: the next one starts a message.
    between: Cell<bool>,
    /// What the JS side was last told (`open && between`).
    plain: Cell<bool>,
    /// The send queue is empty and not closing: a message may go straight out.
    queue_idle: Cell<bool>,
    /// What the JS side was last told (`open && queue_idle`).
    sendable: Cell<bool>,
}

impl PlainState {
    /// The state of a new connection's channel, closed to the JS path until opened.
    pub fn new(sink: &MessageSink) -> Rc<Self> {
        Rc::new(Self {
            link: Object::new(),
            sink: sink.0.clone(),
            open: Cell::new(false),
            between: Cell::new(true),
            plain: Cell::new(false),
            queue_idle: Cell::new(true),
            sendable: Cell::new(false),
        })
    }

    /// Whether the send queue is empty and not closing (told by the queue after each
    /// change): a message sent from JS then overtakes nothing.
    pub fn set_queue_idle(&self, idle: bool) {
        self.queue_idle.set(idle);
        self.tell();
    }

    /// Whether the next frame starts a message (no chunked or typed message, broadcast
    /// or file data in progress), as the module's listener found after a frame.
    pub fn set_between(&self, between: bool) {
        self.between.set(between);
        self.tell();
    }

    fn tell(&self) {
        let plain = self.open.get() && self.between.get();
        if self.plain.replace(plain) != plain {
            set_plain(&self.link, plain);
        }
        let sendable = self.open.get() && self.queue_idle.get();
        if self.sendable.replace(sendable) != sendable {
            set_sendable(&self.link, sendable);
        }
    }
}

/// The message listener of one reliable channel.
pub(crate) struct PlainMessages {
    state: Rc<PlainState>,
    remove: Function,
    _module: Closure<dyn FnMut(MessageEvent)>,
}

impl PlainMessages {
    /// Listens to `channel`'s messages: plain ones go to `sink` once the path is open,
    /// the others (and all of them until then) to `module`, which says after each
    /// frame whether the next one starts a message.
    pub fn listen(
        channel: &RtcDataChannel,
        state: &Rc<PlainState>,
        mut module: impl FnMut(MessageEvent, &PlainState) + 'static,
    ) -> Self {
        let shared = Rc::clone(state);
        let module = Closure::<dyn FnMut(MessageEvent)>::new(move |event| module(event, &shared));
        let remove = plain_listener(channel, &state.link, &state.sink, &module);
        Self { state: Rc::clone(state), remove, _module: module }
    }

    /// The machine counts the connection to `from` (`from_name`) open: plain messages
    /// may take the JS path both ways, sent on `channel` in frames of up to `max_frame`.
    pub fn open(
        &self,
        (from, from_name): (&JsValue, &JsValue),
        channel: &RtcDataChannel,
        max_frame: usize,
    ) {
        let state = &self.state;
        open_link(&state.link, &state.sink, from, from_name, channel, max_frame);
        state.open.set(true);
        state.tell();
    }

    /// The machine released the connection: every frame goes to the module again.
    pub fn close(&self) {
        self.state.open.set(false);
        self.state.tell();
        close_link(&self.state.link, &self.state.sink);
    }

    /// Whether a message took the JS path since the last call.
    pub fn take_heard(&self) -> bool {
        take_heard(&self.state.link)
    }
}

impl Drop for PlainMessages {
    fn drop(&mut self) {
        self.close();
        let _ = self.remove.call0(&JsValue::NULL);
    }
}
