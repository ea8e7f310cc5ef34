// The two ends of one benchmark pair talk over a BroadcastChannel of the pair's own name:
// the libraries' signals where a library leaves signaling to the page (raw JS,
// simple-peer), ids where it has a server (peer-wasm, PeerJS), and the page's orders to
// the far end (see far.js). A BroadcastChannel delivers to every other object of its
// name, in this page or another tab, so the same code serves both layouts.

/** The clock every tab shares (ms): each tab's own origin plus its monotonic time. */
export const clock = () => performance.timeOrigin + performance.now();

/**
 * One end of a pair's channel: `post(message)`, `next(type)` (the next message of
 * `type`, kept if it came before anyone asked), `on(type, fn)` (every message of `type`,
 * those kept so far first), `close()`.
 */
export function link(name) {
  const channel = new BroadcastChannel(name);
  const kept = new Map();
  const waiting = new Map();
  const listeners = new Map();
  channel.onmessage = ({ data }) => {
    const listener = listeners.get(data.type);
    const waiter = waiting.get(data.type)?.shift();
    if (listener) listener(data);
    else if (waiter) waiter(data);
    else (kept.get(data.type) ?? kept.set(data.type, []).get(data.type)).push(data);
  };
  return {
    post: (message) => channel.postMessage(message),
    next(type) {
      const early = kept.get(type)?.shift();
      if (early) return Promise.resolve(early);
      return new Promise((resolve) => (waiting.get(type) ?? waiting.set(type, []).get(type)).push(resolve));
    },
    on(type, fn) {
      listeners.set(type, fn);
      for (const early of kept.get(type)?.splice(0) ?? []) fn(early);
    },
    close: () => channel.close(),
  };
}
