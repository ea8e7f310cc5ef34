// The four contenders, each as pair(): two connected endpoints, "a" in this page and "b"
// in the far tab (pairs=tabs, the default: each peer in a tab and renderer process of its
// own, as users have them) or in this page too (pairs=page). A pair is
//   { a, b, connectMs, close() }
// where `a` is an endpoint of sides.js (send, flush, onMessage) and `b` the far end's
// handle: echo() (it sends every message back), sink(count) (it checks the messages
// and resolves with when the last one arrived, and what it saw) and traced() (its
// stamps, with `?trace=1`: see trace.js). connectMs is the time
// from the library's connect call to open on both sides.
// With `?native=ID&nativeRoom=ROOM` (bench-runner --native), "peer-wasm↔native" pairs
// our Peer here with a native peer (native.js).
// `mesh` names the kind of peers mesh.html makes for the mesh-formation rows (mesh.js);
// contenders without one have no such rows.
import { serveFarSide } from "./far.js";
import { link as open } from "./link.js";
import { nativePair } from "./native.js";
import { SIDES } from "./sides.js";
import { addStamps } from "./timeline.js";

/** A far tab that has not answered by then was most likely never opened (pop-ups blocked). */
const FAR_TAB_TIMEOUT_MS = 30_000;
/** A pair that is not connected by then will not be. */
const PAIR_TIMEOUT_MS = 30_000;

let pairs = 0;
let farTab = null;

/** Opens the far tab once per run (a tab opened "noopener" gets a process of its own). */
function openFarTab() {
  farTab ??= new Promise((resolve, reject) => {
    const run = `${Date.now()}`;
    const control = new BroadcastChannel(`bench-far-${run}`);
    const timer = setTimeout(() => reject(new Error("the far tab did not open (are pop-ups allowed for this page?)")), FAR_TAB_TIMEOUT_MS);
    control.onmessage = ({ data }) => {
      if (data.type !== "here") return;
      clearTimeout(timer);
      resolve(control);
    };
    const trace = new URLSearchParams(location.search).has("trace") ? "&trace=1" : "";
    window.open(`/bench-far.html?run=${run}${trace}`, "_blank", "noopener");
  });
  return farTab;
}

/** Closes the far tab, if one was opened. */
export async function closeFarTab() {
  const control = await farTab?.catch(() => null);
  control?.postMessage({ type: "quit" });
  control?.close();
  farTab = null;
}

const within = (promise, ms, what) =>
  Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer in ${ms / 1000} s`)), ms))]);

/** Fails with the far end's error as soon as it reports one. */
const failure = (link) => link.next("failed").then(({ error }) => { throw new Error(error); });

/** A connected pair of `kind` sides: "a" here, "b" where `layout` says. */
async function pair(kind, options, layout) {
  const name = `bench-pair-${Date.now()}-${pairs++}`;
  const link = open(name);
  const ready = link.next("ready");
  if (layout === "tabs") (await openFarTab()).postMessage({ type: "side", name, kind, options });
  else serveFarSide(name, kind, options, false);
  const failed = failure(link);
  await within(Promise.race([ready, failed]), PAIR_TIMEOUT_MS, "the far end");
  const [a, far] = await within(
    Promise.race([Promise.all([SIDES[kind]({ role: "a", link, options }), link.next("opened")]), failed]),
    PAIR_TIMEOUT_MS,
    `${kind} pair`,
  );
  addStamps(far.stamps);
  const b = {
    async echo() {
      link.post({ type: "echo" });
      await link.next("echoing");
    },
    async traced() {
      link.post({ type: "trace?" });
      const { sendUs, receiveUs, listenerUs } = await link.next("trace");
      return { sendUs, receiveUs, listenerUs };
    },
    async sink(count) {
      link.post({ type: "sink", count });
      await link.next("sinking");
      return { sunk: Promise.race([link.next("sunk"), failed]) };
    },
  };
  return {
    a,
    b,
    startedAt: a.startedAt,
    connectMs: Math.max(a.openedAt, far.openedAt) - a.startedAt,
    close() {
      a.close();
      link.post({ type: "close" });
      link.close();
    },
  };
}

let rooms = 0;
const room = () => `bench-${Date.now()}-${rooms++}`;

/**
 * The contenders in table order (raw JS first: every ratio is to it). `choices` may
 * override a library's sending strategy (`?ours=sendall`, `?simplepeer=drain`),
 * `?only=NAME` keeps one library, and `?pairs=page` puts both ends in this page; the
 * defaults are the fastest measured (docs/BENCHMARKS.md).
 */
export function contenders({ peerjsPort, choices }) {
  const ours = choices.get("ours") || "ready1m";
  const simple = choices.get("simplepeer") || "send";
  const only = choices.get("only");
  const layout = choices.get("pairs") || "tabs";
  const all = [
    { name: "raw JS", strategy: "send; above 64 KiB buffered wait for bufferedamountlow (32 KiB)", pair: () => pair("raw", {}, layout), mesh: "raw" },
    {
      name: "peer-wasm",
      strategy: ours === "ready1m" ? "sendTo; above 1 MiB buffered await ready()" : "sendTo everything, then await ready()",
      pair: () => pair("ours", { room: room(), strategy: ours, sameOrigin: false }, layout),
      mesh: "server",
    },
    {
      name: "peer-wasm, tabs",
      strategy: "as peer-wasm; signals over a BroadcastChannel, not the server",
      pair: () => pair("ours", { room: room(), strategy: ours, sameOrigin: true }, layout),
      mesh: "broadcast",
    },
    ...(choices.has("native") ? [{
      name: "peer-wasm↔native",
      strategy: "as peer-wasm; the far end a native peer (peer-native) in the benchmark's process",
      pair: () => nativePair({ room: choices.get("nativeRoom"), id: choices.get("native"), strategy: ours }),
      native: true,
    }] : []),
    { name: "PeerJS", strategy: 'send() (serialization "raw"); PeerJS queues', pair: () => pair("peerjs", { port: peerjsPort }, layout) },
    {
      name: "simple-peer",
      strategy: simple === "drain" ? "write(); on false wait for drain" : "send(); above 64 KiB bufferSize wait for bufferedamountlow",
      pair: () => pair("simplepeer", { strategy: simple }, layout),
    },
  ];
  // `?control=1`: raw JS once more, last, as a check of the method (an A/A test: its
  // ratios should be 1.00x, give or take the noise that every ratio carries).
  if (choices.has("control")) {
    const strategy = "raw JS once more, measured last: a check of the method";
    all.push({ ...all[0], name: "raw JS, again", strategy, mesh: undefined });
  }
  // `?only=NAME` keeps raw JS (the ratios need it), NAME, the native far end if asked
  // for, and the control.
  return only ? all.filter((c, i) => i === 0 || c.name === only || c.native || c.name === "raw JS, again") : all;
}
