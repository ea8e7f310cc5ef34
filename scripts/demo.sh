#!/usr/bin/env bash
# Sets up what is missing, builds the optimised WASM package into www/pkg, and starts the
# signaling server, which also serves the chat page. Extra arguments go to the server
# (e.g. `bash scripts/demo.sh --listen 0.0.0.0:8080`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release-pkg.sh
export PATH="$HOME/.cargo/bin:$PATH"

echo "[demo] starting the signaling server; open the printed http:// address in several tabs"
exec cargo run --release -p signaling-server -- "$@"
