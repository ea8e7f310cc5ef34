// The chat page: join a room, see its peers, connect to them, and chat over data channels.
import init, { Peer } from "./pkg/peer_wasm.js";

const $ = (id) => document.getElementById(id);
/** Connection state per peer id: "known" | "connecting" | "connected". */
const states = new Map();
let peer = null;

$("name").value = `Peer ${Math.floor(100 + Math.random() * 900)}`;
$("room").value = new URLSearchParams(location.search).get("room") || "lobby";

function setStatus(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

/** Appends a chat line; all peer-supplied text goes through textContent. */
function addLine(kind, text, from) {
  const item = document.createElement("li");
  item.className = kind;
  if (from) {
    const name = document.createElement("span");
    name.className = "from";
    name.textContent = from;
    item.append(name);
  }
  item.append(document.createTextNode(text));
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
}

const describe = (data) =>
  typeof data === "string" ? data
    : data instanceof Uint8Array ? `[${data.length} bytes]`
      : JSON.stringify(data);

function renderPeers() {
  const list = $("peer-list");
  list.replaceChildren();
  const peers = peer ? peer.peers() : [];
  $("no-peers").hidden = peers.length > 0;
  for (const { id, name } of peers) {
    const state = states.get(id) || "known";
    const item = document.createElement("li");
    item.dataset.peerId = id;
    item.dataset.state = state;
    const dot = document.createElement("span");
    dot.className = "dot";
    const label = document.createElement("span");
    label.className = "peer-name";
    label.textContent = name;
    label.title = id;
    const status = document.createElement("span");
    status.className = "peer-state";
    status.textContent = state;
    const button = document.createElement("button");
    button.type = "button";
    button.className = state === "connected" ? "secondary" : "";
    button.dataset.action = state === "connected" ? "disconnect" : "connect";
    button.textContent = state === "connected" ? "Disconnect" : "Connect";
    button.disabled = state === "connecting";
    button.addEventListener("click", () => (state === "connected" ? disconnect(id) : connect(id)));
    item.append(dot, label, status, button);
    list.append(item);
  }
}

async function connect(id) {
  if (states.get(id) === "connected") return;
  states.set(id, "connecting");
  renderPeers();
  try {
    await peer.connect(id);
  } catch (error) {
    if (states.get(id) === "connecting") states.set(id, "known");
    addLine("error", error.message);
    renderPeers();
  }
}

async function disconnect(id) {
  try {
    await peer.disconnect(id);
  } catch (error) {
    addLine("error", error.message);
  }
}

async function join(event) {
  event.preventDefault();
  $("join").disabled = true;
  setStatus("joining…");
  try {
    await init();
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
    peer = await Peer.join(url, $("room").value.trim(), $("name").value.trim());
  } catch (error) {
    setStatus(error.message, true);
    $("join").disabled = false;
    return;
  }
  peer.onPeerJoined(({ name }) => { addLine("system", `${name} joined`); renderPeers(); });
  peer.onPeerLeft(({ id, name }) => { states.delete(id); addLine("system", `${name} left`); renderPeers(); });
  peer.onConnected(({ id, name }) => { states.set(id, "connected"); addLine("system", `connected to ${name}`); renderPeers(); });
  peer.onDisconnected(({ id, name }) => { states.set(id, "known"); addLine("system", `disconnected from ${name}`); renderPeers(); });
  peer.onMessage(({ fromName, data }) => addLine("theirs", describe(data), fromName));
  peer.onSignalingClosed((reason) => setStatus(`signaling server lost (${reason}); open channels still work`, true));
  window.chatPeer = peer; // handy in the console

  $("join-form").hidden = true;
  $("chat").hidden = false;
  $("room-name").textContent = peer.room;
  setStatus(`joined as ${peer.name}`);
  renderPeers();
  $("message").focus();
}

function send(event) {
  event.preventDefault();
  const text = $("message").value;
  if (!text || !peer) return;
  try {
    const count = peer.sendMessage(text);
    if (count === 0) {
      addLine("error", "not connected to anyone: connect to a peer first");
      return;
    }
    addLine("mine", text, `me → ${count} peer${count === 1 ? "" : "s"}`);
    $("message").value = "";
  } catch (error) {
    addLine("error", error.message);
  }
}

$("join-form").addEventListener("submit", join);
$("send-form").addEventListener("submit", send);
$("connect-all").addEventListener("click", () => {
  for (const { id } of peer.peers()) connect(id);
});
