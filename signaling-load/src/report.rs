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
    /// CPU and Redis commands during the load phase.
    pub usage: Usage,
}

/// CPU seconds of the servers and of Redis, and Redis commands processed, at one time
/// (or, after [`Usage::since`], over the load phase).
#[derive(Clone, Copy, Debug, Default)]
pub struct Usage {
    at: Option<std::time::Instant>,
    seconds: f64,
    servers_cpu: Option<f64>,
    redis_cpu: Option<f64>,
    redis_commands: Option<u64>,
}

impl Usage {
    /// Reads them now.
    pub async fn now(options: &Options) -> Self {
        let servers_cpu = options.server_pid.iter().map(|pid| cpu_seconds(*pid)).sum();
        let redis_cpu = options.redis_pid.and_then(cpu_seconds);
        let redis_commands = match &options.redis {
            Some(addr) => redis_commands(addr).await,
            None => None,
        };
        let at = Some(std::time::Instant::now());
        Self { at, seconds: 0.0, servers_cpu, redis_cpu, redis_commands }
    }

    /// What was used between `before` and this.
    pub fn since(self, before: &Usage) -> Usage {
        let minus = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
        let seconds = match (self.at, before.at) {
            (Some(now), Some(then)) => now.duration_since(then).as_secs_f64(),
            _ => 0.0,
        };
        Usage {
            at: None,
            seconds,
            servers_cpu: minus(self.servers_cpu, before.servers_cpu),
            redis_cpu: minus(self.redis_cpu, before.redis_cpu),
            redis_commands: self
                .redis_commands
                .zip(before.redis_commands)
                .map(|(now, then)| now.saturating_sub(then)),
        }
    }
}

/// User + system CPU seconds of process `pid` (from /proc; 100 ticks a second).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// `total_commands_processed` of the Redis at `addr`, by an inline `INFO stats`.
async fn redis_commands(addr: &str) -> Option<u64> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    stream.write_all(b"INFO stats\r\nQUIT\r\n").await.ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).await.ok()?;
    let line = reply.lines().find(|line| line.starts_with("total_commands_processed:"))?;
    line.split_once(':')?.1.trim().parse().ok()
}

/// The RSS of every process of `pids`, added up, in KiB (`None` without pids).
pub fn total_rss_kib(pids: &[u32]) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|pid| rss_kib(*pid)).sum()
}

/// Resident memory of process `pid`, in KiB (from /proc).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The value at `p` (0 to 1) of sorted microseconds, in milliseconds (NaN when empty).
fn percentile_ms(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[rank]) / 1000.0
}

/// Sorted copy of the microseconds in `latencies`.
fn sorted(latencies: &std::sync::Mutex<Vec<u32>>) -> Vec<u32> {
    let mut latencies = latencies.lock().map(|l| l.clone()).unwrap_or_default();
    latencies.sort_unstable();
    latencies
}

/// Prints how the joins went: their latencies, and the servers' CPU for them (`usage`
/// over the join phase, with `--server-pid`).
pub fn print_joins(tally: &Tally, joined: usize, usage: &Usage) {
    for (what, latencies) in [
        ("join latency         ", &tally.join_us),
        ("connect+join latency ", &tally.connect_join_us),
    ] {
        let latencies = sorted(latencies);
        println!(
            "{what} p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms",
            percentile_ms(&latencies, 0.50),
            percentile_ms(&latencies, 0.90),
            percentile_ms(&latencies, 0.99)
        );
    }
    if let Some(cpu) = usage.servers_cpu {
        let per_join_us = cpu * 1e6 / joined.max(1) as f64;
        println!("server CPU (joins)    {cpu:.2} s, {per_join_us:.0} us per join");
    }
}

/// Prints the summary as aligned `name: value` lines.
pub fn print(summary: &Summary<'_>) {
    let options = summary.options;
    let tally = summary.tally;
    let received = tally.received.load(Ordering::Relaxed);
    let (within, across) = (sorted(&tally.latencies_us), sorted(&tally.across_us));
    let mut latencies: Vec<u32> = within.iter().chain(&across).copied().collect();
    latencies.sort_unstable();
    let percentile_of = percentile_ms;
    let percentile = |p: f64| percentile_of(&latencies, p);
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
    if !across.is_empty() {
        for (what, latencies) in [("one instance", &within), ("across      ", &across)] {
            println!(
                "  {what}        {} signals, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                latencies.len(),
                percentile_of(latencies, 0.50),
                percentile_of(latencies, 0.99),
                percentile_of(latencies, 1.0)
            );
        }
    }
    let usage = &summary.usage;
    let per_second = |amount: f64| amount / usage.seconds.max(f64::MIN_POSITIVE);
    if let Some(cpu) = usage.servers_cpu {
        println!("server CPU (load)     {:.0} % of one core", 100.0 * per_second(cpu));
    }
    if let Some(cpu) = usage.redis_cpu {
        println!("Redis CPU (load)      {:.0} % of one core", 100.0 * per_second(cpu));
    }
    if let Some(commands) = usage.redis_commands {
        println!("Redis commands (load) {:.0} /s", per_second(commands as f64));
    }
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
    let mut by_code = std::collections::BTreeMap::<&str, usize>::new();
    for code in &errors {
        *by_code.entry(code.as_str()).or_default() += 1;
    }
    for (code, count) in by_code {
        println!("  {code:<20}{count}");
    }
    println!("closed by server      {}", tally.closed.load(Ordering::Relaxed));
    println!("not queued (client)   {}", tally.not_queued.load(Ordering::Relaxed));
    println!("lost (sent-relayed)   {}", summary.sent.saturating_sub(received));
}
