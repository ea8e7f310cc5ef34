// Runs every measurement for every contender in this page, in one run, shows the table
// and the charts, and leaves the results in window.benchResults for the driver
// (bench-runner/). Query string: auto (start at once), quick (smaller run),
// peerjsPort=N (the local PeerJS server), rounds=N, ours=sendall, simplepeer=drain
// (other sending strategies, to compare), pairs=page (both ends of each pair in this
// page; by default the far end is in a tab of its own), mesh=8,16 (the mesh sizes;
// mesh=none skips them), meshRuns=N, steps=mesh,connect (only those of throughput, rtt,
// connect, mesh), sizes=16,64 (the message sizes of the transfers, KiB), trace=1 (stamp each library's send and receive paths in the round
// trips, trace.js).
import { closeFarTab, contenders } from "./contenders.js";
import { connectTimes, gzipSize, percentile, pingPongs, roundTripSummary, tracedRoundTrips, transfer } from "./measure.js";
import { formMesh, tabsFor } from "./mesh.js";
import { render } from "./render.js";
import { STAGES } from "./timeline.js";

const params = new URLSearchParams(location.search);
const quick = params.has("quick");
const STEPS = new Set((params.get("steps") ?? "throughput,rtt,connect,mesh").split(","));
const MIB = 1024 * 1024;
const TOTAL = (quick ? 8 : 32) * MIB;
const SIZES_KIB = (params.get("sizes") ?? "16,64,256").split(",").map(Number).filter((k) => k > 0);
const PINGS = quick ? 200 : 10000;
/**
 * Round trips run in this many blocks, the contenders in turn, a new pair each, after
 * one block not counted (the first pair of a page also pays for its start: the far tab's
 * first page work, the code's first runs, and it made the first contender's p99 1.5-2x
 * the others').
 */
const RTT_BLOCKS = quick ? 4 : 25;
const TRACE = params.has("trace");
const CONNECTS = quick ? 8 : 30;
/** Mesh sizes, each formed MESH_RUNS times per contender (figure: the median). */
const MESH_SIZES = (params.get("mesh") ?? (quick ? "8" : "8,16,32")).split(",").map(Number).filter((n) => n > 1);
const MESH_RUNS = Number(params.get("meshRuns")) || (quick ? 1 : 3);
/** Throughput rounds; each figure is the median of its rounds (all kept in `samples`). */
const ROUNDS = Number(params.get("rounds")) || (quick ? 1 : 5);
const PAYLOADS = {
  "raw JS": [],
  "peer-wasm": ["/pkg/peer_wasm_bg.wasm", "/pkg/peer_wasm.js"],
  PeerJS: ["/bench/vendor/peerjs.min.js"],
  "simple-peer": ["/bench/vendor/simplepeer.min.js"],
};

/** `urls` plus the JS snippets (wasm-bindgen's `inline_js`) that `peer_wasm.js` imports. */
async function withSnippets(urls) {
  const glue = await (await fetch("/pkg/peer_wasm.js")).text();
  const snippets = new Set([...glue.matchAll(/from ["']\.\/(snippets\/[^"']+)["']/g)].map((m) => `/pkg/${m[1]}`));
  return [...urls, ...snippets];
}

/** What the table shows, in order; `better` says which way is good. */
const FIGURES = [
  ...SIZES_KIB.map((k) => ({ key: `throughput_${k}k_fresh_mbps`, title: `throughput ${k} KiB, 1st transfer (fresh connection)`, unit: "MB/s", better: "higher" })),
  ...SIZES_KIB.map((k) => ({ key: `throughput_${k}k_warm_mbps`, title: `throughput ${k} KiB, 2nd transfer (same connection)`, unit: "MB/s", better: "higher" })),
  ...SIZES_KIB.map((k) => ({ key: `dropped_${k}k_fresh`, title: `packets dropped on send, ${k} KiB, 1st transfer`, unit: "packets", better: "lower" })),
  ...SIZES_KIB.map((k) => ({ key: `dropped_${k}k_warm`, title: `packets dropped on send, ${k} KiB, 2nd transfer`, unit: "packets", better: "lower" })),
  { key: "rtt_p50_ms", title: "round trip p50", unit: "ms", better: "lower" },
  { key: "rtt_p99_ms", title: "round trip p99", unit: "ms", better: "lower" },
  { key: "rtt_mean_ms", title: "round trip mean", unit: "ms", better: "lower" },
  ...(params.has("trace") ? [
    { key: "rtt_here_send_us", title: "round trip: send call to channel.send, this page, p50", unit: "µs", better: "lower" },
    { key: "rtt_here_receive_us", title: "round trip: message event to handler, this page, p50", unit: "µs", better: "lower" },
    { key: "rtt_far_send_us", title: "round trip: send call to channel.send, far end, p50", unit: "µs", better: "lower" },
    { key: "rtt_far_receive_us", title: "round trip: message event to handler, far end, p50", unit: "µs", better: "lower" },
    { key: "rtt_here_listener_us", title: "round trip: message listener in all, this page, p50", unit: "µs", better: "lower" },
    { key: "rtt_far_listener_us", title: "round trip: message listener in all, far end, p50", unit: "µs", better: "lower" },
  ] : []),
  { key: "connect_p50_ms", title: "connect p50", unit: "ms", better: "lower" },
  { key: "connect_p95_ms", title: "connect p95", unit: "ms", better: "lower" },
  ...STAGES.map((s) => ({ key: `connect_${s.key}_ms`, title: `${s.title}, p50`, unit: "ms", better: "lower" })),
  ...MESH_SIZES.map((n) => ({
    key: `mesh_${n}_ms`,
    title: `mesh of ${n} formed (${n * (n - 1) / 2} pairs, ${tabsFor(n) === 1 ? "one tab" : `${tabsFor(n)} tabs`})`,
    unit: "ms",
    better: "lower",
    only: "mesh",
  })),
  { key: "gzip_bytes", title: "gzip size to load", unit: "bytes", better: "lower" },
];

const median = (values) => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A new pair of contender `c`. One that does not connect is noted in its `failed.pairs`
 * (listed under the table) and made once more: a library's rare lost connect (seen once
 * with PeerJS, in one of four full runs) need not end a run.
 */
async function freshPair(c, result) {
  try {
    return await c.pair();
  } catch (error) {
    if (quick) throw error;
    (result.failed.pairs ??= []).push(error.message || String(error));
    return c.pair();
  }
}

const statusLine = document.getElementById("status");
const status = (text) => { statusLine.textContent = text; };

/**
 * One step at a time, every contender in turn within a step, so that slow drift of the
 * machine (other builds on its 2 cores) spreads over all of them.
 */
async function runAll(list, results) {
  const show = () => render(FIGURES, results);
  const record = (result, key, value) => {
    (result.samples[key] ??= []).push(value);
    result.values[key] = median(result.samples[key]);
  };
  for (let round = 1; STEPS.has("throughput") && round <= ROUNDS; round++) {
    for (const kib of SIZES_KIB) {
      // Each round starts one contender further, as the round trips' blocks do.
      for (let turn = 0; turn < list.length; turn++) {
        const i = (round + turn) % list.length;
        const c = list[i];
        status(`round ${round} of ${ROUNDS}, ${c.name}: ${TOTAL / MIB} MiB in ${kib} KiB messages on a fresh connection, then again`);
        const pair = await freshPair(c, results[i]);
        try {
          for (const which of ["fresh", "warm"]) {
            const { mbps, dropped } = await transfer(pair, TOTAL, kib * 1024);
            record(results[i], `throughput_${kib}k_${which}_mbps`, mbps);
            if (dropped !== undefined) record(results[i], `dropped_${kib}k_${which}`, dropped);
          }
        } finally {
          pair.close();
        }
        show();
      }
    }
  }
  const recordRoundTrips = (i, { sorted, mean, trace }) => {
    Object.assign(results[i].values, { rtt_p50_ms: percentile(sorted, 0.5), rtt_p99_ms: percentile(sorted, 0.99), rtt_mean_ms: mean });
    if (trace) {
      Object.assign(results[i].values, {
        rtt_here_send_us: trace.here.sendUs, rtt_here_receive_us: trace.here.receiveUs,
        rtt_far_send_us: trace.far.sendUs, rtt_far_receive_us: trace.far.receiveUs,
        rtt_here_listener_us: trace.here.listenerUs, rtt_far_listener_us: trace.far.listenerUs,
      });
    }
    show();
  };
  if (STEPS.has("rtt") && TRACE) {
    for (const [i, c] of list.entries()) {
      status(`${c.name}: ${PINGS} round trips, traced`);
      const pair = await c.pair();
      recordRoundTrips(i, await tracedRoundTrips(pair, PINGS).finally(() => pair.close()));
    }
  } else if (STEPS.has("rtt")) {
    // In each block every contender in turn, each on a pair of its own made for the
    // block, and each block starting one contender further: a slow patch of the
    // machine, a pair whose path happens to be faster or slower than most, and the place
    // in the turn (all three seen, with raw JS against itself) spread over all of them.
    const times = list.map(() => []);
    for (let block = -1; block < RTT_BLOCKS; block++) {
      const counted = block >= 0;
      status(counted
        ? `round trips, block ${block + 1} of ${RTT_BLOCKS} (${PINGS / RTT_BLOCKS} per contender, each on a new pair)`
        : "round trips, a first block not counted");
      for (let turn = 0; turn < list.length; turn++) {
        const i = (block + list.length + turn) % list.length;
        const pair = await freshPair(list[i], results[i]);
        try {
          const pings = await pingPongs(pair, PINGS / RTT_BLOCKS);
          if (counted) times[i].push(...pings);
        } finally {
          pair.close();
        }
      }
    }
    times.forEach((contender, i) => recordRoundTrips(i, roundTripSummary(contender)));
  }
  for (const [i, c] of STEPS.has("connect") ? list.entries() : []) {
    status(`${c.name}: ${CONNECTS} connects`);
    const { sorted: times, stages } = await connectTimes(c.pair, CONNECTS);
    Object.assign(results[i].values, { connect_p50_ms: percentile(times, 0.5), connect_p95_ms: percentile(times, 0.95) });
    for (const { key } of STAGES) {
      const seen = stages.map((s) => s[key]).filter((ms) => !Number.isNaN(ms));
      if (seen.length) results[i].values[`connect_${key}_ms`] = median(seen);
    }
    show();
  }
  for (let run = 1; STEPS.has("mesh") && run <= MESH_RUNS; run++) {
    for (const n of MESH_SIZES) {
      for (const [i, c] of list.entries()) {
        if (!c.mesh) continue;
        status(`run ${run} of ${MESH_RUNS}, ${c.name}: a mesh of ${n} peers in ${tabsFor(n)} tab(s)`);
        let formed;
        try {
          formed = await formMesh(c.mesh, n);
        } catch (error) {
          // A mesh that does not form is a result of the full run (shown as failed, the
          // reason in `failed`), and an error of the quick one (a smoke test).
          if (quick) throw error;
          (results[i].failed[`mesh_${n}_ms`] ??= []).push(`run ${run}: ${error.message || error}`);
          show();
          continue;
        }
        const { ms, goLagMs, openP50Ms, busyMs, sent } = formed;
        record(results[i], `mesh_${n}_ms`, ms);
        // Not in the table; bench-results/latest.json keeps them.
        record(results[i], `mesh_${n}_go_lag_ms`, goLagMs);
        record(results[i], `mesh_${n}_channel_open_p50_ms`, openP50Ms);
        record(results[i], `mesh_${n}_long_tasks_ms`, busyMs);
        for (const [way, [messages, bytes]] of Object.entries(sent)) {
          record(results[i], `mesh_${n}_${way}_messages`, messages);
          record(results[i], `mesh_${n}_${way}_bytes`, bytes);
        }
        show();
      }
    }
  }
  // The same package under two names ("peer-wasm, tabs" only signals otherwise).
  for (const result of results.filter((r) => PAYLOADS[r.name] !== undefined)) {
    const urls = result.name === "peer-wasm" ? await withSnippets(PAYLOADS[result.name]) : PAYLOADS[result.name];
    result.values.gzip_bytes = await gzipSize(urls);
  }
  show();
}

async function run() {
  const button = document.getElementById("run");
  button.disabled = true;
  window.benchResults = undefined;
  const list = contenders({ peerjsPort: Number(params.get("peerjsPort") || 9000), choices: params });
  const results = list.map((c) => ({ name: c.name, strategy: c.strategy, mesh: c.mesh ?? null, values: {}, samples: {}, failed: {} }));
  const started = performance.now();
  const report = {
    quick, pairs: params.get("pairs") || "tabs", total_bytes: TOTAL, rounds: ROUNDS, pings: PINGS, connects: CONNECTS, mesh_sizes: MESH_SIZES, mesh_runs: MESH_RUNS,
    figures: FIGURES, results,
    user_agent: navigator.userAgent, cross_origin_isolated: self.crossOriginIsolated,
  };
  try {
    await runAll(list, results);
    report.seconds = (performance.now() - started) / 1000;
    status(`done in ${report.seconds.toFixed(0)} s (${ROUNDS} × ${TOTAL / MIB} MiB per transfer, ${PINGS} pings, ${CONNECTS} connects, meshes of ${MESH_SIZES.join(", ") || "none"} × ${MESH_RUNS})`);
    window.benchResults = { ok: true, ...report };
  } catch (error) {
    const message = `${statusLine.textContent}: ${error.message || error}`;
    status(`failed: ${message}`);
    statusLine.classList.add("error");
    window.benchResults = { ok: false, error: message, ...report };
  } finally {
    await closeFarTab();
  }
  button.disabled = false;
}

document.getElementById("run").addEventListener("click", run);
status(self.crossOriginIsolated ? "ready" : "ready (not cross-origin isolated: times are rounded to 0.1 ms)");
if (params.has("auto")) run();
