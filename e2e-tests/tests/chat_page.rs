//! Clicks through the chat page (`www/`) in two tabs, as two people would.

use e2e_tests::{Harness, Tab};
use fantoccini::Locator;
use std::time::Duration;

async fn join(tab: &Tab<'_>, name: &str) {
    let client = tab.client().await;
    let field = client.find(Locator::Id("name")).await.expect("name field");
    field.clear().await.expect("clears");
    field.send_keys(name).await.expect("types");
    let room = client.find(Locator::Id("room")).await.expect("room field");
    room.clear().await.expect("clears");
    room.send_keys("e2e-chat").await.expect("types");
    client.find(Locator::Id("join")).await.expect("join button").click().await.expect("clicks");
    tab.wait_until(
        "document.getElementById('chat').hidden === false",
        "document.getElementById('status').textContent",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_chat_through_the_page() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        join(&alice, "Alice").await;
        join(&bob, "Bob").await;

        let listed =
            "[...document.querySelectorAll('#peer-list .peer-name')].map((e) => e.textContent)";
        alice.wait_until(&format!("{listed}.join() == 'Bob'"), listed).await;
        bob.wait_until(&format!("{listed}.join() == 'Alice'"), listed).await;

        let client = alice.client().await;
        let connect = Locator::Css("#peer-list button[data-action=connect]");
        client.find(connect).await.expect("connect button").click().await.expect("clicks");
        let state = "document.querySelector('#peer-list li').dataset.state";
        alice.wait_until(&format!("{state} == 'connected'"), state).await;
        bob.wait_until(&format!("{state} == 'connected'"), state).await;

        let client = alice.client().await;
        client
            .find(Locator::Id("message"))
            .await
            .expect("field")
            .send_keys("hello from Alice")
            .await
            .expect("types");
        client.find(Locator::Id("send")).await.expect("send button").click().await.expect("clicks");

        let theirs =
            "[...document.querySelectorAll('#messages li.theirs')].map((e) => e.textContent)";
        bob.wait_until(&format!("{theirs}.join() == 'Alicehello from Alice'"), theirs).await;
        let sender = "document.querySelector('#messages li.theirs .from').textContent";
        assert_eq!(bob.eval(&format!("return {sender};")).await, "Alice");
        let mine = "[...document.querySelectorAll('#messages li.mine')].length";
        assert_eq!(alice.eval(&format!("return {mine};")).await, 1);
        // For people checking the look: target/screenshots/chat-*.png.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        let _ = std::fs::create_dir_all(&dir);
        for (who, tab) in [("alice", &alice), ("bob", &bob)] {
            if let Ok(png) = tab.client().await.screenshot().await {
                let _ = std::fs::write(dir.join(format!("chat-{who}.png")), png);
            }
        }
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
