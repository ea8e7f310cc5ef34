//! The way into a WebDriver that runs inside a network namespace. `socat`, in the
//! namespace, joins a unix socket to chromedriver's loopback port there; a forwarder in
//! this process joins a loopback port of the test's own namespace to that socket. Unix
//! sockets live in the file system, not in a network namespace, so the namespace needs
//! no interface or route for its control traffic: nothing a browser in it (or an ICE
//! check) could take as a path, and only the owner can open the socket (a 0700
//! directory).

use crate::Error;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UnixStream};
use tokio::process::Command;
use tokio::task::JoinHandle;

/// chromedriver's port inside the namespace: the namespace is the test's own, so a fixed
/// port cannot collide with another test's.
pub(crate) const DRIVER_PORT: u16 = 9515;

/// How long chromedriver may take to answer `/status` through the socket.
const READY_WITHIN: Duration = Duration::from_secs(20);

/// The forwarder and the socket's directory; the `socat` joins the driver's process
/// group, so killing that group ends it.
pub(crate) struct Bridge {
    /// The forwarder's port on 127.0.0.1.
    pub port: u16,
    forwarder: JoinHandle<()>,
    dir: PathBuf,
}

impl Bridge {
    /// Starts `socat` in `netns` (in process group `group`, the driver's) and the
    /// forwarder; returns once chromedriver answers through both.
    pub async fn start(netns: &str, group: u32) -> Result<Self, Error> {
        let dir = socket_dir()?;
        let socket = dir.join("driver.sock");
        let group = i32::try_from(group).map_err(|_| "a process group id out of range")?;
        Command::new("ip")
            .args(["netns", "exec", netns, "socat"])
            .arg(format!("UNIX-LISTEN:{},fork,mode=600", socket.display()))
            .arg(format!("TCP:127.0.0.1:{DRIVER_PORT}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(group)
            .spawn()
            .map_err(|e| format!("socat in {netns}: {e} (scripts/setup.sh installs socat)"))?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let forwarder = tokio::spawn(forward(listener, socket.clone()));
        let bridge = Self { port, forwarder, dir };
        wait_ready(&socket, netns).await?;
        Ok(bridge)
    }
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.forwarder.abort();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A fresh directory only this user can enter.
fn socket_dir() -> Result<PathBuf, Error> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("peer-wasm-driver-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

/// Joins each connection to `listener` to a new connection to `socket`.
async fn forward(listener: TcpListener, socket: PathBuf) {
    loop {
        let Ok((mut tcp, _)) = listener.accept().await else { continue };
        let socket = socket.clone();
        tokio::spawn(async move {
            if let Ok(mut unix) = UnixStream::connect(&socket).await {
                let _ = tokio::io::copy_bidirectional(&mut tcp, &mut unix).await;
            }
        });
    }
}

/// Polls chromedriver's `/status` through `socket` until it says it is ready.
async fn wait_ready(socket: &Path, netns: &str) -> Result<(), Error> {
    let deadline = Instant::now() + READY_WITHIN;
    let mut observed = String::from("no socket yet");
    while Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(2), status(socket)).await {
            Ok(Ok(answer)) if answer.contains("\"ready\":true") => return Ok(()),
            Ok(Ok(answer)) => observed = answer,
            Ok(Err(error)) => observed = error.to_string(),
            Err(_) => observed = "no answer within 2 s".into(),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("chromedriver in {netns} not ready within {READY_WITHIN:?}: {observed}").into())
}

/// chromedriver's answer to `GET /status`, read through `socket` up to its `ready`
/// field (chromedriver keeps the connection open a while after answering, even when
/// asked to close it).
async fn status(socket: &Path) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket).await?;
    let request = "GET /status HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    stream.write_all(request.as_bytes()).await?;
    let (mut answer, mut buffer) = (Vec::new(), [0; 4096]);
    loop {
        let read = stream.read(&mut buffer).await?;
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer);
        if read == 0 || text.contains("\"ready\":") {
            return Ok(text.into_owned());
        }
    }
}
