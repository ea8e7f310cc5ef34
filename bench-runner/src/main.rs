//! The data-path benchmark driver: builds the release WASM package, serves `www/` from
//! the real signaling server, starts a local PeerJS server, runs `www/bench.html` in
//! headless Chromium, then prints every figure with its ratio to raw JS and writes the
//! results as JSON (`bench-results/latest.json`).
//!
//! ```sh
//! cargo run --release -p bench-runner            # full run
//! cargo run --release -p bench-runner -- --quick # smaller sizes, fewer iterations
//! ```
//!
//! Layout: the package build, the npm files and the gzip sizes (`package.rs`); the
//! servers (`servers.rs`); chromedriver and the page (`browser.rs`); the table and the
//! JSON (`report.rs`).

mod browser;
mod package;
mod report;
mod servers;

use clap::Parser;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Any failure: the driver reports it and exits non-zero.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Runs the data-path benchmark (www/bench.html) in headless Chromium.
#[derive(Parser)]
struct Options {
    /// Smaller run for smoke tests: 8 MiB transfers, 200 pings, 8 connects.
    #[arg(long)]
    quick: bool,
    /// Measure the package already in www/pkg instead of building the release one.
    #[arg(long)]
    no_build: bool,
    /// Extra query string for the page, e.g. `ours=sendall&simplepeer=drain`.
    #[arg(long, default_value = "")]
    page_args: String,
    /// Give up when the page has not finished after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout_secs: u64,
    /// Also save a PNG of the finished page there (relative to the workspace root).
    #[arg(long)]
    screenshot: Option<PathBuf>,
    /// Where the JSON results go (relative to the workspace root).
    #[arg(long, default_value = "bench-results/latest.json")]
    out: PathBuf,
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
    let browser = browser::Browser::start().await?;
    let mut query = format!("auto=1&peerjsPort={}", peerjs.port);
    if options.quick {
        query.push_str("&quick=1");
    }
    if !options.page_args.is_empty() {
        query = format!("{query}&{}", options.page_args);
    }
    let url = format!("http://{}/bench.html?{query}", signaling.addr);
    println!("[bench] {url}");
    let timeout = Duration::from_secs(options.timeout_secs);
    let outcome = browser.run_page(&url, timeout).await;
    if let Some(png) = &options.screenshot {
        browser.screenshot(&root.join(png)).await?;
    }
    browser.close().await;
    let page = outcome?;

    report::print_table(&page, &sizes);
    let path = root.join(&options.out);
    report::write_json(&path, &page, &sizes, started.elapsed())?;
    println!("\n[bench] written to {} ({} s in all)", path.display(), started.elapsed().as_secs());
    if page["ok"] != serde_json::Value::Bool(true) {
        return Err(format!("the page failed: {}", page["error"]).into());
    }
    Ok(())
}
