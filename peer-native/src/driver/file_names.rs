//! Where a received file goes on disk: the sender's name made safe to use as one file
//! name in the download folder, and a free name beside those already there (` (1)`,
//! ` (2)`... before the extension), so nothing is ever overwritten.

use std::path::{Path, PathBuf};

/// Most bytes of a saved name: room for ` (NNN)` and the temporary name's additions
/// within the 255 bytes most file systems allow.
const MAX_NAME_BYTES: usize = 200;
/// How many numbered names are tried before giving up.
const MAX_NUMBERED: u32 = 1000;
/// The name used when nothing of the sender's is left.
const FALLBACK: &str = "file";

/// The sender's `name` as one safe file name: path separators and characters Windows
/// forbids become `_`, control characters are dropped, leading dots and spaces and
/// trailing dots and spaces go (so never `.`, `..` or a hidden file), at most
/// [`MAX_NAME_BYTES`] bytes, never empty.
pub(super) fn sanitize(name: &str) -> String {
    let replaced: String = name
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') { '_' } else { c }
        })
        .collect();
    let trimmed = replaced.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    let mut end = trimmed.len().min(MAX_NAME_BYTES);
    while !trimmed.is_char_boundary(end) {
        end -= 1;
    }
    let cut = trimmed[..end].trim_end_matches(['.', ' ']);
    if cut.is_empty() { FALLBACK.to_owned() } else { cut.to_owned() }
}

/// `name` with ` (n)` before its extension (`n` = 0: `name` itself).
pub(super) fn numbered(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_owned();
    }
    match name.rfind('.').filter(|&dot| dot > 0) {
        Some(dot) => format!("{} ({n}){}", &name[..dot], &name[dot..]),
        None => format!("{name} ({n})"),
    }
}

/// Gives the finished temporary file `part` the first free name of `name`, ` (1)`...
/// in `dir`, never replacing a file: a hard link fails when the name is taken (checked
/// and made in one step), and only where links are not supported is the name checked
/// and then renamed. The path it got.
pub(super) fn move_to_free_name(part: &Path, dir: &Path, name: &str) -> std::io::Result<PathBuf> {
    for n in 0..MAX_NUMBERED {
        let target = dir.join(numbered(name, n));
        match std::fs::hard_link(part, &target) {
            Ok(()) => {
                std::fs::remove_file(part)?;
                return Ok(target);
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) if !target.exists() => {
                std::fs::rename(part, &target)?;
                return Ok(target);
            }
            Err(_) => continue,
        }
    }
    Err(std::io::Error::other(format!("no free name for {name} in {}", dir.display())))
}

/// Creates a new, empty temporary file for `name` in `dir` (hidden, ending in
/// `.part`), never one that exists: the file and its path.
pub(super) fn create_part(dir: &Path, name: &str) -> std::io::Result<(std::fs::File, PathBuf)> {
    for n in 0..MAX_NUMBERED {
        let path = dir.join(format!(".{name}.{}-{n}.part", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, path)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(error) => return Err(error),
        }
    }
    Err(std::io::Error::other(format!("no free temporary name for {name}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_dots_and_control_characters() {
        assert_eq!(sanitize("report.pdf"), "report.pdf");
        assert_eq!(sanitize("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize(".."), "file");
        assert_eq!(sanitize("."), "file");
        assert_eq!(sanitize(""), "file");
        assert_eq!(sanitize("\u{0}\n\t"), "file");
        assert_eq!(sanitize(".bashrc"), "bashrc");
        assert_eq!(sanitize("a\\b/c"), "a_b_c");
        assert_eq!(sanitize("bell\u{7}.txt"), "bell.txt");
        assert_eq!(sanitize("C:evil?.txt"), "C_evil_.txt");
        assert_eq!(sanitize("name. "), "name");
    }

    #[test]
    fn long_names_are_cut_at_a_character_boundary() {
        let long = "é".repeat(300);
        let cut = sanitize(&long);
        assert!(cut.len() <= MAX_NAME_BYTES);
        assert!(cut.chars().all(|c| c == 'é'));
    }

    #[test]
    fn numbers_go_before_the_extension() {
        assert_eq!(numbered("a.txt", 0), "a.txt");
        assert_eq!(numbered("a.txt", 1), "a (1).txt");
        assert_eq!(numbered("a.tar.gz", 2), "a.tar (2).gz");
        assert_eq!(numbered("README", 3), "README (3)");
    }

    #[test]
    fn a_name_in_use_gets_the_next_number_and_nothing_is_overwritten() {
        let dir = std::env::temp_dir().join(format!("peer-native-names-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("makes a folder");
        std::fs::write(dir.join("a.txt"), b"first").expect("writes");
        let mut saved = Vec::new();
        for content in [b"second", b"third!"] {
            let (_, part) = create_part(&dir, "a.txt").expect("creates a part");
            std::fs::write(&part, content).expect("writes");
            saved.push(move_to_free_name(&part, &dir, "a.txt").expect("names it"));
            assert!(!part.exists(), "the temporary file is gone");
        }
        assert_eq!(saved, [dir.join("a (1).txt"), dir.join("a (2).txt")]);
        assert_eq!(std::fs::read(dir.join("a.txt")).expect("reads"), b"first");
        assert_eq!(std::fs::read(dir.join("a (1).txt")).expect("reads"), b"second");
        assert_eq!(std::fs::read(dir.join("a (2).txt")).expect("reads"), b"third!");
        std::fs::remove_dir_all(&dir).expect("cleans up");
    }
}
