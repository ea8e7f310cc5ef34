//! One browser tab: run JS in it, join a room with the library, poll a condition.

use fantoccini::Client;
use fantoccini::wd::WindowHandle;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

use crate::WAIT;

/// One browser tab. Every method first makes it the tab WebDriver talks to, so tabs
/// can be used in any order.
pub struct Tab<'a> {
    pub(crate) browser: &'a Client,
    pub(crate) handle: WindowHandle,
    pub(crate) ws_url: String,
}

impl Tab<'_> {
    /// Makes this tab the one WebDriver commands go to.
    pub async fn focus(&self) {
        self.browser.switch_to_window(self.handle.clone()).await.expect("switches tab");
    }

    /// The WebDriver client, focused on this tab.
    pub async fn client(&self) -> &Client {
        self.focus().await;
        self.browser
    }

    /// Runs `body` as the body of an async JS function in this tab and returns its
    /// result; a rejection panics with the JS error's message. WebDriver's script
    /// timeout (30 s) bounds it.
    pub async fn eval(&self, body: &str) -> Value {
        self.focus().await;
        let script = format!(
            "const done = arguments[arguments.length - 1];\
             (async () => {{ {body} }})().then(\
               (value) => done({{ ok: value === undefined ? null : value }}),\
               (error) => done({{ error: String(error && error.message || error) }}));"
        );
        let result = self.browser.execute_async(&script, vec![]).await.expect("runs the script");
        match result.get("error") {
            Some(error) => panic!("script failed: {error}\n{body}"),
            None => result.get("ok").cloned().unwrap_or(Value::Null),
        }
    }

    /// Joins `room` as `name` with the library directly (`window.peer`), recording
    /// every message in `window.inbox` (`{from: name, fromId, data}`, bytes as
    /// `{bytes: [..]}`), every event in `window.events` (`"PeerJoined:Bob"`, ...) and
    /// the reason of each `Disconnected` in `window.reasons` (`"Bob: the peer left the
    /// room"`) and each signaling state in `window.signaling` (and in
    /// `window.signalingLog` as `{state, reason, at}`, `at` by `Date.now()`). Returns the
    /// peer's id.
    pub async fn join_peer(&self, room: &str, name: &str) -> String {
        self.join_private(room, name, None).await
    }

    /// [`Tab::join_peer`], presenting `secret` (a private room) when given.
    pub async fn join_private(&self, room: &str, name: &str, secret: Option<&str>) -> String {
        self.join_with(room, name, json!({ "secret": secret })).await
    }

    /// [`Tab::join_peer`] with `Peer.join`'s options object (`{secret, iceServers,
    /// iceTransportPolicy}`).
    pub async fn join_with(&self, room: &str, name: &str, options: Value) -> String {
        self.join_as(room, name, options, "undefined").await
    }

    /// [`Tab::join_with`] as the identity that the JS expression `identity` gives
    /// (awaited: `window.kept()`, a read from IndexedDB, ...; `undefined` for a new one).
    pub async fn join_as(&self, room: &str, name: &str, options: Value, identity: &str) -> String {
        let args = json!({ "url": self.ws_url, "room": room, "name": name, "options": options });
        let id = self
            .eval(&format!(
                "const a = {args};
                 const {{ default: init, Peer }} = await import('/pkg/peer_wasm.js');
                 await init();
                 window.inbox = []; window.events = []; window.reasons = []; window.signaling = [];
                 window.signalingLog = [];
                 if (a.options.secret === null) delete a.options.secret;
                 const identity = await ({identity});
                 if (identity !== undefined) a.options.identity = identity;
                 const peer = await Peer.join(a.url, a.room, a.name, a.options);
                 window.peer = peer;
                 const plain = (d) => d instanceof Uint8Array ? {{ bytes: Array.from(d) }} : d;
                 peer.onSignalingState((state, reason) => {{
                   window.signaling.push(state);
                   window.signalingLog.push({{ state, reason, at: Date.now() }});
                 }});
                 peer.onMessage((m) => window.inbox.push(
                   {{ from: m.fromName, fromId: m.from, data: plain(m.data) }}));
                 for (const kind of ['Connected', 'Disconnected', 'PeerJoined', 'PeerLeft']) {{
                   peer['on' + kind]((p) => {{
                     window.events.push(kind + ':' + p.name);
                     if (p.reason !== undefined) window.reasons.push(p.name + ': ' + p.reason);
                   }});
                 }}
                 return peer.id;"
            ))
            .await;
        id.as_str().expect("an id").to_owned()
    }

    /// The server's count of the signals it relayed (`signaling_signals_relayed_total`
    /// in its `/metrics`, fetched by this tab).
    pub async fn signals_relayed(&self) -> u64 {
        let text = self.eval("return await (await fetch('/metrics')).text();").await;
        let text = text.as_str().unwrap_or_default();
        let line = text.lines().find(|line| line.starts_with("signaling_signals_relayed_total "));
        line.and_then(|line| line.split(' ').nth(1)?.parse().ok()).expect("the metric")
    }

    /// `connect(id)` in this tab: `"connected"`, or the rejection's message.
    pub async fn try_connect(&self, id: &str) -> String {
        let outcome = self
            .eval(&format!(
                "try {{ await window.peer.connect({}); return 'connected'; }}
                 catch (error) {{ return error.message; }}",
                json!(id)
            ))
            .await;
        outcome.as_str().unwrap_or_default().to_owned()
    }

    /// `connect(id)` in this tab through the mesh: retried (every 50 ms, 40 times) while
    /// the adverts that show the way are still on their way (until then, with the server
    /// gone, the call is refused at once). `"connected"`, or the last rejection's message.
    pub async fn connect_through_mesh(&self, id: &str) -> Value {
        self.eval(&format!(
            "for (let tries = 0; ; tries++) {{
               try {{ await window.peer.connect({}); return 'connected'; }}
               catch (error) {{
                 if (tries >= 40) return error.message;
                 await new Promise((done) => setTimeout(done, 50));
               }}
             }}",
            json!(id)
        ))
        .await
    }

    /// Polls the JS expression `condition` until truthy, for at most [`WAIT`]; on
    /// timeout panics with the value of the JS expression `observed`.
    pub async fn wait_until(&self, condition: &str, observed: &str) {
        self.wait_until_within(WAIT, condition, observed).await;
    }

    /// [`Tab::wait_until`] with its own time limit.
    pub async fn wait_until_within(&self, limit: Duration, condition: &str, observed: &str) {
        let deadline = Instant::now() + limit;
        loop {
            if self.eval(&format!("return !!({condition});")).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let seen = self.eval(&format!("return {observed};")).await;
                panic!(
                    "timed out after {limit:?} waiting for `{condition}`; observed {observed} = {seen}"
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Closes the tab, as a person closing it would: the page goes away with its
    /// WebSocket and data channels, no `close()` called.
    pub async fn close(self) {
        self.focus().await;
        self.browser.close_window().await.expect("closes the tab");
        // WebDriver has no current tab now, and opening one needs one.
        // (After the last tab, the session itself is gone: nothing to switch to.)
        let others = self.browser.windows().await.unwrap_or_default();
        if let Some(other) = others.into_iter().next() {
            self.browser.switch_to_window(other).await.expect("switches tab");
        }
    }
}
