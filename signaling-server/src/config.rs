//! The server's options, with their defaults, and the checks `main` runs on them; among
//! them the TURN secret, which no `Debug` output shows. Then the limits that are no
//! options: fixed, and stated here with the others.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// The shortest TURN credential lifetime [`Config::validate`] accepts: peers are sent
/// fresh credentials at 80% of it, and more often than every 48 s would be churn.
pub const MIN_TURN_CREDENTIAL_TTL: Duration = Duration::from_secs(60);

/// Join proofs one connection may have checked at once (a client needs one; a few more
/// cover a page that retries), and how many per second after that: each check is a
/// signature verification (about 0.2 ms of CPU), which a stranger could otherwise ask
/// for as fast as it may send messages.
pub const PROOF_CHECK_BURST: u32 = 8;
/// See [`PROOF_CHECK_BURST`].
pub const PROOF_CHECKS_PER_SECOND: f64 = 0.2;

/// Most events kept for a shared room (Redis) while its first join is on its way (a join
/// takes a round trip to Redis; a room has at most `--max-peers-per-room` members to
/// announce).
pub const MAX_EARLY_EVENTS: usize = 1024;

/// Signals waiting for the Redis publisher: past this, a signal to another instance is
/// refused (`rate_limited`) rather than queued.
pub const MAX_PUBLISH_QUEUE: usize = 65_536;

/// How long a Redis command may take before the caller is told `unavailable`.
pub const REDIS_COMMAND_TIMEOUT: Duration = Duration::from_secs(1);

/// Everything the server can be told; `main.rs` fills it from flags and environment.
#[derive(Clone, Debug)]
pub struct Config {
    /// Directory served at `/` (the chat page; its `pkg/` holds the built WASM package).
    pub static_dir: PathBuf,
    /// Most peers one room holds; a further join gets `room_full`.
    pub max_peers_per_room: usize,
    /// Largest WebSocket message accepted, in bytes (SDPs are a few KiB).
    pub max_message_bytes: usize,
    /// Messages waiting for one peer's socket; a peer that falls this far behind is
    /// disconnected instead of growing the server's memory.
    pub peer_queue_len: usize,
    /// Bytes of messages waiting for one peer's socket, past which it is disconnected
    /// the same way: what a peer that stops reading can hold of the server's memory.
    pub peer_queue_bytes: usize,
    /// Most rooms at once; a join that would create one more gets `too_many_rooms`.
    pub max_rooms: usize,
    /// Most open WebSocket connections; past it new ones are closed with 1013.
    pub max_connections: usize,
    /// Most open WebSocket connections from one IP address (closed with 1013 past it).
    pub max_connections_per_ip: usize,
    /// Messages per second one connection may send, sustained...
    pub messages_per_second: u32,
    /// ...and at once; past that each message is refused with `rate_limited`.
    pub message_burst: u32,
    /// Pages allowed to open the WebSocket, by `Origin` header (e.g.
    /// `https://chat.example`); empty allows every origin.
    pub allowed_origins: Vec<String>,
    /// Refuse to create a room without a secret (`secret_required`). Either way, a room
    /// created with a secret admits only joins that present it.
    pub require_room_secrets: bool,
    /// Serve `GET /metrics` (Prometheus text format).
    pub metrics: bool,
    /// How often the server pings each socket.
    pub heartbeat: Duration,
    /// A socket from which nothing (not even a pong) arrived for this long is closed and
    /// its peer reported as left: a vanished host is noticed within seconds.
    pub idle_timeout: Duration,
    /// A socket that has not joined a room this long after it opened is closed (1008,
    /// "join timeout"), whether it answers pings or not.
    pub join_timeout: Duration,
    /// STUN URLs (`stun:` or `stuns:`) handed to every peer in its welcome.
    pub stun_urls: Vec<String>,
    /// TURN URLs (`turn:` or `turns:`) handed to every peer with credentials minted for
    /// it (`credentials/turn.rs`); used only together with `turn_secret`.
    pub turn_urls: Vec<String>,
    /// The secret shared with the TURN server (coturn's `static-auth-secret`), which
    /// mints the credentials. Never sent, and never printed (its `Debug` hides it).
    pub turn_secret: Option<TurnSecret>,
    /// How long minted TURN credentials stay valid; a peer gets fresh ones at 80% of it.
    /// [`Config::validate`] wants at least [`MIN_TURN_CREDENTIAL_TTL`]; tests, which
    /// build a `Config` directly, use seconds.
    pub turn_credential_ttl: Duration,
    /// Share rooms with every instance given the same Redis (`redis://host:port`);
    /// without it, rooms live in this process only. (A peer's id is derived from its key:
    /// it is the same on every instance with nothing more to share.)
    pub redis_url: Option<String>,
    /// How often this instance refreshes its liveness key in Redis and sweeps dead ones.
    pub redis_heartbeat: Duration,
    /// How long the liveness key outlives the last refresh: an instance killed outright
    /// is swept, its peers reported left, within this plus one heartbeat.
    pub redis_liveness_ttl: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            static_dir: PathBuf::from("www"),
            max_peers_per_room: 64,
            max_message_bytes: 64 * 1024,
            peer_queue_len: 256,
            // A newcomer to a full room (64 peers) may be sent an offer and a few
            // candidates by each of the 63 others at once: ~63 x 8 KB, half of this.
            // Sixteen messages of the largest size. And 1,024 stuck connections from one
            // address hold at most 1 GiB, until the send deadline drops them.
            peer_queue_bytes: 1024 * 1024,
            max_rooms: 10_000,
            max_connections: 16_000,
            max_connections_per_ip: 1_024,
            messages_per_second: 100,
            message_burst: 1_000,
            allowed_origins: Vec::new(),
            require_room_secrets: false,
            metrics: true,
            heartbeat: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(15),
            // A browser joins within a round trip of opening; ten seconds leave room for
            // a slow network and a retry after a refusal, and free an idle place soon.
            join_timeout: Duration::from_secs(10),
            stun_urls: Vec::new(),
            turn_urls: Vec::new(),
            turn_secret: None,
            // An hour: renewals are rare, and a leaked credential is soon worthless.
            turn_credential_ttl: Duration::from_secs(3600),
            redis_url: None,
            redis_heartbeat: Duration::from_secs(1),
            // Three missed heartbeats: a busy instance is not taken for dead.
            redis_liveness_ttl: Duration::from_secs(3),
        }
    }
}

/// The secret shared with the TURN server (coturn's `static-auth-secret`). Its `Debug`
/// prints no secret, so neither a logged [`Config`] nor a panic message leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct TurnSecret(String);

impl TurnSecret {
    /// Wraps `secret`.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, to key the HMAC of TURN credentials with.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether the secret is empty (which no TURN server accepts as a key).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// So clap can parse it straight from a flag or the environment.
impl From<String> for TurnSecret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TurnSecret(<redacted>)")
    }
}

/// An option the server cannot run with, worded for the person who set it.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// TURN URLs, but no secret to mint their credentials with.
    #[error(
        "--turn-url (SIGNALING_TURN_URLS) needs --turn-secret (SIGNALING_TURN_SECRET), the \
         static-auth-secret the TURN server was started with, to mint credentials for it"
    )]
    TurnUrlWithoutSecret,
    /// A secret, but no TURN server to use it for.
    #[error(
        "--turn-secret (SIGNALING_TURN_SECRET) is set but no --turn-url (SIGNALING_TURN_URLS): \
         there is no TURN server to mint credentials for"
    )]
    SecretWithoutTurnUrl,
    /// An empty secret, which would make credentials anyone can compute.
    #[error("--turn-secret (SIGNALING_TURN_SECRET) is empty")]
    EmptySecret,
    /// A TURN URL of another scheme.
    #[error("--turn-url {0:?} is not a TURN URL: it must start with turn: or turns:")]
    NotTurnUrl(String),
    /// A STUN URL of another scheme.
    #[error("--stun-url {0:?} is not a STUN URL: it must start with stun: or stuns:")]
    NotStunUrl(String),
    /// A credential lifetime under [`MIN_TURN_CREDENTIAL_TTL`].
    #[error(
        "--turn-credential-ttl-secs (SIGNALING_TURN_CREDENTIAL_TTL_SECS) is {0} s; it must be \
         at least {min} s", min = MIN_TURN_CREDENTIAL_TTL.as_secs()
    )]
    TtlTooShort(u64),
    /// A Redis URL the client cannot use.
    #[error("--redis-url (SIGNALING_REDIS_URL) {0:?} is not a Redis URL (redis://host:port)")]
    NotRedisUrl(String),
    /// A liveness key that would expire between two heartbeats.
    #[error("--redis-liveness-ttl-ms must be more than twice --redis-heartbeat-ms")]
    LivenessTooShort,
}

impl Config {
    /// Whether the server can run as configured (`main` checks before it binds). The
    /// server itself serves whatever it is given: with TURN URLs and no secret it hands
    /// out no TURN server.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(url) = self.stun_urls.iter().find(|url| !has_scheme(url, &["stun", "stuns"])) {
            return Err(ConfigError::NotStunUrl(url.clone()));
        }
        if let Some(url) = self.turn_urls.iter().find(|url| !has_scheme(url, &["turn", "turns"])) {
            return Err(ConfigError::NotTurnUrl(url.clone()));
        }
        match (&self.turn_secret, self.turn_urls.is_empty()) {
            (None, false) => return Err(ConfigError::TurnUrlWithoutSecret),
            (Some(_), true) => return Err(ConfigError::SecretWithoutTurnUrl),
            (Some(secret), false) if secret.is_empty() => return Err(ConfigError::EmptySecret),
            _ => {}
        }
        if self.turn_credential_ttl < MIN_TURN_CREDENTIAL_TTL {
            return Err(ConfigError::TtlTooShort(self.turn_credential_ttl.as_secs()));
        }
        if let Some(url) = &self.redis_url {
            if redis::Client::open(url.as_str()).is_err() {
                return Err(ConfigError::NotRedisUrl(url.clone()));
            }
            if self.redis_liveness_ttl <= self.redis_heartbeat * 2 {
                return Err(ConfigError::LivenessTooShort);
            }
        }
        Ok(())
    }
}

/// Whether `url` is `<one of schemes>:...` (RFC 7064 and 7065 URIs have no `//`).
fn has_scheme(url: &str, schemes: &[&str]) -> bool {
    url.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty() && schemes.iter().any(|s| scheme.eq_ignore_ascii_case(s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn turn(urls: &[&str], secret: Option<&str>) -> Config {
        Config {
            stun_urls: vec!["stun:stun.example.org:3478".into()],
            turn_urls: urls.iter().map(|url| (*url).to_owned()).collect(),
            turn_secret: secret.map(TurnSecret::new),
            ..Config::default()
        }
    }

    #[test]
    fn the_defaults_and_a_full_ice_setup_are_valid() {
        assert_eq!(Config::default().validate(), Ok(()));
        let urls = ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"];
        assert_eq!(turn(&urls, Some("s3cret")).validate(), Ok(()));
    }

    #[test]
    fn inconsistent_ice_options_are_refused() {
        let url = ["turn:turn.example.org"];
        assert_eq!(turn(&url, None).validate(), Err(ConfigError::TurnUrlWithoutSecret));
        assert_eq!(turn(&[], Some("s3cret")).validate(), Err(ConfigError::SecretWithoutTurnUrl));
        assert_eq!(turn(&url, Some("")).validate(), Err(ConfigError::EmptySecret));
        let http = "https://turn.example.org";
        assert_eq!(
            turn(&[http], Some("s3cret")).validate(),
            Err(ConfigError::NotTurnUrl(http.into()))
        );
        let stun_as_turn = "stun:turn.example.org";
        assert_eq!(
            turn(&[stun_as_turn], Some("s3cret")).validate(),
            Err(ConfigError::NotTurnUrl(stun_as_turn.into()))
        );
        let mut bad_stun = turn(&[], None);
        bad_stun.stun_urls = vec!["turn:stun.example.org".into()];
        let refused = bad_stun.validate();
        assert_eq!(refused, Err(ConfigError::NotStunUrl("turn:stun.example.org".into())));
        let short =
            Config { turn_credential_ttl: Duration::from_secs(59), ..turn(&url, Some("s")) };
        assert_eq!(short.validate(), Err(ConfigError::TtlTooShort(59)));
    }

    #[test]
    fn debug_hides_the_turn_secret() {
        let config = turn(&["turn:turn.example.org"], Some("do-not-print-me"));
        let printed = format!("{config:?} {config:#?}");
        assert!(!printed.contains("do-not-print"), "{printed}");
        assert!(printed.contains("turn:turn.example.org"), "the rest is printed");
    }

    #[test]
    fn redis_options_are_checked() {
        let with = |url: &str| Config { redis_url: Some(url.into()), ..Config::default() };
        assert_eq!(with("redis://127.0.0.1:6379").validate(), Ok(()));
        let refused = with("http://127.0.0.1").validate();
        assert_eq!(refused, Err(ConfigError::NotRedisUrl("http://127.0.0.1".into())));
        let hasty = Config { redis_liveness_ttl: Duration::from_secs(2), ..with("redis://h") };
        assert_eq!(hasty.validate(), Err(ConfigError::LivenessTooShort));
    }

    #[test]
    fn debug_prints_no_secret() {
        let printed = format!("{:?}", TurnSecret::new("north-wind"));
        assert!(!printed.contains("north-wind"), "{printed}");
    }
}
