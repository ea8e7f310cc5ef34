// The "peer-wasm↔native" pairs (bench-runner --native): "a" is our Peer in this page,
// as in the peer-wasm pairs; the far end is a native peer (peer-native) that the
// benchmark's process keeps in a room of its own (its id and room in the query string:
// native=ID&nativeRoom=ROOM). The far tab's orders (far.js) go to it as text messages
// on the pair's own channel, and it answers the same way (bench-runner/src/
// native_far.rs); the measured messages are binary, so the two never mix.
import { clock } from "./link.js";
import { SIDES } from "./sides.js";

/** A connected pair of the shape contenders.js gives (`options`: room, id, strategy). */
export async function nativePair(options) {
  // The far end's id is known: "joined" is the only thing oursSide asks of its link.
  const link = { post() {}, next: async () => ({ id: options.id }) };
  const a = await SIDES.ours({ role: "a", link, options: { ...options, sameOrigin: false } });
  const waiting = new Map();
  let onData = () => {};
  a.onMessage((data) => {
    if (typeof data !== "string") return onData(data);
    const [word, ...rest] = data.split(" ");
    waiting.get(word)?.(rest);
    waiting.delete(word);
  });
  const answer = (word) => new Promise((resolve) => waiting.set(word, resolve));
  const b = {
    async echo() {
      const echoing = answer("echoing");
      a.send("echo");
      await echoing;
    },
    async traced() {
      return null;
    },
    async sink(count) {
      const sinking = answer("sinking");
      const sunk = answer("sunk").then(([bytes, sum, misordered]) => ({
        at: clock(),
        bytes: Number(bytes),
        sum: Number(sum),
        misordered: Number(misordered),
      }));
      a.send(`sink ${count}`);
      await sinking;
      return { sunk };
    },
  };
  return {
    a: { ...a, onMessage: (fn) => { onData = fn; } },
    b,
    startedAt: a.startedAt,
    // The far end's open is not seen here; a's is at most a one-way trip later.
    connectMs: a.openedAt - a.startedAt,
    close: () => a.close(),
  };
}
