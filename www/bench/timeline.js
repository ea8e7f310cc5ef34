// Where a connect's milliseconds go, the same way for every contender: the methods of
// RTCPeerConnection that every library calls are stamped as they are called and as they
// finish. (ICE, DTLS and SCTP stay one stage: Chromium reports the "connected" state
// after the channel's "open", so the state change cannot split it.) The prototype is
// wrapped once, when this module loads (before any library makes a connection); the
// wrappers only read the clock, and only while `record` (or a `capture`) runs. Stamps are
// on the clock tabs share, so that the far end of a pair in another tab (far.js) can
// send its own along.
import { clock } from "./link.js";

/** The stages of one connect, in order, as figures of the table (ms, lower is better). */
export const STAGES = [
  { key: "offer_made", title: "connect: from the call to the offer set locally" },
  { key: "offer_carried", title: "connect: offer carried to the answerer (signaling)" },
  { key: "answer_made", title: "connect: offer applied and answer set locally" },
  { key: "answer_carried", title: "connect: answer carried back (signaling)" },
  { key: "opened", title: "connect: answer applied to open on both sides (ICE, DTLS, SCTP)" },
];

let stamps = null;

function stamp(pc, what) {
  stamps?.push({ pc, what, at: clock() });
}

const proto = RTCPeerConnection.prototype;
for (const name of ["setLocalDescription", "setRemoteDescription"]) {
  const original = proto[name];
  proto[name] = function (description, ...rest) {
    const result = original.call(this, description, ...rest);
    if (name === "setRemoteDescription") stamp(this, `remote ${description?.type}`);
    // The local type is known once set (`setLocalDescription()` may be called bare).
    result.then(() => name === "setLocalDescription" && stamp(this, `local ${this.localDescription?.type}`), () => {});
    return result;
  };
}

/**
 * Runs `connect` (which resolves to `{ startedAt, total }`: when the library's connect
 * call was made, and the time from then to open on both sides, in ms) and returns that
 * time with its stages (ms each; NaN for a stage not seen, e.g. a library that retried).
 * `connect` may hand in stamps made in another tab with `addStamps`.
 */
export async function record(connect) {
  stamps = [];
  try {
    const { startedAt, total } = await connect();
    return { total, stages: stagesOf(stamps, startedAt, startedAt + total) };
  } finally {
    stamps = null;
  }
}

/** Adds stamps made elsewhere (each `{ pc, what, at }`) to the connect being recorded. */
export function addStamps(list) {
  stamps?.push(...list);
}

/**
 * Starts stamping outside `record` (in the far tab); the function returned stops and
 * returns the stamps, each with `pc: "far"` (an RTCPeerConnection cannot be posted).
 */
export function capture() {
  stamps = [];
  return () => {
    const taken = (stamps ?? []).map(({ what, at }) => ({ pc: "far", what, at }));
    stamps = null;
    return taken;
  };
}

function stagesOf(list, start, end) {
  const first = (what, pc) => list.find((s) => s.what === what && (pc === undefined || s.pc === pc));
  const offer = first("local offer");
  const offerer = offer?.pc;
  const offered = list.find((s) => s.what === "remote offer" && s.pc !== offerer);
  const answerer = offered?.pc;
  const answer = first("local answer", answerer);
  const answered = first("remote answer", offerer);
  const at = (s) => (s ? s.at : NaN);
  const marks = [start, at(offer), at(offered), at(answer), at(answered), end];
  return Object.fromEntries(STAGES.map((stage, i) => [stage.key, marks[i + 1] - marks[i]]));
}
