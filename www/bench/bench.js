// Runs every measurement for every contender in this page, shows a table and bar charts,
// and leaves the results in window.benchResults for the driver (e2e-tests/src/bin/bench.rs).
import { oursPair, peerjsPair, rawPair, simplePeerPair } from "./contenders.js";

const params = new URLSearchParams(location.search);
const quick = params.has("quick");
const peerjsPort = Number(params.get("peerjsPort") || 9000);
const MIB = 1024 * 1024;
const TOTAL = (quick ? 8 : 64) * MIB;
const SIZES = [16 * 1024, 64 * 1024, 256 * 1024];
const PINGS = quick ? 200 : 1000;
const CONNECTS = quick ? 8 : 30;

const contenders = [
  { name: "raw JS", pair: rawPair },
  { name: "peer-wasm", pair: oursPair },
  { name: "PeerJS", pair: () => peerjsPair(peerjsPort) },
  { name: "simple-peer", pair: simplePeerPair },
];

const status = (text) => { document.getElementById("status").textContent = text; };
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.round((sorted.length - 1) * p))];

/** MB/s moving TOTAL bytes in `size`-byte messages on a fresh connection, verified. */
async function throughput(contender, size) {
  const { a, b, close } = await contender.pair();
  const count = Math.ceil(TOTAL / size);
  let received = 0;
  let bytes = 0;
  let misordered = 0;
  const done = new Promise((resolve) => {
    b.onMessage((data) => {
      // Every message carries its sequence number: order and completeness are checked.
      const seq = data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24);
      if (seq !== received || data[data.length - 1] !== (seq & 0xff)) misordered += 1;
      received += 1;
      bytes += data.length;
      if (received === count) resolve();
    });
  });
  const started = performance.now();
  for (let seq = 0; seq < count; seq++) {
    const message = new Uint8Array(size);
    message[0] = seq; message[1] = seq >> 8; message[2] = seq >> 16; message[3] = seq >> 24;
    message[size - 1] = seq & 0xff;
    await a.send(message);
  }
  await done;
  const seconds = (performance.now() - started) / 1000;
  close();
  if (bytes !== count * size || misordered) throw new Error(`${contender.name}: corrupt transfer`);
  return bytes / 1e6 / seconds;
}

/** Round-trip times (ms) of PINGS 16-byte ping-pongs. */
async function roundTrips(contender) {
  const { a, b, close } = await contender.pair();
  b.onMessage((data) => b.send(data));
  let pong = null;
  a.onMessage(() => pong());
  const times = [];
  for (let i = 0; i < PINGS; i++) {
    const back = new Promise((resolve) => { pong = resolve; });
    const started = performance.now();
    await a.send(new Uint8Array(16));
    await back;
    times.push(performance.now() - started);
  }
  close();
  return times.sort((x, y) => x - y);
}

/** Times (ms) from the call to open on both sides, over CONNECTS fresh connections. */
async function connectTimes(contender) {
  const times = [];
  for (let i = 0; i < CONNECTS; i++) {
    const started = performance.now();
    const pair = await contender.pair();
    // Libraries that need a registration first (ours, PeerJS) time only the connect.
    times.push(pair.connectMs ?? performance.now() - started);
    pair.close();
  }
  return times.sort((x, y) => x - y);
}

async function measure(contender) {
  const result = { name: contender.name };
  for (const size of SIZES) {
    status(`${contender.name}: throughput at ${size / 1024} KiB`);
    result[`throughput_${size / 1024}k_mbps`] = await throughput(contender, size);
  }
  status(`${contender.name}: round trips`);
  const rtt = await roundTrips(contender);
  result.rtt_p50_ms = percentile(rtt, 0.5);
  result.rtt_p99_ms = percentile(rtt, 0.99);
  status(`${contender.name}: connects`);
  const connects = await connectTimes(contender);
  result.connect_p50_ms = percentile(connects, 0.5);
  result.connect_p95_ms = percentile(connects, 0.95);
  return result;
}

const FIGURES = [
  ["throughput_16k_mbps", "throughput 16 KiB (MB/s)", "higher"],
  ["throughput_64k_mbps", "throughput 64 KiB (MB/s)", "higher"],
  ["throughput_256k_mbps", "throughput 256 KiB (MB/s)", "higher"],
  ["rtt_p50_ms", "round trip p50 (ms)", "lower"],
  ["rtt_p99_ms", "round trip p99 (ms)", "lower"],
  ["connect_p50_ms", "connect p50 (ms)", "lower"],
  ["connect_p95_ms", "connect p95 (ms)", "lower"],
];

function render(results) {
  const table = document.getElementById("results");
  table.replaceChildren();
  const head = table.insertRow();
  for (const title of ["figure", ...results.flatMap((r) => [r.name, "×raw"])]) {
    const th = document.createElement("th");
    th.textContent = title;
    head.append(th);
  }
  const charts = document.getElementById("charts");
  charts.replaceChildren();
  for (const [key, title] of FIGURES) {
    const row = table.insertRow();
    row.insertCell().textContent = title;
    const raw = results[0][key];
    for (const r of results) {
      row.insertCell().textContent = r[key].toFixed(2);
      const ratio = row.insertCell();
      ratio.className = "ratio";
      ratio.textContent = (r[key] / raw).toFixed(2);
    }
    const chart = document.createElement("div");
    chart.className = "chart";
    const h3 = document.createElement("h3");
    h3.textContent = title;
    chart.append(h3);
    const max = Math.max(...results.map((r) => r[key]));
    for (const r of results) {
      const line = document.createElement("div");
      line.className = "bar-row";
      const label = document.createElement("span");
      label.textContent = r.name;
      const bar = document.createElement("div");
      bar.className = r === results[0] ? "bar raw" : "bar";
      bar.style.width = `${(100 * r[key]) / max}%`;
      const value = document.createElement("span");
      value.textContent = `${r[key].toFixed(2)} (${(r[key] / raw).toFixed(2)}×)`;
      line.append(label, bar, value);
      chart.append(line);
    }
    charts.append(chart);
  }
}

async function run() {
  document.getElementById("run").disabled = true;
  const results = [];
  try {
    for (const contender of contenders) {
      results.push(await measure(contender));
      render(results);
    }
    status(`done (${quick ? "quick" : `${TOTAL / MIB} MiB per transfer`})`);
    window.benchResults = { ok: true, quick, total_bytes: TOTAL, results };
  } catch (error) {
    status(`failed: ${error.message}`);
    window.benchResults = { ok: false, error: String(error.message || error), results };
  }
  document.getElementById("run").disabled = false;
}

document.getElementById("run").addEventListener("click", run);
status("ready");
if (params.has("auto")) run();
