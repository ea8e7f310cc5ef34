//! What a connection refuses, and how it ends when the other side goes away.

use super::super::connection::Connection;
use super::super::send_queue::{MAX_QUEUED_BYTES, SendQueue};
use super::super::types::{Channel, ConnectionConfig, Report, TransportError};
use super::loopback::open_pair;
use crate::wire::frame::Frame;
use peer_core::Role;
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

#[tokio::test]
async fn frames_over_the_limit_and_a_backed_up_unreliable_channel_are_refused() {
    let (a, mut b) = open_pair().await;
    let max = a.connection.max_frame();
    let too_large = a.connection.send(Channel::Unreliable, Frame::Binary(vec![1; max + 1]));
    assert_eq!(too_large, Err(TransportError::TooLarge { size: max + 1, max }));
    let too_large = a.connection.send(Channel::Reliable, Frame::Binary(vec![1; max + 1]));
    assert_eq!(too_large, Err(TransportError::TooLarge { size: max + 1, max }));

    // The test's runtime has one thread: the connection's task cannot run between
    // these sends, so nothing leaves str0m's buffer meanwhile.
    let mut sent = 0;
    let refused = loop {
        match a.connection.send(Channel::Unreliable, Frame::Binary(vec![2; 64 * 1024])) {
            Ok(()) => sent += 1,
            Err(error) => break error,
        }
        assert!(sent <= 64, "never backed up");
    };
    assert_eq!(refused, TransportError::BackedUp);
    assert!(a.connection.buffered_amount(Channel::Unreliable) >= 1024 * 1024);
    // The reliable channel still takes frames, and they arrive.
    a.connection.send(Channel::Reliable, Frame::Text("still here".into())).expect("queued");
    loop {
        match b.next(&Report::ChannelClosed).await {
            Report::Received { channel: Channel::Unreliable, .. } => continue,
            report => {
                let frame = Frame::Text("still here".into());
                assert_eq!(report, Report::Received { channel: Channel::Reliable, frame });
                break;
            }
        }
    }
}

#[tokio::test]
async fn the_other_side_sees_the_channel_close_when_a_connection_is_dropped() {
    let (a, mut b) = open_pair().await;
    drop(a);
    b.expect(Report::ChannelClosed).await;
}

#[tokio::test]
async fn nothing_is_sent_before_the_channels_open() {
    let (reports_in, mut reports) = unbounded_channel();
    let config = ConnectionConfig::new(vec!["127.0.0.1".parse().expect("an address")]);
    let connection = Connection::start(Role::Offerer, &config, move |report| {
        let _ = reports_in.send(report);
    })
    .expect("a connection");
    let unreliable = connection.send(Channel::Unreliable, Frame::Text("s".into()));
    assert_eq!(unreliable, Err(TransportError::NotOpen));
    // The reliable channel queues until it opens.
    connection.send(Channel::Reliable, Frame::Text("early".into())).expect("queued");
    assert_eq!(connection.buffered_amount(Channel::Reliable), 5);
    connection.close_when_drained();
    let wait = Duration::from_secs(5);
    let mut next = async || tokio::time::timeout(wait, reports.recv()).await.ok().flatten();
    assert!(matches!(next().await, Some(Report::Outbound(_))));
    assert_eq!(next().await, Some(Report::ChannelClosing));
    assert_eq!(next().await, Some(Report::ChannelClosed));
}

#[test]
fn the_queue_is_full_at_its_limit() {
    let mut queue = SendQueue::default();
    queue.push(Frame::Binary(vec![0; MAX_QUEUED_BYTES - 1]));
    assert!(!queue.is_full());
    queue.push(Frame::Text("x".into()));
    assert!(queue.is_full());
    assert!(queue.pop().is_some());
    assert!(!queue.is_full());
    assert_eq!(queue.queued_bytes(), 1);
}

#[test]
fn a_connection_needs_a_runtime() {
    let started = Connection::start(Role::Offerer, &ConnectionConfig::new(Vec::new()), |_| {});
    assert!(matches!(started, Err(TransportError::NoRuntime)));
}

#[tokio::test]
async fn an_address_that_cannot_be_bound_is_an_error() {
    // A documentation address (TEST-NET-3), on no interface of this machine.
    let config = ConnectionConfig::new(vec!["203.0.113.7".parse().expect("an address")]);
    let started = Connection::start(Role::Offerer, &config, |_| {});
    assert!(matches!(started, Err(TransportError::NoAddress(_))));
}
