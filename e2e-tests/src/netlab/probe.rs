//! Whether this machine can run the lab (root, network namespaces with iptables in
//! them, and the tools), and if not, why: the reason goes into the skip line.

use super::netns::{Namespace, run};
use std::sync::OnceLock;

/// Every tool the lab starts.
const TOOLS: [&str; 6] = ["ip", "iptables", "conntrack", "socat", "turnserver", "chromedriver"];

/// `None` when the lab can run here, else why not (checked once per process).
pub fn unavailable() -> Option<String> {
    static REASON: OnceLock<Option<String>> = OnceLock::new();
    REASON.get_or_init(check).clone()
}

/// The line a test prints when it skips the lab.
pub fn skip_line(reason: &str) -> String {
    format!("[network lab] skipped: {reason}")
}

fn check() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status.lines().any(|line| line.split_whitespace().take(2).eq(["Uid:", "0"]));
    if !root {
        return Some("needs root (network namespaces and iptables)".into());
    }
    if let Some(tool) = TOOLS.iter().find(|tool| !on_path(tool)) {
        return Some(format!("`{tool}` is missing (bash scripts/setup.sh installs it)"));
    }
    let namespace = match Namespace::create("probe") {
        Ok(namespace) => namespace,
        Err(error) => return Some(format!("cannot create a network namespace: {error}")),
    };
    if let Err(error) = namespace.exec("iptables", &["-t", "nat", "-S"]) {
        return Some(format!("iptables does not work in a network namespace: {error}"));
    }
    None
}

/// Whether `program` is on `PATH` (where the lab runs it from).
fn on_path(program: &str) -> bool {
    run("sh", &["-c", &format!("command -v {program}")]).is_ok()
}
