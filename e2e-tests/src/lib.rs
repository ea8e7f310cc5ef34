//! End-to-end harness: the real signaling server (in-process, on a real socket), a
//! chromedriver child process, and headless Chromium driven through WebDriver, with
//! one tab per peer. Every wait is bounded and fails with what it observed.
//!
//! ```ignore
//! let harness = Harness::start().await;
//! let tab = harness.open_tab().await;
//! let id = tab.join_peer("room", "Peer 1").await;
//! tab.wait_until("window.inbox.length == 1", "inbox").await;
//! ```

use fantoccini::wd::{Capabilities, WindowHandle};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

/// How long any single condition may take to come true.
pub const WAIT: Duration = Duration::from_secs(20);

/// The server, chromedriver and one browser session; all stopped on drop.
pub struct Harness {
    /// Where the server listens.
    pub addr: SocketAddr,
    browser: Client,
    _chromedriver: Child,
    _stop_server: oneshot::Sender<()>,
    _profile: TempDir,
}

impl Harness {
    /// Starts everything. Panics with a how-to when the WASM package is not built.
    pub async fn start() -> Self {
        let www = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www");
        assert!(
            www.join("pkg/peer_wasm.js").is_file(),
            "www/pkg is missing: run `wasm-pack build peer-wasm --target web --out-dir ../www/pkg --dev` \
             (scripts/test.sh does it)"
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let config = signaling_server::Config { static_dir: www, ..Default::default() };
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(signaling_server::run(listener, config, async {
            let _ = stopped.await;
        }));

        let port = free_port();
        let chromedriver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starts /usr/bin/chromedriver (scripts/setup.sh installs it)");
        wait_for_port(port).await;

        let profile = TempDir::new();
        let browser = ClientBuilder::new(HttpConnector::new())
            .capabilities(chrome_capabilities(&profile.0))
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("opens a Chromium session");
        Self { addr, browser, _chromedriver: chromedriver, _stop_server: stop, _profile: profile }
    }

    /// The server's `ws://` URL.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Opens a new tab on the chat page (the first call reuses the initial tab).
    pub async fn open_tab(&self) -> Tab<'_> {
        self.open_tab_at("/").await
    }

    /// Opens a new tab on `path` of the server (the first call reuses the initial tab).
    pub async fn open_tab_at(&self, path: &str) -> Tab<'_> {
        let handles = self.browser.windows().await.expect("lists tabs");
        let fresh = self.browser.execute("return location.href", vec![]).await;
        let handle = match fresh {
            Ok(Value::String(url)) if url.starts_with("data:") || url == "about:blank" => {
                handles[0].clone()
            }
            _ => self.browser.new_window(true).await.expect("opens a tab").handle,
        };
        let tab = Tab { browser: &self.browser, handle, ws_url: self.ws_url() };
        tab.focus().await;
        self.browser.goto(&format!("http://{}{path}", self.addr)).await.expect("loads the page");
        tab
    }

    /// Ends the browser session.
    pub async fn close(self) {
        let _ = self.browser.close().await;
    }
}

/// One browser tab.
pub struct Tab<'a> {
    browser: &'a Client,
    handle: WindowHandle,
    ws_url: String,
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
    /// result; a rejection panics with the JS error's message.
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

    /// Joins `room` as `name` with the library directly (window.peer), recording every
    /// message in `window.inbox` ({from, data}) and every event in `window.events`.
    /// Returns the peer's id.
    pub async fn join_peer(&self, room: &str, name: &str) -> String {
        let args = json!({ "url": self.ws_url, "room": room, "name": name });
        let id = self
            .eval(&format!(
                "const a = {args};
                 const {{ default: init, Peer }} = await import('/pkg/peer_wasm.js');
                 await init();
                 window.inbox = []; window.events = [];
                 const peer = await Peer.join(a.url, a.room, a.name);
                 window.peer = peer;
                 const plain = (d) => d instanceof Uint8Array ? {{ bytes: Array.from(d) }} : d;
                 peer.onMessage((m) => window.inbox.push({{ from: m.fromName, data: plain(m.data) }}));
                 for (const kind of ['Connected', 'Disconnected', 'PeerJoined', 'PeerLeft']) {{
                   peer['on' + kind]((p) => window.events.push(kind + ':' + p.name));
                 }}
                 return peer.id;"
            ))
            .await;
        id.as_str().expect("an id").to_owned()
    }

    /// Polls the JS expression `condition` until truthy; on timeout panics with the
    /// value of the JS expression `observed`.
    pub async fn wait_until(&self, condition: &str, observed: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if self.eval(&format!("return !!({condition});")).await == Value::Bool(true) {
                return;
            }
            if Instant::now() > deadline {
                let seen = self.eval(&format!("return {observed};")).await;
                panic!("timed out waiting for `{condition}`; observed {observed} = {seen}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn chrome_capabilities(profile: &std::path::Path) -> Capabilities {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-features=WebRtcHideLocalIpsWithMdns",
        // Background tabs must keep their timers and event loop running at full speed.
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let options = json!({ "binary": "/usr/bin/chromium", "args": args });
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    listener.local_addr().expect("has an address").port()
}

async fn wait_for_port(port: u16) {
    let deadline = Instant::now() + WAIT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start on port {port}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fresh directory, removed on drop (a browser profile no other run shares).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let unique = format!("peer-wasm-e2e-{}-{}", std::process::id(), free_port());
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path).expect("creates a profile directory");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
