//! The command-line peer as a user runs it: two `peer-cli` processes in one room of a
//! real server, typing lines into each other's stdout.

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
        let mut child = Command::new(env!("CARGO_BIN_EXE_peer-cli"))
            .args(["--url", url, "--room", "cli", "--name", name, "--bind", "127.0.0.1"])
            .args(extra)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_command_line_peers_chat_and_exit_cleanly() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("ws://{}/ws", listener.local_addr().expect("an address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = signaling_server::Config::default();
    let server = tokio::spawn(signaling_server::run(listener, config, async {
        let _ = stopped.await;
    }));

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
