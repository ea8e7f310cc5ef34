//! The npm package as a web developer gets it: the tarball of `scripts/pack.sh`
//! installed with `npm install` into a fresh copy of one of the apps of
//! `e2e-tests/npm-apps/` (in `target/npm-apps/<name>/`), built with its own
//! `npm run build`, or served by Vite's dev server.
//!
//! The bundlers and the compiler (pinned by `e2e-tests/npm-apps/package-lock.json`) are
//! installed once with `npm ci` beside the apps, not in each: every app finds them on
//! `PATH`, so a warm run installs nothing but the package itself (a few hundred ms).

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::sync::OnceCell;

/// Longest `npm ci` of the tools (12 s measured on a warm npm cache).
const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
/// Longest `npm install` of the package or `npm run` of a build (each took < 2 s).
const BUILD_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest wait for Vite's dev server to answer (it starts in < 1 s).
const DEV_SERVER_TIMEOUT: Duration = Duration::from_secs(60);

/// The `node_modules/.bin` of the tools, installed by the first test that needs them.
static TOOLS: OnceCell<PathBuf> = OnceCell::const_new();

/// One app of `e2e-tests/npm-apps/`, freshly copied, with the package installed.
pub struct NpmApp {
    /// Where the copy lives (`target/npm-apps/<name>`).
    pub dir: PathBuf,
}

/// Vite's dev server on an app; killed on drop.
pub struct DevServer {
    /// The page's URL (`http://127.0.0.1:PORT/`).
    pub url: String,
    _child: Child,
}

impl NpmApp {
    /// A fresh copy of the app `template` in `target/npm-apps/<copy>` (its files, and the
    /// shared `app.js` as `main.js` unless it brings its own `main.ts`), with the packed
    /// tarball `npm install`ed. Tests running at once need copies of their own.
    pub async fn install(template: &str, copy: &str) -> Self {
        let tarball = tarball();
        tools().await;
        let dir = repo_root().join("target/npm-apps").join(copy);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("creates the app's folder");
        let template = apps_source().join(template);
        for entry in std::fs::read_dir(&template).expect("the app's template").flatten() {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copies the app");
        }
        if !dir.join("main.ts").exists() {
            std::fs::copy(apps_source().join("app.js"), dir.join("main.js")).expect("copies");
        }
        let app = Self { dir };
        let install = ["install", "--no-audit", "--no-fund", "--loglevel=error"];
        app.npm(&install, &[tarball.to_str().expect("a UTF-8 path")]).await;
        app
    }

    /// `npm run <script>` in the app; panics with its output when it fails.
    pub async fn run(&self, script: &str) -> String {
        let output = self.npm(&["run", script], &[]).await;
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Starts Vite's dev server on the app and waits until it answers.
    pub async fn dev_server(&self) -> DevServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(tools().await.join("vite"))
            .args(["--port", &port.to_string(), "--strictPort", "--host", "127.0.0.1"])
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("starts vite");
        let addr = format!("127.0.0.1:{port}");
        let answered = tokio::time::timeout(DEV_SERVER_TIMEOUT, async {
            while !answers(&addr).await {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        answered.await.unwrap_or_else(|_| panic!("vite's dev server: no answer in 60 s"));
        DevServer { url: format!("http://{addr}/"), _child: child }
    }

    /// Runs npm with `args` then `more` in the app, the tools first on `PATH`.
    async fn npm(&self, args: &[&str], more: &[&str]) -> Output {
        let command = format!("npm {}", [args, more].concat().join(" "));
        let mut npm = Command::new("npm");
        npm.args(args).args(more).current_dir(&self.dir);
        let output = run_bounded(&mut npm, BUILD_TIMEOUT, &command).await;
        assert!(
            output.status.success(),
            "`{command}` in {} failed:\n{}\n{}",
            self.dir.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }
}

/// The tarball `scripts/pack.sh` wrote for this version; panics with how to make it.
pub fn tarball() -> PathBuf {
    let name = format!("target/npm/peer-wasm-{}.tgz", env!("CARGO_PKG_VERSION"));
    let path = repo_root().join(&name);
    assert!(path.is_file(), "{name} is missing: run `bash scripts/pack.sh` (scripts/test.sh does)");
    path
}

/// The tools' `node_modules/.bin`, after `npm ci` if the lock file changed since the
/// last one (or there was none).
async fn tools() -> &'static PathBuf {
    TOOLS
        .get_or_init(|| async {
            let source = apps_source();
            let stamp = source.join("node_modules/.installed");
            let modified = |path: &Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
            let stale = match (modified(&stamp), modified(&source.join("package-lock.json"))) {
                (Some(installed), Some(locked)) => installed < locked,
                _ => true,
            };
            if stale {
                let mut npm = Command::new("npm");
                npm.args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
                    .current_dir(&source);
                let output = run_bounded(&mut npm, INSTALL_TIMEOUT, "npm ci").await;
                assert!(
                    output.status.success(),
                    "npm ci in e2e-tests/npm-apps failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
                std::fs::write(&stamp, "").expect("writes the stamp");
            }
            source.join("node_modules/.bin")
        })
        .await
}

/// Runs `command` (the tools first on `PATH`) for at most `limit`; kills it past that.
async fn run_bounded(command: &mut Command, limit: Duration, what: &str) -> Output {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![apps_source().join("node_modules/.bin")];
    paths.extend(std::env::split_paths(&path));
    let path = std::env::join_paths(paths).expect("a PATH");
    let child = command.env("PATH", path).stdin(Stdio::null()).kill_on_drop(true).output();
    match tokio::time::timeout(limit, child).await {
        Ok(output) => output.unwrap_or_else(|e| panic!("`{what}` did not start: {e}")),
        Err(_) => panic!("`{what}` took more than {limit:?}"),
    }
}

/// Whether an HTTP server at `addr` answers `GET /` with 200.
async fn answers(addr: &str) -> bool {
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else { return false };
    let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).await.is_ok() && head.ends_with(b"200")
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn apps_source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("npm-apps")
}
