// Where a round trip's time goes inside each library (`?trace=1`): how long from the
// library's send call to its `RTCDataChannel.send` (the send path), and from the
// channel's `message` event to the page's handler (the receive path). Both ends stamp
// the same way, by wrapping `RTCDataChannel`'s prototype once when this module loads
// (before any library makes a channel); only one message is in flight in a round trip,
// so one stamp of each kind at a time is enough.

const enabled = new URLSearchParams(location.search).has("trace");
let calledAt = null;
let eventAt = null;
const sendPath = [];
const receivePath = [];
const listenerTotal = [];

if (enabled) {
  const proto = RTCDataChannel.prototype;
  const send = proto.send;
  proto.send = function (data) {
    if (calledAt !== null) sendPath.push(performance.now() - calledAt);
    calledAt = null;
    return send.call(this, data);
  };
  const stamped = (listener) => function (event) {
    const at = performance.now();
    eventAt = at;
    try {
      return typeof listener === "function" ? listener.call(this, event) : listener.handleEvent(event);
    } finally {
      listenerTotal.push(performance.now() - at);
    }
  };
  const wrappers = new WeakMap();
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  proto.addEventListener = function (type, listener, options) {
    if (type !== "message" || !listener) return add.call(this, type, listener, options);
    if (!wrappers.has(listener)) wrappers.set(listener, stamped(listener));
    return add.call(this, type, wrappers.get(listener), options);
  };
  proto.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, (type === "message" && wrappers.get(listener)) || listener, options);
  };
  const onmessage = Object.getOwnPropertyDescriptor(proto, "onmessage");
  Object.defineProperty(proto, "onmessage", {
    ...onmessage,
    set(fn) { onmessage.set.call(this, fn ? stamped(fn) : fn); },
  });
}

/** Called by an endpoint right before its library's send. */
export function calling() {
  if (enabled) calledAt = performance.now();
}

/** Called by an endpoint right as its library hands it a message. */
export function delivered() {
  if (enabled && eventAt !== null) receivePath.push(performance.now() - eventAt);
  eventAt = null;
}

/** Forgets what was stamped so far (before the pings that count). */
export function resetTrace() {
  sendPath.length = 0;
  receivePath.length = 0;
  listenerTotal.length = 0;
}

const median = (values) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[sorted.length >> 1];
};

/**
 * What was stamped since the last reset, or null when tracing is off: the medians (µs)
 * of the send and receive paths, and the median time (µs) the `message` listener ran in
 * all (the handler and whatever the library does after it, before the next task).
 */
export function traced() {
  return enabled
    ? { sendUs: median(sendPath) * 1000, receiveUs: median(receivePath) * 1000, listenerUs: median(listenerTotal) * 1000 }
    : null;
}
