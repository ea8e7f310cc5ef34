//! The connection against real Chromium (headless, through chromedriver): both
//! directions of the offer, the negotiated channels of the browser's own code, frames
//! echoed by the page. Ignored by default (it needs `chromium` and `chromedriver`):
//! `cargo test -p peer-native chromium -- --ignored`.

use super::super::connection::Connection;
use super::super::types::{Channel, ConnectionConfig, Report};
use crate::wire::frame::Frame;
use browser_harness::{Browser, WindowSize};
use fantoccini::Client;
use peer_core::Role;
use serde_json::{Value, json};
use signaling_protocol::Step;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// The page's side: a connection with the two negotiated channels that echoes every
/// message back on the channel it came on, and keeps its candidates for the test.
const SETUP: &str = r#"
    window.cands = [];
    const pc = new RTCPeerConnection();
    window.pc = pc;
    pc.onicecandidate = (e) => { if (e.candidate) window.cands.push(e.candidate.toJSON()); };
    const reliable = pc.createDataChannel("peer-wasm", { negotiated: true, id: 0 });
    const unreliable = pc.createDataChannel("peer-wasm-unreliable",
        { negotiated: true, id: 1, ordered: false, maxRetransmits: 0 });
    for (const channel of [reliable, unreliable]) {
        channel.binaryType = "arraybuffer";
        channel.onmessage = (e) => channel.send(e.data);
    }
    window.channels = [reliable, unreliable];
"#;

/// Runs `body` as an async JS function and returns its value.
async fn eval(client: &Client, body: &str, args: Vec<Value>) -> Value {
    let script = format!(
        "const done = arguments[arguments.length - 1];\
         (async (...args) => {{ {body} }})(...Array.from(arguments).slice(0, -1)).then(\
           (value) => done({{ ok: value === undefined ? null : value }}),\
           (error) => done({{ error: String(error && error.message || error) }}));"
    );
    let result = client.execute_async(&script, args).await.expect("runs the script");
    match result.get("error") {
        Some(error) => panic!("script failed: {error}\n{body}"),
        None => result.get("ok").cloned().unwrap_or(Value::Null),
    }
}

/// The next report that is not a path change, within 15 s.
async fn next(reports: &mut UnboundedReceiver<Report>) -> Report {
    loop {
        match tokio::time::timeout(Duration::from_secs(15), reports.recv()).await {
            Ok(Some(Report::Path(_))) => continue,
            Ok(Some(report)) => return report,
            other => panic!("no report: {other:?}"),
        }
    }
}

/// Hands the page's candidates gathered so far to the connection.
async fn pass_candidates(client: &Client, connection: &Connection) {
    let candidates = eval(client, "return window.cands.splice(0);", vec![]).await;
    for candidate in candidates.as_array().into_iter().flatten() {
        let line = candidate["candidate"].as_str().unwrap_or_default().to_string();
        eprintln!("browser candidate: {line}");
        connection.apply(Step::Candidate {
            candidate: line,
            sdp_mid: None,
            sdp_m_line_index: None,
        });
    }
}

/// Sends frames on both channels and checks the page echoes them back.
async fn echo(connection: &Connection, reports: &mut UnboundedReceiver<Report>) {
    let big = Frame::Binary((0..200 * 1024).map(|i| (i % 251) as u8).collect());
    let frames = [Frame::Text("shello".into()), Frame::Binary(vec![1, 2, 3]), big];
    for frame in &frames {
        connection.send(Channel::Reliable, frame.clone()).expect("queued");
    }
    for frame in frames {
        assert_eq!(next(reports).await, Report::Received { channel: Channel::Reliable, frame });
    }
    connection.send(Channel::Unreliable, Frame::Text("sfast".into())).expect("written");
    let frame = Frame::Text("sfast".into());
    assert_eq!(next(reports).await, Report::Received { channel: Channel::Unreliable, frame });
}

fn start(role: Role) -> (Connection, UnboundedReceiver<Report>) {
    let (reports_in, reports) = unbounded_channel();
    let config = ConnectionConfig::new(vec!["127.0.0.1".parse().expect("an address")]);
    let connection = Connection::start(role, &config, move |report| {
        let _ = reports_in.send(report);
    })
    .expect("a connection");
    (connection, reports)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver"]
async fn chromium_answers_our_offer_and_echoes() {
    let browser = Browser::start(WindowSize { width: 800, height: 600 }).await.expect("chromium");
    let client = browser.client();
    let (connection, mut reports) = start(Role::Offerer);
    let Report::Outbound(Step::Offer { sdp }) = next(&mut reports).await else {
        panic!("an offer")
    };
    let body = format!(
        "{SETUP} await pc.setRemoteDescription({{ type: 'offer', sdp: args[0] }});\
         await pc.setLocalDescription(await pc.createAnswer());\
         return pc.localDescription.sdp;"
    );
    let answer = eval(client, &body, vec![json!(sdp)]).await;
    let answer = answer.as_str().expect("an answer").to_string();
    connection.apply(Step::Answer { sdp: answer });
    tokio::time::sleep(Duration::from_millis(500)).await;
    pass_candidates(client, &connection).await;
    assert_eq!(next(&mut reports).await, Report::ChannelOpen);
    assert_eq!(connection.max_frame(), 262144);
    echo(&connection, &mut reports).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromedriver"]
async fn we_answer_chromium_and_echo_restart_and_close() {
    let browser = Browser::start(WindowSize { width: 800, height: 600 }).await.expect("chromium");
    let client = browser.client();
    let (connection, mut reports) = start(Role::Answerer);
    let body = format!(
        "{SETUP} await pc.setLocalDescription(await pc.createOffer()); return pc.localDescription.sdp;"
    );
    let offer = eval(client, &body, vec![]).await.as_str().expect("an offer").to_string();
    eprintln!("chromium offer:\n{offer}");
    connection.apply(Step::Offer { sdp: offer });
    let Report::Outbound(Step::Answer { sdp }) = next(&mut reports).await else {
        panic!("an answer")
    };
    eval(
        client,
        "await pc.setRemoteDescription({ type: 'answer', sdp: args[0] });",
        vec![json!(sdp)],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    pass_candidates(client, &connection).await;
    assert_eq!(next(&mut reports).await, Report::ChannelOpen);
    echo(&connection, &mut reports).await;

    // The browser restarts ICE (as the larger id would); we answer, frames still flow.
    let restart = eval(client, "await pc.setLocalDescription(await pc.createOffer({ iceRestart: true })); return pc.localDescription.sdp;", vec![]).await;
    connection.apply(Step::Restart { sdp: restart.as_str().expect("an offer").to_string() });
    let Report::Outbound(Step::Answer { sdp }) = next(&mut reports).await else {
        panic!("an answer")
    };
    eval(
        client,
        "await pc.setRemoteDescription({ type: 'answer', sdp: args[0] });",
        vec![json!(sdp)],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    pass_candidates(client, &connection).await;
    echo(&connection, &mut reports).await;

    // Our restart, answered by the browser.
    connection.restart_ice();
    let Report::Outbound(Step::Restart { sdp }) = next(&mut reports).await else {
        panic!("a restart")
    };
    let body = "await pc.setRemoteDescription({ type: 'offer', sdp: args[0] });\
                await pc.setLocalDescription(await pc.createAnswer()); return pc.localDescription.sdp;";
    let answer =
        eval(client, body, vec![json!(sdp)]).await.as_str().expect("an answer").to_string();
    connection.apply(Step::Answer { sdp: answer });
    tokio::time::sleep(Duration::from_millis(500)).await;
    pass_candidates(client, &connection).await;
    echo(&connection, &mut reports).await;

    // A graceful close: the page sees both channels close.
    connection.close_when_drained();
    assert_eq!(next(&mut reports).await, Report::ChannelClosing);
    assert_eq!(next(&mut reports).await, Report::ChannelClosed);
    let states = "await new Promise((r) => setTimeout(r, 500)); return window.channels.map((c) => c.readyState);";
    assert_eq!(eval(client, states, vec![]).await, json!(["closed", "closed"]));
    browser.close().await;
}
