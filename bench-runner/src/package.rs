//! What the page loads: the release WASM package (built here into `www/pkg`), the other
//! libraries' min.js copied from `bench/node_modules`, and the gzip size of each.

use crate::Error;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tokio::process::Command;

/// The files each contender's page must load (raw JS: none, it is built in).
const PAYLOADS: [(&str, &[&str]); 4] = [
    ("raw JS", &[]),
    ("peer-wasm", &["www/pkg/peer_wasm_bg.wasm", "www/pkg/peer_wasm.js"]),
    ("PeerJS", &["bench/node_modules/peerjs/dist/peerjs.min.js"]),
    ("simple-peer", &["bench/node_modules/simple-peer/simplepeer.min.js"]),
];

/// The npm files the page loads from `www/bench/vendor/`.
const VENDOR: [&str; 2] = [
    "bench/node_modules/peerjs/dist/peerjs.min.js",
    "bench/node_modules/simple-peer/simplepeer.min.js",
];

/// The workspace root (this crate's parent directory).
pub fn workspace_root() -> PathBuf {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    crate_dir.parent().map(Path::to_path_buf).unwrap_or(crate_dir)
}

/// `bash scripts/build-release-pkg.sh`: the release package the demo serves (wasm-opt'd
/// WASM, minified JS glue), into `www/pkg`.
pub async fn build_release(root: &Path) -> Result<(), Error> {
    let status = Command::new("bash")
        .arg("scripts/build-release-pkg.sh")
        .current_dir(root)
        .status()
        .await
        .map_err(|e| format!("scripts/build-release-pkg.sh: {e}"))?;
    if !status.success() {
        return Err(format!("scripts/build-release-pkg.sh failed ({status})").into());
    }
    Ok(())
}

/// Copies PeerJS's and simple-peer's min.js into `www/bench/vendor/` (gitignored).
pub fn copy_vendor(root: &Path) -> Result<(), Error> {
    let vendor = root.join("www/bench/vendor");
    std::fs::create_dir_all(&vendor)?;
    for file in VENDOR {
        let from = root.join(file);
        let name = from.file_name().ok_or("a file name")?;
        std::fs::copy(&from, vendor.join(name)).map_err(|e| {
            format!("{}: {e} (run `cd bench && npm ci`, as scripts/setup.sh does)", from.display())
        })?;
    }
    Ok(())
}

/// For each contender: its files with their size and gzip -9 size, and the gzip total.
/// GNU gzip itself (Debian's essential `gzip`): flate2's level 9 comes out 1% larger.
pub fn gzip_sizes(root: &Path) -> Result<Value, Error> {
    let mut sizes = serde_json::Map::new();
    for (name, files) in PAYLOADS {
        let mut files: Vec<String> = files.iter().map(|file| file.to_string()).collect();
        if name == "peer-wasm" {
            files.extend(snippets(root)?);
        }
        let mut total = 0;
        let mut listed = Vec::new();
        for file in &files {
            let path = root.join(file);
            let bytes = std::fs::metadata(&path).map_err(|e| format!("{file}: {e}"))?.len();
            let gzip = std::process::Command::new("gzip").arg("-9c").arg(&path).output()?;
            if !gzip.status.success() {
                return Err(format!("gzip -9c {file} failed ({})", gzip.status).into());
            }
            let gzipped = gzip.stdout.len();
            total += gzipped;
            listed.push(json!({ "file": file, "bytes": bytes, "gzip_bytes": gzipped }));
        }
        sizes.insert(name.into(), json!({ "gzip_bytes": total, "files": listed }));
    }
    Ok(Value::Object(sizes))
}

/// The package's JS snippets (wasm-bindgen's `inline_js`, under `www/pkg/snippets/`):
/// `peer_wasm.js` imports them, so the page loads them too.
fn snippets(root: &Path) -> Result<Vec<String>, Error> {
    let mut found = Vec::new();
    let mut folders = vec![PathBuf::from("www/pkg/snippets")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&folder)) else { continue };
        for entry in entries {
            let path = folder.join(entry?.file_name());
            if root.join(&path).is_dir() {
                folders.push(path);
            } else {
                found.push(path.to_string_lossy().into_owned());
            }
        }
    }
    found.sort();
    Ok(found)
}
