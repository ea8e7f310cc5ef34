//! Clicks through the chat page (`www/`) in two tabs, as two people would: the join
//! form, the peer list and its states, "Connect to all", sending, errors shown in the
//! page, markup in names and messages shown as text, disconnecting and leaving.
//! Screenshots land in `target/screenshots/` for people checking the look.

use e2e_tests::{Harness, Tab};
use fantoccini::Locator;
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;

/// A name and a message full of markup: the page must show them, not run them.
const BOB: &str = "<b>Bob</b>";
const SNEAKY: &str = "<img src=x onerror=\"window.pwned = true\"> hi";

/// JS: the texts of the elements matching `css`, joined with `|`.
fn texts(css: &str) -> String {
    format!("[...document.querySelectorAll({})].map((e) => e.textContent).join('|')", json!(css))
}

/// Waits until the texts matching `css` are exactly `want`.
async fn wait_for_texts(tab: &Tab<'_>, css: &str, want: &str) {
    let observed = texts(css);
    tab.wait_until(&format!("{observed} === {}", json!(want)), &observed).await;
}

async fn type_into(tab: &Tab<'_>, id: &str, text: &str) {
    let field = tab.client().await.find(Locator::Id(id)).await.expect("finds the field");
    field.clear().await.expect("clears");
    field.send_keys(text).await.expect("types");
}

async fn click(tab: &Tab<'_>, css: &str) {
    let client = tab.client().await;
    client.find(Locator::Css(css)).await.expect("finds the button").click().await.expect("clicks");
}

async fn join(tab: &Tab<'_>, name: &str) {
    type_into(tab, "name", name).await;
    type_into(tab, "room", "e2e-chat").await;
    click(tab, "#join").await;
    tab.wait_until("!document.getElementById('chat').hidden", "document.body.innerText").await;
}

async fn send(tab: &Tab<'_>, text: &str) {
    type_into(tab, "message", text).await;
    click(tab, "#send").await;
}

async fn screenshot(tab: &Tab<'_>, name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(png) = tab.client().await.screenshot().await {
        let _ = std::fs::write(dir.join(format!("{name}.png")), png);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_through_the_page() {
    tokio::time::timeout(Duration::from_secs(150), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let default_name = alice.eval("return document.getElementById('name').value;").await;
        assert!(default_name.as_str().is_some_and(|n| n.starts_with("Peer ")), "{default_name}");
        assert_eq!(alice.eval("return document.getElementById('room').value;").await, "lobby");
        screenshot(&alice, "join").await;

        // A blank name passes the form but not the server: the page says so.
        type_into(&alice, "name", "   ").await;
        click(&alice, "#join").await;
        let error = "document.getElementById('join-error')";
        alice.wait_until(&format!("!{error}.hidden"), "document.body.innerText").await;
        let shown = alice.eval(&format!("return {error}.textContent;")).await;
        assert!(shown.as_str().is_some_and(|s| s.starts_with("Could not join: ")), "{shown}");
        screenshot(&alice, "join-error").await;
        join(&alice, "Alice").await;
        assert_eq!(alice.eval(&format!("return {error}.hidden;")).await, true);
        join(&bob, BOB).await;

        wait_for_texts(&alice, "#peer-list .peer-name", BOB).await;
        wait_for_texts(&bob, "#peer-list .peer-name", "Alice").await;
        wait_for_texts(&alice, "#peer-list .peer-state", "known").await;
        wait_for_texts(&alice, "#messages li.system", &format!("{BOB} joined")).await;

        // Sending before connecting: the page says why nothing was sent.
        send(&alice, "anyone?").await;
        wait_for_texts(
            &alice,
            "#messages li.error",
            "not connected to anyone yet: connect to a peer first",
        )
        .await;

        click(&alice, "#connect-all").await;
        for tab in [&alice, &bob] {
            wait_for_texts(tab, "#peer-list .peer-state", "connected").await;
            let state = "document.querySelector('#peer-list li').dataset.state";
            assert_eq!(tab.eval(&format!("return {state};")).await, "connected");
            // Two tabs of one machine: a direct (host) path, with its round trip.
            let path = "document.querySelector('#peer-list .peer-path')?.textContent ?? ''";
            tab.wait_until(&format!("/^host · [0-9.]+ ms$/.test({path})"), path).await;
        }
        // The paths are refreshed every 3 s in place: a button replaced under the pointer
        // loses its click (and WebDriver's clicks failed on a stale element).
        alice
            .eval("window.shownButton = document.querySelector('#peer-list button'); return 0;")
            .await;
        tokio::time::sleep(Duration::from_millis(3500)).await;
        assert_eq!(alice.eval("return window.shownButton.isConnected;").await, true);
        wait_for_texts(&bob, "#messages li.system", "connected to Alice").await;

        send(&alice, "hello from Alice").await;
        wait_for_texts(&bob, "#messages li.theirs .from", "Alice").await;
        wait_for_texts(&bob, "#messages li.theirs .text", "hello from Alice").await;
        wait_for_texts(&alice, "#messages li.mine .text", "hello from Alice").await;
        assert_eq!(alice.eval("return document.getElementById('message').value;").await, "");

        send(&bob, SNEAKY).await;
        wait_for_texts(&alice, "#messages li.theirs .from", BOB).await;
        wait_for_texts(&alice, "#messages li.theirs .text", SNEAKY).await;
        let injected =
            "document.querySelectorAll('#messages img, #messages b, #peer-list b').length";
        assert_eq!(alice.eval(&format!("return {injected};")).await, 0);
        assert_eq!(alice.eval("return window.pwned ?? null;").await, json!(null));
        screenshot(&alice, "chat-alice").await;
        screenshot(&bob, "chat-bob").await;
        let client = alice.client().await;
        client.set_window_size(400, 800).await.expect("resizes");
        screenshot(&alice, "chat-narrow").await;
        client.set_window_size(1000, 700).await.expect("resizes");

        click(&bob, "#peer-list button[data-action=disconnect]").await;
        for tab in [&alice, &bob] {
            wait_for_texts(tab, "#peer-list .peer-state", "known").await;
        }
        wait_for_texts(
            &alice,
            "#messages li.system:last-child",
            &format!("disconnected from {BOB}: the peer closed the data channel"),
        )
        .await;

        click(&bob, "#leave").await;
        bob.wait_until("!document.getElementById('join-form').hidden", "document.body.innerText")
            .await;
        wait_for_texts(&alice, "#messages li.system:last-child", &format!("{BOB} left")).await;
        wait_for_texts(&alice, "#peer-list .peer-name", "").await;
        assert_eq!(alice.eval("return document.getElementById('no-peers').hidden;").await, false);

        // The page starts over cleanly after leaving.
        join(&bob, "Bob again").await;
        wait_for_texts(&alice, "#peer-list .peer-name", "Bob again").await;
        wait_for_texts(&bob, "#peer-list .peer-name", "Alice").await;
        assert_eq!(bob.eval(&format!("return {};", texts("#messages li"))).await, "");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// The page says "reconnecting…" while the server is gone, keeps its peers and its open
/// channel, and is back as before when the server returns.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_reconnects_by_itself_and_keeps_its_peers() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
        join(&alice, "Alice").await;
        join(&bob, "Bob").await;
        wait_for_texts(&alice, "#peer-list .peer-name", "Bob").await;
        click(&alice, "#peer-list button[data-action=connect]").await;
        wait_for_texts(&alice, "#peer-list .peer-state", "connected").await;

        harness.kill_server();
        let status = "document.getElementById('status').textContent";
        alice.wait_until(&format!("{status}.startsWith('reconnecting…')"), status).await;
        wait_for_texts(&alice, "#peer-list .peer-name", "Bob").await;
        send(&alice, "while the server is away").await;
        wait_for_texts(&bob, "#messages li.theirs .text", "while the server is away").await;

        harness.restart_server();
        alice.wait_until(&format!("{status} == 'joined e2e-chat as Alice'"), status).await;
        wait_for_texts(&alice, "#peer-list .peer-state", "connected").await;
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}

/// A file picked in one page arrives in the other with a progress bar and a download
/// link holding the same bytes; a big one dropped on the conversation shows speed and
/// time left on both pages, and cancelling it on the receiving page ends both lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_go_from_page_to_page_with_progress_and_cancel() {
    tokio::time::timeout(Duration::from_secs(150), async {
        let harness = Harness::start().await;
        let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
        join(&alice, "Alice").await;
        join(&bob, "Bob").await;
        wait_for_texts(&alice, "#peer-list .peer-name", "Bob").await;
        click(&alice, "#peer-list button[data-action=connect]").await;
        wait_for_texts(&bob, "#peer-list .peer-state", "connected").await;

        alice
            .eval(
                "const picked = new DataTransfer();
                 picked.items.add(new File(['hello, file'], 'hello.txt', { type: 'text/plain' }));
                 const input = document.getElementById('file');
                 input.files = picked.files;
                 input.dispatchEvent(new Event('change'));",
            )
            .await;
        wait_for_texts(&bob, "#messages li.transfer a", "Download hello.txt").await;
        let link = "document.querySelector('#messages li.transfer a')";
        let got = bob.eval(&format!("return await (await fetch({link}.href)).text();")).await;
        assert_eq!(got, "hello, file");
        assert_eq!(bob.eval(&format!("return {link}.download;")).await, "hello.txt");
        let sent = "document.querySelector('#messages li.transfer .rate').textContent";
        alice.wait_until(&format!("{sent}.startsWith('sent in')"), sent).await;

        alice
            .eval(
                "const dropped = new DataTransfer();
                 dropped.items.add(new File([new Uint8Array(160 << 20)], 'big.bin'));
                 document.querySelector('.conversation')
                   .dispatchEvent(new DragEvent('drop', { dataTransfer: dropped, bubbles: true }));",
            )
            .await;
        let rate = "document.querySelector('#messages li.transfer:last-child .rate').textContent";
        for tab in [&alice, &bob] {
            tab.wait_until(&format!("/left$/.test({rate})"), rate).await;
        }
        screenshot(&alice, "file-alice").await;
        screenshot(&bob, "file-bob").await;
        click(&bob, "#messages li.transfer:last-child button").await;
        for tab in [&alice, &bob] {
            tab.wait_until(&format!("/cancelled by the receiver$/.test({rate})"), rate).await;
        }
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
