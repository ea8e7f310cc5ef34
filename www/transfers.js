// File transfers in the chat page: one line per transfer in the conversation, with a
// progress bar, speed and time left, a cancel button, and at the end a download link
// (received) or "sent". Peer-supplied names only go in through textContent.

const UNITS = ["B", "KB", "MB", "GB", "TB"];

/** `bytes` for people: "12.3 MB". */
export function formatBytes(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${UNITS[unit]}`;
}

function formatSeconds(seconds) {
  if (!Number.isFinite(seconds)) return "…";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

function span(className, text) {
  const element = document.createElement("span");
  element.className = className;
  element.textContent = text;
  return element;
}

/**
 * Adds a transfer line to `list`: `mine` for one we send. Returns how to update it:
 * `progress(done)`, `sent()`, `received(blob)`, `failed(message)`.
 */
export function transferLine(list, { mine, title, name, size, cancel }) {
  const item = document.createElement("li");
  item.className = `transfer ${mine ? "mine" : "theirs"}`;
  const bar = document.createElement("progress");
  bar.max = size || 1;
  bar.value = 0;
  const rate = span("rate", "starting…");
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary small";
  button.textContent = "Cancel";
  button.addEventListener("click", cancel);
  item.append(span("from", title), span("file-name", `${name} · ${formatBytes(size)}`), bar, rate, button);
  list.append(item);
  item.scrollIntoView({ block: "end" });
  const started = performance.now();
  const end = (text) => {
    button.remove();
    bar.value = bar.max;
    rate.textContent = text;
  };
  return {
    progress(done) {
      bar.value = done;
      const seconds = (performance.now() - started) / 1000;
      const perSecond = seconds > 0 ? done / seconds : 0;
      const left = perSecond > 0 ? (size - done) / perSecond : Infinity;
      rate.textContent = `${formatBytes(done)} · ${formatBytes(perSecond)}/s · ${formatSeconds(left)} left`;
    },
    sent() {
      end(`sent in ${formatSeconds((performance.now() - started) / 1000)}`);
    },
    received(blob) {
      end("");
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.textContent = `Download ${name}`;
      rate.replaceWith(link);
    },
    failed(message) {
      button.remove();
      item.classList.add("failed");
      rate.textContent = message;
    },
  };
}
