//! Data-path benchmark driver: serves `www/bench.html` from the real signaling server,
//! starts a local PeerJS server, runs the page in headless Chromium, then prints each
//! figure with its ratio to raw JS and writes `bench-results/latest.json`.
//!
//! Run through `bash scripts/bench.sh [--quick]`, which builds the release package and
//! installs the npm libraries first.

use e2e_tests::Harness;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Command;

const BUDGET: Duration = Duration::from_secs(15 * 60);

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let peerjs_port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _peerjs = Command::new("node")
        .arg(root.join("bench/node_modules/peer/dist/bin/peerjs.js"))
        .args(["--port", &peerjs_port.to_string(), "--path", "/"])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;

    let harness = Harness::start().await;
    let path = format!(
        "/bench.html?auto=1&peerjsPort={peerjs_port}{}",
        if quick { "&quick=1" } else { "" }
    );
    let tab = harness.open_tab_at(&path).await;
    let started = Instant::now();
    let outcome = loop {
        let result = tab.eval("return window.benchResults ?? null;").await;
        if !result.is_null() {
            break result;
        }
        if started.elapsed() > BUDGET {
            let status = tab.eval("return document.getElementById('status').textContent;").await;
            return Err(format!("the benchmark did not finish; page says {status}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    harness.close().await;
    if outcome["ok"] != json!(true) {
        return Err(format!("the benchmark failed: {}", outcome["error"]).into());
    }

    let sizes = package_sizes(&root).await;
    print_table(&outcome["results"], &sizes);
    let report =
        json!({ "browser": outcome, "gzip_bytes": sizes, "seconds": started.elapsed().as_secs() });
    let dir = root.join("bench-results");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("latest.json"), serde_json::to_string_pretty(&report)?)?;
    println!("\nwritten to bench-results/latest.json ({} s)", started.elapsed().as_secs());
    Ok(())
}

/// gzip -9 size of what a page must load for each library.
async fn package_sizes(root: &Path) -> Value {
    let files: [(&str, &[&str]); 3] = [
        ("peer-wasm", &["www/pkg/peer_wasm_bg.wasm", "www/pkg/peer_wasm.js"]),
        ("PeerJS", &["bench/node_modules/peerjs/dist/peerjs.min.js"]),
        ("simple-peer", &["bench/node_modules/simple-peer/simplepeer.min.js"]),
    ];
    let mut sizes = serde_json::Map::new();
    for (name, paths) in files {
        let mut total = 0;
        for path in paths {
            total += gzip_size(&root.join(path)).await.unwrap_or(0);
        }
        sizes.insert(name.into(), json!(total));
    }
    Value::Object(sizes)
}

async fn gzip_size(path: &Path) -> Option<u64> {
    let output = Command::new("gzip").arg("-9c").arg(path).output().await.ok()?;
    output.status.success().then_some(output.stdout.len() as u64)
}

fn print_table(results: &Value, sizes: &Value) {
    let rows = [
        ("throughput_16k_mbps", "throughput 16 KiB, MB/s"),
        ("throughput_64k_mbps", "throughput 64 KiB, MB/s"),
        ("throughput_256k_mbps", "throughput 256 KiB, MB/s"),
        ("rtt_p50_ms", "round trip p50, ms"),
        ("rtt_p99_ms", "round trip p99, ms"),
        ("connect_p50_ms", "connect p50, ms"),
        ("connect_p95_ms", "connect p95, ms"),
    ];
    let results = results.as_array().cloned().unwrap_or_default();
    let mut header = format!("{:<28}", "figure");
    for result in &results {
        header += &format!("{:>22}", result["name"].as_str().unwrap_or("?"));
    }
    println!("{header}");
    for (key, title) in rows {
        let raw = results.first().and_then(|r| r[key].as_f64()).unwrap_or(f64::NAN);
        let mut line = format!("{title:<28}");
        for result in &results {
            let value = result[key].as_f64().unwrap_or(f64::NAN);
            line += &format!("{:>22}", format!("{value:.2} ({:.2}x)", value / raw));
        }
        println!("{line}");
    }
    let size = |name: &str| sizes[name].as_u64().unwrap_or(0).to_string();
    println!(
        "{:<28}{:>22}{:>22}{:>22}{:>22}",
        "gzip bytes to load",
        "0 (built in)",
        size("peer-wasm"),
        size("PeerJS"),
        size("simple-peer")
    );
}
