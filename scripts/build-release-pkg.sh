#!/usr/bin/env bash
# Sets up what is missing and builds the optimised WASM package into www/pkg (what the
# demo serves and the benchmark measures).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# From npm: binaryen 132, the wasm-opt the release build needs (see peer-wasm/Cargo.toml),
# and esbuild.
export PATH="$PWD/bench/node_modules/.bin:$HOME/.cargo/bin:$PATH"
echo "[build] the release WASM package into www/pkg"
wasm-pack --quiet build peer-wasm --release --target web --out-dir ../www/pkg
# wasm-bindgen's JS glue is written to be read: minified with its inline-JS snippets
# bundled in, the page loads one file of 7.7 KB gzip instead of three of 12.7 KB (a
# bundler would do the same to the package on npm; PeerJS is measured minified too).
# (wasm-bindgen 0.2.130 names one snippet module several times in the import object:
# harmless, as the values are the same module, so that warning is silenced.)
esbuild www/pkg/peer_wasm.js --bundle --minify --format=esm --log-level=warning \
  --log-override:duplicate-object-key=silent --allow-overwrite --outfile=www/pkg/peer_wasm.js
rm -rf www/pkg/snippets
