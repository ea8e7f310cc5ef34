//! One network namespace of a lab: created under a name unique to this process and lab,
//! commands run in it, sockets opened in it from a thread that entered it, and on drop
//! every process in it killed and the namespace deleted (its interfaces go with it).
//! Namespaces left by a test process that was killed outright (no drop ran) are swept
//! by the next lab.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Every lab namespace's name starts with this, then the owning process id.
pub(crate) const PREFIX: &str = "pwlab";

/// A network namespace this process made; deleted on drop.
pub struct Namespace {
    name: String,
}

impl Namespace {
    /// A new namespace named `pwlab-<pid>-<n>-<role>`, loopback up, IPv6 off (so that
    /// no link-local address becomes a candidate nobody meant to offer).
    pub fn create(role: &str) -> Result<Self, String> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("{PREFIX}-{}-{n}-{role}", std::process::id());
        run("ip", &["netns", "add", &name])?;
        let namespace = Self { name };
        namespace.ip(&["link", "set", "lo", "up"])?;
        namespace.exec("sysctl", &["-qw", "net.ipv6.conf.all.disable_ipv6=1"])?;
        Ok(namespace)
    }

    /// Its name, as `ip netns` knows it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip -n <name> <args>`.
    pub fn ip(&self, args: &[&str]) -> Result<String, String> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        run("ip", &all)
    }

    /// Runs `program args` inside the namespace and waits for it.
    pub fn exec(&self, program: &str, args: &[&str]) -> Result<String, String> {
        let mut all = vec!["netns", "exec", &self.name, program];
        all.extend_from_slice(args);
        run("ip", &all)
    }

    /// A TCP listener on `addr` inside the namespace: bound by a thread that entered it
    /// (a socket stays in the namespace it was made in, whichever thread uses it later).
    pub fn bind_tcp(&self, addr: SocketAddr) -> Result<TcpListener, String> {
        self.inside(move || TcpListener::bind(addr))
            .map_err(|e| format!("binding {addr} in {}: {e}", self.name))
    }

    /// Whether something accepts TCP connections on `addr` inside the namespace.
    pub fn accepts_tcp(&self, addr: SocketAddr) -> bool {
        let timeout = Duration::from_millis(500);
        self.inside(move || TcpStream::connect_timeout(&addr, timeout)).is_ok()
    }

    /// Runs `work` on a new thread that first entered this namespace (only that thread
    /// moves; the test's other threads stay where they are).
    fn inside<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
    ) -> std::io::Result<T> {
        let path = format!("/run/netns/{}", self.name);
        let thread = std::thread::spawn(move || {
            let file = std::fs::File::open(&path)?;
            rustix::thread::move_into_link_name_space(
                std::os::fd::AsFd::as_fd(&file),
                Some(rustix::thread::LinkNameSpaceType::Network),
            )?;
            work()
        });
        thread.join().unwrap_or_else(|_| Err(std::io::Error::other("the thread panicked")))
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        remove(&self.name);
    }
}

/// Kills what runs in the namespace `name`, then deletes it.
fn remove(name: &str) {
    if let Ok(pids) = run("ip", &["netns", "pids", name]) {
        let pids: Vec<&str> = pids.split_whitespace().collect();
        if !pids.is_empty() {
            let mut args = vec!["-KILL"];
            args.extend(pids);
            let _ = run("kill", &args);
        }
    }
    let _ = run("ip", &["netns", "del", name]);
}

/// Deletes the lab namespaces of processes that no longer run (a test killed before
/// its drop could run), so that they do not pile up.
pub(crate) fn sweep_stale() {
    let Ok(entries) = std::fs::read_dir("/run/netns") else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(&format!("{PREFIX}-")) else { continue };
        let pid = rest.split('-').next().unwrap_or_default();
        if !pid.is_empty() && !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            remove(&name);
        }
    }
}

/// Runs `program args`; its stdout, or an error with the command and its stderr.
pub(crate) fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e} (scripts/setup.sh installs it)"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!("`{program} {}` failed: {}", args.join(" "), stderr.trim()))
    }
}
