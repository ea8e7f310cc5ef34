#!/usr/bin/env bash
# The data-path benchmark: raw RTCDataChannel, peer-wasm, PeerJS and simple-peer in one
# headless Chromium, and mesh formation (8, 16, 32 peers; raw JS and peer-wasm). Prints a
# table (each figure and its ratio to raw JS) and writes bench-results/latest.json.
# `--quick` runs a smaller version (meshes of 8 only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release-pkg.sh
export PATH="$HOME/.cargo/bin:$PATH"

mkdir -p www/bench/vendor
cp bench/node_modules/peerjs/dist/peerjs.min.js bench/node_modules/simple-peer/simplepeer.min.js www/bench/vendor/
exec cargo run --quiet --release -p bench-runner -- --no-build "$@"
