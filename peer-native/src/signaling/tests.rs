//! The signaling client against the real server, in-process on 127.0.0.1:0 (and, for
//! what the real server never sends, a scripted one): joins, the room's news, signed and
//! sealed signals relayed between two native peers, refusals, take-overs and closing.
//! Every wait is bounded.

use super::error::SignalingError;
use super::join::{JoinRequest, Joined, join};
use super::link::{MAX_MESSAGE_BYTES, SignalingLink};
use crate::identity::keys::Identity;
use crate::identity::sealing::SealKey;
use crate::identity::signals::{check_incoming, check_signal, now_ms, outgoing};
use futures_util::{SinkExt, StreamExt};
use peer_core::Verdict;
use signaling_protocol::{ClientMessage, ErrorCode, PeerInfo, ServerMessage, SessionId, Signal};
use signaling_protocol::{PeerId, Step};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

/// A real server until dropped.
struct Server {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    let (stop, stopped) = oneshot::channel::<()>();
    let config = signaling_server::Config::default();
    tokio::spawn(signaling_server::run(listener, config, async {
        let _ = stopped.await;
    }));
    Server { addr, _stop: stop }
}

fn request(addr: SocketAddr, room: &str, name: &str) -> JoinRequest {
    JoinRequest {
        url: format!("ws://{addr}/ws"),
        room: room.into(),
        name: name.into(),
        secret: None,
    }
}

async fn joined(addr: SocketAddr, room: &str, name: &str, identity: &Identity) -> Joined {
    join(&request(addr, room, name), identity).await.expect("joins")
}

async fn next(link: &mut SignalingLink) -> Option<ServerMessage> {
    tokio::time::timeout(WAIT, link.recv()).await.expect("a message in time")
}

fn info(identity: &Identity, name: &str) -> PeerInfo {
    PeerInfo { key: Some(identity.key().into()), ..PeerInfo::new(identity.id(), name) }
}

#[tokio::test]
async fn two_native_peers_see_each_other_join() {
    let server = server().await;
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let mut first = joined(server.addr, "lobby", "Alice", &alice).await;
    assert_eq!(first.me, info(&alice, "Alice"));
    assert!(first.roster.is_empty());
    assert!(first.ice_servers.is_empty());
    let second = joined(server.addr, "lobby", "Bob", &bob).await;
    assert_eq!(second.roster, vec![info(&alice, "Alice")]);
    let news = next(&mut first.link).await;
    assert_eq!(news, Some(ServerMessage::PeerJoined { peer: info(&bob, "Bob") }));
    drop(second);
    match next(&mut first.link).await {
        Some(ServerMessage::PeerLeft { peer }) => assert_eq!(peer.id, bob.id()),
        other => panic!("expected bob to leave, got {other:?}"),
    }
}

#[tokio::test]
async fn a_signed_signal_crosses_the_server_and_checks_out_for_its_room_only() {
    let server = server().await;
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let first = joined(server.addr, "lobby", "Alice", &alice).await;
    let mut second = joined(server.addr, "lobby", "Bob", &bob).await;
    let offer =
        Signal::new(SessionId(9), Step::Offer { sdp: "v=0\r\no=- 1 2 IN IP4 0\r\n".into() });
    let signal = outgoing(&alice, "lobby", &bob.id(), offer.clone(), None, now_ms());
    first.link.send(ClientMessage::Signal { to: bob.id(), signal }).expect("queued");
    let Some(ServerMessage::Signal { from, signal }) = next(&mut second.link).await else {
        panic!("expected the signal");
    };
    assert_eq!((&from, &signal.step), (&alice.id(), &offer.step));
    let check = |room: &str, me: &PeerId, signal: &Signal| {
        check_signal(alice.key(), room, &from, me, signal, now_ms())
    };
    assert_eq!(check("lobby", &bob.id(), &signal), Verdict::Good);
    assert_eq!(check("other", &bob.id(), &signal), Verdict::Forged);
    assert_eq!(check("lobby", &alice.id(), &signal), Verdict::Forged);
    let altered = Signal { step: Step::Offer { sdp: "v=0\r\n".into() }, ..signal };
    assert_eq!(check("lobby", &bob.id(), &altered), Verdict::Forged);
}

#[tokio::test]
async fn a_sealed_signal_crosses_the_server_and_opens_with_the_passphrase() {
    let server = server().await;
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let key = SealKey::derive("correct horse", "lobby");
    let first = joined(server.addr, "lobby", "Alice", &alice).await;
    let mut second = joined(server.addr, "lobby", "Bob", &bob).await;
    let step = Step::Candidate {
        candidate: "candidate:1 1 udp 1 10.0.0.1 9 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    };
    let signal = outgoing(
        &alice,
        "lobby",
        &bob.id(),
        Signal::new(SessionId(2), step.clone()),
        Some(&key),
        now_ms(),
    );
    assert!(matches!(signal.step, Step::Sealed { .. }));
    first.link.send(ClientMessage::Signal { to: bob.id(), signal }).expect("queued");
    let Some(ServerMessage::Signal { from, signal }) = next(&mut second.link).await else {
        panic!("expected the signal");
    };
    let (inner, verdict) =
        check_incoming(alice.key(), "lobby", &from, &bob.id(), signal, Some(&key), now_ms());
    assert_eq!((inner.step, verdict), (step, Verdict::Good));
}

#[tokio::test]
async fn an_unreachable_server_fails_fast() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    drop(listener);
    let started = tokio::time::Instant::now();
    let failed = join(&request(addr, "lobby", "Alice"), &Identity::generate()).await;
    assert!(matches!(failed, Err(SignalingError::Unreachable { .. })), "{:?}", failed.err());
    assert!(started.elapsed() < Duration::from_secs(2));
    let bad_url = JoinRequest { url: "not a url".into(), ..request(addr, "lobby", "Alice") };
    let failed = join(&bad_url, &Identity::generate()).await;
    assert!(matches!(failed, Err(SignalingError::Unreachable { .. })), "{:?}", failed.err());
}

#[tokio::test]
async fn refusals_carry_the_servers_code() {
    let server = server().await;
    let with_secret =
        JoinRequest { secret: Some("open sesame".into()), ..request(server.addr, "vault", "A") };
    let _first = join(&with_secret, &Identity::generate()).await.expect("creates the room");
    let wrong = JoinRequest { secret: Some("guess".into()), ..with_secret.clone() };
    let refused = join(&wrong, &Identity::generate()).await.err();
    assert!(
        matches!(refused, Some(SignalingError::Refused { code: ErrorCode::WrongSecret, .. })),
        "{refused:?}"
    );
    // Checked before connecting, as the server would.
    let refused = join(&request(server.addr, "no room!", "A"), &Identity::generate()).await.err();
    assert!(!format!("{wrong:?}").contains("guess"), "the secret stays out of logs");
    assert!(
        matches!(refused, Some(SignalingError::Refused { code: ErrorCode::InvalidRoom, .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_second_connection_of_our_key_takes_the_seat_over() {
    let server = server().await;
    let alice = Identity::generate();
    let mut first = joined(server.addr, "lobby", "Alice", &alice).await;
    let _second = joined(server.addr, "lobby", "Alice again", &alice).await;
    assert_eq!(next(&mut first.link).await, None);
    assert!(first.link.taken_over());
    assert!(first.link.close_reason().is_some_and(|reason| reason.contains("taken over")));
    let refused = first.link.send(ClientMessage::Signal {
        to: alice.id(),
        signal: Signal::new(SessionId(1), Step::Bye { reason: None }),
    });
    assert!(matches!(refused, Err(SignalingError::Closed { .. })), "{refused:?}");
}

#[tokio::test]
async fn closing_ends_the_link_and_the_others_hear_it() {
    let server = server().await;
    let (alice, bob) = (Identity::generate(), Identity::generate());
    let mut first = joined(server.addr, "lobby", "Alice", &alice).await;
    let mut second = joined(server.addr, "lobby", "Bob", &bob).await;
    assert!(matches!(next(&mut first.link).await, Some(ServerMessage::PeerJoined { .. })));
    second.link.close();
    assert_eq!(next(&mut second.link).await, None);
    assert!(second.link.close_reason().is_some());
    assert!(!second.link.taken_over());
    assert!(matches!(next(&mut first.link).await, Some(ServerMessage::PeerLeft { .. })));
}

/// A scripted server that sends, after the challenge and the join, what the real one
/// never does: a frame too large to act on and one that is no message; then welcomes.
#[tokio::test]
async fn junk_and_oversized_frames_are_dropped() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("an address");
    let alice = Identity::generate();
    let id = alice.id();
    tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.expect("a client");
        let mut socket = tokio_tungstenite::accept_async(tcp).await.expect("upgrades");
        let text =
            |message: &ServerMessage| Message::text(serde_json::to_string(message).expect("json"));
        socket
            .send(text(&ServerMessage::Challenge { nonce: "bm9uY2U".into() }))
            .await
            .expect("sends");
        let _join = socket.next().await;
        let huge = format!(
            "{{\"type\":\"peer_left\",\"peer\":{{\"id\":\"{}\",\"name\":\"x\"}}}}",
            "a".repeat(MAX_MESSAGE_BYTES)
        );
        for junk in [huge, "{\"type\":\"surprise\"}".into(), "not json".into()] {
            socket.send(Message::text(junk)).await.expect("sends");
        }
        socket.send(Message::binary(vec![1, 2, 3])).await.expect("sends");
        let welcome =
            ServerMessage::Welcome { id, room: "lobby".into(), peers: vec![], ice_servers: vec![] };
        socket.send(text(&welcome)).await.expect("sends");
        // Past what tungstenite reads at all: the connection ends, with a reason.
        let _ = socket.send(Message::text("x".repeat(2 * 1024 * 1024))).await;
        tokio::time::sleep(WAIT).await;
    });
    let mut joined = joined(addr, "lobby", "Alice", &alice).await;
    assert_eq!(next(&mut joined.link).await, None);
    assert!(joined.link.close_reason().is_some());
}
