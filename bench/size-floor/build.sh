#!/usr/bin/env bash
# Builds the floor module as the browser package is built (LTO, opt-level z, wasm-opt -Oz
# from binaryen 132) and prints its size: raw and gzip -9.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$PWD/../node_modules/.bin:$HOME/.cargo/bin:$PATH"
CARGO_TARGET_DIR="$PWD/../../target/size-floor" cargo build --quiet --release --target wasm32-unknown-unknown
module="../../target/size-floor/wasm32-unknown-unknown/release/size_floor.wasm"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$module" -o "$module.opt"
echo "peer-core's machines alone: $(wc -c < "$module.opt") bytes, $(gzip -9c "$module.opt" | wc -c) gzip"
