//! The terminal table (each figure and its ratio to raw JS) and the JSON file.

use crate::Error;
use serde_json::{Value, json};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Width of the first column and of each contender's column.
const TITLE_WIDTH: usize = 56;
const COLUMN_WIDTH: usize = 18;

/// Prints the page's figures (all but its own gzip row) and the driver's gzip -9 sizes.
pub fn print_table(page: &Value, sizes: &Value, browser: &str) {
    let results = page["results"].as_array().cloned().unwrap_or_default();
    let figures = page["figures"].as_array().cloned().unwrap_or_default();
    println!();
    println!("{browser}, {} cores", std::thread::available_parallelism().map_or(0, |n| n.get()));
    let mut header = format!("{:<TITLE_WIDTH$}", "figure (ratio to raw JS)");
    for result in &results {
        header += &format!("{:>COLUMN_WIDTH$}", result["name"].as_str().unwrap_or("?"));
    }
    println!("{header}");
    for figure in figures.iter().filter(|f| f["key"] != "gzip_bytes") {
        let key = figure["key"].as_str().unwrap_or_default();
        let values: Vec<Option<f64>> = results.iter().map(|r| r["values"][key].as_f64()).collect();
        let title = format!("{}, {}", figure["title"].as_str().unwrap_or(key), figure["unit"]);
        // Runs that failed (a mesh that did not form) show as "failed" where no run of
        // that contender gave a value.
        let failed: Vec<bool> = results.iter().map(|r| r["failed"].get(key).is_some()).collect();
        println!("{}", row(&title.replace('"', ""), &values, &failed));
    }
    let gzip: Vec<Option<f64>> = results
        .iter()
        .map(|r| sizes[r["name"].as_str().unwrap_or_default()]["gzip_bytes"].as_f64())
        .collect();
    let none = vec![false; gzip.len()];
    println!("{}", row("gzip -9 size to load, bytes (raw JS: built in)", &gzip, &none));
    println!();
    for result in &results {
        println!("  {}: {}", result["name"].as_str().unwrap_or("?"), result["strategy"]);
    }
    print_failures(&results);
}

/// Every run that failed (a mesh that did not form, a pair that did not connect and was
/// made again), with the page's reason.
fn print_failures(results: &[Value]) {
    for result in results {
        let Some(failed) = result["failed"].as_object() else { continue };
        for (key, reasons) in failed {
            for reason in reasons.as_array().into_iter().flatten() {
                let name = result["name"].as_str().unwrap_or("?");
                println!("  {name}, {key} failed: {}", reason.as_str().unwrap_or("?"));
            }
        }
    }
}

/// One line: the title, raw JS's value, then each other value with its ratio; a
/// missing value is "-", or "failed" where `failed` says so.
fn row(title: &str, values: &[Option<f64>], failed: &[bool]) -> String {
    let raw = values.first().copied().flatten();
    let mut line = format!("{title:<TITLE_WIDTH$}");
    for (i, value) in values.iter().enumerate() {
        let cell = match (value, raw) {
            (None, _) if failed[i] => "failed".to_owned(),
            (None, _) => "-".to_owned(),
            (Some(v), _) if i == 0 => format_number(*v),
            (Some(v), Some(r)) if r > 0.0 => format!("{} ({:.2}x)", format_number(*v), v / r),
            (Some(v), _) => format_number(*v),
        };
        line += &format!("{cell:>COLUMN_WIDTH$}");
    }
    line
}

/// Fewer decimals for bigger numbers; whole numbers for byte counts.
fn format_number(value: f64) -> String {
    match value {
        v if v >= 100.0 || v == 0.0 => format!("{v:.0}"),
        v if v >= 10.0 => format!("{v:.1}"),
        v => format!("{v:.2}"),
    }
}

/// Writes the page's report, the gzip sizes and the machine to `path`.
pub fn write_json(
    path: &Path,
    page: &Value,
    sizes: &Value,
    wall: Duration,
    browser: &str,
) -> Result<(), Error> {
    let report = json!({
        "unix_time": SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        "machine": {
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "cpu": cpu_model(),
            "browser": browser,
        },
        "wall_seconds": wall.as_secs_f64(),
        "gzip_9": sizes,
        "page": page,
    });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .find_map(|line| line.strip_prefix("model name").and_then(|rest| rest.split(':').nth(1)))
        .map(|model| model.trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// `chromium --version` or `firefox-esr --version` (the page's user agent says only the
/// major version).
pub fn browser_version(program: &str) -> String {
    let output = std::process::Command::new(program).arg("--version").output();
    let text = output.map(|o| String::from_utf8_lossy(&o.stdout).into_owned()).unwrap_or_default();
    text.lines().next().unwrap_or("unknown").trim().to_owned()
}
