#!/usr/bin/env bash
# Sets up what is missing and builds the optimised WASM package into www/pkg (what the
# demo serves and the benchmark measures).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# binaryen 132 from npm: the wasm-opt the release build needs (see peer-wasm/Cargo.toml).
export PATH="$PWD/bench/node_modules/.bin:$HOME/.cargo/bin:$PATH"
echo "[build] the release WASM package into www/pkg"
wasm-pack --quiet build peer-wasm --release --target web --out-dir ../www/pkg
