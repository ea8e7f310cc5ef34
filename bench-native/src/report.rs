//! The printed table: one row per figure, in Markdown so it can go into the docs as is.

use crate::mesh::{ThroughServer, WithoutServer};
use crate::pair::PairFigures;
use crate::room::ConnectOutcome;

/// Rows gathered while the benchmarks run, printed at the end. Figures of one run are
/// also given as ratios to each other (the machine's noise moves absolute figures).
#[derive(Default)]
pub struct Table {
    rows: Vec<(String, String)>,
    /// Channels opened per second through the server, once measured.
    server_rate: Option<f64>,
}

impl Table {
    /// The pair's round trip and throughput.
    pub fn pair(&mut self, figures: &PairFigures) {
        let pings = figures.round_trips_us.len();
        let p50 = figures.round_trip_us(0.5);
        let p99 = figures.round_trip_us(0.99);
        self.row(
            &format!("pair: round trip p50 ({pings} pings, one in flight)"),
            format!("{p50:.0} µs"),
        );
        let value = format!("{p99:.0} µs ({})", ratio(p99, p50, "p50"));
        self.row(&format!("pair: round trip p99 ({pings} pings, one in flight)"), value);
        let mut first_rate = None;
        for transfer in &figures.transfers {
            let rate = transfer.megabytes_per_second();
            let (kib, mib) = (transfer.message_bytes / 1024, transfer.total_bytes / (1024 * 1024));
            let label = format!("pair: reliable throughput, {kib} KiB messages ({mib} MiB)");
            let mut value = format!("{rate:.1} MB/s ({:.2} s)", transfer.seconds);
            match first_rate {
                Some((first, first_kib)) => {
                    value += &format!(", {}", ratio(rate, first, &format!("{first_kib} KiB")));
                }
                None => first_rate = Some((rate, kib)),
            }
            self.row(&label, value);
        }
    }

    /// The full mesh through the server.
    pub fn through_server(&mut self, figures: &ThroughServer) {
        let n = figures.peers;
        self.row(&format!("mesh of {n} via server: all joined, all known"), secs(figures.joined_s));
        self.row(
            &format!("mesh of {n} via server: first join to last Connected"),
            secs(figures.formed_s),
        );
        self.row(&format!("mesh of {n} via server: connects"), connects(&figures.connects));
        let signals = format!("{:.0}", figures.signals_per_peer);
        self.row(&format!("mesh of {n} via server: signals relayed per peer"), signals);
        self.row(&format!("mesh of {n} via server: server CPU"), secs(figures.server_cpu_s));
        self.row(&format!("mesh of {n} via server: peers' process CPU"), secs(figures.peers_cpu_s));
        let connecting_s = figures.formed_s - figures.joined_s;
        let rate = figures.connects.succeeded as f64 / connecting_s.max(f64::EPSILON);
        self.row(
            &format!("mesh of {n} via server: channels opened per second"),
            format!("{rate:.1}"),
        );
        self.server_rate = Some(rate);
    }

    /// The mesh formed with the server gone.
    pub fn without_server(&mut self, figures: &WithoutServer) {
        let n = figures.peers;
        self.row(
            &format!("mesh of {n}, server killed: sparse graph first"),
            connects(&figures.sparse),
        );
        self.row(
            &format!("mesh of {n}, server killed: kill to last Connected"),
            secs(figures.formed_s),
        );
        let label = format!("mesh of {n}, server killed: connects through the mesh");
        self.row(&label, connects(&figures.through_mesh));
        let label = format!("mesh of {n}, server killed: peers' process CPU after the kill");
        self.row(&label, secs(figures.peers_cpu_s));
        let rate = figures.through_mesh.succeeded as f64 / figures.formed_s.max(f64::EPSILON);
        let mut value = format!("{rate:.1}");
        if let Some(server_rate) = self.server_rate {
            value += &format!(" ({})", ratio(rate, server_rate, "through the server"));
        }
        self.row(&format!("mesh of {n}, server killed: channels opened per second"), value);
    }

    /// A benchmark that ended in an error.
    pub fn failed(&mut self, step: &str, error: &str) {
        self.row(&format!("{step}: FAILED"), error.replace('|', "/"));
    }

    /// Prints the table on stdout.
    pub fn print(&self) {
        println!("| figure | value |");
        println!("|---|---|");
        for (label, value) in &self.rows {
            println!("| {label} | {value} |");
        }
    }

    fn row(&mut self, label: &str, value: String) {
        self.rows.push((label.to_owned(), value));
    }
}

/// `value` as a multiple of `base`, e.g. `1.94x p50`.
fn ratio(value: f64, base: f64, what: &str) -> String {
    format!("{:.2}x {what}", value / base.max(f64::EPSILON))
}

fn secs(seconds: f64) -> String {
    format!("{seconds:.2} s")
}

fn connects(outcome: &ConnectOutcome) -> String {
    let total = outcome.succeeded + outcome.failed + outcome.not_started;
    let (succeeded, failed, late) = (outcome.succeeded, outcome.failed, outcome.not_started);
    format!(
        "{succeeded} of {total} succeeded, {failed} failed, {late} not started in time ({} calls)",
        outcome.attempts
    )
}
