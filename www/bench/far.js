// The far end of a benchmark pair ("b": it accepts the connection, echoes pings, checks
// transfers), run by `serveFarSide` in the benchmark page itself (pairs=page) or in the
// far tab (far.html, pairs=tabs, the default: each peer in a tab of its own, with its own
// renderer process and event loop, as users have them). The tab is opened once per run
// by the page (contenders.js) and takes one pair at a time, on "bench-far-RUN":
//   page → tab  {type: "side", name, kind, options}   serve the far end of pair `name`
//   page → tab  {type: "quit"}                         close the tab
// On the pair's own channel (link.js):
//   far → page  {type: "ready"}                        listening: the page may start
//   far → page  {type: "opened", openedAt, stamps}     its channel is open (stamps: its
//                                                      RTCPeerConnection calls, timeline.js)
//   page → far  {type: "echo"}  → {type: "echoing"}   send every message back
//   page → far  {type: "sink", count, size} → {type: "sinking"}, then
//   far → page  {type: "sunk", at, bytes, sum, misordered}  all `count` messages arrived
//   page → far  {type: "trace?"} → {type: "trace", sendUs, receiveUs, listenerUs}
//                                                      its stamps since "echo" (trace.js)
//   page → far  {type: "close"}                        close the side and the link
//   far → page  {type: "failed", error}
import { link as open, clock } from "./link.js";
import { checksum, sequenceOf } from "./measure.js";
import { SIDES } from "./sides.js";
import { capture } from "./timeline.js";
import { resetTrace, traced } from "./trace.js";

/** Serves the far end of pair `name` (`stamped`: report its connect's stamps, from another tab). */
export async function serveFarSide(name, kind, options, stamped) {
  const link = open(name);
  const stamps = stamped ? capture() : null;
  link.post({ type: "ready" });
  let side;
  try {
    side = await SIDES[kind]({ role: "b", link, options });
  } catch (error) {
    link.post({ type: "failed", error: `the far end: ${error.message || error}` });
    link.close();
    return;
  }
  link.post({ type: "opened", openedAt: side.openedAt, stamps: stamps?.() ?? [] });
  link.on("echo", () => {
    side.onMessage((data) => side.send(data));
    resetTrace();
    link.post({ type: "echoing" });
  });
  link.on("trace?", () => link.post({ type: "trace", ...traced() }));
  link.on("sink", ({ count }) => {
    let received = 0, bytes = 0, sum = 0, misordered = 0;
    side.onMessage((data) => {
      const seq = sequenceOf(data);
      if (seq !== received) misordered += 1;
      sum = checksum(sum, data, seq);
      bytes += data.length;
      received += 1;
      if (received === count) link.post({ type: "sunk", at: clock(), bytes, sum, misordered });
    });
    link.post({ type: "sinking" });
  });
  link.on("close", () => {
    side.close();
    link.close();
  });
}

/** In the far tab: serve the pairs the page asks for, one after another. */
export function serveTab(run) {
  const control = new BroadcastChannel(`bench-far-${run}`);
  control.onmessage = ({ data }) => {
    if (data.type === "side") serveFarSide(data.name, data.kind, data.options, true);
    else if (data.type === "quit") window.close();
  };
  control.postMessage({ type: "here" });
  document.getElementById("status").textContent = "serving the far ends of the benchmark's pairs";
}
