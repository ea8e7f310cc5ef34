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
//! - `tab`: [`Tab`], one tab: `eval`, `join_peer`, `wait_until`, `close`;
//! - `npm_app`: [`NpmApp`], the npm package installed into a fresh app of one setup
//!   (Vite, webpack, esbuild, no bundler, TypeScript), built, or served by Vite;
//! - several instances on one Redis ([`Harness::start_shared`], the Redis from
//!   `signaling_server::testing`), and `balancer`: [`Balancer`], a TCP load balancer in
//!   front of them, for a peer to move when its instance dies;
//! - `native`: [`NativePeer`], a peer of the `peer-native` crate recording what it
//!   receives the way a tab does, to put native peers and tabs in one room;
//! - `tamper`: [`TamperProxy`], a WebSocket man in the middle between one tab and the
//!   server, rewriting what passes ([`Harness::open_tab_through`]);
//! - `netlab`: real networks (NATs, firewalls, loss) from Linux network namespaces,
//!   with a Chromium in each LAN ([`netlab::Lab`]; needs root, skipped without).
//!
//! ```ignore
//! let harness = Harness::start().await;
//! let tab = harness.open_tab().await;
//! let id = tab.join_peer("room", "Peer 1").await;
//! tab.wait_until("window.inbox.length == 1", "window.inbox").await;
//! harness.close().await;
//! ```

mod balancer;
mod files;
mod native;
pub mod netlab;
mod npm_app;
mod scenario;
mod server;
mod tab;
pub mod tamper;
mod turn;

pub use balancer::Balancer;
pub use files::FILE_HELPERS;
pub use native::{NativePeer, Record, plain};
pub use npm_app::{DevServer, NpmApp};
pub use scenario::reference_scenario;
pub use tab::Tab;
pub use tamper::TamperProxy;
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

/// The server (or several instances of it on one Redis) and the browser sessions
/// (Chromium, and Firefox once asked for); all stopped on drop.
pub struct Harness {
    /// Where the (first) server listens.
    pub addr: SocketAddr,
    browser: Browser,
    firefox: OnceCell<Browser>,
    server: Mutex<TestServer>,
    /// With [`Harness::start_shared`]: the other instances, and their Redis.
    others: Mutex<Vec<TestServer>>,
    redis: Option<signaling_server::testing::RedisProcess>,
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
        Self::start_on(config).await
    }

    /// The server serving `static_dir` (an app's build) instead of the chat page.
    pub async fn serving(static_dir: PathBuf) -> Self {
        Self::start_on(signaling_server::Config { static_dir, ..Default::default() }).await
    }

    async fn start_on(config: signaling_server::Config) -> Self {
        let server = TestServer::start(config);
        let addr = server.addr();
        let browser = Browser::start(WINDOW).await.unwrap_or_else(|e| panic!("{e}"));
        let (others, redis) = (Mutex::new(Vec::new()), None);
        Self { addr, browser, firefox: OnceCell::new(), server: Mutex::new(server), others, redis }
    }

    /// `instances` servers sharing their rooms through a Redis of their own (started
    /// here); instance 0 is [`Harness::addr`]. Returns once every instance reaches Redis.
    pub async fn start_shared(instances: usize) -> Self {
        let redis = signaling_server::testing::RedisProcess::start();
        let url = redis.url();
        let share = |config: &mut signaling_server::Config| config.redis_url = Some(url.clone());
        let mut harness = Self::start_with(share).await;
        let config = harness.server.lock().unwrap_or_else(|e| e.into_inner()).config();
        let others = (1..instances).map(|_| TestServer::start(config.clone())).collect();
        harness.others = Mutex::new(others);
        harness.redis = Some(redis);
        for addr in harness.instances() {
            wait_until_shared(addr).await;
        }
        harness
    }

    /// Where each instance listens, instance 0 first.
    pub fn instances(&self) -> Vec<SocketAddr> {
        let others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        std::iter::once(self.addr).chain(others.iter().map(TestServer::addr)).collect()
    }

    /// Kills instance `index` (1 or more) as `kill -9` would.
    pub fn kill_instance(&self, index: usize) {
        let mut others = self.others.lock().unwrap_or_else(|e| e.into_inner());
        others[index - 1].kill();
    }

    /// Opens a tab on the chat page of the server at `addr` (an instance, or a
    /// [`Balancer`] in front of them), whose peer joins through it.
    pub async fn open_tab_via(&self, addr: SocketAddr) -> Tab<'_> {
        self.open_tab_from(&self.browser, addr, "/").await
    }

    /// Opens a tab on the chat page whose peer joins through `proxy` (which stands
    /// between it and the server), not straight to the server.
    pub async fn open_tab_through(&self, proxy: &TamperProxy) -> Tab<'_> {
        let mut tab = self.open_tab().await;
        tab.ws_url = proxy.ws_url();
        tab
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

    /// Alice and Bob, each in a new tab, joined to `room` with the library directly
    /// ([`Tab::join_peer`]), once Alice sees Bob in the room: `(alice, bob, Bob's id)`.
    pub async fn alice_and_bob(&self, room: &str) -> (Tab<'_>, Tab<'_>, String) {
        let alice = self.open_tab().await;
        let bob = self.open_tab().await;
        alice.join_peer(room, "Alice").await;
        let bob_id = bob.join_peer(room, "Bob").await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        (alice, bob, bob_id)
    }

    /// Opens a new tab on the chat page in `engine`'s browser.
    pub async fn open_tab_in(&self, engine: Engine) -> Tab<'_> {
        self.open_tab_of(self.browser(engine).await, "/").await
    }

    /// Opens a new tab on `path` of the server (the first call reuses the initial tab).
    pub async fn open_tab_at(&self, path: &str) -> Tab<'_> {
        self.open_tab_of(&self.browser, path).await
    }

    /// Opens a new tab of Chromium on `url`, served by anyone (the first call reuses the
    /// initial tab); its [`Tab::join_peer`] joins through this server.
    pub async fn open_tab_url(&self, url: &str) -> Tab<'_> {
        let tab = self.new_tab(&self.browser, self.addr).await;
        tab.browser.goto(url).await.unwrap_or_else(|e| panic!("loading {url}: {e}"));
        tab
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
        self.open_tab_from(browser, self.addr, path).await
    }

    /// Opens a tab of `browser` on `path` of the server at `addr`.
    async fn open_tab_from<'a>(
        &'a self,
        browser: &'a Browser,
        addr: SocketAddr,
        path: &str,
    ) -> Tab<'a> {
        let tab = self.new_tab(browser, addr).await;
        tab.browser.goto(&format!("http://{addr}{path}")).await.expect("loads the page");
        tab
    }

    /// A tab of `browser` (the initial one while it is blank), focused, whose peer
    /// joins through the server at `addr`.
    async fn new_tab<'a>(&'a self, browser: &'a Browser, addr: SocketAddr) -> Tab<'a> {
        let client = browser.client();
        let handles = client.windows().await.expect("lists tabs");
        let fresh = client.execute("return location.href", vec![]).await;
        let handle = match fresh {
            Ok(Value::String(url)) if url.starts_with("data:") || url == "about:blank" => {
                handles[0].clone()
            }
            _ => client.new_window(true).await.expect("opens a tab").handle,
        };
        let tab = Tab { browser: client, handle, ws_url: format!("ws://{addr}/ws") };
        tab.focus().await;
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

/// Waits until the instance at `addr` reaches its Redis (`signaling_redis_up 1`).
async fn wait_until_shared(addr: SocketAddr) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let mut body = String::new();
        if let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await {
            let request = "GET /metrics HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n";
            if stream.write_all(request.as_bytes()).await.is_ok() {
                let _ = stream.read_to_string(&mut body).await;
            }
        }
        if body.lines().any(|line| line == "signaling_redis_up 1") {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "instance {addr} never reached Redis");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
