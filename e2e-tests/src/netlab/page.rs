//! What the lab's tests and benchmark run in the project's page: JS helpers for files
//! and ICE restarts, and the few calls every case makes (`stats`, `connect`).

use crate::tab::Tab;
use serde_json::{Value, json};
use std::time::Duration;

/// Counts the offers with new ICE credentials the page makes, in `window.iceRestarts`
/// (the library restarts ICE with `createOffer({iceRestart: true})`). Run before the
/// peer joins.
pub const COUNT_ICE_RESTARTS: &str = "
    window.iceRestarts = 0;
    const createOffer = RTCPeerConnection.prototype.createOffer;
    RTCPeerConnection.prototype.createOffer = function (options) {
      if (options && options.iceRestart) window.iceRestarts += 1;
      return createOffer.apply(this, arguments);
    };";

/// Records each incoming file in `window.files`: `{name, size, received, error, blob,
/// startedAt, doneAt}`.
pub const RECORD_FILES: &str = "
    window.files = [];
    window.peer.onFile((file) => {
      const entry = { name: file.name, size: file.size, received: 0, startedAt: Date.now() };
      window.files.push(entry);
      file.onProgress((done) => { entry.received = done; });
      file.done.then(
        (blob) => { entry.blob = blob; entry.doneAt = Date.now(); },
        (error) => { entry.error = error.message; entry.doneAt = Date.now(); });
    });";

/// `p.stats(id)` in `tab`.
pub async fn stats(tab: &Tab<'_>, id: &str) -> Value {
    tab.eval(&format!("return await window.peer.stats({});", json!(id))).await
}

/// `connect(id)` in `tab`, timed in the page: `"connected"` or the failure, and how
/// long it took.
pub async fn timed_connect(tab: &Tab<'_>, id: &str) -> (String, Duration) {
    let outcome = tab
        .eval(&format!(
            "const started = performance.now();
             let outcome = 'connected';
             try {{ await window.peer.connect({}); }} catch (error) {{ outcome = error.message; }}
             return [outcome, performance.now() - started];",
            json!(id)
        ))
        .await;
    let text = outcome[0].as_str().unwrap_or_default().to_owned();
    let ms = outcome[1].as_f64().unwrap_or_default();
    (text, Duration::from_secs_f64(ms / 1000.0))
}

/// `tab`'s ICE restarts so far (see [`COUNT_ICE_RESTARTS`]).
pub async fn ice_restarts(tab: &Tab<'_>) -> u64 {
    tab.eval("return window.iceRestarts;").await.as_u64().unwrap_or_default()
}
