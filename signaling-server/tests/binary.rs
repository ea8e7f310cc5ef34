//! The `signaling-server` binary as `cargo install` leaves it: `--version`, and started
//! away from the repository (no `www` beside it), what it serves at `/`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_signaling-server");

/// Kills the server however the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn version_names_the_binary_and_the_crate_version() {
    let output = Command::new(BINARY).arg("--version").output().expect("runs the binary");
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert_eq!(printed.trim(), format!("signaling-server {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn started_away_from_the_repository_it_says_what_it_is() {
    let dir = tempfile::tempdir().expect("temp dir");
    let child = Command::new(BINARY)
        .args(["--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .env_remove("SIGNALING_STATIC_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts the binary");
    let mut server = Running(child);
    // It prints `open http://ADDR in several tabs` once it listens. Its output is read
    // to the end: a closed pipe would make its next `println!` panic.
    let stdout = server.0.stdout.take().expect("stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("open http://") {
                let _ = sender.send(rest.split(' ').next().unwrap_or_default().to_owned());
            }
        }
    });
    let addr = receiver.recv_timeout(Duration::from_secs(20)).expect("the server starts in 20 s");
    let addr = addr.as_str();

    let page = get(addr, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("peer-wasm signaling server"), "{page}");
    assert!(page.contains("--static-dir"), "{page}");
    assert!(get(addr, "/healthz").ends_with("ok"), "/healthz");
}

/// The whole HTTP/1.1 response to `GET path` (each read within ten seconds).
fn get(addr: &str, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(10))).expect("sets a timeout");
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).expect("sends the request");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads the response");
    response
}
