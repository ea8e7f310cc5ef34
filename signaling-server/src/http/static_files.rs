//! `GET /`: `<static-dir>/index.html`; a page saying how to build the WASM package when
//! the chat page is there but its `pkg/peer_wasm.js` is not; and, when the static
//! directory does not exist (an installed server started away from the repository), a
//! page saying what this server is.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use std::path::Path;

/// The answer to `GET /`: `index.html`, the build hint, or the server's own page.
pub async fn index(static_dir: &Path) -> Response {
    if !static_dir.is_dir() {
        return Html(SERVER_PAGE.replace("{version}", env!("CARGO_PKG_VERSION"))).into_response();
    }
    // Checked per request: the package may be built after the server started.
    if needs_unbuilt_package(static_dir).await {
        return (StatusCode::SERVICE_UNAVAILABLE, Html(BUILD_HINT)).into_response();
    }
    match tokio::fs::read_to_string(static_dir.join("index.html")).await {
        Ok(page) => Html(page).into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "no index.html in the static directory").into_response(),
    }
}

/// Whether the page imports the package from `pkg/` (the repository's chat page does,
/// from `app.js`) and it is not built. Any other site (an app's build output) is served
/// as it is.
async fn needs_unbuilt_package(static_dir: &Path) -> bool {
    const PACKAGE: &str = "pkg/peer_wasm.js";
    if static_dir.join(PACKAGE).is_file() {
        return false;
    }
    for page in ["index.html", "app.js"] {
        let text = tokio::fs::read_to_string(static_dir.join(page)).await;
        if text.is_ok_and(|text| text.contains(PACKAGE)) {
            return true;
        }
    }
    false
}

const SERVER_PAGE: &str = r#"<!doctype html>
<meta charset="utf-8"><title>peer-wasm signaling server</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>peer-wasm signaling server {version}</h1>
<p>Peers join rooms through the WebSocket at <code>/ws</code> (<code>wss://</code> behind a
TLS proxy). <code>/healthz</code> answers <code>ok</code>; <code>/metrics</code> has the counts.</p>
<p>No pages are served: start the server with <code>--static-dir DIR</code> (or
<code>SIGNALING_STATIC_DIR</code>) to serve the files of <code>DIR</code> here.</p>
</body>
"#;

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
