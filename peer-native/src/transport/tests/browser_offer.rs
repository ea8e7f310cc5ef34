//! A browser-style offer (as Chromium writes one for two negotiated data channels)
//! applied to an answerer, and what is read from SDP and candidates.

use super::super::connection::Connection;
use super::super::sdp;
use super::super::types::{ConnectionConfig, Report};
use peer_core::Role;
use signaling_protocol::Step;
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

/// Chromium's offer for a connection with only negotiated data channels: one
/// `m=application` line, no candidates (they are trickled), mDNS hidden.
fn chromium_offer(max_message_size: Option<u32>) -> String {
    let mut lines = vec![
        "v=0".to_string(),
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1".into(),
        "s=-".into(),
        "t=0 0".into(),
        "a=group:BUNDLE 0".into(),
        "a=extmap-allow-mixed".into(),
        "a=msid-semantic: WMS".into(),
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel".into(),
        "c=IN IP4 0.0.0.0".into(),
        "a=ice-ufrag:Ex1x".into(),
        "a=ice-pwd:ZbXh4Bhq1nDo3m6qN4dUZb1s".into(),
        "a=ice-options:trickle".into(),
        "a=fingerprint:sha-256 6B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:\
         DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08"
            .into(),
        "a=setup:actpass".into(),
        "a=mid:0".into(),
        "a=sctp-port:5000".into(),
    ];
    if let Some(size) = max_message_size {
        lines.push(format!("a=max-message-size:{size}"));
    }
    lines.join("\r\n") + "\r\n"
}

#[tokio::test]
async fn a_browser_offer_gets_an_answer_with_the_data_channel() {
    let (reports_in, mut reports) = unbounded_channel();
    let config = ConnectionConfig::new(vec!["127.0.0.1".parse().expect("an address")]);
    let connection = Connection::start(Role::Answerer, &config, move |report| {
        let _ = reports_in.send(report);
    })
    .expect("a connection");
    connection.apply(Step::Offer { sdp: chromium_offer(Some(262144)) });
    // The browser's trickled candidates: an mDNS one (skipped) and a loopback one.
    connection.apply(Step::Candidate {
        candidate: "candidate:3077 1 udp 2113937151 3c5b1d7e-4f7a-4cfe-9b27-4d0c5b8e8f8e.local \
                    54321 typ host generation 0 ufrag Ex1x network-cost 999"
            .into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    });
    connection.apply(Step::Candidate {
        candidate: "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host".into(),
        sdp_mid: Some("0".into()),
        sdp_m_line_index: Some(0),
    });
    let report = tokio::time::timeout(Duration::from_secs(5), reports.recv()).await;
    let Ok(Some(Report::Outbound(Step::Answer { sdp }))) = report else {
        panic!("expected an answer, got {report:?}");
    };
    assert!(sdp.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), "{sdp}");
    assert!(sdp.contains("a=mid:0"), "{sdp}");
    assert!(sdp.contains("a=sctp-port:5000"), "{sdp}");
    assert!(sdp.contains("a=setup:active") || sdp.contains("a=setup:passive"), "{sdp}");
    assert!(sdp.contains("a=candidate:") && sdp.contains("127.0.0.1"), "{sdp}");
    assert_eq!(connection.max_frame(), 262144);
    // Nothing failed on the candidates (a failure would be the next report).
    let next = tokio::time::timeout(Duration::from_millis(300), reports.recv()).await;
    assert!(!matches!(next, Ok(Some(Report::Failed(_)))), "{next:?}");
}

#[tokio::test]
async fn a_broken_offer_is_reported_as_failed() {
    let (reports_in, mut reports) = unbounded_channel();
    let config = ConnectionConfig::new(vec!["127.0.0.1".parse().expect("an address")]);
    let connection = Connection::start(Role::Answerer, &config, move |report| {
        let _ = reports_in.send(report);
    })
    .expect("a connection");
    connection.apply(Step::Offer { sdp: "v=0\r\nnonsense".into() });
    let report = tokio::time::timeout(Duration::from_secs(5), reports.recv()).await;
    assert!(matches!(report, Ok(Some(Report::Failed(_)))), "{report:?}");
}

#[test]
fn max_frame_follows_the_remote_limit() {
    assert_eq!(sdp::max_frame_of(&chromium_offer(Some(262144))), 262144);
    assert_eq!(sdp::max_frame_of(&chromium_offer(Some(1073741823))), 262144);
    assert_eq!(sdp::max_frame_of(&chromium_offer(Some(100000))), 100000);
    assert_eq!(sdp::max_frame_of(&chromium_offer(Some(0))), 65536);
    assert_eq!(sdp::max_frame_of(&chromium_offer(Some(1000))), 65536);
    assert_eq!(sdp::max_frame_of(&chromium_offer(None)), 65536);
}

#[test]
fn unusable_candidates_are_skipped() {
    assert!(
        sdp::remote_candidate("candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host").is_some()
    );
    assert!(
        sdp::remote_candidate("a=candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host").is_some()
    );
    assert!(
        sdp::remote_candidate("candidate:1 1 udp 2122260223 abc.local 5000 typ host").is_none()
    );
    assert!(sdp::remote_candidate("").is_none());
    let tcp = "candidate:2 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active";
    assert!(sdp::remote_candidate(tcp).is_none());
    assert!(sdp::remote_candidate("candidate:garbage").is_none());
    assert!(sdp::remote_candidate("candidate:1 1 udp x 1.2.3.4 99999 typ host").is_none());
}

#[test]
fn default_addresses_include_loopback() {
    let addresses = sdp::default_host_addresses();
    assert!(addresses.contains(&"127.0.0.1".parse().expect("an address")));
    assert!(addresses.iter().all(|address| address.is_ipv4()));
}

#[tokio::test]
async fn our_offer_is_what_a_browser_expects() {
    let (reports_in, mut reports) = unbounded_channel();
    let config = ConnectionConfig::new(vec!["127.0.0.1".parse().expect("an address")]);
    let _connection = Connection::start(Role::Offerer, &config, move |report| {
        let _ = reports_in.send(report);
    })
    .expect("a connection");
    let report = tokio::time::timeout(Duration::from_secs(5), reports.recv()).await;
    let Ok(Some(Report::Outbound(Step::Offer { sdp }))) = report else {
        panic!("expected an offer, got {report:?}");
    };
    eprintln!("{sdp}");
    assert!(sdp.contains("m=application 9 UDP/DTLS/SCTP webrtc-datachannel"), "{sdp}");
    assert!(sdp.contains("a=setup:actpass"), "{sdp}");
    assert!(sdp.contains("a=sctp-port:5000"), "{sdp}");
    assert!(sdp.contains("a=max-message-size:262144"), "{sdp}");
    assert!(sdp.contains("a=candidate:") && sdp.contains("127.0.0.1"), "{sdp}");
}
