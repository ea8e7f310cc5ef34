#!/usr/bin/env bash
# Sets up what is missing, builds the optimised WASM package into www/pkg, and starts the
# signaling server, which also serves the chat page. Extra arguments go to the server
# (e.g. `bash scripts/demo.sh --listen 0.0.0.0:8080`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release-pkg.sh
export PATH="$HOME/.cargo/bin:$PATH"

# A resume key kept across runs, so that a restarted demo server takes its peers back
# under their ids (docs/PROTOCOL.md, "Resuming an identity").
if [ -z "${SIGNALING_RESUME_KEY:-}" ]; then
  key_file=target/demo-resume-key
  mkdir -p target
  [ -s "$key_file" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key_file"
  SIGNALING_RESUME_KEY="$(cat "$key_file")"
  export SIGNALING_RESUME_KEY
fi

echo "[demo] starting the signaling server; open the printed http:// address in several tabs"
exec cargo run --release -p signaling-server -- "$@"
