// The chat page: join a room, see its peers, connect to them, and chat over data
// channels. Peer-supplied text only ever goes into the page through textContent.
import init, { Peer } from "./pkg/peer_wasm.js";
import { transferLine } from "./transfers.js";

const $ = (id) => document.getElementById(id);
/** Connection state per peer id: "known" | "connecting" | "connected". */
const states = new Map();
/** The path of each connected peer, from `peer.stats(id)`: "relay (tcp) · 12.3 ms". */
const paths = new Map();
/** Refreshes `paths` every few seconds while joined. */
let pathTimer = null;
const PATH_REFRESH_MS = 3000;
let peer = null;

$("name").value = `Peer ${Math.floor(100 + Math.random() * 900)}`;
$("room").value = new URLSearchParams(location.search).get("room") || "lobby";

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

/** Appends a line: kind is "mine" | "theirs" | "system" | "error". */
function addLine(kind, text, from) {
  const item = document.createElement("li");
  item.className = kind;
  if (from) {
    const name = document.createElement("span");
    name.className = "from";
    name.textContent = from;
    item.append(name);
  }
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  item.append(body);
  $("messages").append(item);
  $("no-messages").hidden = true;
  item.scrollIntoView({ block: "end" });
}

const describe = (data) =>
  typeof data === "string" ? data
    : data instanceof Uint8Array ? `[${data.length} bytes]`
      : JSON.stringify(data);

function peerItem({ id, name }) {
  const state = states.get(id) || "known";
  const item = document.createElement("li");
  item.dataset.peerId = id;
  item.dataset.state = state;
  const dot = document.createElement("span");
  dot.className = "dot";
  const label = document.createElement("span");
  label.className = "peer-name";
  label.textContent = name;
  label.title = `id ${id}`;
  const status = document.createElement("span");
  status.className = "peer-state";
  status.textContent = state;
  const button = document.createElement("button");
  button.type = "button";
  const connected = state === "connected";
  button.className = connected ? "secondary small" : "small";
  button.dataset.action = connected ? "disconnect" : "connect";
  button.dataset.peerId = id;
  button.textContent = connected ? "Disconnect" : state === "connecting" ? "Connecting…" : "Connect";
  button.disabled = state === "connecting";
  button.addEventListener("click", () => (connected ? disconnect(id) : connect(id)));
  item.append(dot, label, status, button);
  if (connected) {
    showPath(item, id);
    showSafetyNumber(item, id);
  }
  return item;
}

/** Shows the safety number of `id`: both people read it; if theirs match, no one is in the middle. */
function showSafetyNumber(item, id) {
  const number = peer && peer.safetyNumber(id);
  if (!number) return;
  const code = document.createElement("span");
  code.className = "peer-safety";
  code.title = "safety number: compare it with the other person's (read aloud, side by side); if they match, no one stands between you";
  code.textContent = `safety ${number}`;
  item.append(code);
}

/** Shows (or updates) the path of `id` in its list item, once known. */
function showPath(item, id) {
  if (!paths.has(id)) return;
  let path = item.querySelector(".peer-path");
  if (!path) {
    path = document.createElement("span");
    path.className = "peer-path";
    path.title = "the path the browser chose (host, srflx, prflx or relay, with how the relay is reached) and its round trip";
    item.append(path);
  }
  path.textContent = paths.get(id);
}

/** Asks the browser which path each connection took, and its round trip. */
async function refreshPaths() {
  if (!peer) return;
  for (const { id } of peer.connectedPeers()) {
    try {
      const { path, relayProtocol, rttMs } = await peer.stats(id);
      const how = relayProtocol ? `${path} (${relayProtocol})` : path || "?";
      paths.set(id, `${how}${rttMs == null ? "" : ` · ${rttMs.toFixed(1)} ms`}`);
    } catch {
      paths.delete(id); // it closed meanwhile
    }
  }
  // In place: the list's buttons stay the same elements, so a click in progress (a
  // press now, its release after the refresh) still lands.
  for (const item of $("peer-list").children) {
    if (item.dataset.state === "connected") showPath(item, item.dataset.peerId);
  }
}

function renderPeers() {
  const peers = peer ? peer.peers() : [];
  $("peer-list").replaceChildren(...peers.map(peerItem));
  $("peer-count").textContent = String(peers.length);
  $("no-peers").hidden = peers.length > 0;
  $("connect-all").disabled = !peers.some(({ id }) => !states.has(id) || states.get(id) === "known");
}

async function connect(id) {
  if (states.get(id) === "connected" || states.get(id) === "connecting") return;
  states.set(id, "connecting");
  renderPeers();
  const joined = peer;
  try {
    await joined.connect(id);
  } catch (error) {
    if (peer !== joined) return; // we left the room meanwhile
    if (states.get(id) === "connecting") states.set(id, "known");
    addLine("error", `could not connect: ${error.message}`);
    renderPeers();
  }
}

async function disconnect(id) {
  try {
    await peer.disconnect(id);
  } catch (error) {
    addLine("error", `could not disconnect: ${error.message}`);
  }
}

function listen() {
  peer.onPeerJoined(({ name }) => { addLine("system", `${name} joined`); renderPeers(); });
  peer.onPeerLeft(({ id, name }) => { states.delete(id); addLine("system", `${name} left`); renderPeers(); });
  peer.onConnected(({ id, name }) => { states.set(id, "connected"); addLine("system", `connected to ${name}`); renderPeers(); refreshPaths(); });
  peer.onDisconnected(({ id, name, reason }) => { states.set(id, "known"); paths.delete(id); addLine("system", `disconnected from ${name}: ${reason}`); renderPeers(); });
  peer.onMessage(({ fromName, data, broadcast }) =>
    addLine("theirs", describe(data), broadcast ? `${fromName} → the room` : fromName));
  peer.onFile(receiveFile);
  peer.onSignalingState((state, reason) => {
    if (state === "reconnecting") setStatus(`reconnecting… (${reason}); open connections still work`, true);
    else if (state === "connected") setStatus(`joined ${peer.room} as ${peer.name}`);
    else setStatus(`signaling server lost (${reason}); open connections still work`, true);
    renderPeers();
  });
}

async function join(event) {
  event.preventDefault();
  $("join").disabled = true;
  $("join-error").hidden = true;
  setStatus("joining…");
  try {
    await init();
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    const secret = $("secret").value || undefined; // empty: an open room
    peer = await Peer.join(url, $("room").value.trim(), $("name").value.trim(), secret);
  } catch (error) {
    $("join-error").textContent = `Could not join: ${error.message}`;
    $("join-error").hidden = false;
    setStatus("not joined", true);
    return;
  } finally {
    $("join").disabled = false;
  }
  listen();
  window.chatPeer = peer; // handy in the console
  $("join-form").hidden = true;
  $("chat").hidden = false;
  $("room-name").textContent = peer.room;
  $("my-name").textContent = peer.name;
  setStatus(`joined ${peer.room} as ${peer.name}`);
  renderPeers();
  pathTimer = setInterval(refreshPaths, PATH_REFRESH_MS);
  $("message").focus();
}

function leave() {
  if (!peer) return;
  for (const set of ["onMessage", "onFile", "onPeerJoined", "onPeerLeft", "onConnected", "onDisconnected", "onSignalingState"]) {
    peer[set](null);
  }
  clearInterval(pathTimer);
  peer.close();
  peer.free();
  peer = null;
  states.clear();
  paths.clear();
  $("messages").replaceChildren();
  $("no-messages").hidden = false;
  $("chat").hidden = true;
  $("join-form").hidden = false;
  setStatus("not joined");
}

/** The display name of the peer `id`. */
const nameOf = (id) => (peer.peers().find((p) => p.id === id) || { name: id }).name;

function receiveFile(file) {
  const line = transferLine($("messages"), {
    mine: false, title: nameOf(file.from), name: file.name, size: file.size,
    cancel: () => file.cancel(),
  });
  $("no-messages").hidden = true;
  file.onProgress((done) => line.progress(done));
  file.done.then((blob) => line.received(blob), (error) => line.failed(error.message));
}

/** Sends each of `files` to every connected peer. */
function sendFiles(files) {
  const targets = peer ? peer.connectedPeers() : [];
  if (files.length > 0 && targets.length === 0) {
    addLine("error", "not connected to anyone yet: connect to a peer first");
    return;
  }
  for (const file of files) {
    for (const { id, name } of targets) {
      try {
        const sending = peer.sendFile(id, file);
        const line = transferLine($("messages"), {
          mine: true, title: `you → ${name}`, name: file.name, size: file.size,
          cancel: () => sending.cancel(),
        });
        $("no-messages").hidden = true;
        sending.onProgress((done) => line.progress(done));
        sending.done.then(() => line.sent(), (error) => line.failed(error.message));
      } catch (error) {
        addLine("error", `could not send ${file.name}: ${error.message}`);
      }
    }
  }
}

function send(event) {
  event.preventDefault();
  const text = $("message").value;
  if (!text.trim() || !peer) return;
  try {
    const toRoom = $("to-room").checked;
    // A broadcast goes to the neighbours, which pass it on to the rest of the room.
    const count = toRoom ? peer.broadcast(text) : peer.sendMessage(text);
    if (count === 0) {
      addLine("error", "not connected to anyone yet: connect to a peer first");
      return;
    }
    addLine("mine", text, toRoom ? "you → the room" : `you → ${count} peer${count === 1 ? "" : "s"}`);
    $("message").value = "";
  } catch (error) {
    addLine("error", `could not send: ${error.message}`);
  }
}

$("join-form").addEventListener("submit", join);
$("send-form").addEventListener("submit", send);
$("leave").addEventListener("click", leave);
$("file").addEventListener("change", () => {
  sendFiles([...$("file").files]);
  $("file").value = "";
});
const dropZone = document.querySelector(".conversation");
dropZone.addEventListener("dragover", (event) => {
  event.preventDefault();
  dropZone.classList.add("dropping");
});
dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dropping"));
dropZone.addEventListener("drop", (event) => {
  event.preventDefault();
  dropZone.classList.remove("dropping");
  sendFiles([...event.dataTransfer.files]);
});
$("connect-all").addEventListener("click", () => {
  for (const { id } of peer.peers()) connect(id);
});
