//! Files between a native peer (`peer-native`) and a tab, both ways, over real data
//! channels (Chromium and Firefox): the tab's Blob is saved by the native peer under its
//! name with the right bytes and SHA-256, the native peer's file on disk arrives in the
//! tab as a Blob of the same size and SHA-256 (WebCrypto), and a transfer cancelled by
//! either side fails on both, leaving nothing in the download folder.

use e2e_tests::{Engine, FILE_HELPERS, Harness, Tab, WAIT};
use peer_native::{Events, JoinOptions, Peer, PeerEvent, PeerId};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The whole of one test may take this long before it fails instead of hanging.
const BUDGET: Duration = Duration::from_secs(180);
/// The small files' size: a few data frames, the last one partial.
const SIZE: usize = 600 * 1024 + 123;

/// Records every file the tab receives in `window.files` (`{name, size, error, blob,
/// doneAt}`), and gives it `window.pattern(n)`, the bytes both sides make.
const TAB_SETUP: &str = "
    window.files = [];
    window.peer.onFile((file) => {
      const entry = { name: file.name, size: file.size };
      window.files.push(entry);
      file.done.then((blob) => { entry.blob = blob; entry.doneAt = Date.now(); },
                     (error) => { entry.error = error.message; entry.doneAt = Date.now(); });
    });
    window.pattern = (n) => new Blob([new Uint8Array(n).map((_, i) => (i * 7 + (i >> 10)) & 255)]);";

/// The same bytes as the tab's `window.pattern(n)`.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 7 + (i >> 10)) & 255) as u8).collect()
}

/// An empty folder of this test's own.
fn empty_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("native-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("makes a folder");
    dir
}

/// What is in `dir`.
fn listing(dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(dir).expect("lists the folder").flatten();
    entries.map(|entry| entry.file_name().to_string_lossy().into_owned()).collect()
}

/// The next event `pick` takes, skipping others, within [`WAIT`].
async fn next_event<T>(
    events: &mut Events,
    what: &str,
    pick: impl Fn(PeerEvent) -> Option<T>,
) -> T {
    let found = tokio::time::timeout(WAIT, async {
        let mut seen = Vec::new();
        while let Some(event) = events.next().await {
            let shown = format!("{event:?}");
            if let Some(found) = pick(event) {
                return Ok(found);
            }
            seen.push(shown);
        }
        Err(seen)
    })
    .await;
    match found {
        Ok(Ok(found)) => found,
        Ok(Err(seen)) => panic!("no {what}: the events ended after {seen:?}"),
        Err(_) => panic!("no {what} within {WAIT:?}"),
    }
}

/// A tab of `engine` and a native peer saving files in `dir`, connected in `room`.
async fn connected<'h>(
    harness: &'h Harness,
    engine: Engine,
    room: &str,
    dir: &Path,
) -> (Tab<'h>, String, Peer, Events) {
    let tab = harness.open_tab_in(engine).await;
    let tab_id = tab.join_peer(room, "Tab").await;
    tab.eval(FILE_HELPERS).await;
    tab.eval(TAB_SETUP).await;
    let mut options = JoinOptions::new(harness.ws_url(), room, "Native");
    options.download_dir = Some(dir.to_owned());
    let joined = tokio::time::timeout(WAIT, Peer::join(options)).await.expect("joins in time");
    let (native, events) = joined.expect("joins");
    let tab_peer = PeerId::new(tab_id.clone());
    let connecting = native.connect(&tab_peer);
    tokio::time::timeout(WAIT, connecting).await.expect("connects in time").expect("connects");
    (tab, tab_id, native, events)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_both_ways_between_a_native_peer_and_chromium() {
    both_ways(Engine::Chromium, "chromium").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_both_ways_between_a_native_peer_and_firefox() {
    both_ways(Engine::Firefox, "firefox").await;
}

/// A file each way between a native peer and a tab of `engine`.
async fn both_ways(engine: Engine, label: &str) {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let dir = empty_dir(&format!("both-ways-{label}"));
        let (tab, tab_id, native, mut events) =
            connected(&harness, engine, "native-files", &dir).await;

        // The tab sends a Blob; the native peer saves it.
        tab.eval(&format!(
            "window.original = window.pattern({SIZE});
             window.sent = null;
             const sending = window.peer.sendFile({}, window.original, {{ name: 'from tab.bin' }});
             sending.done.then(() => {{ window.sent = {{ ok: true }}; }},
                               (error) => {{ window.sent = {{ error: error.message }}; }});",
            json!(native.id().to_string())
        ))
        .await;
        let offered = next_event(&mut events, "FileOffered", |event| match event {
            PeerEvent::FileOffered { name, size, .. } => Some((name, size)),
            _ => None,
        });
        assert_eq!(offered.await, ("from tab.bin".to_owned(), SIZE as u64));
        let (name, path, size, sha256) = next_event(&mut events, "FileReceived", |event| match event {
            PeerEvent::FileReceived { name, path, size, sha256, .. } => Some((name, path, size, sha256)),
            PeerEvent::FileFailed { reason, .. } => panic!("the file failed: {reason}"),
            _ => None,
        })
        .await;
        assert_eq!((name.as_str(), size), ("from tab.bin", SIZE as u64));
        assert_eq!(path, dir.join("from tab.bin"));
        assert!(std::fs::read(&path).expect("reads the saved file") == pattern(SIZE), "same bytes");
        let tab_sha256 = tab.eval("return await window.sha256(window.original);").await;
        assert_eq!(json!(sha256), tab_sha256, "the plain SHA-256 of the file");
        tab.wait_until("window.sent", "window.sent").await;
        assert_eq!(tab.eval("return window.sent;").await, json!({ "ok": true }));
        assert_eq!(listing(&dir), ["from tab.bin"], "no temporary file is left");

        // The native peer sends a file from disk; the tab gets the same bytes.
        let source = empty_dir("source").join("from native.bin");
        std::fs::write(&source, pattern(SIZE + 1000)).expect("writes the file");
        let tab_peer = PeerId::new(tab_id);
        let sending = native.send_file(&tab_peer, &source).await.expect("starts");
        assert_eq!((sending.name(), sending.size()), ("from native.bin", (SIZE + 1000) as u64));
        let progress = sending.progress();
        tokio::time::timeout(WAIT, sending.done()).await.expect("in time").expect("arrives");
        assert_eq!(*progress.borrow(), (SIZE + 1000) as u64, "the last count is the whole size");
        tab.wait_until("window.files.length == 1 && window.files[0].doneAt", "window.files").await;
        let got = tab
            .eval(&format!(
                "const file = window.files[0];
                 return {{ name: file.name, size: file.blob && file.blob.size, error: file.error || null,
                          same: await window.sha256(file.blob) == await window.sha256(window.pattern({}))
                 }};",
                SIZE + 1000
            ))
            .await;
        let expected = json!({ "name": "from native.bin", "size": SIZE + 1000, "error": null, "same": true });
        assert_eq!(got, expected);

        // A missing file and a folder are refused before anything is sent.
        let missing = native.send_file(&tab_peer, dir.join("nope")).await;
        assert!(missing.is_err(), "a missing file is refused");
        let folder = native.send_file(&tab_peer, &dir).await;
        assert!(folder.is_err(), "a folder is refused");
        native.close().await;
        harness.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
    .expect("the test finishes in time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_transfer_fails_on_both_sides_and_leaves_no_file() {
    tokio::time::timeout(BUDGET, async {
        let harness = Harness::start().await;
        let dir = empty_dir("cancel");
        let (tab, tab_id, native, mut events) =
            connected(&harness, Engine::Chromium, "native-cancel", &dir).await;

        // The tab cancels a big file it sends once 1 MiB went out.
        tab.eval(&format!(
            "window.sent = null;
             const sending = window.peer.sendFile({}, window.makeFile(64), {{ name: 'big.bin' }});
             sending.onProgress((done) => {{ if (done > 1048576) sending.cancel(); }});
             sending.done.then(() => {{ window.sent = {{ ok: true }}; }},
                               (error) => {{ window.sent = {{ error: error.message }}; }});",
            json!(native.id().to_string())
        ))
        .await;
        let (name, reason) = next_event(&mut events, "FileFailed", |event| match event {
            PeerEvent::FileFailed { name, reason, .. } => Some((name, reason)),
            PeerEvent::FileReceived { .. } => panic!("the file arrived whole"),
            _ => None,
        })
        .await;
        assert_eq!(name, "big.bin");
        assert!(reason.contains("cancelled by the sender"), "{reason}");
        tab.wait_until("window.sent", "window.sent").await;
        let sent = tab.eval("return window.sent;").await;
        assert!(sent["error"].as_str().is_some_and(|e| e.contains("cancelled")), "{sent}");
        wait_for_empty(&dir).await;

        // The native peer cancels a big file it sends once 1 MiB went out.
        let source = empty_dir("cancel-source").join("big.bin");
        std::fs::write(&source, pattern(64 << 20)).expect("writes the file");
        let sending = native.send_file(&PeerId::new(tab_id), &source).await.expect("starts");
        let mut progress = sending.progress();
        let went = tokio::time::timeout(WAIT, progress.wait_for(|&sent| sent > 1 << 20)).await;
        went.expect("1 MiB goes out in time").expect("the transfer is under way");
        sending.cancel();
        let done = tokio::time::timeout(WAIT, sending.done()).await.expect("ends in time");
        let error = done.expect_err("a cancelled file fails").to_string();
        assert!(error.contains("cancelled by the sender"), "{error}");
        tab.wait_until("window.files.length == 1 && window.files[0].doneAt", "window.files").await;
        let at_tab: Value = tab.eval("return window.files[0].error || null;").await;
        assert!(at_tab.as_str().is_some_and(|e| e.contains("cancelled")), "{at_tab}");
        native.close().await;
        harness.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    })
    .await
    .expect("the test finishes in time");
}

/// Waits (bounded) until `dir` holds nothing: the writer removes its temporary file
/// on its own task, just after the failure is reported.
async fn wait_for_empty(dir: &Path) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !listing(dir).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "left behind: {:?}", listing(dir));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
