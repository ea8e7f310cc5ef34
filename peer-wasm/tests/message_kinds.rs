//! Which JS values arrive as the kind they were sent as (every typed array, `DataView`,
//! `ArrayBuffer`), and which are refused at send because JSON would mangle them (`Blob`,
//! `Map`, `Set`, ...), on real data channels in headless Chromium.

#![cfg(target_arch = "wasm32")]

mod common;

use common::{TestPeer, room, wait_until};
use peer_wasm::{Payload, PeerError};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

// The page's helpers, made with `new Function` rather than `inline_js`: each inline
// snippet is one more file the test page loads, and past six (Chromium's connections to
// one host) wasm-bindgen-test-runner 0.2.130 sometimes never answers one of them, and
// the page never starts its tests.
const HELPERS: &str = r#"
function samples() {
  const buffer = new ArrayBuffer(64);
  new Uint8Array(buffer).forEach((_, i, bytes) => { bytes[i] = i * 7; });
  // 600 KiB: more than one frame, so it travels chunked.
  const big = new Float64Array(600 * 1024 / 8).map((_, i) => i / 3);
  return [
    new Int8Array([-128, 0, 127]),
    new Uint8Array([1, 2, 3]),
    new Uint8ClampedArray([0, 255]),
    new Int16Array([-2, 3]),
    new Uint16Array([65535]),
    new Int32Array([-5, 6]),
    new Uint32Array([4294967295]),
    new Float16Array([1.5, -2]),
    new Float32Array(buffer, 8, 4), // a view into the middle of a larger buffer
    new Float64Array([Math.PI]),
    new BigInt64Array([-1n]),
    new BigUint64Array([2n ** 64n - 1n]),
    new DataView(buffer, 3, 5),
    buffer.slice(0, 10),
    big,
  ];
}

function sameKindAndContents(sent, got) {
  const tag = (v) => Object.prototype.toString.call(v);
  const bytes = (v) => ArrayBuffer.isView(v)
    ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
  const [a, b] = [bytes(sent), bytes(got)];
  return tag(sent) === tag(got) && sent.length === got.length
    && a.length === b.length && a.every((byte, i) => byte === b[i]);
}

function unsendable() {
  return [
    new Blob(["x"]),
    new File(["x"], "a.txt"),
    new Map([[1, 2]]),
    new Set([1]),
    { photo: new Blob(["x"]) },
    [1, new Map()],
    { tags: new Set(["a"]) },
    { samples: new Float32Array(2) },
  ];
}

/** A Float64Array and a Map made in an iframe: `instanceof` fails for both here. */
function fromAnotherRealm() {
  const frame = document.createElement("iframe");
  document.body.appendChild(frame);
  const other = frame.contentWindow;
  return [new other.Float64Array([1.25, -3]), new other.Map([[1, 2]])];
}
return { samples, sameKindAndContents, unsendable, fromAnotherRealm };
"#;

/// The helper `name` of [`HELPERS`].
fn helper(name: &str) -> js_sys::Function {
    let helpers = js_sys::Function::new_no_args(HELPERS).call0(&JsValue::NULL).expect("made");
    js_sys::Reflect::get(&helpers, &name.into()).expect("a helper").unchecked_into()
}

fn samples() -> js_sys::Array {
    helper("samples").call0(&JsValue::NULL).expect("samples").unchecked_into()
}

fn same_kind_and_contents(sent: &JsValue, got: &JsValue) -> bool {
    helper("sameKindAndContents").call2(&JsValue::NULL, sent, got).expect("compared").is_truthy()
}

fn unsendable() -> js_sys::Array {
    helper("unsendable").call0(&JsValue::NULL).expect("values").unchecked_into()
}

fn from_another_realm() -> js_sys::Array {
    helper("fromAnotherRealm").call0(&JsValue::NULL).expect("values").unchecked_into()
}

/// Waits for `count` messages at `peer` and returns them as JS values.
async fn received(peer: &TestPeer, count: usize) -> Vec<JsValue> {
    let got = || peer.messages().len();
    wait_until("the messages", || got() >= count, || format!("{} messages", got())).await;
    peer.messages().iter().map(|(_, payload)| payload.to_js()).collect()
}

#[wasm_bindgen_test]
async fn typed_arrays_data_views_and_array_buffers_arrive_as_the_kind_sent() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    let sent = samples().to_vec();
    for value in &sent {
        alice.peer.send_to(&bob.id(), &Payload::from_js(value.clone())).expect("sent");
    }
    let got = received(&bob, sent.len()).await;
    for (index, (sent, got)) in sent.iter().zip(&got).enumerate() {
        assert!(same_kind_and_contents(sent, got), "sample {index}: sent {sent:?}, got {got:?}");
    }
}

#[wasm_bindgen_test]
async fn blobs_maps_and_sets_are_refused_at_send_with_what_to_do() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    let hints = ["arrayBuffer()", "arrayBuffer()", "Map", "Set", "photo", "Map", "Set", "own"];
    for (value, hint) in unsendable().to_vec().into_iter().zip(hints) {
        let payload = Payload::from_js(value.clone());
        for result in
            [alice.peer.send_to(&bob.id(), &payload), alice.peer.send_message(&payload).map(drop)]
        {
            match result {
                Err(PeerError::Unsendable(message)) => {
                    assert!(message.contains(hint), "{value:?}: {message:?} lacks {hint:?}")
                }
                other => panic!("{value:?} was not refused: {other:?}"),
            }
        }
    }
    // Nothing refused reached the receiver, and the connection still works.
    alice.peer.send_to(&bob.id(), &Payload::text("still here")).expect("sent");
    let got = received(&bob, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].as_string().as_deref(), Some("still here"));
}

#[wasm_bindgen_test]
async fn values_from_another_realm_are_told_apart_without_instanceof() {
    let [alice, bob] = room(["Alice", "Bob"]).await;
    alice.peer.connect(&bob.id()).await.expect("connects");
    let [floats, map] = <[JsValue; 2]>::try_from(from_another_realm().to_vec()).expect("two");
    let refused = alice.peer.send_to(&bob.id(), &Payload::from_js(map));
    assert!(matches!(refused, Err(PeerError::Unsendable(_))), "{refused:?}");
    alice.peer.send_to(&bob.id(), &Payload::from_js(floats.clone())).expect("sent");
    let got = received(&bob, 1).await;
    assert!(same_kind_and_contents(&floats, &got[0]), "got {:?}", got[0]);
}
