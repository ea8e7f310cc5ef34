//! `--native`'s second column: two native peers (peer-native) in this process, through
//! the same server, measured after the page with the page's counts (pings, bytes per
//! transfer) by `bench-native`'s pair benchmark, and added to the page's results as one
//! more contender, so that the table gives its ratios to raw JS of the same run.

use crate::Error;
use bench_native::pair;
use serde_json::{Value, json};

/// The column's name in the table.
const NAME: &str = "native↔native";
/// The page's message sizes (bench.js), in KiB.
const SIZES_KIB: [usize; 3] = [16, 64, 256];

/// Measures the native pair on `url` and appends it to `page["results"]`.
pub async fn measure_beside(page: &mut Value, url: &str) -> Result<(), Error> {
    println!("[bench] native↔native: round trips, then each size once on the same connection");
    let pings = page["pings"].as_u64().unwrap_or(1000) as usize;
    let total = page["total_bytes"].as_u64().unwrap_or(64 << 20);
    let sizes: Vec<usize> = SIZES_KIB.iter().map(|kib| kib * 1024).collect();
    let figures = pair::run(url, pings, &sizes, total).await?;
    let millis = |fraction| figures.round_trip_us(fraction) / 1000.0;
    let mean_us = figures.round_trips_us.iter().sum::<f64>() / figures.round_trips_us.len() as f64;
    let mut values = json!({
        "rtt_p50_ms": millis(0.5),
        "rtt_p99_ms": millis(0.99),
        "rtt_mean_ms": mean_us / 1000.0,
    });
    for transfer in &figures.transfers {
        // Its connection carried the pings first: a warm one.
        let key = format!("throughput_{}k_warm_mbps", transfer.message_bytes / 1024);
        values[key] = json!(transfer.megabytes_per_second());
    }
    let strategy = "bench-native's pair: send_to, waiting while the queue is full";
    let column = json!({ "name": NAME, "strategy": strategy, "values": values, "samples": {}, "failed": {} });
    match page["results"].as_array_mut() {
        Some(results) => results.push(column),
        None => return Err("the page gave no results".into()),
    }
    Ok(())
}
