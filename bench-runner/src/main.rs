//! The data-path benchmark driver: builds the release WASM package, serves `www/` from
//! the real signaling server, starts a local PeerJS server, runs `www/bench.html` in
//! headless Chromium (or Firefox), then prints every figure with its ratio to raw JS and
//! writes the results as JSON (`bench-results/latest.json`). The page's mesh-formation
//! rows run in tabs the page opens itself (`www/bench/mesh.js`), each in a renderer
//! process of its own; nothing here changes for them.
//!
//! ```sh
//! cargo run --release -p bench-runner            # full run
//! cargo run --release -p bench-runner -- --quick # smaller sizes, fewer iterations
//! cargo run --release -p bench-runner -- --browser firefox # raw JS and peer-wasm in Firefox
//! cargo run --release -p bench-runner -- --busy 1 # with one core kept busy meanwhile
//! cargo run --release -p bench-runner -- --native --page-args only=peer-wasm # and a native far end
//! ```
//!
//! Layout: the package build, the npm files and the gzip sizes (`package.rs`); the
//! servers (`servers.rs`); chromedriver and the page (`browser.rs`); the native far end
//! of `--native` (`native_far.rs`) and its native pair (`native_pair.rs`); the table and the JSON (`report.rs`).

mod browser;
mod busy;
mod native_far;
mod native_pair;
mod package;
mod report;
mod servers;

use browser_harness::Engine;
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Any failure: the driver reports it and exits non-zero.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The browsers the benchmark runs in.
#[derive(Clone, Copy, ValueEnum)]
enum BrowserChoice {
    /// Every contender.
    Chromium,
    /// Raw JS and peer-wasm only (the other libraries are compared in Chromium).
    Firefox,
}

/// Runs the data-path benchmark (www/bench.html) in a headless browser.
#[derive(Parser)]
struct Options {
    /// The browser to run the page in.
    #[arg(long, value_enum, default_value = "chromium")]
    browser: BrowserChoice,
    /// Smaller run for smoke tests: 8 MiB transfers, 200 pings, 8 connects, one mesh of 8.
    #[arg(long)]
    quick: bool,
    /// Measure the package already in www/pkg instead of building the release one.
    #[arg(long)]
    no_build: bool,
    /// Extra query string for the page, e.g. `ours=sendall&simplepeer=drain`.
    #[arg(long, default_value = "")]
    page_args: String,
    /// Give up when the page has not finished after this many seconds (a full run takes
    /// 4-8 minutes on a quiet 2-core machine, over 15 on a busy one).
    #[arg(long, default_value_t = 1800)]
    timeout_secs: u64,
    /// Keep this many cores busy (spinning threads) while the page runs: the loaded run.
    #[arg(long, default_value_t = 0)]
    busy: usize,
    /// Add "peer-wasm↔native": our Peer in the page, the far end a native peer
    /// (peer-native) in this process.
    #[arg(long)]
    native: bool,
    /// Also save a PNG of the finished page there (relative to the workspace root).
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// Where the JSON results go (relative to the workspace root); by default
    /// `bench-results/latest.json`, or `latest-firefox.json` for Firefox.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = Options::parse();
    match run(&options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("[bench] failed: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(options: &Options) -> Result<(), Error> {
    let started = Instant::now();
    let root = package::workspace_root();
    if !options.no_build {
        package::build_release(&root).await?;
    }
    package::copy_vendor(&root)?;
    let sizes = package::gzip_sizes(&root)?;

    let signaling = servers::Signaling::start(root.join("www")).await?;
    let peerjs = servers::PeerJs::start(&root).await?;
    let (engine, program, default_out) = match options.browser {
        BrowserChoice::Chromium => {
            (Engine::Chromium, "/usr/bin/chromium", "bench-results/latest.json")
        }
        BrowserChoice::Firefox => {
            (Engine::Firefox, "/usr/bin/firefox-esr", "bench-results/latest-firefox.json")
        }
    };
    let version = report::browser_version(program);
    let browser = browser::Browser::start(engine).await?;
    let mut query = format!("auto=1&peerjsPort={}", peerjs.port);
    if options.quick {
        query.push_str("&quick=1");
    }
    if engine == Engine::Firefox {
        query.push_str("&only=peer-wasm");
    }
    let native = match options.native {
        true => Some(native_far::NativeFar::start(&format!("ws://{}/ws", signaling.addr)).await?),
        false => None,
    };
    if let Some(native) = &native {
        query.push_str(&format!("&native={}&nativeRoom={}", native.id(), native_far::ROOM));
    }
    if !options.page_args.is_empty() {
        query = format!("{query}&{}", options.page_args);
    }
    let url = format!("http://{}/bench.html?{query}", signaling.addr);
    println!("[bench] {url}");
    let timeout = Duration::from_secs(options.timeout_secs);
    if options.busy > 0 {
        println!(
            "[bench] {} spinning thread(s) keep {} core(s) busy during the run",
            options.busy, options.busy
        );
    }
    let busy = busy::Busy::start(options.busy);
    let outcome = browser.run_page(&url, timeout).await;
    drop(busy);
    if let Some(png) = &options.screenshot {
        browser.screenshot(&root.join(png)).await?;
    }
    browser.close().await;
    let mut page = outcome?;
    page["busy_threads"] = serde_json::Value::from(options.busy);
    if let Some(native) = native {
        native.close().await;
        let url = format!("ws://{}/ws", signaling.addr);
        native_pair::measure_beside(&mut page, &url).await?;
    }

    report::print_table(&page, &sizes, &version);
    let path = root.join(options.out.as_deref().unwrap_or(default_out.as_ref()));
    report::write_json(&path, &page, &sizes, started.elapsed(), &version)?;
    println!("\n[bench] written to {} ({} s in all)", path.display(), started.elapsed().as_secs());
    if page["ok"] != serde_json::Value::Bool(true) {
        return Err(format!("the page failed: {}", page["error"]).into());
    }
    Ok(())
}
