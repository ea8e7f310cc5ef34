//! Deadlines for the browser's event loop. The timeout is `gloo-timers`': dropping the
//! wait clears the browser timer, so nothing fires after the wait is over.

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
