// The package's entry point: wasm-bindgen's glue (peer_wasm.js), with the WebAssembly
// module started by the first `Peer.join` (or `Peer.createIdentity`) instead of by a call the page must remember.
// The module is fetched only then (a page that never joins never downloads it), and
// importing the package does nothing, so a server-side render can import it too.
//
// The glue finds the module with `new URL("peer_wasm_bg.wasm", import.meta.url)`, the
// pattern Vite and webpack recognise to copy the file into their output.
import init, { Peer } from "./peer_wasm.js";

// `init` starts the module once (later and concurrent calls share that start; a failed
// one is tried again): call it only to load the module from elsewhere
// (`init({ module_or_path: url })`) or ahead of the first join.
export { default } from "./peer_wasm.js";
export * from "./peer_wasm.js";

// The static calls a page can make first: each starts the module.
for (const name of ["join", "createIdentity"]) {
  const started = Peer[name];
  Peer[name] = async function (...args) {
    await init();
    return started.apply(this, args);
  };
}
