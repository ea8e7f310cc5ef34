#!/usr/bin/env bash
# The data-path benchmark: raw RTCDataChannel, peer-wasm, PeerJS and simple-peer in one
# headless Chromium. Prints a table (each figure and its ratio to raw JS) and writes
# bench-results/latest.json. `--quick` runs a smaller version.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# binaryen 132 from npm: the wasm-opt the release build needs (see peer-wasm/Cargo.toml).
export PATH="$PWD/bench/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "[bench] building the release WASM package into www/pkg"
wasm-pack --quiet build peer-wasm --release --target web --out-dir ../www/pkg

mkdir -p www/bench/vendor
cp bench/node_modules/peerjs/dist/peerjs.min.js bench/node_modules/simple-peer/simplepeer.min.js www/bench/vendor/
exec cargo run --quiet --release -p e2e-tests --bin bench -- "$@"
