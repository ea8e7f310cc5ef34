//! The benchmark page in a headless browser (from `browser-harness`): opens the page and
//! waits for `window.benchResults`, echoing the page's status line as it changes.

use crate::Error;
use browser_harness::{Engine, WindowSize};
use serde_json::Value;
use std::time::{Duration, Instant};

/// One browser session; its WebDriver is killed and the profile removed on drop.
pub struct Browser {
    browser: browser_harness::Browser,
}

impl Browser {
    /// Starts the engine's WebDriver on a free port and opens a headless session.
    pub async fn start(engine: Engine) -> Result<Self, Error> {
        // Tall enough for the table and every chart in one screenshot.
        let window = WindowSize { width: 1000, height: 1400 };
        Ok(Self { browser: browser_harness::Browser::launch(engine, window).await? })
    }

    /// Loads `url` and polls `window.benchResults` until the page sets it.
    pub async fn run_page(&self, url: &str, timeout: Duration) -> Result<Value, Error> {
        self.browser.client().goto(url).await?;
        let started = Instant::now();
        let mut last_status = String::new();
        loop {
            let state = self
                .browser
                .client()
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
        std::fs::write(path, self.browser.client().screenshot().await?)?;
        Ok(())
    }

    /// Ends the session.
    pub async fn close(self) {
        self.browser.close().await;
    }
}
