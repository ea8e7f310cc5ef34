//! The ICE servers a peer is handed, against a real server: none without ICE options;
//! STUN as configured and TURN with credentials minted for the peer (the TURN REST
//! scheme), renewed before they expire; and the binary's refusal of options it cannot
//! serve.

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{Client, Server};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use signaling_protocol::{IceServer, PeerId, ServerMessage};
use signaling_server::{Config, TurnSecret};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const STUN: &str = "stun:127.0.0.1:3478";
const TURN: [&str; 2] = ["turn:127.0.0.1:3478?transport=udp", "turns:127.0.0.1:5349"];
const SECRET: &str = "shared-with-coturn";

/// STUN and TURN, the credentials valid for `ttl`.
fn ice_config(ttl: Duration) -> Config {
    Config {
        stun_urls: vec![STUN.into()],
        turn_urls: TURN.iter().map(|url| (*url).to_owned()).collect(),
        turn_secret: Some(TurnSecret::new(SECRET)),
        turn_credential_ttl: ttl,
        ..Config::default()
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs()
}

/// Joins `room` and returns the welcome's id and ICE servers.
async fn join(client: &mut Client, room: &str) -> (PeerId, Vec<IceServer>) {
    client.send_join(room, "P", None).await;
    match client.recv().await {
        ServerMessage::Welcome { id, ice_servers, .. } => (id, ice_servers),
        other => panic!("expected a welcome, got {other:?}"),
    }
}

/// Checks `turn` is the configured TURN server with credentials for `peer` that a TURN
/// server sharing the secret accepts (computed here with the HMAC crates directly, not
/// through the server's code); returns their expiry.
fn check_turn(turn: &IceServer, peer: &PeerId) -> u64 {
    assert_eq!(turn.urls, TURN);
    let username = turn.username.as_deref().expect("a TURN username");
    let (expiry, user) = username.split_once(':').expect("<expiry>:<peer id>");
    assert_eq!(user, peer.as_str(), "minted for this peer");
    let mut mac = <Hmac<Sha1>>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(username.as_bytes());
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(turn.credential.as_deref(), Some(expected.as_str()), "HMAC-SHA1 of the username");
    expiry.parse().expect("a unix time")
}

#[tokio::test]
async fn a_welcome_without_ice_options_has_no_ice_servers_field() {
    let server = Server::default().await;
    let mut client = server.client().await;
    client.send_join("r", "P", None).await;
    let welcome = client.recv_json().await;
    assert_eq!(welcome["type"], "welcome");
    assert!(welcome.get("ice_servers").is_none(), "{welcome}");
    server.stop().await;
}

#[tokio::test]
async fn a_welcome_carries_stun_and_turn_credentials_minted_for_the_peer() {
    let ttl = Duration::from_secs(3600);
    let server = Server::start(ice_config(ttl)).await;
    let (mut a, mut b) = (server.client().await, server.client().await);
    let (a_id, a_servers) = join(&mut a, "r").await;
    let (b_id, b_servers) = join(&mut b, "r").await;
    for (id, servers) in [(&a_id, &a_servers), (&b_id, &b_servers)] {
        assert_eq!(servers.len(), 2, "{servers:?}");
        let stun = IceServer { urls: vec![STUN.into()], username: None, credential: None };
        assert_eq!(servers[0], stun, "STUN needs no credentials");
        let expiry = check_turn(&servers[1], id);
        let expected = now_secs() + ttl.as_secs();
        assert!(expiry.abs_diff(expected) <= 2, "expiry {expiry}, now + ttl {expected}");
    }
    assert_ne!(a_servers[1].credential, b_servers[1].credential, "each peer its own");
    server.stop().await;
}

#[tokio::test]
async fn fresh_turn_credentials_arrive_before_the_old_expire() {
    // Far under what `main` allows, so that two renewals fit in a test.
    let server = Server::start(ice_config(Duration::from_secs(3))).await;
    let mut client = server.client().await;
    let (id, servers) = join(&mut client, "r").await;
    let mut expiry = check_turn(&servers[1], &id);
    for _ in 0..2 {
        let renewed = match client.recv().await {
            ServerMessage::IceServers { ice_servers } => ice_servers,
            other => panic!("expected ice_servers, got {other:?}"),
        };
        // Credentials hold until the end of their expiry second.
        assert!(now_secs() <= expiry, "renewed at {} after the expiry {expiry}", now_secs());
        assert_eq!(renewed[0].urls, [STUN], "STUN comes along");
        let next = check_turn(&renewed[1], &id);
        assert!(next > expiry, "a later expiry: {next} after {expiry}");
        expiry = next;
    }
    server.stop().await;
}

/// Runs the real binary with `args` and no `SIGNALING_*` variables; returns its exit
/// code and standard error. One that is still serving after [`common::WAIT`] is killed
/// and fails the test.
fn run_binary(args: &[&str]) -> (Option<i32>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signaling-server"));
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("SIGNALING_")) {
        command.env_remove(name);
    }
    command.args(args).args(["--listen", "127.0.0.1:0"]);
    let mut child = command.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("runs");
    let deadline = Instant::now() + common::WAIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("waits") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{args:?}: the server started instead of refusing");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    let pipe = child.stderr.as_mut().expect("piped");
    pipe.read_to_string(&mut stderr).expect("reads");
    (status.code(), stderr)
}

#[test]
fn the_binary_refuses_ice_options_it_cannot_serve_and_says_why() {
    let cases: [(&[&str], &str); 4] = [
        (&["--turn-url", "turn:127.0.0.1"], "needs --turn-secret"),
        (&["--turn-secret", "s3cret"], "no --turn-url"),
        (
            &["--turn-url", "stun:127.0.0.1", "--turn-secret", "s"],
            "must start with turn: or turns:",
        ),
        (
            &[
                "--turn-url",
                "turn:127.0.0.1",
                "--turn-secret",
                "s",
                "--turn-credential-ttl-secs",
                "59",
            ],
            "at least 60 s",
        ),
    ];
    for (args, says) in cases {
        let (code, stderr) = run_binary(args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?} should say {says:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
