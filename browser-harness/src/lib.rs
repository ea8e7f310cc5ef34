//! Headless Chromium for the project's end-to-end tests and benchmark driver: a
//! chromedriver child process that takes every browser process down with it, the
//! Chromium options this machine needs, and a throwaway profile.
//!
//! ```ignore
//! let browser = Browser::start(WindowSize { width: 1000, height: 700 }).await?;
//! browser.client().goto("http://127.0.0.1:8080/").await?;
//! browser.close().await;
//! ```

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Any error of this crate, with a message saying what to do.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The browser window's size (screenshots are this size).
#[derive(Clone, Copy, Debug)]
pub struct WindowSize {
    /// In CSS pixels.
    pub width: u32,
    /// In CSS pixels.
    pub height: u32,
}

/// One WebDriver session in headless Chromium. Dropping it (even in a panicking test)
/// kills chromedriver and every Chromium process, then removes the profile.
pub struct Browser {
    client: Client,
    // Dropped in this order: the browser processes go before their profile.
    _chromedriver: Chromedriver,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session with a fresh profile.
    pub async fn start(window: WindowSize) -> Result<Self, Error> {
        let chromedriver = Chromedriver::start().await?;
        let profile = TempDir::new()?;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(chrome_capabilities(&profile.0, window))
            .connect(&format!("http://127.0.0.1:{}", chromedriver.port))
            .await
            .map_err(|e| format!("opening a Chromium session: {e}"))?;
        Ok(Self { client, _chromedriver: chromedriver, _profile: profile })
    }

    /// The WebDriver client, to drive tabs.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session cleanly (dropping alone kills it).
    pub async fn close(self) {
        let Self { client, _chromedriver, _profile } = self;
        let _ = client.close().await;
    }
}

/// A port no one listens on right now.
pub fn free_port() -> Result<u16, Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Waits up to 20 s until something accepts connections on `port` of 127.0.0.1.
pub async fn wait_for_port(port: u16, what: &str) -> Result<(), Error> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("{what} did not start on port {port}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// A running `/usr/bin/chromedriver`, in a process group of its own. Chromium inherits
/// that group, so dropping this kills chromedriver and every browser process it
/// started (a plain `kill_on_drop` would leave Chromium running, orphaned).
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    async fn start() -> Result<Self, Error> {
        let port = free_port()?;
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("/usr/bin/chromedriver: {e} (scripts/setup.sh installs it)"))?;
        let driver = Self { child, port };
        wait_for_port(port, "chromedriver").await?;
        Ok(driver)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The group id is chromedriver's pid (`process_group(0)`); `kill` the binary
        // because the workspace forbids the `unsafe` a libc call would need.
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Headless Chromium as this machine needs it: no network beyond loopback, WebRTC with
/// real loopback addresses (no mDNS candidates), and background tabs at full speed.
fn chrome_capabilities(profile: &Path, window: WindowSize) -> Capabilities {
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
        // Background tabs (one per peer) must keep their timers and event loop running.
        "--disable-background-timer-throttling",
        "--disable-renderer-backgrounding",
        "--disable-backgrounding-occluded-windows",
        &format!("--window-size={},{}", window.width, window.height),
        &format!("--user-data-dir={}", profile.display()),
    ];
    let options = json!({ "binary": "/usr/bin/chromium", "args": args });
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}

/// A fresh directory, removed on drop (a browser profile no other run shares).
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, Error> {
        let unique = format!("peer-wasm-chromium-{}-{}", std::process::id(), free_port()?);
        let path = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&path)?;
        Ok(Self(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
