// One pair of connected endpoints per contender, with the same shape:
// { a, b, close() } where an endpoint has send(data) -> Promise (waits as its library's
// own best practice says), onMessage(fn(Uint8Array)).
import init, { Peer } from "../pkg/peer_wasm.js";

const HIGH_WATER = 64 * 1024;
const LOW_WATER = 32 * 1024;
const once = (target, event) => new Promise((resolve) => target.addEventListener(event, resolve, { once: true }));
const toBytes = (data) => (data instanceof Uint8Array ? data : new Uint8Array(data));

/** Plain RTCPeerConnections, signaled in-page; bufferedamountlow backpressure. */
export async function rawPair() {
  const pa = new RTCPeerConnection();
  const pb = new RTCPeerConnection();
  pa.onicecandidate = (e) => e.candidate && pb.addIceCandidate(e.candidate);
  pb.onicecandidate = (e) => e.candidate && pa.addIceCandidate(e.candidate);
  const channel = (pc) => {
    const ch = pc.createDataChannel("bench", { negotiated: true, id: 0 });
    ch.binaryType = "arraybuffer";
    ch.bufferedAmountLowThreshold = LOW_WATER;
    return ch;
  };
  const ca = channel(pa);
  const cb = channel(pb);
  await pa.setLocalDescription();
  await pb.setRemoteDescription(pa.localDescription);
  await pb.setLocalDescription();
  await pa.setRemoteDescription(pb.localDescription);
  await Promise.all([once(ca, "open"), once(cb, "open")]);
  const endpoint = (ch) => ({
    async send(data) {
      if (ch.bufferedAmount > HIGH_WATER) await once(ch, "bufferedamountlow");
      ch.send(data);
    },
    onMessage(fn) { ch.onmessage = (e) => fn(toBytes(e.data)); },
  });
  return { a: endpoint(ca), b: endpoint(cb), close() { pa.close(); pb.close(); } };
}

let wasmReady = null;
let roomCount = 0;

/** Two of our Peers in this page, joined through the real signaling server. */
export async function oursPair() {
  wasmReady ??= init();
  await wasmReady;
  const url = `ws://${location.host}/ws`;
  const room = `bench-${Date.now()}-${roomCount++}`;
  const pa = await Peer.join(url, room, "A");
  const pb = await Peer.join(url, room, "B");
  while (!pa.peers().some((p) => p.id === pb.id)) await new Promise((r) => setTimeout(r, 1));
  const bOpen = new Promise((resolve) => pb.onConnected(resolve));
  const started = performance.now();
  await Promise.all([pa.connect(pb.id), bOpen]);
  const connectMs = performance.now() - started;
  const endpoint = (peer, other) => ({
    async send(data) {
      peer.sendTo(other.id, data);
      if (peer.bufferedAmount(other.id) > 1 << 20) await peer.ready(other.id);
    },
    onMessage(fn) { peer.onMessage((m) => fn(m.data)); },
  });
  return { a: endpoint(pa, pb), b: endpoint(pb, pa), connectMs, close() { pa.close(); pb.close(); } };
}

/** Two PeerJS peers on a local PeerJS server (its port comes in the query string). */
export async function peerjsPair(port) {
  const options = { host: "127.0.0.1", port, path: "/", secure: false, debug: 0, config: { iceServers: [] } };
  const open = (peer) => new Promise((resolve, reject) => { peer.on("open", resolve); peer.on("error", reject); });
  const pa = new window.peerjs.Peer(options);
  const pb = new window.peerjs.Peer(options);
  await Promise.all([open(pa), open(pb)]);
  const started = performance.now();
  const incoming = new Promise((resolve) => pb.on("connection", (c) => c.on("open", () => resolve(c))));
  const ca = pa.connect(pb.id, { reliable: true, serialization: "raw" });
  const [cb] = await Promise.all([incoming, new Promise((resolve) => ca.on("open", resolve))]);
  const connectMs = performance.now() - started;
  // PeerJS queues sends itself (an 8 MiB buffer polled every 50 ms): just send.
  const endpoint = (c) => ({
    async send(data) { c.send(data); },
    onMessage(fn) { c.on("data", (d) => fn(toBytes(d))); },
  });
  return { a: endpoint(ca), b: endpoint(cb), connectMs, close() { pa.destroy(); pb.destroy(); } };
}

/** Two simple-peer instances signaled in-page; its stream write()/drain backpressure. */
export async function simplePeerPair() {
  const options = { trickle: true, config: { iceServers: [] } };
  const pa = new window.SimplePeer({ ...options, initiator: true });
  const pb = new window.SimplePeer(options);
  pa.on("signal", (s) => pb.signal(s));
  pb.on("signal", (s) => pa.signal(s));
  await Promise.all([new Promise((r) => pa.on("connect", r)), new Promise((r) => pb.on("connect", r))]);
  const endpoint = (p) => ({
    async send(data) {
      if (!p.write(data)) await new Promise((r) => p.once("drain", r));
    },
    onMessage(fn) { p.on("data", (d) => fn(toBytes(d))); },
  });
  return { a: endpoint(pa), b: endpoint(pb), close() { pa.destroy(); pb.destroy(); } };
}
