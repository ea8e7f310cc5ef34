//! The npm package, packed by `scripts/pack.sh`, installed into a fresh app with each
//! setup a web developer uses: Vite (its dev server, and `vite build`), webpack 5,
//! esbuild, and a page with no bundler. Each app is served as its setup serves it; two
//! tabs open it, join a room on the real signaling server, connect, and each sees the
//! other's message in the page; each page fetched the `.wasm` only when it joined. A
//! TypeScript app type-checks against the published types. Each test prints how long
//! it took (`--nocapture` shows it).

use e2e_tests::{Harness, NpmApp, Tab};
use serde_json::json;
use std::future::Future;
use std::time::{Duration, Instant};

/// Everything one setup does: install, build, serve, two tabs talking.
const LIMIT: Duration = Duration::from_secs(240);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vite_dev_server_serves_an_app_whose_tabs_talk() {
    timed("vite dev server", async {
        let app = NpmApp::install("vite", "vite-dev").await;
        let dev = app.dev_server().await;
        // Vite serves the pages; the signaling server only signals (no pages of its own).
        let harness = Harness::serving(app.dir.join("no-pages")).await;
        two_tabs_talk(&harness, &dev.url).await;
        harness.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vite_build_makes_an_app_whose_tabs_talk() {
    built_app_talks("vite", "vite build").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webpack_makes_an_app_whose_tabs_talk() {
    built_app_talks("webpack", "webpack").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esbuild_with_the_wasm_copied_makes_an_app_whose_tabs_talk() {
    built_app_talks("esbuild", "esbuild").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_without_a_bundler_talks_through_an_import_map() {
    timed("no bundler", async {
        // Served as installed: the page, main.js and node_modules/ as they are.
        let app = NpmApp::install("static", "static").await;
        let harness = Harness::serving(app.dir.clone()).await;
        two_tabs_talk(&harness, &format!("http://{}/", harness.addr)).await;
        harness.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typescript_checks_an_app_against_the_published_types() {
    timed("tsc --noEmit", async {
        let app = NpmApp::install("typescript", "typescript").await;
        // `npm run check` is `tsc --noEmit -p .`; the app's `@ts-expect-error` lines fail
        // it if the types were missing or loose.
        app.run("check").await;
    })
    .await;
}

/// Installs app `name`, runs its `npm run build`, serves its `dist/` from the
/// signaling server itself (as a site would), and has two tabs talk.
async fn built_app_talks(name: &str, what: &str) {
    timed(what, async {
        let app = NpmApp::install(name, name).await;
        app.run("build").await;
        let wasm = std::fs::read_dir(app.dir.join("dist"))
            .into_iter()
            .flatten()
            .flatten()
            .chain(std::fs::read_dir(app.dir.join("dist/assets")).into_iter().flatten().flatten())
            .any(|entry| entry.file_name().to_string_lossy().ends_with(".wasm"));
        assert!(wasm, "{what}: no .wasm in dist/ (nor dist/assets/)");
        let harness = Harness::serving(app.dir.join("dist")).await;
        two_tabs_talk(&harness, &format!("http://{}/", harness.addr)).await;
        harness.close().await;
    })
    .await;
}

/// Opens `page` in two tabs as Ada and Bob (joining `harness`'s server), connects them,
/// and checks that each page shows the other's message.
async fn two_tabs_talk(harness: &Harness, page: &str) {
    let ws = harness.ws_url();
    let open = |name: &str| format!("{page}?ws={ws}&room=npm-package&name={name}");
    let ada = harness.open_tab_url(&open("Ada")).await;
    let ada_id = joined(&ada).await;
    let bob = harness.open_tab_url(&open("Bob")).await;
    let bob_id = joined(&bob).await;
    for tab in [&ada, &bob] {
        // Importing the package fetched nothing; the join fetched the .wasm, once.
        assert_eq!(tab.eval("return window.wasmBeforeJoin;").await, json!(0));
        assert_eq!(tab.eval("return window.wasmFetched();").await, json!(1));
    }
    ada.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
    ada.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
    bob.wait_until("window.peer.connectedPeers().length == 1", "window.peer.connectedPeers()")
        .await;
    assert_eq!(bob.eval("return window.peer.connectedPeers()[0].id;").await, json!(ada_id));

    assert_eq!(ada.eval("return window.peer.sendMessage('Hello from Ada');").await, json!(1));
    shows(&bob, "Ada: Hello from Ada").await;
    assert_eq!(bob.eval("return window.peer.sendMessage('Hi, Ada!');").await, json!(1));
    shows(&ada, "Bob: Hi, Ada!").await;
    assert_eq!(
        ada.eval("return window.inbox;").await,
        json!([{"from": "Bob", "data": "Hi, Ada!"}])
    );
    assert_eq!(
        bob.eval("return window.inbox;").await,
        json!([{"from": "Ada", "data": "Hello from Ada"}])
    );
}

/// Waits for the page's join and returns the peer's id; a failed join fails the test
/// with the page's error (say, the `.wasm` not found).
async fn joined(tab: &Tab<'_>) -> String {
    tab.wait_until("window.joined !== undefined", "document.body.innerText").await;
    let id = tab.eval("return await window.joined;").await;
    id.as_str().unwrap_or_else(|| panic!("no id: {id}")).to_owned()
}

/// Waits until the page's status line reads `text`.
async fn shows(tab: &Tab<'_>, text: &str) {
    let status = "document.getElementById('status').textContent";
    tab.wait_until(&format!("{status} === {}", json!(text)), status).await;
}

/// Runs `test` within [`LIMIT`] and prints how long it took.
async fn timed(what: &str, test: impl Future<Output = ()>) {
    let start = Instant::now();
    tokio::time::timeout(LIMIT, test)
        .await
        .unwrap_or_else(|_| panic!("{what}: not done in {LIMIT:?}"));
    eprintln!("[npm package] {what}: {:.1} s", start.elapsed().as_secs_f64());
}
