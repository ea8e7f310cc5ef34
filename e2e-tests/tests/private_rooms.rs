//! A room created with a secret admits only peers that give the same secret; the
//! others get a rejected `Peer.join` with `error.code`, and the members never see them.

use e2e_tests::Harness;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_peers_with_the_secret_enter_a_private_room() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let alice = harness.open_tab().await;
        let bob = harness.open_tab().await;
        let mallory = harness.open_tab().await;
        alice.join_private("vault", "Alice", Some("open sesame")).await;

        // Wrong secret, and no secret at all: both refused with the protocol's code.
        for secret in [json!("open sesame!"), json!(null)] {
            let outcome = mallory
                .eval(&format!(
                    "const {{ default: init, Peer }} = await import('/pkg/peer_wasm.js');
                     await init();
                     try {{
                       await Peer.join({url}, 'vault', 'Mallory', {secret} ?? undefined);
                       return 'joined';
                     }} catch (error) {{ return error.code; }}",
                    url = json!(harness.ws_url()),
                ))
                .await;
            assert_eq!(outcome, json!("wrong_secret"), "secret {secret}");
        }

        let bob_id = bob.join_private("vault", "Bob", Some("open sesame")).await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        alice.eval(&format!("await window.peer.connect({});", json!(bob_id))).await;
        alice.eval("window.peer.sendMessage('for members only');").await;
        bob.wait_until("window.inbox.length == 1", "window.inbox").await;
        assert_eq!(bob.eval("return window.inbox[0].data;").await, json!("for members only"));
        let names = "return window.peer.peers().map((p) => p.name);";
        assert_eq!(alice.eval(names).await, json!(["Bob"]), "Mallory never got in");
        assert!(
            !alice.eval("return window.events;").await.to_string().contains("Mallory"),
            "nobody saw Mallory"
        );
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
