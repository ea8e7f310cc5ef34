//! The machine's clock: an [`Instant`] is a count of milliseconds since an origin the
//! driver picks (page load in the browser: `performance.now()`; zero in the tests). The
//! machine reads no clock of its own (`std::time::Instant` does not exist on
//! `wasm32-unknown-unknown`): the driver passes the time with every input.

use std::ops::Add;
use std::time::Duration;

/// A point in time, in milliseconds since the driver's origin.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(u64);

impl Instant {
    /// The instant `ms` milliseconds after the origin.
    pub const fn from_millis(ms: u64) -> Self {
        Self(ms)
    }

    /// Milliseconds since the origin.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// How long after `earlier` this is (zero if it is not after it).
    pub fn saturating_duration_since(self, earlier: Self) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// `ms` milliseconds later.
    pub(crate) fn after_ms(self, ms: u32) -> Self {
        self.after(u64::from(ms))
    }

    /// `ms` milliseconds later.
    pub(crate) fn after(self, ms: u64) -> Self {
        Self(self.0.saturating_add(ms))
    }

    /// Whole milliseconds from `earlier` to this instant (0 if `earlier` is later).
    pub fn millis_since(self, earlier: Self) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl Add<Duration> for Instant {
    type Output = Self;

    fn add(self, duration: Duration) -> Self {
        let ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
        Self(self.0.saturating_add(ms))
    }
}
