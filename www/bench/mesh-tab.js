// One tab of a mesh-formation run, opened by the benchmark page (bench/mesh.js) with
// `mesh.html?run=ID&tab=T&tabs=TABS&n=N&kind=raw|server|broadcast`. It holds the peers
// numbered T*N/TABS up to (T+1)*N/TABS - 1 and talks to the page over the
// BroadcastChannel "bench-mesh-ID":
//   tab → page  {type: "ready", tab}                  its peers are set up
//   page → tab  {type: "go"}                          connect, all at once
//   tab → page  {type: "done", tab, started, at, opens, busy, sent}
//                                                     every local peer has n-1 channels;
//                                                     opens: each channel's open time
//                                                     (ms from started), busy: ms of
//                                                     long tasks (over 50 ms) meanwhile,
//                                                     sent: what went out meanwhile
//   tab → page  {type: "failed", tab, error}
//   page → tab  {type: "report?"}                     (the formation is late)
//   tab → page  {type: "report", tab, text}           how far it got, what is missing,
//                                                     why channels closed meanwhile
//   page → tab  {type: "close"}                       close everything and the tab
// Times are on the clock the tabs share: performance.timeOrigin + performance.now().
import { oursMesh } from "./mesh-ours.js";
import { rawMesh } from "./mesh-raw.js";

const params = new URLSearchParams(location.search);
const run = params.get("run");
const tab = Number(params.get("tab"));
const tabs = Number(params.get("tabs"));
const n = Number(params.get("n"));
const kind = params.get("kind");
const perTab = n / tabs;
const indices = Array.from({ length: perTab }, (_, k) => tab * perTab + k);

const clock = () => performance.timeOrigin + performance.now();
const control = new BroadcastChannel(`bench-mesh-${run}`);
const status = (text) => { document.getElementById("status").textContent = text; };
let failed = false;
/** How far the tab got, for a failure's message. */
let progress = () => "";
/** The channels not open yet, as "m1-m9" (at most 12 of them). */
let missing = () => "";
/** Channels that closed during the run, as "m1-m9: why". */
const disconnects = [];
const fail = (error) => {
  if (failed) return;
  failed = true;
  status(`failed: ${error.message || error}`);
  control.postMessage({ type: "failed", tab, error: `tab ${tab}${progress()}: ${error.message || error}` });
};

/**
 * Messages and bytes this tab sends on WebSockets (signals through the server), on
 * BroadcastChannels (signals between tabs) and on data channels (our mesh's adverts,
 * apart, and the rest: heartbeats), counted by wrapping each `send`: the signaling
 * work of a formation, measured without a hook in the library. raw_signals: the raw
 * peers' signals, wherever they went (they point it at `mesh.signaled`).
 */
const sent = { websocket: [0, 0], broadcast: [0, 0], adverts: [0, 0], datachannel: [0, 0], raw_signals: [0, 0] };
const ADVERT = 'g{"kind":"advert"';
function count(prototype, method, into) {
  const original = prototype[method];
  prototype[method] = function (data) {
    const counted = into(data);
    counted[0] += 1;
    counted[1] += typeof data === "string" ? data.length : data?.byteLength ?? JSON.stringify(data).length;
    return original.call(this, data);
  };
}
count(WebSocket.prototype, "send", () => sent.websocket);
count(BroadcastChannel.prototype, "postMessage", () => sent.broadcast);
count(RTCDataChannel.prototype, "send", (data) => (typeof data === "string" && data.startsWith(ADVERT) ? sent.adverts : sent.datachannel));
const snapshot = () => JSON.parse(JSON.stringify(sent));
const since = (before) => Object.fromEntries(Object.entries(sent).map(([k, [m, b]]) => [k, [m - before[k][0], b - before[k][1]]]));

/** Main-thread tasks over 50 ms, as [start, duration] on the shared clock. */
const longTasks = [];
new PerformanceObserver((list) => {
  for (const task of list.getEntries()) longTasks.push([performance.timeOrigin + task.startTime, task.duration]);
}).observe({ type: "longtask" });

/** Counts each local peer's open channels; posts "done" when every one has n-1. */
function counter(started) {
  const open = new Map(indices.map((index) => [index, new Set()]));
  const opens = [];
  let complete = 0;
  progress = () => ` (${opens.length} of ${perTab * (n - 1)} channels open after ${(clock() - started.at).toFixed(0)} ms)`;
  missing = () => {
    const pairs = [...open].flatMap(([me, channels]) =>
      Array.from({ length: n }, (_, other) => other).filter((other) => other !== me && !channels.has(other)).map((other) => `m${me}-m${other}`));
    return pairs.slice(0, 12).join(" ") + (pairs.length > 12 ? " …" : "");
  };
  return (me, other) => {
    const channels = open.get(me);
    if (channels.has(other)) return;
    channels.add(other);
    opens.push(clock() - started.at);
    if (channels.size === n - 1 && ++complete === perTab) {
      const at = clock();
      const busy = longTasks.filter(([from]) => from >= started.at).reduce((sum, [, ms]) => sum + ms, 0);
      status(`fully connected in ${(at - started.at).toFixed(0)} ms`);
      control.postMessage({ type: "done", tab, started: started.at, at, opens, busy, sent: since(started.sent) });
    }
  };
}

async function main() {
  status(`${kind}: peers ${indices[0]}-${indices.at(-1)} of ${n}, setting up`);
  // Peers of another tab may reach ours before our own "go" arrives: count from now.
  const started = { at: 0, sent: snapshot() };
  const onOpened = counter(started);
  const signals = new BroadcastChannel(`bench-mesh-${run}-signals`);
  const mesh = kind === "raw"
    ? rawMesh({ indices, signals, opened: onOpened, fail })
    : await oursMesh({
      n, indices, room: `bench-mesh-${run}`, sameOrigin: kind === "broadcast", opened: onOpened, fail,
      closed: (me, other, reason) => disconnects.push(`m${me}-m${other}: ${reason}`),
    });
  if (mesh.signaled) sent.raw_signals = mesh.signaled;
  control.onmessage = ({ data }) => {
    if (data.type === "go") {
      started.at = clock();
      started.sent = snapshot();
      mesh.connectAll(n);
    } else if (data.type === "report?") {
      const closed = disconnects.length ? `; ${disconnects.length} closed, first: ${disconnects.slice(0, 3).join(", ")}` : "";
      control.postMessage({ type: "report", tab, text: `tab ${tab}${progress()}, missing: ${missing() || "none"}${closed}` });
    } else if (data.type === "close") {
      mesh.close();
      signals.close();
      control.close();
      window.close();
    }
  };
  control.postMessage({ type: "ready", tab });
  status(`${kind}: peers ${indices[0]}-${indices.at(-1)} of ${n}, ready`);
}

main().catch(fail);
