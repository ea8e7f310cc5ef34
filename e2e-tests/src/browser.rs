//! The browser side of the harness: a chromedriver child process that takes the
//! Chromium it starts down with it, the Chromium options, and a throwaway profile.

use fantoccini::wd::Capabilities;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;
use tokio::process::{Child, Command};

use crate::WAIT;

/// A running `/usr/bin/chromedriver`, in a process group of its own. Chromium inherits
/// that group, so dropping this kills chromedriver and every browser process it
/// started, even when a test panics before closing its session (a plain
/// `kill_on_drop` would leave Chromium running, orphaned).
pub(crate) struct Chromedriver {
    child: Child,
    /// Where it accepts WebDriver sessions.
    pub(crate) port: u16,
}

impl Chromedriver {
    /// Starts it on a free port and waits until it listens.
    pub(crate) async fn start() -> Self {
        let port = free_port();
        let child = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("starts /usr/bin/chromedriver (scripts/setup.sh installs it)");
        let deadline = Instant::now() + WAIT;
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        Self { child, port }
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

/// Headless Chromium as the tests need it: WebRTC on loopback with real addresses (no
/// mDNS candidates), and background tabs running at full speed.
pub(crate) fn chrome_capabilities(profile: &Path) -> Capabilities {
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
        // Big enough for the chat page's two columns in screenshots.
        "--window-size=1000,700",
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

/// A fresh directory, removed on drop (a browser profile no other run shares).
pub(crate) struct TempDir(pub(crate) PathBuf);

impl TempDir {
    pub(crate) fn new() -> Self {
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
