//! The browser's WebSocket to the signaling server is closed on every path that gives
//! it up: a join that never got an answer must not leave a socket (and its listeners)
//! behind in the page.

use e2e_tests::Harness;
use serde_json::json;
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_that_times_out_closes_its_socket() {
    tokio::time::timeout(Duration::from_secs(120), async {
        let harness = Harness::start().await;
        let tab = harness.open_tab().await;
        // A "server" that accepts the connection and never answers the handshake.
        let mute = TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let url = format!("ws://{}/ws", mute.local_addr().expect("has an address"));
        let hung_up = tokio::spawn(async move {
            let (mut socket, _) = mute.accept().await.expect("the browser connects");
            let mut buffer = [0u8; 4096];
            // Until the browser closes its end (EOF) or resets it.
            while matches!(socket.read(&mut buffer).await, Ok(read) if read > 0) {}
        });

        let outcome = tab
            .eval(&format!(
                "const {{ default: init, Peer }} = await import('/pkg/peer_wasm.js');
                 await init();
                 try {{ await Peer.join({url}, 'room', 'Alice'); return 'joined'; }}
                 catch (error) {{ return error.message; }}",
                url = json!(url),
            ))
            .await;
        assert_eq!(outcome, json!(format!("could not reach the signaling server at {url}")));
        // The page gave up after its 10 s open timeout; the socket goes with it.
        tokio::time::timeout(Duration::from_secs(5), hung_up)
            .await
            .expect("the browser closed the socket it gave up on")
            .expect("the listener task ran");
        harness.close().await;
    })
    .await
    .expect("the test finishes in time");
}
