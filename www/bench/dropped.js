// Packets the sender's socket dropped during a transfer, the same way for every
// contender: `packetsDiscardedOnSend` of the candidate pairs in `getStats()`. A connection
// whose SCTP stack bursts further ahead than its socket takes loses packets there, and
// its transfer stalls while they are sent again: the reason a 1st transfer can be slower
// than a 2nd (docs/BENCHMARKS.md). Every library makes its data channels with
// `createDataChannel`, which is wrapped once, when this module loads, to note the
// connections of this page.

const connections = new Set();
/**
 * How long one connection's `getStats()` may take: in Firefox one can stay unsettled
 * (a transfer's count waited for ever without this), and that connection is then left
 * out of the count.
 */
const STATS_MS = 1000;

const original = RTCPeerConnection.prototype.createDataChannel;
RTCPeerConnection.prototype.createDataChannel = function (...args) {
  connections.add(this);
  return original.apply(this, args);
};

/**
 * Each open connection of this page with the packets it dropped on send so far (none
 * where the browser does not count them: Firefox has no `packetsDiscardedOnSend`).
 */
async function countsNow() {
  const counts = new Map();
  for (const pc of connections) {
    if (pc.connectionState === "closed") {
      connections.delete(pc);
      continue;
    }
    const stats = await Promise.race([pc.getStats(), new Promise((resolve) => setTimeout(resolve, STATS_MS))]);
    let dropped;
    stats?.forEach((report) => {
      if (report.type === "candidate-pair" && report.packetsDiscardedOnSend !== undefined) {
        dropped = (dropped ?? 0) + report.packetsDiscardedOnSend;
      }
    });
    if (dropped !== undefined) counts.set(pc, dropped);
  }
  return counts;
}

/**
 * Starts counting; the function returned resolves to the packets dropped on send since,
 * by the connections counted at both ends of the count (a transfer's own pair: the one
 * before it may still be closing when the count starts), or to undefined where the
 * browser counts none.
 */
export async function countDropped() {
  const before = await countsNow();
  return async () => {
    let dropped;
    for (const [pc, now] of await countsNow()) {
      if (before.has(pc)) dropped = (dropped ?? 0) + now - before.get(pc);
    }
    return dropped;
  };
}
