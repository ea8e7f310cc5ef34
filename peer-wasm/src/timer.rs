//! Timers for the browser's event loop, so every wait in the crate can have a deadline.

use futures_util::future::{Either, select};
use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::pin;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    // The global `setTimeout`, which exists in windows and workers alike
    // (web-sys only offers it on `Window`).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> JsValue;
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let delay = i32::try_from(ms).unwrap_or(i32::MAX);
    let promise = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, delay);
    });
    // The promise only ever resolves.
    let _ = JsFuture::from(promise).await;
}

/// Runs `future` with a deadline: `None` when `ms` milliseconds pass first.
pub async fn timeout<F: Future>(ms: u32, future: F) -> Option<F::Output> {
    match select(pin!(future), pin!(sleep(ms))).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}
