//! The file frames: the spec's example as a sending machine writes it and a receiving
//! one reads it back (both `peer_core::files::Files`, wired through this module's
//! frames), the digest example, and each frame's text.

use super::files::{FileFrame, data_frames, encode, parse};
use super::frame::Frame;
use super::reading::{Incoming, Reader};
use peer_core::files::{FileOutput, Files, Instant, Offer};

const NOW: Instant = Instant::from_millis(0);

/// Runs a sending machine for `file` at `slice` bytes per data frame until it has
/// nothing more to do: the frames it sent, in order.
fn send(file: &[u8], name: &str, mime: &str, slice: u64) -> Vec<Frame> {
    let mut sender: Files<Vec<u8>> = Files::new();
    let id = sender.send_file(name, mime, file.len() as f64, slice).expect("sendable");
    let mut frames = Vec::new();
    loop {
        let Some(output) = sender.poll_output() else {
            if !sender.awaits_drain() {
                return frames;
            }
            sender.drained(NOW);
            continue;
        };
        match output {
            FileOutput::Send(frame) => frames.extend(encode(&frame)),
            FileOutput::SendData { id, data } => frames.extend(data_frames(id, data)),
            FileOutput::Read { offset, len, .. } => {
                let (start, end) = (offset as usize, (offset + len) as usize);
                sender.slice_read(id, Ok(file[start..end].to_vec()), NOW);
            }
            _ => {}
        }
    }
}

fn describe(frames: &[Frame]) -> Vec<String> {
    let one = |frame: &Frame| match frame {
        Frame::Text(text) => text.clone(),
        Frame::Binary(bytes) => bytes.len().to_string(),
    };
    frames.iter().map(one).collect()
}

#[test]
fn the_photo_example_goes_as_in_the_spec_and_arrives_whole() {
    let photo: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let frames = send(&photo, "photo.jpg", "image/jpeg", 262_144);
    let described = describe(&frames);
    let offer = r#"f{"id":1,"name":"photo.jpg","size":300000,"type":"image/jpeg"}"#;
    assert_eq!(described[..5], [offer, "d1", "262144", "d1", "37856"]);
    assert_eq!(described.len(), 6);
    let digest = described[5].strip_prefix("e1:").expect("an end frame with its digest");
    assert!(digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()));

    // The receiving side: the reader's frames straight into the machine.
    let (mut reader, mut receiver) = (Reader::new(), Files::<Vec<u8>>::new());
    receiver.set_accepting(true);
    for frame in frames {
        let Some(Incoming::File(frame)) = reader.read(frame).expect("well formed") else {
            panic!("a file frame");
        };
        receiver.handle_frame(frame, NOW).expect("in place");
    }
    let (mut received, mut verified) = (Vec::new(), false);
    while let Some(output) = receiver.poll_output() {
        match output {
            FileOutput::Append { data, .. } => received.extend(data),
            FileOutput::Verify { id: 1 } => verified = true,
            _ => {}
        }
    }
    assert!(verified && received == photo, "the file did not arrive whole");
    receiver.verified(1, Ok(()));
    let answer: Vec<Frame> = std::iter::from_fn(|| receiver.poll_output())
        .filter_map(|output| match output {
            FileOutput::Send(frame) => encode(&frame),
            _ => None,
        })
        .collect();
    assert_eq!(answer, [Frame::Text("k1".into())]);
}

#[test]
fn the_digest_example_matches() {
    let frames = send(b"abc", "abc.txt", "text/plain", 2);
    let digest = "115323e562c4a4fdf7ceacedca660dc4bbe1389dab9323aad08440907c7426d0";
    assert_eq!(describe(&frames)[1..], ["d1", "2", "d1", "1", &format!("e1:{digest}")]);
    let empty = send(b"", "empty", "", 2);
    let no_bytes = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_eq!(describe(&empty)[1..], [format!("e1:{no_bytes}")]);
}

#[test]
fn every_frame_reads_back_as_written() {
    let offer = Offer { id: 7, name: "a \"b\".txt".into(), size: 5e9, mime: "text/plain".into() };
    let frames = [
        FileFrame::Offer(offer),
        FileFrame::Part(12),
        FileFrame::End { id: 3, sha256: None },
        FileFrame::End { id: 3, sha256: Some("ab".repeat(32)) },
        FileFrame::Cancel { id: 4, reason: "disk full".into() },
        FileFrame::Refuse { id: 4294967295, reason: "why: because".into() },
        FileFrame::Kept(9),
    ];
    let texts = [
        r#"f{"id":7,"name":"a \"b\".txt","size":5000000000,"type":"text/plain"}"#,
        "d12",
        "e3",
        &format!("e3:{}", "ab".repeat(32)),
        "x4:disk full",
        "r4294967295:why: because",
        "k9",
    ];
    for (frame, wanted) in frames.into_iter().zip(texts) {
        assert_eq!(encode(&frame), Some(Frame::Text(wanted.to_owned())));
        assert_eq!(parse(wanted), Ok(frame));
    }
    assert_eq!(encode(&FileFrame::OtherText), None);
}

#[test]
fn peers_frames_are_read_leniently_where_the_spec_allows() {
    let upper = format!("e3:{}", "AB".repeat(32));
    assert_eq!(parse(&upper), Ok(FileFrame::End { id: 3, sha256: Some("ab".repeat(32)) }));
    let no_reason = FileFrame::Refuse { id: 4, reason: "no reason given".into() };
    assert_eq!(parse("r4"), Ok(no_reason));
    let long = format!("x9:{}", "z".repeat(1000));
    assert!(matches!(parse(&long), Ok(FileFrame::Cancel { reason, .. }) if reason.len() == 200));
    let offer_of = |id: &str| format!(r#"f{{"id":{id},"name":"a","size":1.5,"type":""}}"#);
    assert!(matches!(
        parse(&offer_of("4294967295")),
        Ok(FileFrame::Offer(Offer { id: 4294967295, .. }))
    ));
    assert!(matches!(parse(&offer_of("2.0")), Ok(FileFrame::Offer(Offer { id: 2, .. }))));
    for frame in [offer_of("0"), offer_of("4294967296"), offer_of("1.5"), offer_of("\"1\"")] {
        assert!(parse(&frame).is_err(), "{frame} was taken");
    }
    for frame in ["d0", "e0", "x0:why", "r0:why", "k0", "d4294967296", "d+1"] {
        assert!(parse(frame).is_err(), "{frame} was taken");
    }
    assert!(parse(r#"f{"id":1,"name":"a","size":"1","type":""}"#).is_err());
    assert!(parse(r#"f{"id":1,"name":"a","size":1}"#).is_err());
}
