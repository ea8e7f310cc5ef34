//! The benchmark as a user runs it: the binary against a real signaling server (here
//! in-process, given with `--url`), printing the pair's rows.

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pair_benchmark_prints_its_round_trips_and_throughputs() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("a bound listener has an address");
    let config = signaling_server::Config::default();
    let server = tokio::spawn(signaling_server::run(listener, config, std::future::pending()));

    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_bench-native"))
        .args([
            "--url",
            &format!("ws://{addr}/ws"),
            "--only",
            "pair",
            "--pings",
            "20",
            "--mib",
            "1",
        ])
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the benchmark finishes in time")
        .expect("the benchmark runs");
    let table = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the benchmark failed:\n{table}\n{log}");
    for row in [
        "| pair: round trip p50 (20 pings, one in flight) | ",
        "| pair: round trip p99 (20 pings, one in flight) | ",
        "| pair: reliable throughput, 16 KiB messages (1 MiB) | ",
        "| pair: reliable throughput, 256 KiB messages (1 MiB) | ",
    ] {
        assert!(table.contains(row), "no row {row:?} in:\n{table}");
    }
    assert_eq!(table.matches(" MB/s ").count(), 2, "a rate per size in:\n{table}");
    server.abort();
}
