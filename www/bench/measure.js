// The three measurements, the same code for every contender (see contenders.js for the
// pair shape): verified throughput, ping-pong round trips, connect times.
import { countDropped } from "./dropped.js";
import { clock } from "./link.js";
import { record } from "./timeline.js";
import { resetTrace, traced } from "./trace.js";

/** Random bytes every message is cut from, so content differs message to message. */
const POOL = (() => {
  const pool = new Uint8Array(1536 * 1024);
  for (let at = 0; at < pool.length; at += 65536) crypto.getRandomValues(pool.subarray(at, at + 65536));
  return pool;
})();
/** Every SAMPLE-th byte of a message is checksummed (plus its 4-byte sequence number). */
const SAMPLE = 61;

/** A fresh message: POOL bytes from an offset that depends on `seq`, `seq` in bytes 0..4. */
function message(seq, size) {
  const from = (seq * 9973) % (POOL.length - size);
  const bytes = POOL.slice(from, from + size);
  bytes[0] = seq; bytes[1] = seq >> 8; bytes[2] = seq >> 16; bytes[3] = seq >> 24;
  return bytes;
}

/** The sequence number a message carries in its first 4 bytes. */
export const sequenceOf = (data) => data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24);

/** Folds a sample of `bytes` (positions shift with the sequence number) into `sum`. */
export function checksum(sum, bytes, seq) {
  for (let at = 4 + (seq % SAMPLE); at < bytes.length; at += SAMPLE) sum = (Math.imul(sum, 31) + bytes[at]) | 0;
  return (Math.imul(sum, 31) + bytes[bytes.length - 1]) | 0;
}

/**
 * Sends `total` bytes in `size`-byte messages from pair.a to pair.b and returns MB/s
 * (10^6 bytes), from the first send to the last message received (on the clock the tabs
 * share), and the packets this page's end dropped on send meanwhile (dropped.js;
 * undefined where the browser does not count them). The far end checks every message's
 * sequence number, and the byte count and a sampled checksum at the end: a failed check
 * throws.
 */
export async function transfer(pair, total, size) {
  const count = Math.ceil(total / size);
  const { sunk } = await pair.b.sink(count);
  const dropped = await countDropped();
  let sumOut = 0;
  const started = clock();
  for (let seq = 0; seq < count; seq++) {
    const bytes = message(seq, size);
    sumOut = checksum(sumOut, bytes, seq);
    await pair.a.send(bytes);
  }
  await pair.a.flush();
  const { at, bytes, sum, misordered } = await sunk;
  const seconds = (at - started) / 1000;
  if (bytes !== count * size || misordered || sum !== sumOut) {
    throw new Error(`corrupt transfer: ${bytes} of ${count * size} bytes, ${misordered} out of order, checksum ${sum} vs ${sumOut}`);
  }
  return { mbps: bytes / 1e6 / seconds, dropped: await dropped() };
}

/**
 * `count` sequential 16-byte ping-pongs on `pair` (its far end set echoing, 10 more
 * before them not counted): each round trip's time, ms.
 */
export async function pingPongs(pair, count) {
  await pair.b.echo();
  let pong = null;
  pair.a.onMessage(() => pong());
  const ping = async () => {
    const back = new Promise((resolve) => { pong = resolve; });
    await pair.a.send(new Uint8Array(16));
    await back;
  };
  for (let i = 0; i < 10; i++) await ping();
  const times = [];
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    await ping();
    times.push(performance.now() - sent);
  }
  return times;
}

/** Round-trip times (ms) sorted, and their mean. */
export function roundTripSummary(times) {
  const sorted = [...times].sort((x, y) => x - y);
  return { sorted, mean: times.reduce((sum, ms) => sum + ms, 0) / times.length };
}

/**
 * `pings` round trips of one pair, with `?trace=1` the medians of each end's send and
 * receive paths (µs) as well.
 */
export async function tracedRoundTrips(pair, pings) {
  // The stamps count from here, the 10 warm-up pings included ("echo" resets the far
  // end's).
  resetTrace();
  const times = await pingPongs(pair, pings);
  const here = traced();
  return { ...roundTripSummary(times), trace: here && { here, far: await pair.b.traced() } };
}

/**
 * Connect times (ms, sorted) of `count` fresh pairs, each closed before the next, and
 * each connect's stages (see timeline.js).
 */
export async function connectTimes(makePair, count) {
  const times = [];
  const stages = [];
  for (let i = 0; i < count; i++) {
    let pair;
    const { total, stages: seen } = await record(async () => {
      pair = await makePair();
      return { startedAt: pair.startedAt, total: pair.connectMs };
    });
    times.push(total);
    stages.push(seen);
    pair.close();
  }
  return { sorted: times.sort((x, y) => x - y), stages };
}

/** The `p` quantile (0..1) of sorted numbers, nearest rank. */
export const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)];

/** gzip size of the files at `urls` together (CompressionStream, the browser's default level). */
export async function gzipSize(urls) {
  let total = 0;
  for (const url of urls) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    const gzipped = response.body.pipeThrough(new CompressionStream("gzip"));
    total += (await new Response(gzipped).arrayBuffer()).byteLength;
  }
  return total;
}
