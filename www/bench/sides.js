// One end of a pair for each contender: `SIDES[kind]({ role, link, options })` resolves,
// once its channel is open, to an endpoint of one shape:
//   send(bytes)        queues one message, awaiting only as its library's best practice says
//   flush()            resolves once everything sent was handed to the data channel
//   onMessage(fn)      fn(Uint8Array) for every message (replaces the previous fn)
//   close()
//   startedAt          (role "a") when its library's connect call was made
//   openedAt           when its channel opened (both on the shared clock, link.js)
// Role "a" connects, role "b" accepts; `link` is the pair's channel (link.js), in this
// page or in the far tab (far.js).
import init, { Peer } from "/pkg/peer_wasm.js";
import { clock } from "./link.js";
import { calling, delivered } from "./trace.js";

/** Raw channel: pause above 64 KiB buffered, resume on `bufferedamountlow` at 32 KiB. */
const RAW_HIGH_WATER = 64 * 1024;
const RAW_LOW_WATER = 32 * 1024;
/** Ours, "ready1m": await `ready()` once more than 1 MiB is queued. */
const OURS_READY_ABOVE = 1 << 20;
/** simple-peer's own high-water mark (MAX_BUFFERED_AMOUNT in its index.js). */
const SIMPLE_PEER_HIGH_WATER = 64 * 1024;

const once = (target, event) =>
  new Promise((resolve) => target.addEventListener(event, resolve, { once: true }));
/** Binary as bytes; text (the native far end's answers, native.js) as it is. */
const toBytes = (data) => (data instanceof Uint8Array || typeof data === "string" ? data : new Uint8Array(data));
const resolved = Promise.resolve();
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds one message handler, so a pair can be reused by a second transfer. */
function handlerSlot() {
  let fn = () => {};
  return {
    set: (next) => { fn = next; },
    call: (data) => {
      delivered();
      fn(toBytes(data));
    },
  };
}

/** Plain RTCPeerConnection; bufferedamountlow backpressure; signals over the link. */
async function rawSide({ role, link }) {
  const startedAt = clock();
  const pc = new RTCPeerConnection();
  let remoteSet;
  const remote = new Promise((resolve) => { remoteSet = resolve; });
  pc.onicecandidate = (e) => e.candidate && link.post({ type: "ice", candidate: e.candidate.toJSON() });
  link.on("ice", ({ candidate }) => remote.then(() => pc.addIceCandidate(candidate)).catch(() => {}));
  let channel;
  if (role === "a") {
    channel = pc.createDataChannel("bench");
    await pc.setLocalDescription();
    link.post({ type: "sdp", description: pc.localDescription.toJSON() });
    await pc.setRemoteDescription((await link.next("sdp")).description);
    remoteSet();
  } else {
    const incoming = new Promise((resolve) => { pc.ondatachannel = (e) => resolve(e.channel); });
    await pc.setRemoteDescription((await link.next("sdp")).description);
    remoteSet();
    await pc.setLocalDescription();
    link.post({ type: "sdp", description: pc.localDescription.toJSON() });
    channel = await incoming;
  }
  if (channel.readyState !== "open") await once(channel, "open");
  const openedAt = clock();
  const slot = handlerSlot();
  channel.binaryType = "arraybuffer";
  channel.bufferedAmountLowThreshold = RAW_LOW_WATER;
  channel.onmessage = (e) => slot.call(e.data);
  return {
    send(data) {
      calling();
      channel.send(data);
      return channel.bufferedAmount > RAW_HIGH_WATER ? once(channel, "bufferedamountlow") : resolved;
    },
    async flush() {
      while (channel.bufferedAmount > 0) await pause(1);
    },
    onMessage: slot.set,
    close: () => pc.close(),
    startedAt,
    openedAt,
  };
}

let wasmReady = null;

/**
 * Our Peer, introduced by the real signaling server; with `sameOrigin`, the two signal
 * each other over the package's BroadcastChannel (as tabs of one browser do by
 * default), else every signal goes through the server.
 */
async function oursSide({ role, link, options: { room, strategy, sameOrigin } }) {
  wasmReady ??= init();
  await wasmReady;
  const peer = await Peer.join(`ws://${location.host}/ws`, room, role.toUpperCase(), { sameOriginSignaling: sameOrigin });
  link.post({ type: "joined", id: peer.id });
  const { id } = await link.next("joined");
  const opened = new Promise((resolve) => peer.onConnected(resolve));
  let startedAt = NaN;
  if (role === "a") {
    while (!peer.peers().some((p) => p.id === id)) await pause(1);
    startedAt = clock();
    await peer.connect(id);
  }
  await opened;
  const openedAt = clock();
  const slot = handlerSlot();
  peer.onMessage((m) => slot.call(m.data));
  return {
    send(data) {
      calling();
      peer.sendTo(id, data);
      if (strategy === "ready1m" && peer.bufferedAmount(id) > OURS_READY_ABOVE) return peer.ready(id);
      return resolved;
    },
    flush: () => peer.ready(id),
    onMessage: slot.set,
    close: () => peer.close(),
    startedAt,
    openedAt,
  };
}

/** A PeerJS peer registered on the local PeerJS server (its port in the options). */
async function peerjsSide({ role, link, options: { port } }) {
  const peer = new window.peerjs.Peer({
    host: "127.0.0.1", port, path: "/", secure: false, debug: 0, config: { iceServers: [] },
  });
  await new Promise((resolve, reject) => { peer.on("open", resolve); peer.on("error", reject); });
  link.post({ type: "joined", id: peer.id });
  const { id } = await link.next("joined");
  let startedAt = NaN;
  let connection;
  if (role === "a") {
    startedAt = clock();
    connection = peer.connect(id, { reliable: true, serialization: "raw" });
    await new Promise((resolve) => connection.on("open", resolve));
  } else {
    connection = await new Promise((resolve) => peer.on("connection", (c) => c.on("open", () => resolve(c))));
  }
  const openedAt = clock();
  const slot = handlerSlot();
  connection.on("data", slot.call);
  // PeerJS queues itself: straight into the channel up to 8 MiB buffered, past that in
  // its own array, retried every 50 ms. Its documented usage is a plain send().
  return {
    send(data) {
      calling();
      connection.send(data);
      return resolved;
    },
    async flush() {
      while (connection.bufferSize > 0 || connection.dataChannel.bufferedAmount > 0) await pause(1);
    },
    onMessage: slot.set,
    close: () => peer.destroy(),
    startedAt,
    openedAt,
  };
}

/** A simple-peer instance (trickle ICE), its signals over the link. */
async function simplePeerSide({ role, link, options: { strategy } }) {
  const startedAt = clock();
  const p = new window.SimplePeer({ trickle: true, config: { iceServers: [] }, initiator: role === "a" });
  p.on("signal", (signal) => link.post({ type: "signal", signal: JSON.parse(JSON.stringify(signal)) }));
  link.on("signal", ({ signal }) => p.signal(signal));
  await new Promise((resolve) => p.on("connect", resolve));
  const openedAt = clock();
  const slot = handlerSlot();
  p.on("data", slot.call);
  return {
    send(data) {
      calling();
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
      while (p.writableLength > 0 || p.bufferSize > 0) await pause(1);
    },
    onMessage: slot.set,
    close: () => p.destroy(),
    startedAt,
    openedAt,
  };
}

/** The sides by kind (`contenders.js` names one for each contender). */
export const SIDES = { raw: rawSide, ours: oursSide, peerjs: peerjsSide, simplepeer: simplePeerSide };
