//! The signaling server as a child process (the release binary): its CPU time is read
//! from `/proc/PID/stat`, its counters from `GET /metrics`, and it can be killed outright
//! (`SIGKILL`: no goodbye to anyone), as a crashed server would be.

use crate::bench_result::BenchResult;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::process::{Child, ChildStdout, Command};
use tokio::time::timeout;

/// How long the server may take to print its address, or to answer `/metrics`.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);
/// The line `signaling-server` prints once it listens: `open http://ADDR in several tabs`.
const ADDRESS_PREFIX: &str = "open http://";

/// A running `signaling-server`, killed on drop.
pub struct ServerProcess {
    child: Child,
    addr: SocketAddr,
    pid: u32,
    /// Kept open so that a later line on stdout never meets a closed pipe.
    _stdout: Lines<BufReader<ChildStdout>>,
}

impl ServerProcess {
    /// Starts `binary` on a free loopback port, with rooms of up to `max_peers`; every
    /// other limit keeps its default.
    pub async fn start(binary: &Path, max_peers: usize) -> BenchResult<Self> {
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0", "--max-peers-per-room", &max_peers.to_string()])
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|error| format!("starting {}: {error}", binary.display()))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let stdout = child.stdout.take().ok_or("the server's stdout is not piped")?;
        let mut lines = BufReader::new(stdout).lines();
        let line = timeout(ANSWER_TIMEOUT, lines.next_line())
            .await
            .map_err(|_| "the server printed no address in time")??
            .ok_or("the server closed its stdout before printing its address")?;
        let addr = line
            .strip_prefix(ADDRESS_PREFIX)
            .and_then(|rest| rest.split_whitespace().next())
            .ok_or_else(|| format!("unexpected first line from the server: {line:?}"))?
            .parse()?;
        Ok(Self { child, addr, pid, _stdout: lines })
    }

    /// The WebSocket URL peers join at.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// CPU seconds the server used so far (user plus system).
    pub fn cpu_seconds(&self) -> BenchResult<f64> {
        cpu_seconds(&self.pid.to_string())
    }

    /// The server's `signaling_signals_relayed_total` counter.
    pub async fn signals_relayed(&self) -> BenchResult<f64> {
        let text = timeout(ANSWER_TIMEOUT, get_metrics(self.addr))
            .await
            .map_err(|_| "/metrics did not answer in time")??;
        text.lines()
            .find_map(|line| line.strip_prefix("signaling_signals_relayed_total "))
            .ok_or("no signaling_signals_relayed_total in /metrics")?
            .trim()
            .parse::<f64>()
            .map_err(Into::into)
    }

    /// Kills the server with `SIGKILL` and waits for it to be gone.
    pub async fn kill(&mut self) -> BenchResult<()> {
        self.child.kill().await?;
        Ok(())
    }
}

/// CPU seconds (user plus system) process `pid` used so far; `"self"` for this one.
pub fn cpu_seconds(pid: &str) -> BenchResult<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // The command name (field 2) may hold spaces: count fields after its `)`.
    let after_name = stat.rsplit_once(')').ok_or("no `)` in /proc/PID/stat")?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
    let ticks = |at: usize| -> BenchResult<f64> {
        Ok(fields.get(at).ok_or("/proc/PID/stat is too short")?.parse::<f64>()?)
    };
    Ok((ticks(11)? + ticks(12)?) / clock_ticks_per_second())
}

/// `GET /metrics` over a plain TCP stream: HTTP/1.0, so the body is never chunked and
/// the server closes the stream after it.
async fn get_metrics(addr: SocketAddr) -> BenchResult<String> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    Ok(response)
}

/// The kernel's clock ticks per second for `/proc` times (`getconf CLK_TCK`; 100 on
/// every Linux we know of, the fallback when `getconf` is missing).
fn clock_ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .and_then(|text| text.trim().parse::<f64>().ok())
        .filter(|ticks| *ticks > 0.0)
        .unwrap_or(100.0)
}
