// Types of the package's entry point (index.js): everything of wasm-bindgen's glue,
// whose default export `init` starts the module once; the first `Peer.join` (or
// `Peer.createIdentity`) calls it.
export * from "./peer_wasm.js";
export { default } from "./peer_wasm.js";
