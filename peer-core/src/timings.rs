//! How long the machine waits for each thing: the deadlines it sets, and the rejoin
//! backoff, in one place.

/// How long a new connection may take to open its data channel; when it is up and the
/// negotiation made progress meanwhile (a signal from the remote, a change of path), it
/// gets as long again.
pub(crate) const OPEN_DEADLINE_MS: u32 = 15_000;
/// How many times progress earns a connection another deadline: a remote that trickles
/// signals cannot keep a `connect()` waiting for ever. Dozens of connects at once on a
/// busy machine take longer than one deadline: a 32-peer mesh took 10-28 s here, and
/// failed on a deadline counted from the call alone.
pub(crate) const OPEN_DEADLINE_EXTENSIONS: u8 = 3;
/// How long a closing channel may take to close on both sides.
pub const LINGER_MS: u32 = 3_000;

/// How long a driver keeps a released connection, which still holds `buffered` bytes,
/// for what it queued to go out and its channel to close: the linger time, plus the
/// queue drained at 1 MB/s (a slow path's last megabytes are not cut off).
pub fn release_linger_ms(buffered: u64) -> u64 {
    u64::from(LINGER_MS).saturating_add(buffered / 1000)
}
/// How long a connect may go without a path before it tries the TURN relay only (when
/// one is configured): direct paths come up within a few hundred milliseconds where they
/// exist (0.15 s through a NAT, measured), and two symmetric NATs never give one.
pub(crate) const RELAY_FALLBACK_MS: u32 = 2_000;
/// How long ICE may take to recover from `failed` while a connect negotiates (late
/// candidates can still bring a path) before the connect fails.
pub(crate) const ICE_RECOVERY_MS: u32 = 5_000;
/// How long a path may stay quiet (ICE `disconnected`) before ICE restarts.
pub(crate) const STALL_GRACE_MS: u32 = 2_000;
/// How often the restarting side offers again while the path is not back.
pub(crate) const RESTART_RETRY_MS: u32 = 3_000;
/// How long ICE restarts may take to bring a failed path back before the link ends.
pub(crate) const RESTART_GIVE_UP_MS: u32 = 30_000;
/// How often an open channel carries a heartbeat (when nothing else goes out).
pub(crate) const HEARTBEAT_MS: u32 = 1_000;
/// Heartbeat periods of silence after which a remote nobody vouches for is dead.
pub(crate) const SILENT_PERIODS: u8 = 3;

/// How long to wait before each attempt to rejoin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The wait before the first attempt (at most; jitter takes up to half off).
    pub min_ms: u32,
    /// The longest wait between attempts.
    pub max_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { min_ms: 250, max_ms: 3_000 }
    }
}
