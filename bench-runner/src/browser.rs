//! Headless Chromium through `/usr/bin/chromedriver` and WebDriver: opens the page and
//! waits for `window.benchResults`, echoing the page's status line as it changes.

use crate::Error;
use crate::servers::{free_port, wait_for_port};
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// One browser session; chromedriver is killed and the profile removed on drop.
pub struct Browser {
    client: Client,
    _chromedriver: Child,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub async fn start() -> Result<Self, Error> {
        let port = free_port()?;
        let chromedriver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("/usr/bin/chromedriver: {e} (scripts/setup.sh installs it)"))?;
        wait_for_port(port, "chromedriver").await?;
        let profile = TempDir::new()?;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&profile.0))
            .connect(&format!("http://127.0.0.1:{port}"))
            .await?;
        Ok(Self { client, _chromedriver: chromedriver, _profile: profile })
    }

    /// Loads `url` and polls `window.benchResults` until the page sets it.
    pub async fn run_page(&self, url: &str, timeout: Duration) -> Result<Value, Error> {
        self.client.goto(url).await?;
        let started = Instant::now();
        let mut last_status = String::new();
        loop {
            let state = self
                .client
                .execute(
                    "return { results: window.benchResults ?? null, \
                     status: document.getElementById('status')?.textContent ?? '' };",
                    vec![],
                )
                .await
                .map_err(|e| format!("{e} (the page was at: {last_status})"))?;
            let status = state["status"].as_str().unwrap_or_default().to_owned();
            if status != last_status {
                println!("[bench {:>4} s] {status}", started.elapsed().as_secs());
                last_status = status;
            }
            if !state["results"].is_null() {
                return Ok(state["results"].clone());
            }
            if started.elapsed() > timeout {
                return Err(format!("the page did not finish in {timeout:?}: {last_status}").into());
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Saves a PNG of the page as it is now.
    pub async fn screenshot(&self, path: &std::path::Path) -> Result<(), Error> {
        std::fs::write(path, self.client.screenshot().await?)?;
        Ok(())
    }

    /// Ends the session.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn capabilities(profile: &std::path::Path) -> Capabilities {
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
        // Tall enough for the table and every chart in one screenshot.
        "--window-size=1000,1400",
        &format!("--user-data-dir={}", profile.display()),
    ];
    let options = json!({ "binary": "/usr/bin/chromium", "args": args });
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}

/// A fresh browser profile directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, Error> {
        let unique = format!("peer-wasm-bench-{}-{}", std::process::id(), free_port()?);
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
