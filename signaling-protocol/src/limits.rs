//! What the server accepts as a room or a display name.
//!
//! Kept here so a client can check its input before it ever reaches the server, and
//! both sides give the same answer.

use crate::ErrorCode;

/// Longest display name, in Unicode scalar values.
pub const MAX_NAME_CHARS: usize = 64;

/// Longest room name, in Unicode scalar values.
pub const MAX_ROOM_CHARS: usize = 64;

/// A display name is 1 to [`MAX_NAME_CHARS`] characters, not blank, with no control
/// characters (so it cannot break a log line or a chat page).
pub fn validate_name(name: &str) -> Result<(), ErrorCode> {
    let chars = name.chars().count();
    let printable = !name.chars().any(char::is_control);
    if chars == 0 || chars > MAX_NAME_CHARS || name.trim().is_empty() || !printable {
        return Err(ErrorCode::InvalidName);
    }
    Ok(())
}

/// Longest room secret, in Unicode scalar values.
pub const MAX_SECRET_CHARS: usize = 128;

/// A room secret is 1 to [`MAX_SECRET_CHARS`] characters with no control characters.
/// It is compared exactly (no trimming, no case folding).
pub fn validate_secret(secret: &str) -> Result<(), ErrorCode> {
    let chars = secret.chars().count();
    if chars == 0 || chars > MAX_SECRET_CHARS || secret.chars().any(char::is_control) {
        return Err(ErrorCode::InvalidSecret);
    }
    Ok(())
}

/// A room name is 1 to [`MAX_ROOM_CHARS`] ASCII letters, digits, `-`, `_` or `.`
/// (safe in a URL, a log line and a Redis key).
pub fn validate_room(room: &str) -> Result<(), ErrorCode> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if room.is_empty() || room.len() > MAX_ROOM_CHARS || !room.chars().all(allowed) {
        return Err(ErrorCode::InvalidRoom);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_unicode_and_reject_blank_long_or_control() {
        assert_eq!(validate_name("Peer 1"), Ok(()));
        assert_eq!(validate_name("Zoë 🦀"), Ok(()));
        assert_eq!(validate_name(&"é".repeat(MAX_NAME_CHARS)), Ok(()));
        for bad in ["", "   ", "a\nb", "tab\there", "\u{7}"] {
            assert_eq!(validate_name(bad), Err(ErrorCode::InvalidName), "{bad:?}");
        }
        let too_long = "x".repeat(MAX_NAME_CHARS + 1);
        assert_eq!(validate_name(&too_long), Err(ErrorCode::InvalidName));
    }

    #[test]
    fn secrets_accept_printable_text_and_reject_empty_long_or_control() {
        assert_eq!(validate_secret(" s3cret with spaces "), Ok(()));
        assert_eq!(validate_secret(&"ü".repeat(MAX_SECRET_CHARS)), Ok(()));
        for bad in ["", "a\nb", "\u{0}"] {
            assert_eq!(validate_secret(bad), Err(ErrorCode::InvalidSecret), "{bad:?}");
        }
        let too_long = "s".repeat(MAX_SECRET_CHARS + 1);
        assert_eq!(validate_secret(&too_long), Err(ErrorCode::InvalidSecret));
    }

    #[test]
    fn rooms_accept_url_safe_ascii_only() {
        assert_eq!(validate_room("lobby-1_a.b"), Ok(()));
        assert_eq!(validate_room(&"r".repeat(MAX_ROOM_CHARS)), Ok(()));
        for bad in ["", "with space", "slash/", "é", "a:b"] {
            assert_eq!(validate_room(bad), Err(ErrorCode::InvalidRoom), "{bad:?}");
        }
        let too_long = "r".repeat(MAX_ROOM_CHARS + 1);
        assert_eq!(validate_room(&too_long), Err(ErrorCode::InvalidRoom));
    }
}
