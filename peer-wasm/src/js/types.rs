//! The TypeScript types the JS API's signatures name (`JoinOptions`, `PeerInfo`,
//! `ReceivedMessage`, ...): values a page passes or gets as plain objects, which have no
//! class of their own in the generated `.d.ts`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** How to join, beyond the room and the name. */
export interface JoinOptions {
  /** The room's secret (a private room). */
  secret?: string;
  /**
   * Join as this identity (from `Peer.createIdentity()`, kept e.g. in IndexedDB): the
   * peer gets the same id as before. Default: a new identity, so a new id.
   */
  identity?: CryptoKeyPair;
  /**
   * Encrypt signals end to end with a key derived from this passphrase and the room, so
   * the server sees no SDP and no candidates (no addresses). Only peers that joined with
   * the same passphrase connect; others fail at once, saying why.
   */
  passphrase?: string;
  /** Use these STUN/TURN servers instead of the signaling server's. */
  iceServers?: RTCIceServer[];
  /** "relay": connect through TURN only. Default "all". */
  iceTransportPolicy?: "all" | "relay";
  /**
   * Rejoin, as the same peer, when the signaling connection drops (default true:
   * waits of 250 ms doubling up to 3 s, jittered). false: signaling then ends.
   */
  reconnect?: boolean | { minDelayMs?: number; maxDelayMs?: number };
  /**
   * true: signals go through connected peers whenever some open channel leads to their
   * target (signed by their sender), not only while the server is gone. Default false.
   */
  meshSignaling?: boolean;
  /**
   * false: signal the room's peers in other tabs of this browser through the server
   * too. Default true: over a BroadcastChannel.
   */
  sameOriginSignaling?: boolean;
}
/** Where the signaling connection is. */
export type SignalingState = "connected" | "reconnecting" | "closed";
/** How a message travels (`sendTo` and `sendMessage`). */
export interface SendOptions {
  /**
   * false: unordered, sent once with no retransmits (may be lost or overtake another),
   * at most one channel message (256 KiB in Chromium; larger is refused, not chunked).
   * Default true: ordered, retransmitted, any size.
   */
  reliable?: boolean;
}
/** The path of one connection, from getStats(). */
export interface PathStats {
  state: RTCPeerConnectionState;
  /** Our end of the selected candidate pair ("" until one is selected). */
  path: "host" | "srflx" | "prflx" | "relay" | "";
  remotePath: "host" | "srflx" | "prflx" | "relay" | "";
  /** How we reach our TURN server when `path` is "relay" ("" otherwise). */
  relayProtocol: "udp" | "tcp" | "tls" | "";
  rttMs: number | null;
  bytesSent: number;
  bytesReceived: number;
  bufferedAmount: number;
}
/** A peer of the room. */
export interface PeerInfo { id: string; name: string }
/** A connection that ended: the peer, and why. */
export interface Disconnection extends PeerInfo { reason: string }
/** A message received on a data channel. */
export interface ReceivedMessage {
  /** The sender: for a broadcast, the peer that broadcast it. */
  from: string;
  fromName: string;
  /** Present (true) on a broadcast, which may have come through other peers. */
  broadcast?: true;
  /**
   * The same kind the sender sent: a string, a Uint8Array (or any other typed array,
   * DataView or ArrayBuffer, rebuilt as that kind), or a JSON value.
   */
  data: string | Uint8Array | ArrayBufferView | ArrayBuffer | unknown;
}
"#;
