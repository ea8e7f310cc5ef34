// Packets the sender's socket dropped during a transfer, the same way for every
// contender: `packetsDiscardedOnSend` of the candidate pairs in `getStats()`. A connection
// whose SCTP stack bursts further ahead than its socket takes loses packets there, and
// its transfer stalls while they are sent again: the reason a 1st transfer can be slower
// than a 2nd (docs/BENCHMARKS.md). Every library makes its data channels with
// `createDataChannel`, which is wrapped once, when this module loads, to note the
// connections of this page.

const connections = new Set();

const original = RTCPeerConnection.prototype.createDataChannel;
RTCPeerConnection.prototype.createDataChannel = function (...args) {
  connections.add(this);
  return original.apply(this, args);
};

/** Each open connection of this page with the packets it dropped on send so far. */
async function countsNow() {
  const counts = new Map();
  for (const pc of connections) {
    if (pc.connectionState === "closed") {
      connections.delete(pc);
      continue;
    }
    let dropped = 0;
    (await pc.getStats()).forEach((report) => {
      if (report.type === "candidate-pair") dropped += report.packetsDiscardedOnSend ?? 0;
    });
    counts.set(pc, dropped);
  }
  return counts;
}

/**
 * Starts counting; the function returned resolves to the packets dropped on send since,
 * by the connections open at both ends of the count (a transfer's own pair: the one
 * before it may still be closing when the count starts).
 */
export async function countDropped() {
  const before = await countsNow();
  return async () => {
    let dropped = 0;
    for (const [pc, now] of await countsNow()) dropped += before.has(pc) ? now - before.get(pc) : 0;
    return dropped;
  };
}
