//! The mesh frames: the exact text the browser writes (so a browser reads ours and we
//! read its), broadcasts around every kind of message, and the limits on what a peer
//! may send.

use super::frame::Frame;
use super::mesh::{MAX_SIGNAL_CHARS, Tapped, parse};
use super::reading::Incoming;
use super::sending::mesh_frames;
use super::tests::{feed, text};
use crate::values::payload::Payload;
use peer_core::{Advert, MeshFrame, Relayed};
use signaling_protocol::{PeerId, PeerInfo, SessionId, Signal, Step};

const ADVERT: &str = r#"g{"kind":"advert","id":"local-2","name":"Peer 2","version":7,"links":["local-1","local-3"]}"#;
const DIGEST: &str = r#"g{"kind":"digest","have":{"local-2":7,"local-3":2,"local-4":5}}"#;
/// A relay as the browser writes it (its signal's fields in the browser's order).
const RELAY: &str = r#"g{"kind":"relay","from":"3f2a","to":"c09e","route":["81d4","c09e"],"signal":"{\"kind\":\"offer\",\"session\":9,\"at\":1765000000123,\"sig\":\"k3Vq\",\"sdp\":\"v=0\"}"}"#;

fn id(text: &str) -> PeerId {
    PeerId::new(text)
}

fn advert() -> MeshFrame<Payload> {
    MeshFrame::Advert(Advert {
        origin: PeerInfo::new(id("local-2"), "Peer 2"),
        version: 7,
        links: vec![id("local-1"), id("local-3")],
    })
}

fn relay() -> MeshFrame<Payload> {
    let mut signal = Signal::new(SessionId(9), Step::Offer { sdp: "v=0".into() });
    (signal.at, signal.sig) = (1_765_000_000_123, "k3Vq".into());
    let route = vec![id("81d4"), id("c09e")];
    MeshFrame::Relay(Relayed { from: id("3f2a"), to: id("c09e"), route, signal })
}

fn control(frame: &str) -> Result<MeshFrame<Payload>, super::BadFrame> {
    match parse(frame)? {
        Tapped::Control(frame) => Ok(frame),
        Tapped::Broadcast { .. } => panic!("a broadcast header"),
    }
}

#[test]
fn adverts_and_digests_are_written_as_the_browser_writes_them() {
    assert_eq!(mesh_frames(&advert(), 65_536), Ok(vec![text(ADVERT)]));
    let held = vec![(id("local-2"), 7), (id("local-3"), 2), (id("local-4"), 5)];
    assert_eq!(mesh_frames(&MeshFrame::Digest(held.clone()), 65_536), Ok(vec![text(DIGEST)]));
    assert_eq!(control(ADVERT), Ok(advert()));
    assert_eq!(control(DIGEST), Ok(MeshFrame::Digest(held)));
    let empty = r#"g{"kind":"digest","have":{}}"#;
    assert_eq!(mesh_frames(&MeshFrame::Digest(Vec::new()), 65_536), Ok(vec![text(empty)]));
}

#[test]
fn a_relay_reads_as_the_browser_wrote_it_and_goes_back_unchanged() {
    assert_eq!(control(RELAY), Ok(relay()));
    let frames = mesh_frames(&relay(), 65_536).expect("sendable");
    let [Frame::Text(ours)] = &frames[..] else { panic!("one text frame") };
    assert!(ours.starts_with(
        r#"g{"kind":"relay","from":"3f2a","to":"c09e","route":["81d4","c09e"],"signal":""#
    ));
    assert_eq!(control(ours), Ok(relay()));
}

#[test]
fn the_broadcast_example_is_a_header_then_the_message() {
    let message = Payload::Text("hello, everyone".into());
    let broadcast = MeshFrame::Broadcast { origin: id("local-1"), seq: 42, ttl: 16, message };
    let frames = mesh_frames(&broadcast, 65_536).expect("sendable");
    assert_eq!(frames, [text("b16:42:local-1"), text("shello, everyone")]);
    assert_eq!(feed(frames), Ok(vec![Incoming::Mesh(broadcast)]));
}

#[test]
fn a_broadcast_carries_any_message_and_caps_its_ttl() {
    let big = Payload::Typed { kind: "Float64Array".into(), bytes: vec![5; 200_000] };
    for message in [big, Payload::Bytes(vec![1, 2]), Payload::Json("[1]".into())] {
        let broadcast = MeshFrame::Broadcast { origin: id("o"), seq: 1, ttl: 3, message };
        let frames = mesh_frames(&broadcast, 65_536).expect("sendable");
        assert_eq!(feed(frames), Ok(vec![Incoming::Mesh(broadcast)]));
    }
    let got = feed(vec![text("b255:4294967295:x"), text("s")]).expect("taken");
    let message = Payload::Text(String::new());
    let capped = MeshFrame::Broadcast { origin: id("x"), seq: u32::MAX, ttl: 16, message };
    assert_eq!(got, [Incoming::Mesh(capped)]);
    // The next message is a direct one again.
    let got = feed(vec![text("b1:1:x"), text("sa"), text("sb")]).expect("taken");
    assert_eq!(got[1], Incoming::Message(Payload::Text("b".into())));
}

#[test]
fn malformed_mesh_frames_are_bad() {
    let long_id = "i".repeat(65);
    let links: Vec<String> = (0..513).map(|n| format!("\"p{n}\"")).collect();
    let have: Vec<String> = (0..514).map(|n| format!("\"p{n}\":1")).collect();
    let route: Vec<String> = (0..17).map(|n| format!("\"p{n}\"")).collect();
    let bad = [
        "g{not json".to_owned(),
        r#"g{"kind":"digest","have":{"P9":-1}}"#.to_owned(),
        r#"g{"kind":"digest","have":{"P9":1.5}}"#.to_owned(),
        r#"g{"kind":"digest","have":[]}"#.to_owned(),
        r#"g{"kind":"digest","have":{"a:b":1}}"#.to_owned(),
        r#"g{"kind":"advert","id":"a","name":"","version":1,"links":[]}"#.to_owned(),
        r#"g{"kind":"advert","id":"a","name":"A","version":4294967296,"links":[]}"#.to_owned(),
        r#"g{"kind":"advert","id":"a","name":"A","version":1,"links":[1]}"#.to_owned(),
        format!(r#"g{{"kind":"advert","id":"{long_id}","name":"A","version":1,"links":[]}}"#),
        format!(
            r#"g{{"kind":"advert","id":"a","name":"A","version":1,"links":[{}]}}"#,
            links.join(",")
        ),
        format!(r#"g{{"kind":"digest","have":{{{}}}}}"#, have.join(",")),
        RELAY.replace(r#"["81d4","c09e"]"#, "[]"),
        RELAY.replace(r#"["81d4","c09e"]"#, r#"["c09e","c09e"]"#),
        RELAY.replace(r#"["81d4","c09e"]"#, &format!("[{}]", route.join(","))),
        RELAY.replace("offer", "dance"),
        RELAY.replace(r#"\"session\":9,"#, ""),
        RELAY.replace(r#""from":"3f2a","#, ""),
        "g{\"kind\":\"ADVERT\"}".to_owned(),
        "b1:1:".to_owned(),
        format!("b1:1:{long_id}"),
        "b1:-1:a".to_owned(),
        "b1:4294967296:a".to_owned(),
    ];
    for frame in &bad {
        assert!(parse::<Payload>(frame).is_err(), "{frame:.120} was taken");
        assert!(feed(vec![text(frame)]).is_err(), "{frame:.120} was taken by the reader");
    }
}

#[test]
fn a_relayed_signal_is_bounded() {
    let signal = |reason_chars: usize| {
        let reason = "r".repeat(reason_chars);
        format!(r#"{{"kind":"bye","session":1,"reason":"{reason}"}}"#)
    };
    let frame = |signal: &str| {
        let signal = serde_json::to_string(signal).expect("a string");
        format!(r#"g{{"kind":"relay","from":"a","to":"b","route":["b"],"signal":{signal}}}"#)
    };
    let overhead = signal(0).len();
    let largest = signal(MAX_SIGNAL_CHARS - overhead);
    assert_eq!(largest.len(), MAX_SIGNAL_CHARS);
    assert!(control(&frame(&largest)).is_ok(), "a signal of the largest size");
    let over = signal(MAX_SIGNAL_CHARS - overhead + 1);
    assert!(control(&frame(&over)).is_err(), "a signal over the limit");
}
