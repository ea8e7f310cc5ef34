#!/usr/bin/env bash
# Installs every tool the build and the tests need, each only where it is missing,
# so a second run takes seconds. Called by scripts/demo.sh, scripts/test.sh and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep in step with the `wasm-bindgen = "=..."` pin in the workspace Cargo.toml: the CLI
# that generates the JS glue must be the exact version the crate was built against.
WASM_BINDGEN_VERSION=0.2.130
# geckodriver for the Firefox tests (wasm-pack cannot download it here).
GECKODRIVER_VERSION=0.37.1

log() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

export PATH="$HOME/.cargo/bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

missing_debs=()
# A C compiler: the native peer's WebRTC crypto (aws-lc, under str0m) is built from C.
command -v cc >/dev/null || missing_debs+=(gcc libc6-dev)
command -v chromium >/dev/null || missing_debs+=(chromium)
command -v chromedriver >/dev/null || missing_debs+=(chromium-driver)
command -v firefox-esr >/dev/null || missing_debs+=(firefox-esr)
# coturn: a real TURN server for the relay tests (started by the tests, never as a service).
command -v turnserver >/dev/null || missing_debs+=(coturn)
# Redis: rooms shared by several signaling instances (the tests start their own, on a
# free port, never as a service).
command -v redis-server >/dev/null || missing_debs+=(redis-server)
# The network lab (e2e-tests/src/netlab): namespaces and veths (iproute2), NAT and
# firewall rules (iptables), forgetting NAT mappings (conntrack), and the way into a
# browser inside a namespace (socat).
command -v ip >/dev/null || missing_debs+=(iproute2)
command -v iptables >/dev/null || missing_debs+=(iptables)
command -v conntrack >/dev/null || missing_debs+=(conntrack)
command -v socat >/dev/null || missing_debs+=(socat)
if [ ${#missing_debs[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing_debs[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_debs[@]}"
fi

if ! command -v wasm-pack >/dev/null; then
  log "building wasm-pack (about 4 minutes, once)"
  cargo install --locked wasm-pack
fi

# wasm-pack uses a wasm-bindgen on PATH when its version matches, and
# wasm-bindgen-test-runner comes from the same package.
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  log "building wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 4 minutes, once)"
  # Not --locked: its lock file names a webpki-roots release the registry no longer serves.
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# (`sed -n 1p` reads the whole output: geckodriver panics when its stdout closes early, and
# with pipefail that read as "not installed".)
if [ "$(geckodriver --version 2>/dev/null | sed -n 1p)" != "geckodriver $GECKODRIVER_VERSION" ]; then
  log "building geckodriver $GECKODRIVER_VERSION (about 4 minutes, once)"
  cargo install --locked geckodriver --version "$GECKODRIVER_VERSION"
fi

# libFuzzer driver for the targets in fuzz/ (scripts/fuzz.sh); builds on stable.
if ! command -v cargo-fuzz >/dev/null; then
  log "building cargo-fuzz (about 1 minute, once)"
  cargo install --locked cargo-fuzz
fi

# From npm: binaryen's wasm-opt for the release build (Debian's is too old), and the
# libraries the benchmark compares against.
if [ ! -d bench/node_modules ] || [ bench/package-lock.json -nt bench/node_modules ]; then
  log "installing the npm packages (binaryen, benchmark libraries)"
  (cd bench && npm ci --no-audit --no-fund --loglevel=error && touch node_modules)
fi

log "ready: $(wasm-pack --version), $(wasm-bindgen --version), $(chromium --version 2>/dev/null | sed -n 1p), $(firefox-esr --version 2>/dev/null | sed -n 1p), $(geckodriver --version 2>/dev/null | sed -n 1p)"
