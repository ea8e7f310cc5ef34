//! Random interleavings of everything that can happen to one connection's files machine
//! (files sent, reads answered well, short or failed, the queue draining, any frame a
//! peer may send, in order or not, cancels from either side, checks that pass or fail,
//! time jumping ahead, the connection ending), checking after every step what an app
//! relies on:
//! - every transfer ends exactly once, and nothing is asked or told of it after its end;
//! - a receiver never keeps more bytes than the offer announced, nor receives more than
//!   [`MAX_INCOMING`] transfers at once (one whose check was asked for no longer
//!   receives);
//! - progress never counts past the total;
//! - after the time is handled, no deadline is left in the past;
//! - a bad frame ends the connection: every transfer then ends, and no deadline is left.

use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Clone, Debug)]
enum Op {
    /// We start sending a file of this many bytes (8-byte slices).
    Send(u8),
    /// The oldest read asked for comes back: whole, short, or failed.
    Read(u8),
    Drained,
    /// A frame from the peer.
    Frame(Remote),
    /// We cancel one of our transfers (sending or receiving), by id.
    StopSending(u8),
    StopReceiving(u8),
    /// The oldest check asked for is done: the file was kept, or not.
    Verified(bool),
    Accepting(bool),
    /// Time jumps ahead by this many milliseconds, and the deadlines that came are handled.
    Advance(u32),
    /// The connection ends.
    FailAll,
}

#[derive(Clone, Debug)]
enum Remote {
    Offer {
        id: u8,
        size: u8,
    },
    Part(u8),
    /// The data frame: this many bytes (only where one may come, as a driver hands it).
    Data(u8),
    /// `d` and its data frame, as a sender sends them.
    Chunk {
        id: u8,
        len: u8,
    },
    /// Offers of 16 bytes, numbered from 10: more at once than a receiver takes.
    Flood(u8),
    OtherText,
    End {
        id: u8,
        digest: bool,
    },
    Cancel(u8),
    Refuse(u8),
    Kept(u8),
}

fn small_id() -> impl Strategy<Value = u8> {
    // Mostly ids in use, sometimes 0 (a bad frame) or one never used.
    prop_oneof![8 => 1..3u8, 1 => Just(0u8), 1 => 3..=255u8]
}

/// Sizes that whole 8-byte data frames fill (so that files arrive whole), and any other.
fn size() -> impl Strategy<Value = u8> {
    prop_oneof![Just(0u8), Just(8u8), Just(16u8), any::<u8>()]
}

fn data_len() -> impl Strategy<Value = u8> {
    prop_oneof![3 => Just(8u8), 1 => any::<u8>()]
}

fn remote() -> impl Strategy<Value = Remote> {
    prop_oneof![
        2 => (small_id(), size()).prop_map(|(id, size)| Remote::Offer { id, size }),
        1 => small_id().prop_map(Remote::Part),
        1 => data_len().prop_map(Remote::Data),
        4 => (small_id(), data_len()).prop_map(|(id, len)| Remote::Chunk { id, len }),
        1 => (1..16u8).prop_map(Remote::Flood),
        1 => Just(Remote::OtherText),
        2 => (small_id(), any::<bool>()).prop_map(|(id, digest)| Remote::End { id, digest }),
        1 => small_id().prop_map(Remote::Cancel),
        1 => small_id().prop_map(Remote::Refuse),
        1 => small_id().prop_map(Remote::Kept),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => size().prop_map(Op::Send),
        4 => any::<u8>().prop_map(Op::Read),
        4 => Just(Op::Drained),
        8 => remote().prop_map(Op::Frame),
        1 => small_id().prop_map(Op::StopSending),
        1 => small_id().prop_map(Op::StopReceiving),
        2 => any::<bool>().prop_map(Op::Verified),
        1 => any::<bool>().prop_map(Op::Accepting),
        2 => prop_oneof![0..1_000u32, 0..40_000u32].prop_map(Op::Advance),
        1 => Just(Op::FailAll),
    ]
}

/// What the driver holds, and what it saw of each transfer.
#[derive(Default)]
struct Seen {
    now: u64,
    reads: Vec<(u32, u64)>,
    checks: Vec<u32>,
    /// Ended transfers, by id and direction.
    ended: Vec<(u32, Direction)>,
    /// Offered sizes and bytes kept, of the incoming transfers accepted.
    incoming: HashMap<u32, (u64, u64)>,
    /// Those of them being checked (they no longer receive).
    checking: Vec<u32>,
}

impl Seen {
    /// Takes every output, checking each against what came before.
    fn take(&mut self, files: &mut Files<Vec<u8>>) -> Result<(), TestCaseError> {
        while let Some(output) = files.poll_output() {
            let (id, way) = match &output {
                FileOutput::Send(_) | FileOutput::Warning(_) => continue,
                FileOutput::SendData { id, .. } | FileOutput::Read { id, .. } => {
                    (*id, Direction::Outgoing)
                }
                FileOutput::Accepted(accepted) => (accepted.id, Direction::Incoming),
                FileOutput::Append { id, .. } | FileOutput::Verify { id } => {
                    (*id, Direction::Incoming)
                }
                FileOutput::Progress { id, way, .. } | FileOutput::Settled { id, way, .. } => {
                    (*id, *way)
                }
            };
            if matches!(output, FileOutput::Accepted(_)) {
                // A new transfer (an id that ended long ago may come again).
                self.ended.retain(|ended| *ended != (id, way));
            }
            let ended = self.ended.contains(&(id, way));
            prop_assert!(!ended, "{output:?} after transfer {id} ({way:?}) ended");
            match output {
                FileOutput::Read { id, len, .. } => self.reads.push((id, len)),
                FileOutput::Accepted(accepted) => {
                    self.incoming.insert(accepted.id, (accepted.size, 0));
                    let receiving = self.incoming.len() - self.checking.len();
                    prop_assert!(receiving <= MAX_INCOMING, "{receiving} receiving at once");
                }
                FileOutput::Append { id, data } => {
                    let (size, kept) = self.incoming.get_mut(&id).expect("accepted first");
                    *kept += data.len() as u64;
                    prop_assert!(*kept <= *size, "kept {kept} of an offer of {size}");
                }
                FileOutput::Verify { id } => {
                    self.checks.push(id);
                    self.checking.push(id);
                }
                FileOutput::Progress { done, total, .. } => prop_assert!(done <= total),
                FileOutput::Settled { id, way, .. } => {
                    self.ended.push((id, way));
                    if way == Direction::Incoming {
                        self.incoming.remove(&id);
                        self.checking.retain(|checking| *checking != id);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The frames `remote` stands for, in order.
fn frames(remote: &Remote) -> Vec<FileFrame<Vec<u8>>> {
    match *remote {
        Remote::Chunk { id, len } => {
            vec![FileFrame::Part(u32::from(id)), FileFrame::Data(vec![7; usize::from(len)])]
        }
        Remote::Flood(n) => (10..10 + u32::from(n))
            .map(|id| {
                FileFrame::Offer(Offer { id, name: "f".into(), size: 16.0, mime: String::new() })
            })
            .collect(),
        _ => vec![frame(remote)],
    }
}

fn frame(remote: &Remote) -> FileFrame<Vec<u8>> {
    match *remote {
        Remote::Offer { id, size } => FileFrame::Offer(Offer {
            id: u32::from(id),
            name: "f".into(),
            size: f64::from(size),
            mime: String::new(),
        }),
        Remote::Part(id) => FileFrame::Part(u32::from(id)),
        Remote::Data(len) => FileFrame::Data(vec![7; usize::from(len)]),
        Remote::OtherText => FileFrame::OtherText,
        Remote::End { id, digest } => {
            FileFrame::End { id: u32::from(id), sha256: digest.then(|| "0".repeat(64)) }
        }
        Remote::Cancel(id) => FileFrame::Cancel { id: u32::from(id), reason: "why".into() },
        Remote::Refuse(id) => FileFrame::Refuse { id: u32::from(id), reason: "why".into() },
        Remote::Kept(id) => FileFrame::Kept(u32::from(id)),
        Remote::Chunk { .. } | Remote::Flood(_) => unreachable!("several frames"),
    }
}

/// The connection ends (`fail_all`): every transfer ends, those being checked once their
/// check is done, and no deadline is left.
fn connection_ends(files: &mut Files<Vec<u8>>, seen: &mut Seen) -> Result<(), TestCaseError> {
    files.fail_all("the connection ended");
    seen.take(files)?;
    for id in std::mem::take(&mut seen.checks) {
        files.verified(id, Ok(()));
    }
    seen.take(files)?;
    prop_assert!(seen.incoming.is_empty(), "{:?} still running", seen.incoming);
    prop_assert_eq!(files.poll_timeout(), None);
    Ok(())
}

/// Applies `ops` in order, checking the promises after each.
fn run(ops: &[Op]) -> Result<(), TestCaseError> {
    let mut files: Files<Vec<u8>> = Files::new();
    files.set_accepting(true);
    let mut seen = Seen::default();
    for op in ops {
        let now = Instant::from_millis(seen.now);
        match op {
            Op::Send(size) => {
                let _ = files.send_file("f", "", f64::from(*size), 8);
            }
            Op::Read(how) => {
                if !seen.reads.is_empty() {
                    let (id, len) = seen.reads.remove(0);
                    let read = match how % 8 {
                        0 => Err("unreadable".to_owned()),
                        1 => Ok(vec![1; (len as usize).saturating_sub(1)]),
                        _ => Ok(vec![1; len as usize]),
                    };
                    files.slice_read(id, read, now);
                }
            }
            Op::Drained => files.drained(now),
            Op::Frame(remote) => {
                let hands_over = match remote {
                    Remote::Data(_) | Remote::OtherText => files.awaits_data(),
                    _ => true,
                };
                let mut frames = frames(remote).into_iter();
                if hands_over && frames.any(|frame| files.handle_frame(frame, now).is_err()) {
                    // A bad frame ends the connection.
                    return connection_ends(&mut files, &mut seen);
                }
            }
            Op::StopSending(id) => files.stop_sending(u32::from(*id), "cancelled"),
            Op::StopReceiving(id) => files.stop_receiving(u32::from(*id), "cancelled"),
            Op::Verified(kept) => {
                if !seen.checks.is_empty() {
                    let id = seen.checks.remove(0);
                    files.verified(id, if *kept { Ok(()) } else { Err("no room".into()) });
                }
            }
            Op::Accepting(accepting) => files.set_accepting(*accepting),
            Op::Advance(ms) => {
                seen.now += u64::from(*ms);
                let now = Instant::from_millis(seen.now);
                files.handle_timeout(now);
                if let Some(due) = files.poll_timeout() {
                    prop_assert!(due > now, "a deadline at {due:?} left behind at {now:?}");
                }
            }
            Op::FailAll => return connection_ends(&mut files, &mut seen),
        }
        seen.take(&mut files)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn any_interleaving_ends_every_transfer_once(ops in prop::collection::vec(op(), 1..120)) {
        run(&ops)?;
    }
}
