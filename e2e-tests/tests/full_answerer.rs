//! A connect to a peer whose browser refuses it another connection (Chromium allows 500
//! `RTCPeerConnection`s per page) fails at once with that reason, not after the 15 s
//! open deadline.

use e2e_tests::Harness;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connect_the_answerer_cannot_take_fails_at_once_with_why() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let (alice, bob) = (harness.open_tab().await, harness.open_tab().await);
        alice.join_peer("full", "Alice").await;
        let bob_id = bob.join_peer("full", "Bob").await;
        let hoarded = bob
            .eval(
                "window.hoard = [];
                 try { while (true) window.hoard.push(new RTCPeerConnection()); }
                 catch (error) { return window.hoard.length; }",
            )
            .await;
        alice.wait_until("window.peer.peers().length == 1", "window.peer.peers()").await;
        let started = Instant::now();
        let failure = alice.try_connect(&bob_id).await;
        let took = started.elapsed();
        println!("with {hoarded} connections hoarded by Bob, Alice's connect failed in {took:.2?}: {failure}");
        assert!(failure.contains("Cannot create so many PeerConnections"), "{failure}");
        assert!(took < Duration::from_secs(3), "took {took:?}");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
