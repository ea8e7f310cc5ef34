// The app every setup builds (copied in as main.js): joins the room the page's address
// names (?ws=URL&room=NAME&name=NAME) with the package as installed from npm, and keeps
// what arrives where a test (or a person, in the page) can read it. No `init()`: the
// first `Peer.join` loads the WebAssembly module.
import { Peer } from "peer-wasm";

const params = new URLSearchParams(location.search);
const show = (text) => (document.getElementById("status").textContent = text);

// What the page fetched before its first join: no .wasm, as importing loads nothing.
const wasmFetched = () =>
  performance.getEntriesByType("resource").filter((entry) => entry.name.includes(".wasm")).length;
window.wasmBeforeJoin = wasmFetched();
window.wasmFetched = wasmFetched;

window.inbox = [];
window.joined = Peer.join(params.get("ws"), params.get("room"), params.get("name")).then(
  (peer) => {
    window.peer = peer;
    peer.onMessage((m) => {
      window.inbox.push({ from: m.fromName, data: m.data });
      show(`${m.fromName}: ${m.data}`);
    });
    show(`joined ${params.get("room")} as ${peer.name}`);
    return peer.id;
  },
  (error) => {
    show(`could not join: ${error.message}`);
    throw error;
  },
);
