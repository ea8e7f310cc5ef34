// A TypeScript app against the published types: `tsc --noEmit` must accept it, and the
// `@ts-expect-error` lines prove the types are really read (with no types, every name
// would be `any`, those lines would be fine, and tsc would fail on the unused directive).
import { Peer, type JoinOptions, type PeerInfo, type ReceivedMessage } from "peer-wasm";
import init from "peer-wasm";

const url = new URL("/ws", location.href.replace(/^http/, "ws")).href;
const options: JoinOptions = { secret: "correct horse", iceTransportPolicy: "all" };

// Optional: the first join starts the module anyway.
await init();
const peer: Peer = await Peer.join(url, "room-7", "Ada");
const privatePeer = await Peer.join(url, "team-7", "Bob", options);

peer.onMessage((message: ReceivedMessage) => {
  const from: string = message.fromName;
  console.log(from, message.data, message.broadcast === true);
});
peer.onPeerJoined(({ id }: PeerInfo) => void peer.connect(id));
for (const other of peer.peers()) {
  await peer.connect(other.id);
}
const sentTo: number = peer.sendMessage("Hello, everyone!");
peer.sendTo(privatePeer.id, new Uint8Array([1, 2, 3]), { reliable: false });
const stats = await peer.stats(privatePeer.id);
console.log(sentTo, stats.path, stats.rttMs);

// @ts-expect-error: an id is a string
peer.sendTo(42, "hi");
// @ts-expect-error: no such option
await Peer.join(url, "room-7", "Eve", { secrett: "typo" });
// @ts-expect-error: `reliable` is a boolean
peer.sendMessage("hi", { reliable: "no" });

peer.close();
privatePeer.close();
