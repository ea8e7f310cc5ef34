//! The reference scenario of the mission, step by step with every inbox asserted (and
//! every delivery that must not happen), for any three tabs: all Chromium, across
//! browsers, or through a TURN relay.

use crate::Tab;
use serde_json::{Value, json};
use std::time::Duration;

/// How long a message that must not arrive gets to show up anyway.
const GRACE: Duration = Duration::from_millis(500);

/// Runs the scenario with the three tabs joining room "scenario" with `options`
/// (`Peer.join`'s options object); returns the three ids. Peer 1 stays connected to
/// Peer 3 at the end.
pub async fn reference_scenario(peers: [&Tab<'_>; 3], options: Value) -> [String; 3] {
    let [peer1, peer2, peer3] = peers;
    let id1 = peer1.join_with("scenario", "Peer 1", options.clone()).await;
    let id2 = peer2.join_with("scenario", "Peer 2", options.clone()).await;
    let id3 = peer3.join_with("scenario", "Peer 3", options).await;
    peer1.wait_until("window.peer.peers().length == 2", "window.peer.peers()").await;

    // peer1.connect(peer2); peer1.connect(peer3)
    connect(peer1, &id2).await;
    connect(peer1, &id3).await;
    for tab in [peer2, peer3] {
        tab.wait_until("window.events.includes('Connected:Peer 1')", "window.events").await;
    }

    assert_eq!(send(peer1, "Hello, everyone!").await, json!(2));
    peer2.wait_until("window.inbox.length == 1", "window.inbox").await;
    peer3.wait_until("window.inbox.length == 1", "window.inbox").await;
    assert_eq!(send(peer2, "Hi, Peer 1!").await, json!(1));
    peer1.wait_until("window.inbox.length == 1", "window.inbox").await;
    assert_eq!(send(peer3, "Greetings from Peer 3!").await, json!(1));
    peer1.wait_until("window.inbox.length == 2", "window.inbox").await;

    // peer1.disconnect(peer2); peer2.disconnect(peer3) -- the second is a no-op
    disconnect(peer1, &id2).await;
    peer2.wait_until("window.events.includes('Disconnected:Peer 1')", "window.events").await;
    disconnect(peer2, &id3).await;

    assert_eq!(send(peer1, "Goodbye!").await, json!(1));
    peer3.wait_until("window.inbox.length == 2", "window.inbox").await;
    tokio::time::sleep(GRACE).await;

    let said =
        |from: &str, id: &str, text: &str| json!({ "from": from, "fromId": id, "data": text });
    assert_eq!(
        inbox(peer1).await,
        json!([
            said("Peer 2", &id2, "Hi, Peer 1!"),
            said("Peer 3", &id3, "Greetings from Peer 3!")
        ])
    );
    assert_eq!(inbox(peer2).await, json!([said("Peer 1", &id1, "Hello, everyone!")]));
    assert_eq!(
        inbox(peer3).await,
        json!([said("Peer 1", &id1, "Hello, everyone!"), said("Peer 1", &id1, "Goodbye!")])
    );
    assert_eq!(connected(peer1).await, json!(["Peer 3"]));
    assert_eq!(connected(peer2).await, json!([]));
    assert_eq!(connected(peer3).await, json!(["Peer 1"]));

    // Each side saw each link open and close once; nobody left the room.
    assert_eq!(
        peer1.eval("return window.events;").await,
        json!([
            "PeerJoined:Peer 2",
            "PeerJoined:Peer 3",
            "Connected:Peer 2",
            "Connected:Peer 3",
            "Disconnected:Peer 2"
        ])
    );
    assert_eq!(
        peer2.eval("return window.events;").await,
        json!(["PeerJoined:Peer 3", "Connected:Peer 1", "Disconnected:Peer 1"])
    );
    assert_eq!(peer3.eval("return window.events;").await, json!(["Connected:Peer 1"]));
    [id1, id2, id3]
}

async fn inbox(tab: &Tab<'_>) -> Value {
    tab.eval("return window.inbox;").await
}

async fn connected(tab: &Tab<'_>) -> Value {
    tab.eval("return window.peer.connectedPeers().map((p) => p.name);").await
}

async fn send(tab: &Tab<'_>, text: &str) -> Value {
    tab.eval(&format!("return window.peer.sendMessage({});", json!(text))).await
}

async fn connect(tab: &Tab<'_>, id: &str) {
    tab.eval(&format!("await window.peer.connect({});", json!(id))).await;
}

async fn disconnect(tab: &Tab<'_>, id: &str) {
    tab.eval(&format!("await window.peer.disconnect({});", json!(id))).await;
}
