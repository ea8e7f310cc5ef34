//! Time in the browser's event loop: deadlines for a future, and the clock the machine
//! is given. The timeout is `gloo-timers`': dropping the wait clears the browser timer,
//! so nothing fires after the wait is over.

use futures_util::future::{Either, select};
use gloo_timers::future::TimeoutFuture;
use std::future::Future;
use std::pin::pin;

/// Runs `future` with a deadline: `None` when `ms` milliseconds pass first.
pub async fn timeout<F: Future>(ms: u32, future: F) -> Option<F::Output> {
    match select(pin!(future), TimeoutFuture::new(ms)).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}

/// The time for the machine (`peer-core`): milliseconds since the page (or worker)
/// started, from the monotonic `performance.now()`, so a change of the wall clock moves
/// no deadline.
pub fn now() -> peer_core::Instant {
    // Whole milliseconds: the deadlines are counted in them.
    peer_core::Instant::from_millis(performance_now() as u64)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.now()`, on the global of a page or a worker alike.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}
