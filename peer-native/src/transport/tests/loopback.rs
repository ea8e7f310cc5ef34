//! Two connections in one process on 127.0.0.1, their signals passed by the test as
//! the signaling would: open, frames both ways, the unreliable channel, ICE restart,
//! graceful close.

use super::super::connection::Connection;
use super::super::types::{Channel, ConnectionConfig, Report, TransportError};
use crate::wire::frame::Frame;
use peer_core::{PathState, Role};
use signaling_protocol::Step;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How long any one expected report may take.
const WAIT: Duration = Duration::from_secs(10);

/// One side: its connection and what it reported, less the signals (forwarded) and
/// path changes (kept apart).
pub struct Side {
    pub connection: Arc<Connection>,
    pub reports: UnboundedReceiver<Report>,
    /// The kinds of the steps it sent (`offer`, `answer`, `restart`, ...).
    pub sent: Arc<Mutex<Vec<&'static str>>>,
    /// The path changes it reported.
    pub paths: Vec<PathState>,
}

impl Side {
    /// The next report that is not a path change, within [`WAIT`].
    pub async fn next(&mut self, wanted: &Report) -> Report {
        loop {
            match tokio::time::timeout(WAIT, self.reports.recv()).await {
                Ok(Some(Report::Path(path))) => self.paths.push(path),
                Ok(Some(report)) => return report,
                Ok(None) => panic!("the reports ended"),
                Err(_) => panic!("no report within {WAIT:?}, waiting for {wanted:?}"),
            }
        }
    }

    /// Waits for `wanted`, skipping path changes only.
    pub async fn expect(&mut self, wanted: Report) {
        let report = self.next(&wanted).await;
        assert_eq!(report, wanted);
    }
}

fn loopback() -> ConnectionConfig {
    ConnectionConfig::new(vec!["127.0.0.1".parse().expect("an address")])
}

/// Starts a connection whose signals go to `peer` once it is known.
fn start(role: Role) -> (Connection, UnboundedReceiver<Report>, UnboundedReceiver<Step>) {
    let (reports_in, reports) = unbounded_channel();
    let (steps_in, steps): (UnboundedSender<Step>, _) = unbounded_channel();
    let connection = Connection::start(role, &loopback(), move |report| match report {
        Report::Outbound(step) => drop(steps_in.send(step)),
        other => drop(reports_in.send(other)),
    })
    .expect("a connection");
    (connection, reports, steps)
}

/// Applies every step `steps` yields to `to` while it lives, as the signaling would
/// (a weak reference: a test may drop a side), and notes their kinds.
fn relay(
    mut steps: UnboundedReceiver<Step>,
    to: &Arc<Connection>,
) -> Arc<Mutex<Vec<&'static str>>> {
    let to = Arc::downgrade(to);
    let sent = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&sent);
    tokio::spawn(async move {
        while let Some(step) = steps.recv().await {
            let kind = match &step {
                Step::Offer { .. } => "offer",
                Step::Answer { .. } => "answer",
                Step::Restart { .. } => "restart",
                Step::Candidate { .. } => "candidate",
                _ => "other",
            };
            log.lock().expect("the log").push(kind);
            let Some(to) = to.upgrade() else { return };
            to.apply(step);
        }
    });
    sent
}

/// Waits until `side` sent `count` steps of `kind`.
pub async fn until_sent(side: &Side, kind: &str, count: usize) {
    let sent = || side.sent.lock().expect("the log").iter().filter(|k| **k == kind).count();
    let waited = tokio::time::timeout(WAIT, async {
        while sent() < count {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    waited.await.unwrap_or_else(|_| panic!("no {count} {kind} steps within {WAIT:?}"));
}

/// An offerer and an answerer, signals relayed, both channels open.
pub async fn open_pair() -> (Side, Side) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let (offerer, offerer_reports, offerer_steps) = start(Role::Offerer);
    let (answerer, answerer_reports, answerer_steps) = start(Role::Answerer);
    let (offerer, answerer) = (Arc::new(offerer), Arc::new(answerer));
    let offerer_sent = relay(offerer_steps, &answerer);
    let answerer_sent = relay(answerer_steps, &offerer);
    let mut a =
        Side { connection: offerer, reports: offerer_reports, sent: offerer_sent, paths: vec![] };
    let mut b = Side {
        connection: answerer,
        reports: answerer_reports,
        sent: answerer_sent,
        paths: vec![],
    };
    a.expect(Report::ChannelOpen).await;
    b.expect(Report::ChannelOpen).await;
    (a, b)
}

fn received(channel: Channel, frame: Frame) -> Report {
    Report::Received { channel, frame }
}

#[tokio::test]
async fn two_connections_exchange_frames_in_order_and_close() {
    let (mut a, mut b) = open_pair().await;
    assert_eq!(a.connection.max_frame(), 262144);
    assert_eq!(b.connection.max_frame(), 262144);

    let big: Vec<u8> = (0..200 * 1024).map(|i| (i % 251) as u8).collect();
    let frames = [
        Frame::Text("hello".into()),
        Frame::Binary(vec![1, 2, 3]),
        Frame::Binary(big),
        Frame::Text("after the big one".into()),
    ];
    let empty = a.connection.send(Channel::Reliable, Frame::Binary(Vec::new()));
    assert_eq!(empty, Err(TransportError::Empty));
    for frame in &frames {
        a.connection.send(Channel::Reliable, frame.clone()).expect("queued");
    }
    for frame in &frames {
        b.expect(received(Channel::Reliable, frame.clone())).await;
    }
    b.connection.send(Channel::Reliable, Frame::Text("back".into())).expect("queued");
    b.connection.send(Channel::Reliable, Frame::Binary(vec![9])).expect("queued");
    a.expect(received(Channel::Reliable, Frame::Text("back".into()))).await;
    a.expect(received(Channel::Reliable, Frame::Binary(vec![9]))).await;

    a.connection.send(Channel::Unreliable, Frame::Text("sfast".into())).expect("written");
    b.expect(received(Channel::Unreliable, Frame::Text("sfast".into()))).await;

    let stats = a.connection.stats();
    assert_eq!(stats.messages_sent, 5);
    assert_eq!(stats.messages_received, 2);

    a.connection.send(Channel::Reliable, Frame::Text("last".into())).expect("queued");
    a.connection.close_when_drained();
    assert!(a.connection.send(Channel::Reliable, Frame::Text("late".into())).is_err());
    b.expect(received(Channel::Reliable, Frame::Text("last".into()))).await;
    a.expect(Report::ChannelClosing).await;
    a.expect(Report::ChannelClosed).await;
    b.expect(Report::ChannelClosed).await;
}

#[tokio::test]
async fn messages_flow_after_an_ice_restart() {
    let (mut a, mut b) = open_pair().await;
    assert_eq!(a.paths, [PathState::Up]);
    assert_eq!(*a.sent.lock().expect("the log"), ["offer"]);
    assert_eq!(*b.sent.lock().expect("the log"), ["answer"]);
    a.connection.send(Channel::Reliable, Frame::Text("before".into())).expect("queued");
    b.expect(received(Channel::Reliable, Frame::Text("before".into()))).await;

    // A restart by the offerer, frames sent while it runs.
    a.connection.restart_ice();
    a.connection.send(Channel::Reliable, Frame::Text("during".into())).expect("queued");
    until_sent(&a, "restart", 1).await;
    until_sent(&b, "answer", 2).await;
    b.expect(received(Channel::Reliable, Frame::Text("during".into()))).await;

    // Then one by the answerer (either side may restart), its answer applied.
    b.connection.restart_ice();
    until_sent(&b, "restart", 1).await;
    until_sent(&a, "answer", 1).await;
    // Give the new credentials' checks time to replace the old pair.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for i in 0..20 {
        b.connection.send(Channel::Reliable, Frame::Text(format!("after {i}"))).expect("queued");
    }
    for i in 0..20 {
        a.expect(received(Channel::Reliable, Frame::Text(format!("after {i}")))).await;
    }
    a.connection.send(Channel::Unreliable, Frame::Binary(vec![0, 7])).expect("written");
    b.expect(received(Channel::Unreliable, Frame::Binary(vec![0, 7]))).await;
    // The path never went down on loopback.
    assert!(!a.paths.contains(&PathState::Down) && !b.paths.contains(&PathState::Down));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: prints the reliable channel's throughput on loopback"]
async fn reliable_throughput_on_loopback() {
    let (a, mut b) = open_pair().await;
    let frames = 320;
    let started = std::time::Instant::now();
    for i in 0..frames {
        let frame = Frame::Binary(vec![(i % 256) as u8; 64 * 1024]);
        while a.connection.send(Channel::Reliable, frame.clone()) == Err(TransportError::QueueFull)
        {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    for _ in 0..frames {
        let report = b.next(&Report::ChannelClosed).await;
        assert!(matches!(report, Report::Received { channel: Channel::Reliable, .. }));
    }
    let seconds = started.elapsed().as_secs_f64();
    eprintln!("20 MiB in {seconds:.2} s: {:.1} MiB/s", 20.0 / seconds);
}
