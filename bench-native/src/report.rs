//! The printed table: one row per figure, in Markdown so it can go into the docs as is.

use crate::mesh::{ThroughServer, WithoutServer};
use crate::pair::PairFigures;
use crate::room::ConnectOutcome;

/// Rows gathered while the benchmarks run, printed at the end.
#[derive(Default)]
pub struct Table {
    rows: Vec<(String, String)>,
}

impl Table {
    /// The pair's round trip and throughput.
    pub fn pair(&mut self, figures: &PairFigures) {
        let pings = figures.round_trips_us.len();
        for (label, fraction) in [("p50", 0.5), ("p99", 0.99)] {
            let value = format!("{:.0} µs", figures.round_trip_us(fraction));
            self.row(&format!("pair: round trip {label} ({pings} pings, one in flight)"), value);
        }
        for transfer in &figures.transfers {
            let megabytes = transfer.total_bytes as f64 / 1e6;
            let rate = megabytes / transfer.seconds.max(f64::EPSILON);
            let label = format!(
                "pair: reliable throughput, {} KiB messages ({} MiB)",
                transfer.message_bytes / 1024,
                transfer.total_bytes / (1024 * 1024)
            );
            self.row(&label, format!("{rate:.1} MB/s ({:.2} s)", transfer.seconds));
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
