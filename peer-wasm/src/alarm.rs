//! A machine's one timer: a browser timeout kept at the machine's next deadline
//! ([`peer_core::Core::poll_timeout`], [`peer_core::Files::poll_timeout`]), moved
//! whenever that changes. When it goes off, the machine is told the time (its
//! `handle_timeout`). The driver keeps one for the connection machine, and each
//! connection's files (`files/file_link.rs`) one for its files machine.

use crate::timer::now;
use gloo_timers::callback::Timeout;
use peer_core::Instant;
use std::cell::RefCell;

/// The armed timeout and the deadline it is for.
#[derive(Default)]
pub(crate) struct Alarm {
    armed: RefCell<Option<(Instant, Timeout)>>,
}

impl Alarm {
    /// Arms the timeout for `at` (disarms it with `None`), unless it is armed for it
    /// already; `wake` runs when it goes off.
    pub fn set(&self, at: Option<Instant>, wake: impl FnOnce() + 'static) {
        if self.armed.borrow().as_ref().map(|(armed, _)| *armed) == at {
            return;
        }
        // Dropping a timeout clears it (dropped outside the borrow).
        let old = self.armed.take();
        drop(old);
        if let Some(at) = at {
            let ms = at.as_millis().saturating_sub(now().as_millis());
            let timeout = Timeout::new(u32::try_from(ms).unwrap_or(u32::MAX), wake);
            self.armed.replace(Some((at, timeout)));
        }
    }

    /// Forgets the timeout that went off, so the next [`Alarm::set`] arms a new one
    /// even for the same deadline (a timeout that fired early).
    pub fn fired(&self) {
        let old = self.armed.take();
        drop(old);
    }
}
