//! The benchmark's output: one row per network case (the library beside plain
//! `RTCPeerConnection`, with ratios), the symmetric-NAT count against its goals, and
//! the same as JSON.

use crate::cases::Row;
use crate::measure::Samples;
use serde_json::{Value, json};

/// The goals for the symmetric-NAT case: every connect connects, p95 within this.
const SYMMETRIC_P95_GOAL_MS: f64 = 3000.0;

/// Prints the table and the symmetric-NAT line.
pub fn print(rows: &[Row], repeated: &Samples) {
    println!(
        "\n{:<34} {:>9} {:>17} {:>9} {:>17} {:>7} {:>15} {:>7} {:>17} {:>7}",
        "case",
        "connected",
        "connect p50/p95",
        "plain",
        "plain p50/p95",
        "ratio",
        "rtt ours/plain",
        "ratio",
        "MB/s ours/plain",
        "ratio"
    );
    for row in rows {
        let (ours, plain) = (&row.ours, &row.plain);
        println!(
            "{:<34} {:>9} {:>17} {:>9} {:>17} {:>7} {:>15} {:>7} {:>17} {:>7}",
            row.name,
            format!("{}/{}", ours.connected, ours.tried),
            pair_ms(ours.percentile(50.0), ours.percentile(95.0)),
            format!("{}/{}", plain.connected, plain.tried),
            pair_ms(plain.percentile(50.0), plain.percentile(95.0)),
            ratio(ours.percentile(50.0), plain.percentile(50.0)),
            pair_ms_fine(ours.rtt_ms, plain.rtt_ms),
            ratio(ours.rtt_ms, plain.rtt_ms),
            pair(ours.mbps, plain.mbps),
            ratio(ours.mbps, plain.mbps),
        );
        for (who, samples) in [("peer-wasm", ours), ("plain", plain)] {
            if let Some(error) = &samples.first_error {
                println!("    {who}'s first failure: {error}");
            }
        }
    }
    let p95 = repeated.percentile(95.0);
    let met =
        repeated.connected == repeated.tried && p95.is_some_and(|p| p <= SYMMETRIC_P95_GOAL_MS);
    println!(
        "\nsymmetric NATs, default options: {} of {} connected (goal: all), connect p95 {} \
         (goal <= {SYMMETRIC_P95_GOAL_MS:.0} ms): {}",
        repeated.connected,
        repeated.tried,
        p95.map_or("-".into(), |p| format!("{p:.0} ms")),
        if met { "goals met" } else { "goals NOT met" }
    );
    if let Some(error) = &repeated.first_error {
        println!("    first failure: {error}");
    }
}

/// Writes every figure to `path` (directories made as needed); returns the path.
pub fn write_json(path: &str, rows: &[Row], repeated: &Samples) -> std::io::Result<String> {
    let cases: Vec<Value> = rows
        .iter()
        .map(|row| json!({ "case": row.name, "peer_wasm": samples(&row.ours), "plain": samples(&row.plain) }))
        .collect();
    let all = json!({ "cases": cases, "symmetric_repeated": samples(repeated) });
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(".".as_ref());
    let file = root.join(path);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&file, serde_json::to_string_pretty(&all).unwrap_or_default())?;
    Ok(file.display().to_string())
}

fn samples(samples: &Samples) -> Value {
    json!({
        "tried": samples.tried, "connected": samples.connected,
        "connect_ms": samples.times_ms,
        "connect_p50_ms": samples.percentile(50.0), "connect_p95_ms": samples.percentile(95.0),
        "rtt_ms": samples.rtt_ms, "mb_per_s": samples.mbps, "first_error": samples.first_error,
    })
}

fn pair_ms(one: Option<f64>, other: Option<f64>) -> String {
    let show = |value: Option<f64>| value.map_or("-".into(), |v| format!("{v:.0}"));
    format!("{}/{} ms", show(one), show(other))
}

/// Round trips on a LAN-like lab are about a millisecond: two decimals.
fn pair_ms_fine(one: Option<f64>, other: Option<f64>) -> String {
    let show = |value: Option<f64>| value.map_or("-".into(), |v| format!("{v:.2}"));
    format!("{}/{} ms", show(one), show(other))
}

fn pair(one: Option<f64>, other: Option<f64>) -> String {
    let show = |value: Option<f64>| value.map_or("-".into(), |v| format!("{v:.1}"));
    format!("{}/{}", show(one), show(other))
}

fn ratio(ours: Option<f64>, plain: Option<f64>) -> String {
    match (ours, plain) {
        (Some(ours), Some(plain)) if plain > 0.0 => format!("{:.2}x", ours / plain),
        _ => "-".into(),
    }
}
