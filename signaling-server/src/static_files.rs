//! The chat page: `<static-dir>` served at `/`, or a page saying how to build the WASM
//! package when `<static-dir>/pkg/peer_wasm.js` is missing.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::path::Path;

/// The answer to `GET /`: `index.html`, or the build hint.
pub async fn index(static_dir: &Path) -> Response {
    // Checked per request: the package may be built after the server started.
    if !static_dir.join("pkg").join("peer_wasm.js").is_file() {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(BUILD_HINT)).into_response();
    }
    match tokio::fs::read_to_string(static_dir.join("index.html")).await {
        Ok(page) => Html(page).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no index.html in the static directory").into_response(),
    }
}

const BUILD_HINT: &str = r#"<!doctype html>
<meta charset="utf-8"><title>peer-wasm: build the package first</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>The WASM package is not built yet</h1>
<p>The page needs <code>www/pkg/peer_wasm.js</code>. From the repository root, run</p>
<pre>bash scripts/demo.sh</pre>
<p>(sets up, builds, and starts this server), or only build the package with</p>
<pre>wasm-pack build peer-wasm --target web --out-dir ../www/pkg</pre>
<p>then reload this page.</p>
</body>
"#;
