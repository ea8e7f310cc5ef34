// Our Peers for a mesh-formation run: each joins the room through the real signaling
// server as "m<index>"; peer i connects to every j > i. With `sameOrigin`, signals go
// over the package's own BroadcastChannel (between tabs of one browser), else through
// the server.
import init, { Peer } from "/pkg/peer_wasm.js";

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const indexOf = (info) => Number(info.name.slice(1));

/**
 * Joins the peers numbered `indices` (of 0..n-1 across every tab) and waits until each
 * knows the n-1 others; `opened(me, other)` is called when a channel opens,
 * `closed(me, other, reason)` when one closes.
 */
export async function oursMesh({ n, indices, room, sameOrigin, opened, closed, fail }) {
  await init();
  const url = `ws://${location.host}/ws`;
  const peers = [];
  for (const index of indices) {
    const peer = await Peer.join(url, room, `m${index}`, { sameOriginSignaling: sameOrigin });
    peer.onConnected((info) => opened(index, indexOf(info)));
    peer.onDisconnected((info) => closed(index, indexOf(info), info.reason));
    peers.push({ index, peer });
  }
  for (let waited = 0; !peers.every(({ peer }) => peer.peers().length === n - 1); waited += 5) {
    if (waited > 20_000) throw new Error(`the room did not fill: ${peers.map(({ peer }) => peer.peers().length)} of ${n - 1}`);
    await pause(5);
  }
  return {
    /** Every local peer connects to every peer numbered above it, all at once. */
    connectAll() {
      for (const { index, peer } of peers) {
        for (const other of peer.peers().filter((info) => indexOf(info) > index)) {
          peer.connect(other.id).catch((error) => fail(new Error(`m${index} to ${other.name}: ${error.message || error}`)));
        }
      }
    },
    close() {
      for (const { peer } of peers) peer.close();
    },
  };
}
