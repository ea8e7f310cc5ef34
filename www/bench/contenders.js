// The four contenders, each as pair(): two connected endpoints in this page, of one shape:
//   { a, b, connectMs, close() }
// where an endpoint has
//   send(bytes)        queues one message, awaiting only as its library's best practice says
//   flush()            resolves once everything sent was handed to the data channel
//   onMessage(fn)      fn(Uint8Array) for every message (replaces the previous fn)
// and connectMs is the time from the library's connect call to open on both sides.
// `mesh` names the kind of peers mesh.html makes for the mesh-formation rows (mesh.js);
// contenders without one have no such rows.
import init, { Peer } from "/pkg/peer_wasm.js";

/** Raw channel: pause above 64 KiB buffered, resume on `bufferedamountlow` at 32 KiB. */
const RAW_HIGH_WATER = 64 * 1024;
const RAW_LOW_WATER = 32 * 1024;
/** Ours, "ready1m": await `ready()` once more than 1 MiB is queued. */
const OURS_READY_ABOVE = 1 << 20;
/** simple-peer's own high-water mark (MAX_BUFFERED_AMOUNT in its index.js). */
const SIMPLE_PEER_HIGH_WATER = 64 * 1024;

const once = (target, event) =>
  new Promise((resolve) => target.addEventListener(event, resolve, { once: true }));
const toBytes = (data) => (data instanceof Uint8Array ? data : new Uint8Array(data));
const resolved = Promise.resolve();

/** Holds one message handler, so a pair can be reused by a second transfer. */
function handlerSlot() {
  let fn = () => {};
  return { set: (next) => { fn = next; }, call: (data) => fn(toBytes(data)) };
}

/** Plain RTCPeerConnections signaled in-page; bufferedamountlow backpressure. */
async function rawPair() {
  const started = performance.now();
  const pa = new RTCPeerConnection();
  const pb = new RTCPeerConnection();
  pa.onicecandidate = (e) => e.candidate && pb.addIceCandidate(e.candidate);
  pb.onicecandidate = (e) => e.candidate && pa.addIceCandidate(e.candidate);
  const ca = pa.createDataChannel("bench");
  const incoming = new Promise((resolve) => { pb.ondatachannel = (e) => resolve(e.channel); });
  await pa.setLocalDescription();
  await pb.setRemoteDescription(pa.localDescription);
  await pb.setLocalDescription();
  await pa.setRemoteDescription(pb.localDescription);
  const cb = await incoming;
  await Promise.all([ca.readyState === "open" || once(ca, "open"), cb.readyState === "open" || once(cb, "open")]);
  const connectMs = performance.now() - started;
  const endpoint = (ch) => {
    const slot = handlerSlot();
    ch.binaryType = "arraybuffer";
    ch.bufferedAmountLowThreshold = RAW_LOW_WATER;
    ch.onmessage = (e) => slot.call(e.data);
    return {
      send(data) {
        ch.send(data);
        return ch.bufferedAmount > RAW_HIGH_WATER ? once(ch, "bufferedamountlow") : resolved;
      },
      async flush() {
        while (ch.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 1));
      },
      onMessage: slot.set,
    };
  };
  return { a: endpoint(ca), b: endpoint(cb), connectMs, close() { pa.close(); pb.close(); } };
}

let wasmReady = null;
let roomCount = 0;

/**
 * Two of our Peers in this page, introduced by the real signaling server; with
 * `sameOrigin`, they signal each other over a BroadcastChannel (as tabs of one browser
 * do by default), else every signal goes through the server.
 */
async function oursPair(strategy, sameOrigin) {
  wasmReady ??= init();
  await wasmReady;
  const url = `ws://${location.host}/ws`;
  const room = `bench-${Date.now()}-${roomCount++}`;
  const options = { sameOriginSignaling: sameOrigin };
  const pa = await Peer.join(url, room, "A", options);
  const pb = await Peer.join(url, room, "B", options);
  while (!pa.peers().some((p) => p.id === pb.id)) await new Promise((r) => setTimeout(r, 1));
  const started = performance.now();
  const bOpen = new Promise((resolve) => pb.onConnected(resolve));
  await Promise.all([pa.connect(pb.id), bOpen]);
  const connectMs = performance.now() - started;
  const endpoint = (peer, other) => {
    const slot = handlerSlot();
    peer.onMessage((m) => slot.call(m.data));
    const id = other.id;
    return {
      send(data) {
        peer.sendTo(id, data);
        if (strategy === "ready1m" && peer.bufferedAmount(id) > OURS_READY_ABOVE) return peer.ready(id);
        return resolved;
      },
      flush: () => peer.ready(id),
      onMessage: slot.set,
    };
  };
  return { a: endpoint(pa, pb), b: endpoint(pb, pa), connectMs, close() { pa.close(); pb.close(); } };
}

/** Two PeerJS peers registered on the local PeerJS server (port from the query string). */
async function peerjsPair(port) {
  const options = {
    host: "127.0.0.1", port, path: "/", secure: false, debug: 0, config: { iceServers: [] },
  };
  const open = (peer) =>
    new Promise((resolve, reject) => { peer.on("open", resolve); peer.on("error", reject); });
  const pa = new window.peerjs.Peer(options);
  const pb = new window.peerjs.Peer(options);
  await Promise.all([open(pa), open(pb)]);
  const started = performance.now();
  const incoming = new Promise((resolve) => pb.on("connection", (c) => c.on("open", () => resolve(c))));
  const ca = pa.connect(pb.id, { reliable: true, serialization: "raw" });
  const [cb] = await Promise.all([incoming, new Promise((resolve) => ca.on("open", resolve))]);
  const connectMs = performance.now() - started;
  // PeerJS queues itself: straight into the channel up to 8 MiB buffered, past that in
  // its own array, retried every 50 ms. Its documented usage is a plain send().
  const endpoint = (c) => {
    const slot = handlerSlot();
    c.on("data", slot.call);
    return {
      send(data) { c.send(data); return resolved; },
      async flush() {
        while (c.bufferSize > 0 || c.dataChannel.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 1));
      },
      onMessage: slot.set,
    };
  };
  return { a: endpoint(ca), b: endpoint(cb), connectMs, close() { pa.destroy(); pb.destroy(); } };
}

/** Two simple-peer instances signaled in-page (trickle ICE). */
async function simplePeerPair(strategy) {
  const started = performance.now();
  const options = { trickle: true, config: { iceServers: [] } };
  const pa = new window.SimplePeer({ ...options, initiator: true });
  const pb = new window.SimplePeer(options);
  pa.on("signal", (s) => pb.signal(s));
  pb.on("signal", (s) => pa.signal(s));
  await Promise.all([new Promise((r) => pa.on("connect", r)), new Promise((r) => pb.on("connect", r))]);
  const connectMs = performance.now() - started;
  const endpoint = (p) => {
    const slot = handlerSlot();
    p.on("data", slot.call);
    return {
      send(data) {
        if (strategy === "drain") {
          // The duplex-stream way its README shows: write(), and on false wait for drain.
          return p.write(data) ? resolved : new Promise((r) => p.once("drain", r));
        }
        // send() straight to the channel; its public bufferSize is the channel's
        // bufferedAmount, and it sets bufferedAmountLowThreshold to its 64 KiB mark.
        p.send(data);
        return p.bufferSize > SIMPLE_PEER_HIGH_WATER ? once(p._channel, "bufferedamountlow") : resolved;
      },
      async flush() {
        while (p.writableLength > 0 || p.bufferSize > 0) await new Promise((r) => setTimeout(r, 1));
      },
      onMessage: slot.set,
    };
  };
  return { a: endpoint(pa), b: endpoint(pb), connectMs, close() { pa.destroy(); pb.destroy(); } };
}

/**
 * The contenders in table order (raw JS first: every ratio is to it). `choices` may
 * override a library's sending strategy (`?ours=sendall`, `?simplepeer=drain`) and
 * `?only=NAME` keeps one library; the defaults are the fastest measured (docs/BENCHMARKS.md).
 */
export function contenders({ peerjsPort, choices }) {
  const ours = choices.get("ours") || "ready1m";
  const simple = choices.get("simplepeer") || "send";
  const only = choices.get("only");
  const all = [
    { name: "raw JS", strategy: "send; above 64 KiB buffered wait for bufferedamountlow (32 KiB)", pair: rawPair, mesh: "raw" },
    {
      name: "peer-wasm",
      strategy: ours === "ready1m" ? "sendTo; above 1 MiB buffered await ready()" : "sendTo everything, then await ready()",
      pair: () => oursPair(ours, false),
      mesh: "server",
    },
    {
      name: "peer-wasm, tabs",
      strategy: "as peer-wasm; signals over a BroadcastChannel, not the server",
      pair: () => oursPair(ours, true),
      mesh: "broadcast",
    },
    { name: "PeerJS", strategy: 'send() (serialization "raw"); PeerJS queues', pair: () => peerjsPair(peerjsPort) },
    {
      name: "simple-peer",
      strategy: simple === "drain" ? "write(); on false wait for drain" : "send(); above 64 KiB bufferSize wait for bufferedamountlow",
      pair: () => simplePeerPair(simple),
    },
  ];
  // `?only=NAME` keeps raw JS (the ratios need it) and NAME.
  return only ? all.filter((c, i) => i === 0 || c.name === only) : all;
}
