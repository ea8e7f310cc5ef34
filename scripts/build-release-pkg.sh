#!/usr/bin/env bash
# Sets up what is missing and builds the optimised WASM package into www/pkg (what the
# demo serves and the benchmark measures), or into the directory given as the first
# argument (scripts/pack.sh builds the npm package's files that way).
set -euo pipefail
cd "$(dirname "$0")/.."
out_dir="$(realpath -m "${1:-www/pkg}")"
bash scripts/setup.sh
# From npm: binaryen 132, the wasm-opt the release build needs (see peer-wasm/Cargo.toml),
# and esbuild.
export PATH="$PWD/bench/node_modules/.bin:$HOME/.cargo/bin:$PATH"
echo "[build] the release WASM package into ${out_dir#"$PWD"/}"
# (wasm-pack takes --out-dir relative to the crate: an absolute path avoids the question.)
wasm-pack --quiet build peer-wasm --release --target web --out-dir "$out_dir"
# Imports and exports get one- or two-letter names, in the module and the glue together
# (the features are those peer-wasm/Cargo.toml gives wasm-opt).
node scripts/minify-wasm-names.mjs "$out_dir" --enable-bulk-memory \
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
  --enable-reference-types --enable-multivalue
# wasm-bindgen's JS glue is written to be read: minified with its inline-JS snippets
# bundled in, the page loads one file of 7.7 KB gzip instead of three of 12.7 KB (a
# bundler would do the same to the package on npm; PeerJS is measured minified too).
# (wasm-bindgen 0.2.130 names one snippet module several times in the import object:
# harmless, as the values are the same module, so that warning is silenced.)
esbuild "$out_dir/peer_wasm.js" --bundle --minify --format=esm --log-level=warning \
  --log-override:duplicate-object-key=silent --allow-overwrite --outfile="$out_dir/peer_wasm.js"
rm -rf "$out_dir/snippets"
