//! The receiving end's limits, frame by frame: what a misbehaving sender gets back.

use super::*;

fn receiver() -> Files<Vec<u8>> {
    let mut files = Files::new();
    files.set_accepting(true);
    files
}

fn offer(id: u32, size: f64) -> FileFrame<Vec<u8>> {
    FileFrame::Offer(Offer { id, name: "a.txt".into(), size, mime: String::new() })
}

/// Everything the machine asked for, in order.
fn outputs(files: &mut Files<Vec<u8>>) -> Vec<FileOutput<Vec<u8>>> {
    std::iter::from_fn(|| files.poll_output()).collect()
}

fn refusals(files: &mut Files<Vec<u8>>) -> Vec<(u32, String)> {
    let refused = outputs(files).into_iter().filter_map(|output| match output {
        FileOutput::Send(FileFrame::Refuse { id, reason }) => Some((id, reason)),
        _ => None,
    });
    refused.collect()
}

#[test]
fn more_bytes_than_announced_stop_the_transfer() {
    let mut files = receiver();
    let now = Instant::from_millis(0);
    files.handle_frame(offer(1, 5.0), now).expect("a good frame");
    files.handle_frame(FileFrame::Part(1), now).expect("a good frame");
    files.handle_frame(FileFrame::Data(vec![0; 4]), now).expect("a good frame");
    files.handle_frame(FileFrame::Part(1), now).expect("a good frame");
    files.handle_frame(FileFrame::Data(vec![0; 2]), now).expect("a good frame");
    let reason = "the sender sent more than the 5 bytes it announced";
    let said = outputs(&mut files);
    let settled =
        FileOutput::Settled { id: 1, way: Direction::Incoming, result: Err(reason.into()) };
    assert!(said.contains(&settled), "{said:?}");
    let refused = FileFrame::Refuse { id: 1, reason: reason.into() };
    assert!(said.contains(&FileOutput::Send(refused)));
    // Its later frames are dropped quietly.
    files.handle_frame(FileFrame::Part(1), now).expect("a good frame");
    files.handle_frame(FileFrame::Data(vec![0]), now).expect("a good frame");
    assert!(outputs(&mut files).is_empty());
}

#[test]
fn fewer_bytes_than_announced_fail_at_the_end() {
    let mut files = receiver();
    files.handle_frame(offer(1, 5.0), Instant::from_millis(0)).expect("a good frame");
    files
        .handle_frame(FileFrame::End { id: 1, sha256: None }, Instant::from_millis(0))
        .expect("a good frame");
    let reason = "the file ended after 0 of its 5 bytes".to_owned();
    assert_eq!(refusals(&mut files), [(1, reason)]);
}

#[test]
fn too_many_incoming_transfers_are_refused() {
    let mut files = receiver();
    for id in 1..=MAX_INCOMING as u32 + 1 {
        files.handle_frame(offer(id, 1.0), Instant::from_millis(0)).expect("a good frame");
    }
    let ninth = (MAX_INCOMING as u32 + 1, "more than 8 files at once".to_owned());
    assert_eq!(refusals(&mut files), [ninth]);
}

#[test]
fn offers_breaking_a_limit_are_refused() {
    let mut files = receiver();
    let long = "n".repeat(MAX_NAME_CHARS + 1);
    let frames = [
        FileFrame::Offer(Offer { id: 1, name: String::new(), size: 1.0, mime: String::new() }),
        FileFrame::Offer(Offer { id: 2, name: "a".into(), size: 1.0, mime: long }),
        offer(3, 1.5),
        offer(4, MAX_FILE_BYTES as f64 + 1.0),
        offer(5, 1.0),
        offer(5, 1.0),
    ];
    for frame in frames {
        files.handle_frame(frame, Instant::from_millis(0)).expect("a good frame");
    }
    let reasons: Vec<String> = refusals(&mut files).into_iter().map(|(_, why)| why).collect();
    assert_eq!(
        reasons,
        [
            "a name must have 1 to 255 characters",
            "a type must have at most 255 characters",
            "a size must be a whole number of bytes up to 68719476736",
            "a size must be a whole number of bytes up to 68719476736",
            "a transfer id used twice",
        ]
    );
    let mut closed = Files::<Vec<u8>>::new();
    closed.handle_frame(offer(1, 1.0), Instant::from_millis(0)).expect("a good frame");
    assert_eq!(refusals(&mut closed), [(1, "the receiver takes no files".to_owned())]);
}

#[test]
fn data_for_an_unknown_transfer_is_refused_once() {
    let mut files = receiver();
    for _ in 0..2 {
        files.handle_frame(FileFrame::Part(9), Instant::from_millis(0)).expect("a good frame");
        files
            .handle_frame(FileFrame::Data(vec![1]), Instant::from_millis(0))
            .expect("a good frame");
    }
    assert_eq!(refusals(&mut files), [(9, "unknown transfer".to_owned())]);
}

#[test]
fn only_the_data_frame_may_follow_a_part_frame() {
    let mut files = receiver();
    files.handle_frame(offer(1, 5.0), Instant::from_millis(0)).expect("a good frame");
    files.handle_frame(FileFrame::Part(1), Instant::from_millis(0)).expect("a good frame");
    assert!(files.awaits_data());
    assert_eq!(files.handle_frame(FileFrame::OtherText, Instant::from_millis(0)), Err(BadFrame));
    files.handle_frame(FileFrame::Part(1), Instant::from_millis(0)).expect("a good frame");
    assert_eq!(files.handle_frame(FileFrame::Kept(1), Instant::from_millis(0)), Err(BadFrame));
    assert_eq!(
        files.handle_frame(FileFrame::Data(vec![1]), Instant::from_millis(0)),
        Err(BadFrame)
    );
}

#[test]
fn transfer_ids_start_at_one() {
    let mut sender = Files::<Vec<u8>>::new();
    assert_eq!(sender.send_file("a", "", 1.0, 10), Ok(1));
    assert_eq!(sender.send_file("b", "", 1.0, 10), Ok(2));
    assert_eq!(sender.send_file("", "", 1.0, 10), Err("a name must have 1 to 255 characters"));
    let too_big = MAX_FILE_BYTES as f64 + 1.0;
    assert_eq!(sender.send_file("c", "", too_big, 10), Err("a file may be at most 64 GiB"));
}

#[test]
fn progress_is_paced() {
    let mut files = receiver();
    files.handle_frame(offer(1, 4.0), Instant::from_millis(0)).expect("a good frame");
    for at in [0, 100, 249, 250, 400, 600] {
        let byte = if at >= 400 { vec![] } else { vec![0] };
        files.handle_frame(FileFrame::Part(1), Instant::from_millis(at)).expect("a good frame");
        files.handle_frame(FileFrame::Data(byte), Instant::from_millis(at)).expect("a good frame");
    }
    files
        .handle_frame(FileFrame::End { id: 1, sha256: None }, Instant::from_millis(700))
        .expect("a good frame");
    files.verified(1, Ok(()));
    let reports: Vec<(u64, u64)> = (outputs(&mut files).into_iter())
        .filter_map(|output| match output {
            FileOutput::Progress { done, total, .. } => Some((done, total)),
            _ => None,
        })
        .collect();
    // At 0 and 250 (100 and 249 too soon; 400 too soon after 250), 600, and the last.
    assert_eq!(reports, [(1, 4), (4, 4), (4, 4), (4, 4)]);
}

#[test]
fn transfer_id_0_is_a_bad_frame() {
    let mut files = receiver();
    for frame in [offer(0, 1.0), FileFrame::Part(0), FileFrame::Kept(0)] {
        assert_eq!(files.handle_frame(frame, Instant::from_millis(0)), Err(BadFrame));
    }
    let end = FileFrame::End { id: 0, sha256: None };
    assert_eq!(files.handle_frame(end, Instant::from_millis(0)), Err(BadFrame));
    assert!(outputs(&mut files).is_empty());
}
