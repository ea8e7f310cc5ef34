//! The network benchmark: each network case of the lab (`e2e_tests::netlab`) built for
//! real, then the library's connect time (p50/p95), round trip and 16 MiB throughput
//! there, each beside a bare `RTCPeerConnection`'s in the same lab and run; and the
//! symmetric-NAT case connected many times, counting how many connect. Needs root.
//!
//! ```sh
//! bash scripts/bench-network.sh                  # the release package, every case
//! cargo run -p e2e-tests --bin bench-network -- --connects 3 --symmetric-runs 5
//! ```
//!
//! Layout: the cases and one case's run (`cases.rs`), what is measured in the pages
//! (`measure.rs`), the table and the JSON (`report.rs`).

mod cases;
mod measure;
mod report;

use clap::Parser;
use std::process::ExitCode;

/// Runs every network case of the lab and prints one row per case.
#[derive(Parser)]
struct Options {
    /// Connects per case, library and plain each (fresh pages every time).
    #[arg(long, default_value_t = 5)]
    connects: usize,
    /// Connects of the symmetric-NAT case for the connected count and its p95.
    #[arg(long, default_value_t = 20)]
    symmetric_runs: usize,
    /// The size of the throughput transfer, in MiB.
    #[arg(long, default_value_t = 16)]
    mib: u32,
    /// Round trips measured per path (the median is reported).
    #[arg(long, default_value_t = 50)]
    pings: u32,
    /// Where the JSON results go (relative to the workspace root).
    #[arg(long, default_value = "bench-results/network.json")]
    out: String,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> ExitCode {
    let options = Options::parse();
    if let Some(reason) = e2e_tests::netlab::unavailable() {
        eprintln!("[bench-network] cannot run here: {reason}");
        return ExitCode::FAILURE;
    }
    let mut rows = Vec::new();
    for case in cases::CASES {
        eprintln!("[bench-network] {}", case.name);
        rows.push(cases::run(&case, &options).await);
    }
    eprintln!("[bench-network] symmetric NATs, {} connects", options.symmetric_runs);
    let repeated = cases::repeat_symmetric(options.symmetric_runs).await;
    report::print(&rows, &repeated);
    match report::write_json(&options.out, &rows, &repeated) {
        Ok(path) => eprintln!("[bench-network] results in {path}"),
        Err(error) => {
            eprintln!("[bench-network] writing {}: {error}", options.out);
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
