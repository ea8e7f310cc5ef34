//! The command-line peer as a user runs it: two `peer-cli` processes in one room of a
//! real server, typing lines into each other's stdout (and sending files, each run in a
//! folder of its own).

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// How long any one line may take to show up.
const WAIT: Duration = Duration::from_secs(20);

/// A running `peer-cli` and the lines of its stdout.
struct Cli {
    child: Child,
    out: Lines<BufReader<ChildStdout>>,
}

impl Cli {
    fn start(url: &str, name: &str, extra: &[&str]) -> Cli {
        Cli::start_in(url, name, extra, Path::new("."))
    }

    /// Starts a `peer-cli` whose working folder is `dir` (where it saves files).
    fn start_in(url: &str, name: &str, extra: &[&str], dir: &Path) -> Cli {
        let mut child = Command::new(env!("CARGO_BIN_EXE_peer-cli"))
            .args(["--url", url, "--room", "cli", "--name", name, "--bind", "127.0.0.1"])
            .args(extra)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("starts peer-cli");
        let out = BufReader::new(child.stdout.take().expect("has stdout")).lines();
        Cli { child, out }
    }

    /// Reads lines until `expected`; panics with what came instead.
    async fn expect_line(&mut self, expected: &str) {
        let mut seen = Vec::new();
        let found = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = self.out.next_line().await {
                if line == expected {
                    return true;
                }
                seen.push(line);
            }
            false
        })
        .await;
        assert_eq!(found, Ok(true), "no line {expected:?}; saw {seen:?}");
    }

    async fn type_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().expect("has stdin");
        stdin.write_all(format!("{line}\n").as_bytes()).await.expect("writes");
    }

    /// Closes stdin and waits for the exit code.
    async fn end_input(mut self) -> Option<i32> {
        drop(self.child.stdin.take());
        let status = tokio::time::timeout(WAIT, self.child.wait()).await;
        status.expect("exits in time").expect("has a status").code()
    }
}

/// A signaling server on a port of its own: its URL, how to stop it, and its task.
async fn server() -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("ws://{}/ws", listener.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = signaling_server::Config::default();
    let server = tokio::spawn(async move {
        let _ = signaling_server::run(listener, config, async {
            let _ = stopped.await;
        })
        .await;
    });
    (url, stop, server)
}

/// An empty folder of this test's own.
fn empty_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("peer-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("makes a folder");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_command_line_peers_chat_and_exit_cleanly() {
    let (url, stop, server) = server().await;

    let mut alice = Cli::start(&url, "Alice", &["--connect-all"]);
    // Alice is in the room before Bob joins: she connects to him as he arrives.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut bob = Cli::start(&url, "Bob", &[]);
    alice.expect_line("* joined Bob").await;
    alice.expect_line("* connected Bob").await;
    bob.expect_line("* connected Alice").await;

    alice.type_line("hello Bob").await;
    bob.expect_line("Alice: hello Bob").await;
    bob.type_line("hi Alice").await;
    bob.type_line("{\"not\": \"json, a line is text\"}").await;
    alice.expect_line("Bob: hi Alice").await;
    alice.expect_line("Bob: {\"not\": \"json, a line is text\"}").await;

    // Bob's last line goes out before he leaves.
    bob.type_line("bye").await;
    assert_eq!(bob.end_input().await, Some(0));
    alice.expect_line("Bob: bye").await;
    alice.expect_line("* disconnected Bob (the peer closed the data channel)").await;
    alice.expect_line("* left Bob").await;
    assert_eq!(alice.end_input().await, Some(0));
    let _ = stop.send(());
    let _ = tokio::time::timeout(WAIT, server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_typed_as_slash_file_is_saved_by_the_other_peer() {
    let (url, stop, server) = server().await;
    let (alice_dir, bob_dir) = (empty_dir("alice"), empty_dir("bob"));
    let original: Vec<u8> = (0..300 * 1024u32).map(|i| (i * 31 + i / 251) as u8).collect();
    let sent = alice_dir.join("photo.bin");
    std::fs::write(&sent, &original).expect("writes the file");
    let sha256: String = Sha256::digest(&original).iter().map(|b| format!("{b:02x}")).collect();

    let mut alice = Cli::start_in(&url, "Alice", &["--connect-all"], &alice_dir);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut bob = Cli::start_in(&url, "Bob", &[], &bob_dir);
    alice.expect_line("* connected Bob").await;
    bob.expect_line("* connected Alice").await;

    alice.type_line(&format!("/file {}", sent.display())).await;
    bob.expect_line(&format!("* file photo.bin from Alice (307200 bytes, sha256 {sha256})")).await;
    let saved = std::fs::read(bob_dir.join("photo.bin")).expect("Bob saved the file");
    assert!(saved == original, "the saved file differs from the original");
    let left: Vec<_> = std::fs::read_dir(&bob_dir).expect("lists").flatten().collect();
    assert_eq!(left.len(), 1, "only the file is left in Bob's folder: {left:?}");

    assert_eq!(alice.end_input().await, Some(0));
    assert_eq!(bob.end_input().await, Some(0));
    let _ = stop.send(());
    let _ = tokio::time::timeout(WAIT, server).await;
    let _ = std::fs::remove_dir_all(alice_dir);
    let _ = std::fs::remove_dir_all(bob_dir);
}
