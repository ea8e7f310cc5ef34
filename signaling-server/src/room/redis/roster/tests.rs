//! The rosters without Redis: joins' snapshots and events in every order they can arrive.

use super::seating::Newcomer;
use super::*;
use crate::room::outbox::{Inbox, Queued, queue};
use crate::room::redis::pubsub::{Event, Kind};
use crate::room::redis::snapshot::Snapshot;

const ME: &str = "aaaa";
const THEM: &str = "bbbb";

fn rosters() -> Rosters {
    Rosters::new(ME.into(), Arc::new(Metrics::new()))
}

fn outbound() -> (Outbound, Inbox, tokio::task::JoinHandle<()>) {
    let (outbox, inbox) = queue(64, usize::MAX);
    let session = tokio::spawn(std::future::pending());
    (Outbound { outbox, session: session.abort_handle() }, inbox, session)
}

/// A room's hash at event `seq` with `members` (id, instance) in join order.
fn snapshot(seq: u64, members: &[(&str, &str)]) -> Snapshot {
    let mut fields = vec!["#seq".to_owned(), seq.to_string()];
    for (order, (id, instance)) in members.iter().enumerate() {
        fields.push((*id).to_owned());
        fields.push(format!("{instance}\t{order}\t{order}\t\tname {id}"));
    }
    Snapshot::from_fields(&fields)
}

/// Seats `id` (ours) from a join at `seq` whose room was `members`; its welcome's peers.
fn seat(rosters: &Rosters, id: &str, seq: u64, members: &[(&str, &str)]) -> (Vec<String>, Inbox) {
    let (outbound, inbox, _task) = outbound();
    let info = PeerInfo::new(id, format!("name {id}"));
    let ticket = Ticket(seq);
    let newcomer = Newcomer {
        room: "r",
        secret: "",
        info,
        ticket,
        outbound,
        seq,
        snapshot: snapshot(seq, members),
    };
    let mut welcomed = Vec::new();
    let seated = rosters.seat(newcomer, |others| {
        welcomed = others.iter().map(|peer| peer.id.to_string()).collect();
        r#"{"type":"welcome"}"#.into()
    });
    assert!(seated.welcomed);
    (welcomed, inbox)
}

fn joined(seq: u64, id: &str, instance: &str) -> Event {
    let (room, name) = ("r".to_owned(), "n".to_owned());
    let (id, instance) = (id.to_owned(), instance.to_owned());
    Event { room, seq, kind: Kind::Joined, id, instance, ticket: seq, key: None, name }
}

/// What `inbox` was sent, as (type, peer id) pairs, welcomes aside.
fn news(inbox: &Inbox) -> Vec<(String, String)> {
    let read = |text: &str| {
        let value: serde_json::Value = serde_json::from_str(text).expect("JSON");
        let kind = value["type"].as_str().unwrap_or_default().to_owned();
        (kind, value["peer"]["id"].as_str().unwrap_or_default().to_owned())
    };
    inbox.drain().iter().map(|text| read(text)).filter(|(kind, _)| kind != "welcome").collect()
}

#[tokio::test]
async fn a_join_whose_snapshot_is_newer_catches_the_roster_up() {
    let rosters = rosters();
    // p1's join event (2) came before any roster here, and was dropped; p2's (3) too.
    let (welcomed, p0) = seat(&rosters, "p0", 1, &[("p0", ME)]);
    assert!(welcomed.is_empty());
    let (welcomed, _p2) = seat(&rosters, "p2", 3, &[("p0", ME), ("p1", THEM), ("p2", ME)]);
    assert_eq!(welcomed, ["p0", "p1"]);
    let joined_news = |id: &str| ("peer_joined".to_owned(), id.to_owned());
    assert_eq!(news(&p0), [joined_news("p1"), joined_news("p2")]);
    // p0 reaches p1, on the other instance.
    let route = rosters.route("r", &"p0".into(), Ticket(1), &"p1".into(), || "s".into());
    assert!(matches!(route, Ok(Route::Forward(instance)) if instance == THEM));
    // The events of those joins, arriving late, are stale: no one hears twice.
    for event in [joined(2, "p1", THEM), joined(3, "p2", ME)] {
        assert!(rosters.apply(&event).is_empty());
    }
    assert!(news(&p0).is_empty());
}

#[tokio::test]
async fn events_are_applied_once_and_a_newcomer_of_ours_is_announced_once() {
    let rosters = rosters();
    let (_, p0) = seat(&rosters, "p0", 1, &[("p0", ME)]);
    rosters.apply(&joined(2, "p1", THEM));
    rosters.apply(&joined(2, "p1", THEM)); // again: stale
    // p2's join reply came before its event (3): announced as it is seated, and its
    // event, when it comes, is stale.
    let (welcomed, p2) = seat(&rosters, "p2", 3, &[("p0", ME), ("p1", THEM), ("p2", ME)]);
    assert_eq!(welcomed, ["p0", "p1"]);
    let joined_news = |id: &str| ("peer_joined".to_owned(), id.to_owned());
    assert_eq!(news(&p0), [joined_news("p1"), joined_news("p2")]);
    rosters.apply(&joined(3, "p2", ME));
    assert!(news(&p0).is_empty());
    let left = Event { kind: Kind::Left, ..joined(4, "p1", THEM) };
    rosters.apply(&left);
    assert_eq!(news(&p0), [("peer_left".to_owned(), "p1".to_owned())]);
    assert_eq!(news(&p2), [("peer_left".to_owned(), "p1".to_owned())]);
    let route = rosters.route("r", &"p0".into(), Ticket(1), &"p1".into(), || "s".into());
    assert!(matches!(route, Err(signaling_protocol::ErrorCode::UnknownPeer)));
}

#[tokio::test]
async fn a_takeover_on_another_instance_closes_our_connection_unannounced() {
    let rosters = rosters();
    let (_, p0) = seat(&rosters, "p0", 1, &[("p0", ME)]);
    let (_, p1) = seat(&rosters, "p1", 2, &[("p0", ME), ("p1", ME)]);
    let (_, _) = (news(&p0), news(&p1));
    let took = Event { kind: Kind::TookOver, ..joined(3, "p1", THEM) };
    assert!(rosters.apply(&took).is_empty());
    assert!(matches!(p1.next().await, Some(Queued::TakenOver)), "told to close");
    assert!(news(&p0).is_empty(), "for the others it never left");
    assert!(!rosters.is_member("r", &"p1".into(), Ticket(2)));
    let route = rosters.route("r", &"p0".into(), Ticket(1), &"p1".into(), || "s".into());
    assert!(matches!(route, Ok(Route::Forward(instance)) if instance == THEM));
}

#[tokio::test]
async fn events_that_come_before_the_first_join_lands_are_kept_and_replayed() {
    let rosters = rosters();
    rosters.expect("r", "");
    rosters.expect("r", "");
    // p0 joined (1); then p1 on the other instance (2), p2 of ours (3), p3 (4): their
    // events come before p0's answer.
    for event in [joined(2, "p1", THEM), joined(3, "p2", ME), joined(4, "p3", THEM)] {
        rosters.apply(&event);
    }
    let (welcomed, p0) = seat(&rosters, "p0", 1, &[("p0", ME)]);
    rosters.landed("r");
    assert!(welcomed.is_empty());
    let joined_news = |id: &str| ("peer_joined".to_owned(), id.to_owned());
    assert_eq!(news(&p0), [joined_news("p1"), joined_news("p2"), joined_news("p3")]);
    // p2's answer comes last: its welcome is the roster, which is newer.
    let (welcomed, p2) = seat(&rosters, "p2", 3, &[("p0", ME), ("p1", THEM), ("p2", ME)]);
    rosters.landed("r");
    assert_eq!(welcomed, ["p0", "p1", "p3"]);
    assert!(news(&p0).is_empty() && news(&p2).is_empty());
    let route = rosters.route("r", &"p2".into(), Ticket(3), &"p3".into(), || "s".into());
    assert!(matches!(route, Ok(Route::Forward(instance)) if instance == THEM));
}

#[tokio::test]
async fn a_join_that_did_not_land_keeps_nothing() {
    let rosters = rosters();
    rosters.expect("r", "");
    rosters.apply(&joined(1, "p1", THEM));
    rosters.landed("r");
    assert_eq!(rosters.occupancy(), (0, 0));
}
