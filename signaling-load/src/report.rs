//! The numbers a run prints.

use crate::Options;
use crate::client::Tally;
use std::sync::atomic::Ordering;

/// Everything measured in one run.
pub struct Summary<'a> {
    /// The run's options.
    pub options: &'a Options,
    /// Connections still open at the end.
    pub held: usize,
    /// Signals sent during the load phase.
    pub sent: u64,
    /// What the clients counted.
    pub tally: &'a Tally,
    /// Server RSS before any client connected, in KiB.
    pub baseline_rss: Option<u64>,
    /// Server RSS with every peer joined and idle, in KiB.
    pub idle_rss: Option<u64>,
    /// Server RSS after the load phase, in KiB.
    pub loaded_rss: Option<u64>,
}

/// Resident memory of process `pid`, in KiB (from /proc).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Prints the summary as aligned `name: value` lines.
pub fn print(summary: &Summary<'_>) {
    let options = summary.options;
    let tally = summary.tally;
    let received = tally.received.load(Ordering::Relaxed);
    let mut latencies = tally.latencies_us.lock().map(|l| l.clone()).unwrap_or_default();
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        if latencies.is_empty() {
            return f64::NAN;
        }
        let rank = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(latencies[rank]) / 1000.0
    };
    let errors = tally.errors.lock().map(|e| e.clone()).unwrap_or_default();

    println!("peers requested       {}", options.peers);
    println!("peers held            {}", summary.held);
    println!("rooms                 {}", options.peers.div_ceil(options.room_size));
    println!("signals sent          {} ({} /s target)", summary.sent, options.rate);
    println!(
        "signals relayed       {} ({:.0} /s)",
        received,
        received as f64 / options.seconds as f64
    );
    println!("relay latency p50     {:.2} ms", percentile(0.50));
    println!("relay latency p99     {:.2} ms", percentile(0.99));
    println!("relay latency max     {:.2} ms", percentile(1.0));
    if let (Some(base), Some(idle)) = (summary.baseline_rss, summary.idle_rss) {
        let per_peer = (idle.saturating_sub(base) * 1024) as f64 / options.peers as f64;
        println!("server RSS baseline   {:.1} MiB", base as f64 / 1024.0);
        println!(
            "server RSS idle       {:.1} MiB ({per_peer:.0} bytes per connection)",
            idle as f64 / 1024.0
        );
    }
    if let Some(loaded) = summary.loaded_rss {
        println!("server RSS loaded     {:.1} MiB", loaded as f64 / 1024.0);
    }
    println!("error replies         {}", errors.len());
    println!("closed by server      {}", tally.closed.load(Ordering::Relaxed));
    println!("not queued (client)   {}", tally.not_queued.load(Ordering::Relaxed));
    println!("lost (sent-relayed)   {}", summary.sent.saturating_sub(received));
}
