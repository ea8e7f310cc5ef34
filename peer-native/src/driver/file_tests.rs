//! Files between two native peers of one room of the real server (in-process, on
//! 127.0.0.1): a file arrives whole under its name with its plain SHA-256 and paced
//! progress, a second one of the same name gets ` (1)`, a peer without a download
//! folder refuses, and a connection that ends fails the transfer on both sides with
//! nothing left on disk.

use crate::api::peer::Peer;
use crate::values::events::{Events, PeerEvent};
use crate::values::options::JoinOptions;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long any one step may take.
const WAIT: Duration = Duration::from_secs(60);

/// A signaling server on a port of its own; its URL.
async fn server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let url = format!("ws://{}/ws", listener.local_addr().expect("an address"));
    let config = signaling_server::Config::default();
    tokio::spawn(signaling_server::run(listener, config, std::future::pending()));
    url
}

/// An empty folder of this test's own.
fn empty_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("peer-native-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("makes a folder");
    dir
}

fn listing(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).expect("lists").flatten();
    let mut names: Vec<_> = entries.map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// Alice and Bob connected in `room`; Bob saves files in `bob_dir` when given.
async fn pair(room: &str, bob_dir: Option<&Path>) -> (Peer, Peer, Events) {
    let (alice, _, bob, bob_events) = pair_saving(room, None, bob_dir).await;
    (alice, bob, bob_events)
}

/// Alice and Bob connected in `room`, each saving files in their folder when given;
/// with their events.
async fn pair_saving(
    room: &str,
    alice_dir: Option<&Path>,
    bob_dir: Option<&Path>,
) -> (Peer, Events, Peer, Events) {
    let url = server().await;
    let options = |name: &str| {
        let mut options = JoinOptions::new(url.clone(), room, name);
        options.bind = vec![IpAddr::V4(Ipv4Addr::LOCALHOST)];
        options
    };
    let mut alice_options = options("Alice");
    alice_options.download_dir = alice_dir.map(Path::to_owned);
    let (alice, mut alice_events) = Peer::join(alice_options).await.expect("Alice joins");
    let mut bob_options = options("Bob");
    bob_options.download_dir = bob_dir.map(Path::to_owned);
    let (bob, bob_events) = Peer::join(bob_options).await.expect("Bob joins");
    let bob_joined = async {
        while let Some(event) = alice_events.next().await {
            if matches!(event, PeerEvent::PeerJoined(ref peer) if &peer.id == bob.id()) {
                return;
            }
        }
    };
    tokio::time::timeout(WAIT, bob_joined).await.expect("Alice hears Bob joined");
    let connecting = alice.connect(bob.id());
    tokio::time::timeout(WAIT, connecting).await.expect("in time").expect("connects");
    (alice, alice_events, bob, bob_events)
}

/// Bob's file events until one ends a transfer: the progress counts, then the end.
async fn file_end(events: &mut Events) -> (Vec<u64>, PeerEvent) {
    let mut progress = Vec::new();
    let found = tokio::time::timeout(WAIT, async {
        while let Some(event) = events.next().await {
            match event {
                PeerEvent::FileProgress { received, .. } => progress.push(received),
                PeerEvent::FileReceived { .. } | PeerEvent::FileFailed { .. } => {
                    return Some(event);
                }
                _ => {}
            }
        }
        None
    });
    let end = found.await.expect("a file ends in time").expect("the events go on");
    (progress, end)
}

fn bytes(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 13 + i / 4099) as u8).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_arrives_whole_and_a_second_of_that_name_is_numbered() {
    let (dir, source) = (empty_dir("bob"), empty_dir("alice").join("data.tar.gz"));
    let content = bytes(4 << 20);
    std::fs::write(&source, &content).expect("writes");
    let (alice, bob, mut events) = pair("files", Some(&dir)).await;

    let started = Instant::now();
    let sending = alice.send_file(bob.id(), &source).await.expect("starts");
    let (progress, end) = file_end(&mut events).await;
    let ms = started.elapsed().as_millis().max(1) as f64;
    let PeerEvent::FileReceived { name, path, size, sha256, from } = end else {
        panic!("the file failed: {end:?}")
    };
    println!("4 MiB native to native: {ms:.0} ms, {:.1} MB/s", content.len() as f64 / 1e3 / ms);
    assert_eq!((name.as_str(), size, from.name.as_str()), ("data.tar.gz", 4 << 20, "Alice"));
    assert_eq!(path, dir.join("data.tar.gz"));
    assert_eq!(sha256, sha256_hex(&content));
    assert!(std::fs::read(&path).expect("reads") == content, "the saved file is the sent one");
    assert!(
        progress.len() as f64 <= ms / 250.0 + 2.0,
        "{} progress events in {ms} ms",
        progress.len()
    );
    tokio::time::timeout(WAIT, sending.done()).await.expect("in time").expect("confirmed");

    let again = alice.send_file(bob.id(), &source).await.expect("starts");
    let (_, end) = file_end(&mut events).await;
    assert!(
        matches!(&end, PeerEvent::FileReceived { name, .. } if name == "data.tar (1).gz"),
        "{end:?}"
    );
    tokio::time::timeout(WAIT, again.done()).await.expect("in time").expect("confirmed");
    assert_eq!(listing(&dir), ["data.tar (1).gz", "data.tar.gz"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_download_folder_files_are_refused() {
    let source = empty_dir("refused").join("a.txt");
    std::fs::write(&source, b"hello").expect("writes");
    let (alice, bob, _events) = pair("refused", None).await;
    let sending = alice.send_file(bob.id(), &source).await.expect("starts");
    let done = tokio::time::timeout(WAIT, sending.done()).await.expect("in time");
    let error = done.expect_err("refused").to_string();
    assert!(error.contains("the receiver takes no files"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_that_ends_fails_the_transfer_on_both_sides() {
    let (dir, source) = (empty_dir("ended"), empty_dir("ended-source").join("big.bin"));
    std::fs::write(&source, bytes(64 << 20)).expect("writes");
    let (alice, bob, mut events) = pair("ended", Some(&dir)).await;
    let sending = alice.send_file(bob.id(), &source).await.expect("starts");
    let mut progress = sending.progress();
    let went = tokio::time::timeout(WAIT, progress.wait_for(|&sent| sent > 1 << 20)).await;
    went.expect("in time").expect("under way");
    bob.disconnect(alice.id()).await.expect("disconnects");
    let (_, end) = file_end(&mut events).await;
    assert!(matches!(end, PeerEvent::FileFailed { .. }), "{end:?}");
    let done = tokio::time::timeout(WAIT, sending.done()).await.expect("in time");
    assert!(done.is_err(), "the sender hears it failed");
    let deadline = tokio::time::Instant::now() + WAIT;
    while !listing(&dir).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "left behind: {:?}", listing(&dir));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_cross_both_ways_at_once() {
    let (alice_dir, bob_dir) = (empty_dir("cross-alice"), empty_dir("cross-bob"));
    let (to_bob, to_alice) = (empty_dir("cross-src").join("to bob"), alice_dir.join("to alice"));
    let (one, other) = (bytes(3 << 20), bytes((3 << 20) + 17));
    std::fs::write(&to_bob, &one).expect("writes");
    std::fs::write(&to_alice, &other).expect("writes");
    let (alice, mut alice_events, bob, mut bob_events) =
        pair_saving("cross", Some(&alice_dir), Some(&bob_dir)).await;
    let from_alice = alice.send_file(bob.id(), &to_bob).await.expect("starts");
    let from_bob = bob.send_file(alice.id(), &to_alice).await.expect("starts");
    for (events, content) in [(&mut bob_events, &one), (&mut alice_events, &other)] {
        let (_, end) = file_end(events).await;
        let PeerEvent::FileReceived { sha256, .. } = end else { panic!("failed: {end:?}") };
        assert_eq!(sha256, sha256_hex(content));
    }
    tokio::time::timeout(WAIT, from_alice.done()).await.expect("in time").expect("confirmed");
    tokio::time::timeout(WAIT, from_bob.done()).await.expect("in time").expect("confirmed");
    assert_eq!(listing(&alice_dir), ["to alice", "to alice (1)"]);
}
