//! End-to-end harness: the real signaling server (in-process, on a real socket), a
//! chromedriver child process, and headless Chromium driven through WebDriver, with
//! one tab per peer. Every wait is bounded and fails with what it observed; dropping
//! the [`Harness`] (even in a panicking test) stops the server, chromedriver and every
//! Chromium process.
//!
//! - the browsers themselves (the WebDriver process, each browser's options, the
//!   profile) come from the `browser-harness` crate, shared with the benchmark driver;
//!   tabs open in Chromium, or in Firefox with [`Harness::open_tab_in`] (started on
//!   first use);
//! - `tab`: [`Tab`], one tab: `eval`, `join_peer`, `wait_until`, `close`.
//!
//! ```ignore
//! let harness = Harness::start().await;
//! let tab = harness.open_tab().await;
//! let id = tab.join_peer("room", "Peer 1").await;
//! tab.wait_until("window.inbox.length == 1", "window.inbox").await;
//! harness.close().await;
//! ```

mod scenario;
mod server;
mod tab;
mod turn;

pub use scenario::reference_scenario;
pub use tab::Tab;
pub use turn::TurnServer;

pub use browser_harness::{Browser, Engine};

use browser_harness::WindowSize;
use serde_json::Value;
use server::TestServer;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::OnceCell;

/// How long any single condition may take to come true.
pub const WAIT: Duration = Duration::from_secs(20);

/// Big enough for the chat page's two columns in screenshots.
const WINDOW: WindowSize = WindowSize { width: 1000, height: 700 };

/// The server and the browser sessions (Chromium, and Firefox once asked for); all
/// stopped on drop.
pub struct Harness {
    /// Where the server listens.
    pub addr: SocketAddr,
    browser: Browser,
    firefox: OnceCell<Browser>,
    server: Mutex<TestServer>,
}

impl Harness {
    /// Starts everything. Panics with a how-to when the WASM package is not built.
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// [`Harness::start`], with the server's [`signaling_server::Config`] changed by
    /// `configure` first (e.g. to hand out a TURN server).
    pub async fn start_with(configure: impl FnOnce(&mut signaling_server::Config)) -> Self {
        let www = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www");
        assert!(
            www.join("pkg/peer_wasm.js").is_file(),
            "www/pkg is missing: run `wasm-pack build peer-wasm --target web --out-dir ../www/pkg --dev` \
             from the repository root (scripts/test.sh does it)"
        );
        let mut config = signaling_server::Config { static_dir: www, ..Default::default() };
        configure(&mut config);
        let server = TestServer::start(config);
        let addr = server.addr();
        let browser = Browser::start(WINDOW).await.unwrap_or_else(|e| panic!("{e}"));
        Self { addr, browser, firefox: OnceCell::new(), server: Mutex::new(server) }
    }

    /// Kills the signaling server as `kill -9` would: every socket closed, no goodbye.
    pub fn kill_server(&self) {
        self.server.lock().unwrap_or_else(|e| e.into_inner()).kill();
    }

    /// Starts the server again on the same port, with the same configuration.
    pub fn restart_server(&self) {
        self.server.lock().unwrap_or_else(|e| e.into_inner()).restart();
    }

    /// A Chromium of its own, whose tabs die with it when it is dropped (killed, as a
    /// crash would): open its tabs with [`Harness::open_tab_of_browser`].
    pub async fn spare_browser(&self) -> Browser {
        Browser::start(WINDOW).await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Opens a tab on the chat page in `browser` (see [`Harness::spare_browser`]).
    pub async fn open_tab_of_browser<'a>(&'a self, browser: &'a Browser) -> Tab<'a> {
        self.open_tab_of(browser, "/").await
    }

    /// The server's `ws://` URL.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Opens a new tab on the chat page (the first call reuses the initial tab).
    pub async fn open_tab(&self) -> Tab<'_> {
        self.open_tab_at("/").await
    }

    /// Opens a new tab on the chat page in `engine`'s browser.
    pub async fn open_tab_in(&self, engine: Engine) -> Tab<'_> {
        self.open_tab_of(self.browser(engine).await, "/").await
    }

    /// Opens a new tab on `path` of the server (the first call reuses the initial tab).
    pub async fn open_tab_at(&self, path: &str) -> Tab<'_> {
        self.open_tab_of(&self.browser, path).await
    }

    /// The session of `engine`, started on first use.
    async fn browser(&self, engine: Engine) -> &Browser {
        match engine {
            Engine::Chromium => &self.browser,
            Engine::Firefox => {
                let start = || async {
                    Browser::launch(Engine::Firefox, WINDOW).await.unwrap_or_else(|e| panic!("{e}"))
                };
                self.firefox.get_or_init(start).await
            }
        }
    }

    /// Opens a tab of `browser` on `path` (its first call reuses the initial tab).
    async fn open_tab_of<'a>(&'a self, browser: &'a Browser, path: &str) -> Tab<'a> {
        let client = browser.client();
        let handles = client.windows().await.expect("lists tabs");
        let fresh = client.execute("return location.href", vec![]).await;
        let handle = match fresh {
            Ok(Value::String(url)) if url.starts_with("data:") || url == "about:blank" => {
                handles[0].clone()
            }
            _ => client.new_window(true).await.expect("opens a tab").handle,
        };
        let tab = Tab { browser: client, handle, ws_url: self.ws_url() };
        tab.focus().await;
        client.goto(&format!("http://{}{path}", self.addr)).await.expect("loads the page");
        tab
    }

    /// Ends the browser sessions cleanly (drop alone kills them).
    pub async fn close(self) {
        self.browser.close().await;
        if let Some(firefox) = self.firefox.into_inner() {
            firefox.close().await;
        }
    }
}
