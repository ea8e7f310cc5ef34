//! Resume tokens against a real server: a peer that comes back (after its socket dropped,
//! or to a restarted server with the same key) gets its id again; a live old socket is
//! taken over silently; nobody gets an id that is not theirs.

mod common;

use common::{Client, Server, offer};
use signaling_protocol::{ClientMessage, ErrorCode, PeerId, PeerInfo, ServerMessage};
use signaling_server::{Config, ResumeKey};
use std::time::{Duration, SystemTime};

const KEY: &str = "a key shared by every instance";
const RESUMES: &str = "signaling_resumes_total";

fn keyed(key: &str) -> Config {
    Config { resume_key: Some(ResumeKey::new(key)), ..Config::default() }
}

fn info(id: &PeerId, name: &str) -> PeerInfo {
    PeerInfo::new(id.clone(), name)
}

/// The `signaling_resumes_total` sample of `outcome`.
fn resumes(outcome: &str) -> String {
    format!("{RESUMES}{{outcome=\"{outcome}\"}}")
}

/// Asserts `to` receives a signal from `from` sent now.
async fn reaches(from: &mut Client, from_id: &PeerId, to: &mut Client, to_id: &PeerId) {
    from.send(&ClientMessage::Signal { to: to_id.clone(), signal: offer("v=0") }).await;
    assert_eq!(
        to.recv().await,
        ServerMessage::Signal { from: from_id.clone(), signal: offer("v=0") }
    );
}

#[tokio::test]
async fn a_peer_that_reconnects_with_its_token_gets_its_id_back() {
    let server = Server::default().await;
    let mut a = server.client().await;
    let a_welcome = a.welcome("lobby", "A", None, None).await;
    let mut b = server.client().await;
    let b_welcome = b.welcome("lobby", "B", None, None).await;
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: info(&b_welcome.id, "B") });

    b.socket.close(None).await.expect("closes");
    assert_eq!(a.recv().await, ServerMessage::PeerLeft { peer: info(&b_welcome.id, "B") });
    let mut b = server.client().await;
    let back = b.welcome("lobby", "B", None, Some(&b_welcome.token)).await;
    assert_eq!(back.id, b_welcome.id);
    assert_eq!(back.peers, vec![info(&a_welcome.id, "A")]);
    // The server said it left, so it says it is back (the peer side copes).
    assert_eq!(a.recv().await, ServerMessage::PeerJoined { peer: info(&b_welcome.id, "B") });
    reaches(&mut a, &a_welcome.id, &mut b, &back.id).await;
    // The fresh token works as well as the first.
    b.socket.close(None).await.expect("closes");
    a.recv().await; // B left
    let again = server.client().await.welcome("lobby", "B", None, Some(&back.token)).await;
    assert_eq!(again.id, b_welcome.id);
    assert_eq!(server.metric(&resumes("rejoined")).await, 2.0);
    server.stop().await;
}

#[tokio::test]
async fn peers_keep_their_ids_across_a_restart_of_a_server_with_the_same_key() {
    let first = Server::start(keyed(KEY)).await;
    let secret = Some("s3cret");
    let mut before = Vec::new();
    let mut clients = Vec::new();
    for name in ["P1", "P2", "P3"] {
        let mut client = first.client().await;
        before.push((name, client.welcome("lobby", name, secret, None).await));
        clients.push(client);
    }
    first.stop().await; // every socket closed (1001), every room gone with the process
    drop(clients);

    let second = Server::start(keyed(KEY)).await;
    let mut back = Vec::new();
    for (i, (name, welcome)) in before.iter().enumerate() {
        let mut client = second.client().await;
        if i == 1 {
            // The room was recreated with the first comer's secret: the rules still hold.
            client.send_join("lobby", name, None, Some(&welcome.token)).await;
            client.expect_error(ErrorCode::WrongSecret).await;
        }
        let again = client.welcome("lobby", name, secret, Some(&welcome.token)).await;
        assert_eq!(again.id, welcome.id, "{name} keeps its id");
        let already: Vec<PeerInfo> = before[..i].iter().map(|(n, w)| info(&w.id, n)).collect();
        assert_eq!(again.peers, already, "{name}'s welcome lists those already back");
        back.push(client);
    }
    let ids: Vec<PeerInfo> = before.iter().map(|(n, w)| info(&w.id, n)).collect();
    let mut newcomer = second.client().await;
    let (_, peers) = newcomer.join_private("lobby", "P4", secret).await;
    assert_eq!(peers, ids, "a newcomer sees every peer back, oldest first");
    assert_eq!(second.metric(&resumes("rejoined")).await, 3.0);
    second.stop().await;
}

#[tokio::test]
async fn a_token_from_a_server_with_another_key_is_refused_and_a_fresh_join_then_works() {
    let first = Server::start(keyed(KEY)).await;
    let old = first.client().await.welcome("lobby", "A", None, None).await;
    first.stop().await;

    let second = Server::start(keyed("another key, another deployment")).await;
    let mut a = second.client().await;
    a.send_join("lobby", "A", None, Some(&old.token)).await;
    a.expect_error(ErrorCode::InvalidResume).await;
    let fresh = a.welcome("lobby", "A", None, None).await;
    assert_ne!(fresh.id, old.id);
    assert_eq!(second.metric(&resumes("invalid")).await, 1.0);
    assert_eq!(second.metric("signaling_errors_total{code=\"invalid_resume\"}").await, 1.0);
    second.stop().await;
}

#[tokio::test]
async fn a_resume_while_the_old_socket_is_connected_takes_it_over_silently() {
    let server = Server::default().await;
    let mut a = server.client().await;
    let a_id = a.welcome("lobby", "A", None, None).await.id;
    let mut old = server.client().await;
    let b = old.welcome("lobby", "B", None, None).await;
    a.recv().await; // B joined

    let mut new = server.client().await;
    let again = new.welcome("lobby", "B on a new socket", None, Some(&b.token)).await;
    assert_eq!(again.id, b.id);
    assert_eq!(again.peers, vec![info(&a_id, "A")]);
    assert_eq!(old.expect_close(4000).await, "resumed on another connection");
    // The old socket's task has ended: only A's and the new socket are left.
    server.wait_for_metric("signaling_connections", 2.0).await;
    assert_eq!(server.metric("signaling_peers").await, 2.0);
    a.expect_silence().await; // for A, B never left
    reaches(&mut a, &a_id, &mut new, &b.id).await;
    reaches(&mut new, &b.id, &mut a, &a_id).await;
    a.expect_silence().await;
    assert_eq!(server.metric(&resumes("took_over")).await, 1.0);
    server.stop().await;
}

#[tokio::test]
async fn no_one_can_resume_an_id_that_is_not_theirs() {
    let server = Server::start(keyed(KEY)).await;
    let mut a = server.client().await;
    let a_welcome = a.welcome("lobby", "A", None, None).await;
    let mut b = server.client().await;
    let b_welcome = b.welcome("lobby", "B", None, None).await;
    a.recv().await; // B joined
    let elsewhere = server.client().await.welcome("other", "C", None, None).await;

    let (_, a_rest) = a_welcome.token.split_once('.').expect("id.expiry.mac");
    let hour = Duration::from_secs(3600);
    let expired =
        ResumeKey::new(KEY).mint("lobby", &b_welcome.id, SystemTime::now() - 2 * hour, hour);
    let forgeries = [
        format!("{}.{a_rest}", b_welcome.id), // B's id under A's expiry and MAC
        elsewhere.token.clone(),              // a genuine token of another room
        expired,                              // a genuine token, past its expiry
        "garbage".to_owned(),
        String::new(),
        format!("{}.{}", b_welcome.token, "x"),
    ];
    let mut x = server.client().await;
    for forged in &forgeries {
        x.send_join("lobby", "X", None, Some(forged)).await;
        x.expect_error(ErrorCode::InvalidResume).await;
    }
    // A's own token names its room: it cannot take A's id elsewhere either.
    x.send_join("other", "X", None, Some(&a_welcome.token)).await;
    x.expect_error(ErrorCode::InvalidResume).await;
    a.expect_silence().await;
    b.expect_silence().await;
    reaches(&mut a, &a_welcome.id, &mut b, &b_welcome.id).await;
    let fresh = x.welcome("lobby", "X", None, None).await;
    assert!(fresh.id != a_welcome.id && fresh.id != b_welcome.id);
    let refused = forgeries.len() as f64 + 1.0;
    assert_eq!(server.metric(&resumes("invalid")).await, refused);
    server.stop().await;
}

#[tokio::test]
async fn a_resume_into_a_full_room_gets_room_full() {
    let server = Server::start(Config { max_peers_per_room: 2, ..Config::default() }).await;
    let mut a = server.client().await;
    a.welcome("lobby", "A", None, None).await;
    let mut b = server.client().await;
    let b_welcome = b.welcome("lobby", "B", None, None).await;
    a.recv().await; // B joined
    b.socket.close(None).await.expect("closes");
    a.recv().await; // B left
    let mut c = server.client().await;
    c.welcome("lobby", "C", None, None).await;

    let mut b = server.client().await;
    b.send_join("lobby", "B", None, Some(&b_welcome.token)).await;
    b.expect_error(ErrorCode::RoomFull).await;
    // The refusal left the socket open and unjoined: once there is room, it gets in.
    c.socket.close(None).await.expect("closes");
    server.wait_for_metric("signaling_peers", 1.0).await;
    let back = b.welcome("lobby", "B", None, Some(&b_welcome.token)).await;
    assert_eq!(back.id, b_welcome.id);
    server.stop().await;
}

/// A peer that stays connected is sent a fresh token every half of a token's life, so
/// it can always come back: here tokens live 4 s, and one minted 3 s in still works
/// after the welcome's has expired.
#[tokio::test]
async fn a_connected_peer_is_sent_fresh_tokens_before_the_last_one_expires() {
    let config = Config { resume_ttl: Duration::from_secs(4), ..keyed(KEY) };
    let server = Server::start(config).await;
    let mut a = server.client().await;
    let welcome = a.welcome("lobby", "A", None, None).await;
    let renewed = tokio::time::timeout(Duration::from_secs(5), a.recv()).await;
    let Ok(ServerMessage::ResumeToken { resume_token }) = renewed else {
        panic!("no fresh token: {renewed:?}")
    };
    assert_ne!(resume_token, welcome.token);
    // Wait past the welcome token's expiry, then come back with the fresh one.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    a.socket.close(None).await.expect("closes");
    let mut again = server.client().await;
    again.send_join("lobby", "A", None, Some(&welcome.token)).await;
    again.expect_error(ErrorCode::InvalidResume).await; // the welcome's token expired
    let back = again.welcome("lobby", "A", None, Some(&resume_token)).await;
    assert_eq!(back.id, welcome.id);
}
