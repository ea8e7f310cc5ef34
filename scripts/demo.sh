#!/usr/bin/env bash
# Sets up what is missing, builds the optimised WASM package into www/pkg, and starts the
# signaling server, which also serves the chat page. Extra arguments go to the server
# (e.g. `bash scripts/demo.sh --listen 0.0.0.0:8080`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# binaryen 132 from npm: the wasm-opt the release build needs (see peer-wasm/Cargo.toml).
export PATH="$PWD/bench/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "[demo] building the WASM package (release) into www/pkg"
wasm-pack --quiet build peer-wasm --release --target web --out-dir ../www/pkg

echo "[demo] starting the signaling server; open the printed http:// address in several tabs"
exec cargo run --release -p signaling-server -- "$@"
