//! The peer's key, kept in a file between runs: 64 hex digits of its secret scalar.

use peer_native::Identity;
use std::path::Path;

/// The identity kept at `path`, or a new one written there (readable by its owner
/// only) when the file does not exist.
pub fn load_or_create(path: &Path) -> Result<Identity, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => decode(text.trim())
            .and_then(|bytes| Identity::from_secret_bytes(&bytes).map_err(|e| e.to_string()))
            .map_err(|error| format!("{}: not a key file ({error})", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let identity = Identity::generate();
            write_private(path, &encode(&identity.secret_bytes()))
                .map_err(|error| format!("{}: {error}", path.display()))?;
            Ok(identity)
        }
        Err(error) => Err(format!("{}: {error}", path.display())),
    }
}

fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn decode(text: &str) -> Result<Vec<u8>, String> {
    if text.len() != 64 || !text.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err("expected 64 hex digits".into());
    }
    (0..32)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string()))
        .collect()
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_gives_the_same_id_every_run() {
        let path = std::env::temp_dir().join(format!("peer-cli-key-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let first = load_or_create(&path).map(|identity| identity.id());
        let again = load_or_create(&path).map(|identity| identity.id());
        let _ = std::fs::remove_file(&path);
        assert_eq!(first.ok(), again.ok());
    }

    #[test]
    fn a_file_that_is_not_a_key_is_refused() {
        assert!(decode("zz").is_err());
        assert!(decode(&"0".repeat(63)).is_err());
    }
}
