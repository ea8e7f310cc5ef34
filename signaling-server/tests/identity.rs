//! Identity against a real server: a peer is its key. The same key gets the same id on a
//! reconnect, after a restart and on another server, with nothing configured; a second
//! connection with the key takes the seat over silently; and no join gets in without a
//! proof made for its own connection and room.

mod common;

use common::{Client, Server, offer};
use signaling_protocol::{ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage};
use signaling_server::Config;
use signaling_server::testing::Identity;
use std::collections::HashSet;
use tokio_tungstenite::tungstenite::Message;

/// Asserts `to` receives a signal from `from` sent now.
async fn reaches(from: &mut Client, from_id: &PeerId, to: &mut Client) {
    from.send(&ClientMessage::Signal { to: to.id(), signal: offer("v=0") }).await;
    assert_eq!(
        to.recv().await,
        ServerMessage::Signal { from: from_id.clone(), signal: offer("v=0") }
    );
}

/// A join of `room` as `identity`, with `proof` in place of its own.
fn join_with_proof(identity: &Identity, room: &str, proof: String) -> ClientMessage {
    let key = identity.key().to_owned();
    ClientMessage::Join { room: room.into(), name: "X".into(), secret: None, key, proof }
}

#[tokio::test]
async fn the_challenge_comes_first_and_differs_on_every_connection() {
    let server = Server::default().await;
    let mut seen = HashSet::new();
    for _ in 0..8 {
        // `connect` fails unless the first message is the challenge.
        let client = server.client().await;
        assert_eq!(client.nonce.len(), 22, "16 bytes in base64url: {}", client.nonce);
        assert!(seen.insert(client.nonce.clone()), "a challenge came twice");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_peer_that_reconnects_with_its_key_gets_its_id_back() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: b.info("B") });

    b.socket.close(None).await.expect("closes");
    assert_eq!(a.recv().await, ServerMessage::PeerLeft { peer: b.info("B") });
    let mut b = server.client_as(&b.identity).await;
    let (back, peers) = b.join("lobby", "B").await;
    assert_eq!(back, b_id);
    assert_eq!(peers, vec![a.info("A")]);
    // The server said it left, so it says it is back (the peer side copes).
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: b.info("B") });
    reaches(&mut a, &a_id, &mut b).await;
    server.stop().await;
}

#[tokio::test]
async fn a_key_has_the_same_id_after_a_restart_and_on_another_server_with_nothing_shared() {
    let first = Server::default().await;
    let secret = Some("s3cret");
    let mut before = Vec::new();
    let mut clients = Vec::new();
    for name in ["P1", "P2", "P3"] {
        let mut client = first.client().await;
        let (id, _) = client.join_private("lobby", name, secret).await;
        before.push((name, client.identity.clone(), id));
        clients.push(client);
    }
    first.stop().await; // every socket closed (1001), every room gone with the process
    drop(clients);

    let second = Server::default().await;
    let mut back: Vec<Client> = Vec::new();
    for (i, (name, identity, id)) in before.iter().enumerate() {
        let mut client = second.client_as(identity).await;
        if i == 1 {
            // The room was recreated with the first comer's secret: the rules still hold.
            client.send_join("lobby", name, None).await;
            client.expect_error(ErrorCode::WrongSecret).await;
        }
        let (again, peers) = client.join_private("lobby", name, secret).await;
        assert_eq!(&again, id, "{name} keeps its id");
        let already: Vec<PeerInfo> =
            back.iter().zip(&before).map(|(client, (name, _, _))| client.info(name)).collect();
        assert_eq!(peers, already, "{name}'s welcome lists those already back");
        back.push(client);
    }
    let mut newcomer = second.client().await;
    let (_, peers) = newcomer.join_private("lobby", "P4", secret).await;
    let everyone: Vec<PeerInfo> =
        back.iter().zip(&before).map(|(client, (name, _, _))| client.info(name)).collect();
    assert_eq!(peers, everyone, "a newcomer sees every peer back, oldest first");
    assert_eq!(second.metric("signaling_takeovers_total").await, 0.0, "none took a seat over");

    // A server that never saw the key gives it the same id too.
    let elsewhere = Server::default().await;
    let (name, identity, id) = &before[0];
    let (there, _) = elsewhere.client_as(identity).await.join("another-room", name).await;
    assert_eq!(&there, id);
    second.stop().await;
    elsewhere.stop().await;
}

#[tokio::test]
async fn a_second_connection_with_the_key_takes_the_seat_and_the_first_is_closed_with_4000() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("lobby", "A").await;
    let (mut old, b_id, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined

    let mut new = server.client_as(&old.identity).await;
    let (again, peers) = new.join("lobby", "B on a new socket").await;
    assert_eq!(again, b_id);
    assert_eq!(peers, vec![a.info("A")]);
    let reason = old.expect_close(4000).await;
    assert_eq!(reason, "taken over by a newer connection with the same key");
    // The old socket's task has ended: only A's and the new socket are left.
    server.wait_for_metric("signaling_connections", 2.0).await;
    assert_eq!(server.metric("signaling_peers").await, 2.0);
    a.expect_silence().await; // for A, B never left
    reaches(&mut a, &a_id, &mut new).await;
    reaches(&mut new, &b_id, &mut a).await;
    a.expect_silence().await;
    assert_eq!(server.metric("signaling_takeovers_total").await, 1.0);
    server.stop().await;
}

#[tokio::test]
async fn a_proof_made_for_another_connection_room_or_key_is_refused() {
    let server = Server::default().await;
    let (mut a, a_id, _) = server.joined("lobby", "A").await;
    let (mut b, _, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    // Someone who saw A's join (its proof for A's connection) replays it on its own.
    let replayed = a.identity.prove(&a.nonce, "lobby");
    let mut x = server.client().await;
    x.send(&join_with_proof(&a.identity, "lobby", replayed)).await;
    x.expect_error(ErrorCode::InvalidProof).await;
    // A's key, on A's own new connection, but signed for another room.
    let mut again = server.client_as(&a.identity).await;
    let elsewhere = a.identity.prove(&again.nonce, "elsewhere");
    again.send(&join_with_proof(&a.identity, "lobby", elsewhere)).await;
    again.expect_error(ErrorCode::InvalidProof).await;
    // A's key with a proof by another key, for the right connection and room.
    let forged = x.identity.prove(&x.nonce, "lobby");
    x.send(&join_with_proof(&a.identity, "lobby", forged)).await;
    x.expect_error(ErrorCode::InvalidProof).await;
    // A proof that is no signature at all.
    let good = x.identity.prove(&x.nonce, "lobby");
    let flipped = format!("{}{}", if good.starts_with('A') { "B" } else { "A" }, &good[1..]);
    for bad in [String::new(), "not base64!".into(), good[..80].to_owned(), flipped] {
        x.send(&join_with_proof(&x.identity, "lobby", bad)).await;
        x.expect_error(ErrorCode::InvalidProof).await;
    }
    // None of that touched A's seat, and the refused connections can still join.
    a.expect_silence().await;
    let b_id = b.id();
    reaches(&mut b, &b_id, &mut a).await;
    x.join("lobby", "X").await;
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: x.info("X") });
    let (id, _) = again.join("lobby", "A").await;
    assert_eq!(id, a_id);
    a.expect_close(4000).await;
    let refused = "signaling_errors_total{code=\"invalid_proof\"}";
    assert_eq!(server.metric(refused).await, 7.0);
    server.stop().await;
}

#[tokio::test]
async fn a_connection_gets_a_few_proof_checks_then_is_slowed_down() {
    // Each check is a signature verification: a stranger sending bad proofs as fast as
    // it may send messages would make the server verify a thousand of them a second.
    let server = Server::default().await;
    let mut x = server.client().await;
    let (nonce, me) = (x.nonce.clone(), x.identity.clone());
    let forged = || Identity::random().prove(&nonce, "lobby");
    for _ in 0..8 {
        x.send(&join_with_proof(&me, "lobby", forged())).await;
        x.expect_error(ErrorCode::InvalidProof).await;
    }
    x.send(&join_with_proof(&me, "lobby", forged())).await;
    x.expect_error(ErrorCode::RateLimited).await;
    let checked = "signaling_errors_total{code=\"invalid_proof\"}";
    assert_eq!(server.metric(checked).await, 8.0, "the ninth was not checked");
    server.stop().await;
}

#[tokio::test]
async fn a_missing_or_non_canonical_key_is_refused() {
    let server = Server::default().await;
    let mut x = server.client().await;
    let proof = x.identity.prove(&x.nonce, "lobby");
    let key = x.identity.key().to_owned();
    // A last character with its two unused bits set: one key must have one text (and id).
    let non_canonical = format!("{}B", &key[..86]);
    for bad in [String::new(), non_canonical, key[1..].to_owned(), format!("C{}", &key[1..])] {
        let join = ClientMessage::Join {
            room: "lobby".into(),
            name: "X".into(),
            secret: None,
            key: bad,
            proof: proof.clone(),
        };
        x.send(&join).await;
        x.expect_error(ErrorCode::InvalidKey).await;
    }
    // A join that names no key at all.
    x.send_raw(Message::text(r#"{"type":"join","room":"lobby","name":"X"}"#)).await;
    x.expect_error(ErrorCode::InvalidKey).await;
    x.join("lobby", "X").await;
    server.stop().await;
}

#[tokio::test]
async fn a_returning_key_in_a_full_room_gets_room_full() {
    let server = Server::start(Config { max_peers_per_room: 2, ..Config::default() }).await;
    let (mut a, _, _) = server.joined("lobby", "A").await;
    let (mut b, b_id, _) = server.joined("lobby", "B").await;
    a.recv().await; // B joined
    b.socket.close(None).await.expect("closes");
    a.recv().await; // B left
    let (mut c, _, _) = server.joined("lobby", "C").await;

    let mut b = server.client_as(&b.identity).await;
    b.send_join("lobby", "B", None).await;
    b.expect_error(ErrorCode::RoomFull).await;
    // The refusal left the socket open and unjoined: once there is room, it gets in.
    c.socket.close(None).await.expect("closes");
    server.wait_for_metric("signaling_peers", 1.0).await;
    let (back, _) = b.join("lobby", "B").await;
    assert_eq!(back, b_id);
    server.stop().await;
}
