//! Resume tokens: what lets a peer come back under the id it had, after its socket dropped
//! or the server restarted, and no one else take that id.
//!
//! A token is `<id>.<expiry>.<mac>`: the peer id, the Unix time (seconds) after which the
//! token is refused, and base64url (no padding) of
//! HMAC-SHA256(key, `"resume\0" + room + "\0" + id + "\0" + expiry`). The server keeps no
//! record of the tokens it handed out: any server holding the key can check one, so a
//! restarted server, or another instance sharing the key, takes back the peers of the
//! one before. Only the server knows the key, so only it can mint a token, and a token
//! names its room and id, so it cannot be bent to another (no browser crypto needed).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use signaling_protocol::PeerId;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Length of the ids the server assigns: 16 lowercase hex digits.
const ID_CHARS: usize = 16;

/// The longest token there can be: an id, a `u64` expiry (20 digits), a 32-byte MAC in
/// base64 (43 characters), two dots. Anything longer is refused before it is parsed.
const MAX_TOKEN_CHARS: usize = ID_CHARS + 1 + 20 + 1 + 43;

/// The key that signs resume tokens (`--resume-key`). Its `Debug` prints no key, so
/// neither a logged [`crate::Config`] nor a panic message leaks it.
#[derive(Clone, PartialEq, Eq)]
pub struct ResumeKey(Vec<u8>);

/// Why a token was refused (for the logs: the client is only told `invalid_resume`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidToken {
    /// Not `<server id>.<expiry>.<base64url MAC>`.
    #[error("not a resume token")]
    Malformed,
    /// The MAC does not match: forged or altered, for another room, or minted with
    /// another key.
    #[error("not minted by this server for this room")]
    Forged,
    /// Minted here, but its expiry is past.
    #[error("expired")]
    Expired,
}

impl ResumeKey {
    /// Wraps `key`, whatever its bytes.
    pub fn new(key: impl Into<Vec<u8>>) -> Self {
        Self(key.into())
    }

    /// 32 random bytes from the operating system: for a server given no key, whose tokens
    /// then die with the process.
    pub fn random() -> Self {
        let mut key = [0; 32];
        // A host that cannot supply randomness cannot key anything safely: no fallback.
        getrandom::fill(&mut key).unwrap_or_else(|error| panic!("no OS randomness: {error}"));
        Self(key.to_vec())
    }

    /// The key's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the key is empty (which would make tokens anyone can compute).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A token for peer `id` of `room`, valid for `ttl` from `now`.
    pub fn mint(&self, room: &str, id: &PeerId, now: SystemTime, ttl: Duration) -> String {
        // A clock before 1970 is a broken host: its tokens expire early, no panic.
        let expiry = unix_secs(now).saturating_add(ttl.as_secs()).to_string();
        let tag = self.mac(room, id.as_str(), &expiry).finalize().into_bytes();
        format!("{id}.{expiry}.{}", URL_SAFE_NO_PAD.encode(tag))
    }

    /// The id `token` vouches for in `room` at `now`, or why it vouches for nothing.
    pub fn verify(&self, token: &str, room: &str, now: SystemTime) -> Result<PeerId, InvalidToken> {
        if token.len() > MAX_TOKEN_CHARS {
            return Err(InvalidToken::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(id), Some(expiry), Some(tag), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(InvalidToken::Malformed);
        };
        if !is_server_id(id) || !is_canonical_decimal(expiry) {
            return Err(InvalidToken::Malformed);
        }
        let expires: u64 = expiry.parse().map_err(|_| InvalidToken::Malformed)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| InvalidToken::Malformed)?;
        // In constant time: response times tell a forger nothing about the right MAC.
        self.mac(room, id, expiry).verify_slice(&tag).map_err(|_| InvalidToken::Forged)?;
        if unix_secs(now) >= expires {
            return Err(InvalidToken::Expired);
        }
        Ok(PeerId::new(id))
    }

    /// The HMAC over what a token vouches for, fed with everything but the tag. Room names
    /// and ids hold no NUL (nor do decimals), so the fields cannot run into each other.
    fn mac(&self, room: &str, id: &str, expiry: &str) -> Hmac<Sha256> {
        // HMAC takes a key of any length (longer ones are hashed first): this cannot fail.
        let mut mac = <Hmac<Sha256>>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        for field in ["resume", room, id] {
            mac.update(field.as_bytes());
            mac.update(b"\0");
        }
        mac.update(expiry.as_bytes());
        mac
    }
}

/// So clap can parse it straight from a flag or the environment.
impl From<String> for ResumeKey {
    fn from(key: String) -> Self {
        Self(key.into_bytes())
    }
}

impl fmt::Debug for ResumeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResumeKey(<redacted>)")
    }
}

/// Whether `id` has the shape of the ids this server assigns (`rooms.rs`): 16 lowercase
/// hex digits. A token for any other id is refused unread.
pub fn is_server_id(id: &str) -> bool {
    id.len() == ID_CHARS && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Digits only, with no leading zero (but `0` itself): one spelling per number.
fn is_canonical_decimal(text: &str) -> bool {
    !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text.len() == 1 || !text.starts_with('0'))
}

fn unix_secs(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    fn key() -> ResumeKey {
        ResumeKey::new("correct horse battery staple")
    }

    fn id() -> PeerId {
        PeerId::new("0123456789abcdef")
    }

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    /// Minted at 1764081000 - 1 day, so valid until 1764081000.
    fn token() -> String {
        key().mint("lobby", &id(), at(1_764_081_000) - DAY, DAY)
    }

    /// Pinned with `printf 'resume\0lobby\0000123456789abcdef\0001764081000' | openssl dgst
    /// -binary -sha256 -hmac "correct horse battery staple" | base64 | tr '+/' '-_' | tr -d
    /// '='`, independently of this code (the same token as the protocol's golden test).
    #[test]
    fn the_token_is_what_openssl_computes() {
        let mac = "BLUFBp8tzcHeMU1ssFNiHhKa9JpuPV5P11G4_xlXkNs";
        assert_eq!(token(), format!("0123456789abcdef.1764081000.{mac}"));
    }

    #[test]
    fn a_token_gives_back_its_id_in_its_room_until_it_expires() {
        let token = token();
        assert_eq!(key().verify(&token, "lobby", at(1_764_000_000)), Ok(id()));
        assert_eq!(key().verify(&token, "lobby", at(1_764_080_999)), Ok(id()));
        assert_eq!(key().verify(&token, "lobby", at(1_764_081_000)), Err(InvalidToken::Expired));
        assert_eq!(key().verify(&token, "lobby", at(1_900_000_000)), Err(InvalidToken::Expired));
    }

    #[test]
    fn every_tampering_is_refused() {
        let token = token();
        let now = at(1_764_000_000);
        let verify = |token: &str| key().verify(token, "lobby", now);
        let (_, rest) = token.split_once('.').expect("dots");
        let (expiry, mac) = rest.split_once('.').expect("dots");
        // Another room, another key.
        assert_eq!(key().verify(&token, "lobby2", now), Err(InvalidToken::Forged));
        assert_eq!(key().verify(&token, "Lobby", now), Err(InvalidToken::Forged));
        let other_key = ResumeKey::new("correct horse battery stapler");
        assert_eq!(other_key.verify(&token, "lobby", now), Err(InvalidToken::Forged));
        // Another id or expiry under the same MAC; another MAC of the same length.
        assert_eq!(verify(&format!("fedcba9876543210.{rest}")), Err(InvalidToken::Forged));
        assert_eq!(verify(&format!("{}.1864081000.{mac}", id())), Err(InvalidToken::Forged));
        let flipped = format!("{}A", &mac[..42]);
        assert_ne!(flipped, mac);
        assert_eq!(verify(&format!("{}.{expiry}.{flipped}", id())), Err(InvalidToken::Forged));
        // A genuine token of another peer, its id swapped for ours.
        let theirs = key().mint("lobby", &PeerId::new("fedcba9876543210"), now, DAY);
        let (_, their_rest) = theirs.split_once('.').expect("dots");
        assert_eq!(verify(&format!("{}.{their_rest}", id())), Err(InvalidToken::Forged));
        // Truncated or extended MACs: whether they decode or not, refused.
        for cut in 1..mac.len() {
            assert!(verify(&format!("{}.{expiry}.{}", id(), &mac[..cut])).is_err(), "{cut}");
        }
        for extra in ["A", "AA", "AAAA"] {
            assert!(verify(&format!("{}.{expiry}.{mac}{extra}", id())).is_err(), "{extra}");
        }
    }

    #[test]
    fn anything_not_shaped_like_a_token_is_malformed() {
        let token = token();
        let now = at(1_764_000_000);
        let (_, rest) = token.split_once('.').expect("dots");
        let (expiry, mac) = rest.split_once('.').expect("dots");
        let id = id();
        for bad in [
            String::new(),
            "garbage".into(),
            "..".into(),
            token[..token.len() - 44].to_owned(), // the MAC cut off, its dot kept
            token[..token.len() - 45].to_owned(), // the MAC and its dot cut off
            format!("{token}."),
            format!(".{token}"),
            format!("{token}.{mac}"),
            format!("{id}.{expiry}.{mac}="),
            format!("{id}.{expiry}.{}", mac.replace('_', "/")),
            format!("{}.{expiry}.{mac}", id.as_str().to_uppercase()),
            format!("{}.{expiry}.{mac}", &id.as_str()[1..]),
            format!("{id}0.{expiry}.{mac}"),
            format!(".{expiry}.{mac}"),
            format!("{id}.0{expiry}.{mac}"),
            format!("{id}.+{expiry}.{mac}"),
            format!("{id}..{mac}"),
            format!("{id}.99999999999999999999.{mac}"),
            format!("{id}.{expiry}.{mac}{}", "A".repeat(100)),
        ] {
            assert_eq!(key().verify(&bad, "lobby", now), Err(InvalidToken::Malformed), "{bad}");
        }
    }

    #[test]
    fn random_keys_are_32_bytes_and_differ() {
        let (a, b) = (ResumeKey::random(), ResumeKey::random());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        let token = a.mint("r", &id(), SystemTime::now(), DAY);
        assert_eq!(a.verify(&token, "r", SystemTime::now()), Ok(id()));
        assert_eq!(b.verify(&token, "r", SystemTime::now()), Err(InvalidToken::Forged));
    }

    #[test]
    fn debug_prints_no_key() {
        let printed = format!("{:?}", key());
        assert!(!printed.contains("horse"), "{printed}");
    }
}
