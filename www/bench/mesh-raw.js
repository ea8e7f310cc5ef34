// Raw JS peers for a mesh-formation run: plain RTCPeerConnections, one per pair and
// side, signaled without a server. Each signal is a plain object {from, to, type, ...}:
// to a peer of this tab it is handed over directly (in-page signaling, as rawPair does);
// to a peer of another tab it goes over a BroadcastChannel (same origin).

/**
 * The peers numbered `indices` (of 0..n-1 across every tab); peer i offers to every
 * j > i. `signals` is the BroadcastChannel to the other tabs, `opened(me, other)` is
 * called when a channel opens, `fail(error)` on any error.
 */
export function rawMesh({ indices, signals, opened, fail }) {
  const local = new Set(indices);
  /** `${me}>${other}` → { pc, remoteSet, pending candidates } */
  const connections = new Map();
  const key = (me, other) => `${me}>${other}`;

  /** Signals sent, and their bytes as JSON: what a server would have relayed. */
  const signaled = [0, 0];
  const send = (signal) => {
    signaled[0] += 1;
    signaled[1] += JSON.stringify(signal).length;
    if (local.has(signal.to)) receive(signal);
    else signals.postMessage(signal);
  };

  const watch = (channel, me, other) => {
    if (channel.readyState === "open") opened(me, other);
    else channel.addEventListener("open", () => opened(me, other), { once: true });
  };

  const create = (me, other) => {
    const pc = new RTCPeerConnection();
    const connection = { pc, remoteSet: false, pending: [] };
    const early = connections.get(key(me, other));
    if (early) connection.pending = early.pending; // candidates that came before the offer
    connections.set(key(me, other), connection);
    pc.onicecandidate = (e) => e.candidate && send({ from: me, to: other, type: "candidate", candidate: e.candidate.toJSON() });
    return connection;
  };

  /** Sets the remote description, then the candidates that waited for it (chained after it). */
  const setRemote = (connection, sdp) => {
    const done = connection.pc.setRemoteDescription(sdp);
    connection.remoteSet = true;
    for (const candidate of connection.pending.splice(0)) connection.pc.addIceCandidate(candidate).catch(fail);
    return done;
  };

  function receive({ from, to, type, sdp, candidate }) {
    const connection = connections.get(key(to, from));
    if (type === "offer") {
      const answering = create(to, from);
      answering.pc.ondatachannel = (e) => watch(e.channel, to, from);
      setRemote(answering, sdp)
        .then(() => answering.pc.setLocalDescription())
        .then(() => send({ from: to, to: from, type: "answer", sdp: answering.pc.localDescription.toJSON() }))
        .catch(fail);
    } else if (type === "answer") {
      setRemote(connection, sdp).catch(fail);
    } else if (connection?.remoteSet) {
      connection.pc.addIceCandidate(candidate).catch(fail);
    } else if (connection) {
      connection.pending.push(candidate);
    } else {
      connections.set(key(to, from), { pc: null, remoteSet: false, pending: [candidate] });
    }
  }

  /** Peer `me` offers to `other`. */
  const offer = (me, other) => {
    const { pc } = create(me, other);
    watch(pc.createDataChannel("mesh"), me, other);
    pc.setLocalDescription()
      .then(() => send({ from: me, to: other, type: "offer", sdp: pc.localDescription.toJSON() }))
      .catch(fail);
  };

  signals.onmessage = (e) => local.has(e.data.to) && receive(e.data);

  return {
    signaled,
    /** Every local peer offers to every peer numbered above it, all at once. */
    connectAll(n) {
      for (const me of indices) for (let other = me + 1; other < n; other++) offer(me, other);
    },
    close() {
      for (const { pc } of connections.values()) pc?.close();
      connections.clear();
    },
  };
}
