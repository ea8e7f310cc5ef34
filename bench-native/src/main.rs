//! The `bench-native` command: parses the options, runs the chosen benchmarks of the
//! library (`lib.rs` describes them) and prints their table.

use bench_native::bench_result::BenchResult;
use bench_native::{mesh, pair, report, server};
use clap::{Parser, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

/// Benchmarks of native peers, over loopback through a real signaling server.
#[derive(Parser, Debug)]
#[command(about)]
struct Options {
    /// The `signaling-server` binary (a release build); each benchmark starts its own.
    #[arg(long, required_unless_present = "url")]
    server: Option<PathBuf>,
    /// A running server's WebSocket URL for the pair benchmark instead of a server of its
    /// own (the room benchmarks need `--server`: they read its CPU and kill it).
    #[arg(long)]
    url: Option<String>,
    /// Which benchmarks to run (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "pair,mesh,no-server")]
    only: Vec<Step>,
    /// Pings of the round trip (after 50 not counted).
    #[arg(long, default_value_t = 1000)]
    pings: usize,
    /// MiB sent per message size in the throughput runs.
    #[arg(long, default_value_t = 64)]
    mib: u64,
    /// Peers in the room benchmarks.
    #[arg(long, default_value_t = 100)]
    peers: usize,
    /// Connects under way at once in the room benchmarks.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Seconds each phase of a room benchmark may take; what is left is reported unfinished.
    #[arg(long, default_value_t = 600)]
    budget_secs: u64,
}

/// One benchmark.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Step {
    /// Two peers: round trip and throughput.
    Pair,
    /// A full mesh through the server.
    Mesh,
    /// A mesh formed without the server.
    NoServer,
}

/// Message sizes of the throughput runs.
const SIZES: [usize; 2] = [16 * 1024, 256 * 1024];

fn main() -> std::process::ExitCode {
    let options = Options::parse();
    // Two workers: the reference machine has two cores.
    let runtime =
        match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
            Ok(runtime) => runtime,
            Err(error) => {
                eprintln!("bench-native: no runtime: {error}");
                return std::process::ExitCode::FAILURE;
            }
        };
    let failed = runtime.block_on(run(&options));
    // Peers still closing in the background must not hold the process.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if failed { std::process::ExitCode::FAILURE } else { std::process::ExitCode::SUCCESS }
}

/// Runs the chosen benchmarks one after another and prints the table; true if any failed.
async fn run(options: &Options) -> bool {
    let mut table = report::Table::default();
    let budget = Duration::from_secs(options.budget_secs);
    let mut failed = false;
    for step in &options.only {
        eprintln!("bench-native: {step:?}...");
        let (peers, concurrency) = (options.peers, options.concurrency);
        let outcome = match (step, &options.server) {
            (Step::Pair, _) => run_pair(options).await.map(|figures| table.pair(&figures)),
            (Step::Mesh, Some(server)) => mesh::through_server(server, peers, concurrency, budget)
                .await
                .map(|figures| table.through_server(&figures)),
            (Step::NoServer, Some(server)) => {
                mesh::without_server(server, peers, concurrency, budget)
                    .await
                    .map(|figures| table.without_server(&figures))
            }
            (_, None) => Err("this benchmark needs --server".into()),
        };
        if let Err(error) = outcome {
            eprintln!("bench-native: {step:?} failed: {error}");
            table.failed(&format!("{step:?}"), &error.to_string());
            failed = true;
        }
    }
    table.print();
    failed
}

/// The pair benchmark, on `--url` or with a server of its own.
async fn run_pair(options: &Options) -> BenchResult<pair::PairFigures> {
    let total = options.mib * 1024 * 1024;
    if let Some(url) = &options.url {
        return pair::run(url, options.pings, &SIZES, total).await;
    }
    let binary = options.server.as_deref().ok_or("the pair needs --server or --url")?;
    let server = server::ServerProcess::start(binary, 2).await?;
    pair::run(&server.ws_url(), options.pings, &SIZES, total).await
}
