//! End-to-end harness: the real signaling server (in-process, on a real socket), a
//! chromedriver child process, and headless Chromium driven through WebDriver, with
//! one tab per peer. Every wait is bounded and fails with what it observed; dropping
//! the [`Harness`] (even in a panicking test) stops the server, chromedriver and every
//! Chromium process.
//!
//! - the browser itself (chromedriver, Chromium's options, the profile) comes from the
//!   `browser-harness` crate, shared with the benchmark driver;
//! - `tab`: [`Tab`], one tab: `eval`, `join_peer`, `wait_until`, `close`.
//!
//! ```ignore
//! let harness = Harness::start().await;
//! let tab = harness.open_tab().await;
//! let id = tab.join_peer("room", "Peer 1").await;
//! tab.wait_until("window.inbox.length == 1", "window.inbox").await;
//! harness.close().await;
//! ```

mod tab;

pub use tab::Tab;

use browser_harness::{Browser, WindowSize};
use serde_json::Value;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long any single condition may take to come true.
pub const WAIT: Duration = Duration::from_secs(20);

/// The server, chromedriver and one browser session; all stopped on drop.
pub struct Harness {
    /// Where the server listens.
    pub addr: SocketAddr,
    browser: Browser,
    _stop_server: oneshot::Sender<()>,
}

impl Harness {
    /// Starts everything. Panics with a how-to when the WASM package is not built.
    pub async fn start() -> Self {
        let www = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../www");
        assert!(
            www.join("pkg/peer_wasm.js").is_file(),
            "www/pkg is missing: run `wasm-pack build peer-wasm --target web --out-dir ../www/pkg --dev` \
             from the repository root (scripts/test.sh does it)"
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let addr = listener.local_addr().expect("has an address");
        let config = signaling_server::Config { static_dir: www, ..Default::default() };
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(signaling_server::run(listener, config, async {
            let _ = stopped.await;
        }));

        // Big enough for the chat page's two columns in screenshots.
        let window = WindowSize { width: 1000, height: 700 };
        let browser = Browser::start(window).await.unwrap_or_else(|e| panic!("{e}"));
        Self { addr, browser, _stop_server: stop }
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
        let client = self.browser.client();
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

    /// Ends the browser session cleanly (drop alone kills it).
    pub async fn close(self) {
        self.browser.close().await;
    }
}
