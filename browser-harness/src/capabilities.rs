//! The window size and the capabilities each browser is started with: headless, with this machine's
//! limits in mind (no network beyond what the tests make, WebRTC with real addresses,
//! background tabs at full speed).

use fantoccini::wd::Capabilities;
use serde_json::json;
use std::path::Path;

/// The browser window's size (screenshots are this size).
#[derive(Clone, Copy, Debug)]
pub struct WindowSize {
    /// In CSS pixels.
    pub width: u32,
    /// In CSS pixels.
    pub height: u32,
}

/// Debian's Firefox ESR.
pub(crate) const FIREFOX: &str = "/usr/bin/firefox-esr";

/// Headless Chromium as this machine needs it: no network beyond loopback, WebRTC with
/// real loopback addresses (no mDNS candidates), and background tabs at full speed.
pub(crate) fn chrome_capabilities(
    profile: &Path,
    window: WindowSize,
    extra: &[String],
) -> Capabilities {
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
        // `gc()` for leak checks: Chromium refuses a 501st RTCPeerConnection until the
        // closed ones are garbage collected, and a heap is only comparable after a GC.
        "--js-flags=--expose-gc",
        // Self-signed certificates of the tests' own servers (coturn's TLS port for
        // `turns:`): without it Chromium refuses them ("701 Failed to establish
        // connection"). Nothing else here is served over TLS.
        "--ignore-certificate-errors",
        &format!("--window-size={},{}", window.width, window.height),
        &format!("--user-data-dir={}", profile.display()),
    ];
    let args: Vec<&str> = args.into_iter().chain(extra.iter().map(String::as_str)).collect();
    let options = json!({ "binary": "/usr/bin/chromium", "args": args });
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    capabilities
}

/// Headless Firefox as this machine needs it: no network beyond loopback (no updates,
/// telemetry or captive-portal probes), WebRTC with real loopback addresses, and
/// background tabs at full speed.
pub(crate) fn firefox_capabilities(profile: &Path, window: WindowSize) -> Capabilities {
    let args = [
        "-headless".to_owned(),
        "-profile".to_owned(),
        profile.display().to_string(),
        format!("--window-size={},{}", window.width, window.height),
    ];
    let prefs = json!({
        "media.peerconnection.ice.obfuscate_host_addresses": false,
        "media.peerconnection.ice.loopback": true,
        "network.captive-portal-service.enabled": false,
        "network.connectivity-service.enabled": false,
        "app.update.disabledForTesting": true,
        "browser.shell.checkDefaultBrowser": false,
        "datareporting.policy.dataSubmissionEnabled": false,
        "toolkit.telemetry.enabled": false,
        "dom.min_background_timeout_value": 4,
        "dom.timeout.enable_budget_timer_throttling": false,
    });
    let options = json!({ "binary": FIREFOX, "args": args, "prefs": prefs });
    let mut capabilities = Capabilities::new();
    capabilities.insert("moz:firefoxOptions".into(), options);
    capabilities
}
