//! Two files machines wired together over simulated time: what one sends the other
//! takes, reads come back at once (unless held), the send queue drains at once, and
//! time moves only when a test jumps it.

use super::*;
use std::collections::HashMap;

/// One end and what its driver saw.
#[derive(Default)]
struct End {
    files: Files<Vec<u8>>,
    /// The files it sends, by transfer id.
    sending: HashMap<u32, Vec<u8>>,
    /// What went out as data frames, by transfer id (what the digest covers).
    sent: HashMap<u32, Vec<u8>>,
    /// What arrived, by transfer id.
    received: HashMap<u32, Vec<u8>>,
    /// Frames on their way to the other end.
    wire: Vec<FileFrame<Vec<u8>>>,
    /// Reads asked for and not yet answered (only while `hold_reads`).
    held: Vec<(u32, u64, u64)>,
    hold_reads: bool,
    /// Whether the next data frame it sends is damaged on the way.
    damage: bool,
    /// Everything else the machine said, in order.
    said: Vec<FileOutput<Vec<u8>>>,
}

impl End {
    fn settled(&self, id: u32, way: Direction) -> Option<Result<(), String>> {
        self.said.iter().find_map(|output| match output {
            FileOutput::Settled { id: i, way: w, result } if *i == id && *w == way => {
                Some(result.clone())
            }
            _ => None,
        })
    }

    fn progress(&self, way: Direction) -> Vec<(u64, u64)> {
        let reports = self.said.iter().filter_map(|output| match output {
            FileOutput::Progress { way: w, done, total, .. } if *w == way => Some((*done, *total)),
            _ => None,
        });
        reports.collect()
    }

    /// Carries out one output; `true` when there was one.
    fn step(&mut self, now: Instant) -> bool {
        let Some(output) = self.files.poll_output() else { return false };
        match output {
            FileOutput::Send(frame) => self.wire.push(frame),
            FileOutput::SendData { id, mut data } => {
                self.sent.entry(id).or_default().extend_from_slice(&data);
                if std::mem::take(&mut self.damage) {
                    data[0] ^= 1;
                }
                self.wire.extend([FileFrame::Part(id), FileFrame::Data(data)]);
            }
            FileOutput::Read { id, offset, len } if !self.hold_reads => {
                self.read(id, offset, len, now)
            }
            FileOutput::Read { id, offset, len } => self.held.push((id, offset, len)),
            FileOutput::Append { id, data } => self.received.entry(id).or_default().extend(data),
            FileOutput::Verify { id } => self.files.verified(id, Ok(())),
            other => self.said.push(other),
        }
        true
    }

    fn read(&mut self, id: u32, offset: u64, len: u64, now: Instant) {
        let file = &self.sending[&id];
        let slice = file[offset as usize..(offset + len) as usize].to_vec();
        self.files.slice_read(id, Ok(slice), now);
    }

    fn send_file(&mut self, name: &str, file: Vec<u8>, slice: u64) -> u32 {
        let size = file.len() as f64;
        let id = self.files.send_file(name, "text/plain", size, slice).expect("sendable");
        self.sending.insert(id, file);
        id
    }
}

/// A sender `a` and a receiver `b`, at time `now`.
struct Pair {
    a: End,
    b: End,
    now: Instant,
}

impl Pair {
    fn new() -> Self {
        let mut pair =
            Pair { a: End::default(), b: End::default(), now: Instant::from_millis(1_000) };
        pair.b.files.set_accepting(true);
        pair
    }

    /// Runs both ends until neither has anything left to do.
    fn settle(&mut self) {
        loop {
            let mut busy = false;
            while self.a.step(self.now) || self.b.step(self.now) {
                busy = true;
            }
            busy |= deliver(&mut self.a, &mut self.b, self.now);
            busy |= deliver(&mut self.b, &mut self.a, self.now);
            if !busy {
                return;
            }
        }
    }

    /// Moves time to `at` and fires both ends' deadlines that passed.
    fn jump(&mut self, at: Instant) {
        self.now = at;
        for end in [&mut self.a, &mut self.b] {
            if end.files.poll_timeout().is_some_and(|deadline| deadline <= at) {
                end.files.handle_timeout(at);
            }
        }
        self.settle();
    }
}

/// Hands what `from` sent to `to`, and drains `from`'s queue; `true` when it did any.
fn deliver(from: &mut End, to: &mut End, now: Instant) -> bool {
    let mut busy = false;
    for frame in std::mem::take(&mut from.wire) {
        busy = true;
        to.files.handle_frame(frame, now).expect("a good frame");
    }
    if from.files.awaits_drain() {
        busy = true;
        from.files.drained(now);
    }
    busy
}

fn bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_whole_file_goes_from_sender_to_receiver() {
    let mut pair = Pair::new();
    let file = bytes(10_000);
    let id = pair.a.send_file("photo.jpg", file.clone(), 4_096);
    pair.settle();
    let offered =
        Accepted { id, name: "photo.jpg".into(), mime: "text/plain".into(), size: 10_000 };
    assert_eq!(pair.b.said.first(), Some(&FileOutput::Accepted(offered)));
    assert_eq!(pair.b.received[&id], file);
    assert_eq!(pair.a.sent[&id], file);
    assert_eq!(pair.b.settled(id, Direction::Incoming), Some(Ok(())));
    assert_eq!(pair.a.settled(id, Direction::Outgoing), Some(Ok(())));
    assert_eq!(pair.a.files.poll_timeout(), None);
    assert_eq!(pair.b.files.poll_timeout(), None);
    // No time passed: the first count, then the last whatever the pace.
    for end in [&pair.a, &pair.b] {
        let way =
            if std::ptr::eq(end, &pair.a) { Direction::Outgoing } else { Direction::Incoming };
        assert_eq!(end.progress(way), [(4_096, 10_000), (10_000, 10_000)]);
    }
}

#[test]
fn an_empty_file_arrives_too() {
    let mut pair = Pair::new();
    let id = pair.a.send_file("empty", Vec::new(), 4_096);
    pair.settle();
    assert_eq!(pair.b.settled(id, Direction::Incoming), Some(Ok(())));
    assert_eq!(pair.a.settled(id, Direction::Outgoing), Some(Ok(())));
}

#[test]
fn one_data_frame_at_a_time_until_the_queue_drains() {
    let mut a = End::default();
    let id = a.send_file("f", bytes(10), 4);
    while a.step(Instant::from_millis(0)) {}
    // Offer out, first slice read: it waits for the offer to drain.
    assert_eq!(a.wire.len(), 1);
    assert!(a.files.awaits_drain());
    a.files.drained(Instant::from_millis(0));
    while a.step(Instant::from_millis(0)) {}
    assert_eq!(a.wire[1..], [FileFrame::Part(id), FileFrame::Data(bytes(10)[..4].to_vec())]);
    assert!(a.files.awaits_drain());
}

#[test]
fn a_stall_stops_both_ends() {
    let mut pair = Pair::new();
    pair.a.hold_reads = true;
    let id = pair.a.send_file("f", bytes(100), 10);
    pair.settle();
    assert_eq!(pair.b.files.poll_timeout(), Some(Instant::from_millis(1_000 + STALL_MS)));
    pair.jump(Instant::from_millis(1_000 + STALL_MS - 1));
    assert_eq!(pair.b.settled(id, Direction::Incoming), None);
    pair.jump(Instant::from_millis(1_000 + STALL_MS));
    let stalled = "no data for 30 seconds";
    assert_eq!(pair.b.settled(id, Direction::Incoming), Some(Err(stalled.into())));
    let told = format!("the receiver stopped: {stalled}");
    assert_eq!(pair.a.settled(id, Direction::Outgoing), Some(Err(told)));
    // The read the sender was waiting for comes back to nothing.
    let (id, offset, len) = pair.a.held[0];
    pair.a.read(id, offset, len, pair.now);
    pair.settle();
    assert!(pair.b.wire.is_empty() && pair.a.wire.is_empty());
}

#[test]
fn a_sender_gives_up_on_a_receiver_that_never_answers() {
    let mut a = End::default();
    let id = a.send_file("f", bytes(3), 10);
    for _ in 0..4 {
        while a.step(Instant::from_millis(0)) {}
        a.files.drained(Instant::from_millis(0));
    }
    assert!(matches!(a.wire.last(), Some(FileFrame::End { .. })));
    assert_eq!(a.files.poll_timeout(), Some(Instant::from_millis(STALL_MS)));
    a.files.handle_timeout(Instant::from_millis(STALL_MS));
    while a.step(Instant::from_millis(STALL_MS)) {}
    let reason = "the receiver did not confirm the file within 30 seconds";
    assert_eq!(a.settled(id, Direction::Outgoing), Some(Err(reason.into())));
    assert_eq!(a.wire.last(), Some(&FileFrame::Cancel { id, reason: reason.into() }));
}

#[test]
fn the_sender_cancels() {
    let mut pair = Pair::new();
    pair.a.hold_reads = true;
    let id = pair.a.send_file("f", bytes(100), 10);
    pair.settle();
    pair.a.files.stop_sending(id, "cancelled by the sender");
    pair.settle();
    let reason = "cancelled by the sender";
    assert_eq!(pair.a.settled(id, Direction::Outgoing), Some(Err(reason.into())));
    let told = format!("the sender stopped: {reason}");
    assert_eq!(pair.b.settled(id, Direction::Incoming), Some(Err(told)));
    assert_eq!(pair.b.files.poll_timeout(), None);
}

#[test]
fn the_receiver_cancels() {
    let mut pair = Pair::new();
    pair.a.hold_reads = true;
    let id = pair.a.send_file("f", bytes(100), 10);
    pair.settle();
    pair.b.files.stop_receiving(id, "cancelled by the receiver");
    pair.settle();
    let reason = "cancelled by the receiver";
    assert_eq!(pair.b.settled(id, Direction::Incoming), Some(Err(reason.into())));
    let told = format!("the receiver stopped: {reason}");
    assert_eq!(pair.a.settled(id, Direction::Outgoing), Some(Err(told)));
}

#[test]
fn a_wrong_digest_fails_the_transfer() {
    let mut pair = Pair::new();
    pair.a.damage = true;
    let id = pair.a.send_file("f", vec![1, 2, 3], 2);
    pair.settle();
    let reason = "the file arrived damaged: its SHA-256 does not match";
    assert_eq!(pair.b.settled(id, Direction::Incoming), Some(Err(reason.into())));
    let told = format!("the receiver stopped: {reason}");
    assert_eq!(pair.a.settled(id, Direction::Outgoing), Some(Err(told)));
}

#[test]
fn the_digest_is_over_the_frames_digests() {
    let mut a = End::default();
    let id = a.send_file("f", b"abc".to_vec(), 2);
    for _ in 0..4 {
        while a.step(Instant::from_millis(0)) {}
        a.files.drained(Instant::from_millis(0));
    }
    // SHA-256 of SHA-256("ab") and SHA-256("c") joined; with no frames, of nothing.
    let sha256 =
        Some("115323e562c4a4fdf7ceacedca660dc4bbe1389dab9323aad08440907c7426d0".to_owned());
    assert_eq!(a.wire.last(), Some(&FileFrame::End { id, sha256 }));
    let id = a.send_file("empty", Vec::new(), 2);
    while a.step(Instant::from_millis(0)) {}
    a.files.drained(Instant::from_millis(0));
    while a.step(Instant::from_millis(0)) {}
    let sha256 =
        Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_owned());
    assert_eq!(a.wire.last(), Some(&FileFrame::End { id, sha256 }));
}
