// Mesh formation: n peers, each connecting to every other at once, timed from the first
// connect call to the moment the last peer has n-1 open channels. The peers live in
// tabs of their own (mesh.html, see mesh-tab.js for what they say to each other), not in
// this page: Chromium refuses more than 500 RTCPeerConnections per renderer process,
// closed ones included until collected, and this page has used hundreds already. A tab
// opened with "noopener" gets a process of its own; 8 or 16 peers fit in one
// (56 or 240 connections), 32 peers (992) are spread over 4 tabs of 8.

/** Tabs for n peers: at most 8 peers (8 × 31 = 248 connections for 32) per tab. */
export const tabsFor = (n) => (n <= 16 ? 1 : Math.ceil(n / 8));
/** A tab that is not ready by then was most likely never opened (pop-ups blocked). */
const READY_TIMEOUT_MS = 30_000;
/** Raw JS has taken 42 s for 32 peers on a busy 2-core machine. */
const FORMATION_TIMEOUT_MS = 120_000;

let runs = 0;

/** Resolves with the messages of `type`, one per tab, in tab order; rejects on "failed" or after `ms`. */
function collect(channel, type, tabs, ms, what) {
  const got = new Array(tabs);
  const reports = [];
  let count = 0;
  return new Promise((resolve, reject) => {
    // Late: the tabs say how far they got, for the error.
    const timer = setTimeout(() => {
      channel.postMessage({ type: "report?" });
      setTimeout(() => reject(new Error(`${what}: ${count} of ${tabs} tabs after ${ms / 1000} s; ${reports.join("; ")}`)), 1_000);
    }, ms);
    channel.onmessage = ({ data }) => {
      if (data.type === "report") {
        reports.push(data.text);
      } else if (data.type === "failed") {
        clearTimeout(timer);
        reject(new Error(data.error));
      } else if (data.type === type && got[data.tab] === undefined) {
        got[data.tab] = data;
        if (++count === tabs) {
          clearTimeout(timer);
          resolve(got);
        }
      }
    };
  });
}

/**
 * Forms one mesh of `n` peers of `kind` ("raw", "server" or "broadcast") in `tabs`
 * tabs (`n` a multiple of it) and returns `{ ms, goLagMs, openP50Ms, busyMs, sent }`: the
 * formation time (from the first tab's first connect call), how long the tabs' "go"
 * took to arrive (not in `ms`), the median time a channel took to open (from its tab's
 * start), the long tasks (over 50 ms) of the tabs' main threads meanwhile, and the
 * messages and bytes the tabs sent meanwhile by way (`{websocket: [messages, bytes], ...}`).
 */
export async function formMesh(kind, n, tabs = tabsFor(n)) {
  const run = `${Date.now()}-${runs++}`;
  const channel = new BroadcastChannel(`bench-mesh-${run}`);
  try {
    const ready = collect(channel, "ready", tabs, READY_TIMEOUT_MS, "mesh tabs ready (are pop-ups allowed for this page?)");
    for (let tab = 0; tab < tabs; tab++) {
      window.open(`/mesh.html?run=${run}&tab=${tab}&tabs=${tabs}&n=${n}&kind=${kind}`, "_blank", "noopener");
    }
    await ready;
    const done = collect(channel, "done", tabs, FORMATION_TIMEOUT_MS, `mesh of ${n} formed`);
    const go = performance.timeOrigin + performance.now();
    channel.postMessage({ type: "go" });
    const reports = await done;
    const started = Math.min(...reports.map((r) => r.started).filter((at) => at > 0));
    const opens = reports.flatMap((r) => r.opens).sort((x, y) => x - y);
    return {
      ms: Math.max(...reports.map((r) => r.at)) - started,
      goLagMs: started - go,
      openP50Ms: opens[opens.length >> 1],
      busyMs: reports.reduce((sum, r) => sum + r.busy, 0),
      sent: reports.map((r) => r.sent).reduce((all, one) => {
        for (const [k, [m, b]] of Object.entries(one)) all[k] = [(all[k]?.[0] ?? 0) + m, (all[k]?.[1] ?? 0) + b];
        return all;
      }, {}),
    };
  } finally {
    channel.postMessage({ type: "close" });
    channel.close();
  }
}
