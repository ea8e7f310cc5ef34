#!/usr/bin/env bash
# Benchmarks of native peers (peer-native): a pair's round trip and throughput, a room of
# 100 forming a full mesh through the server, and the same room forming it through the
# mesh after the server is killed. Builds the signaling server and the benchmark in
# release, then prints a Markdown table. Extra arguments go to the benchmark, e.g.
#   bash scripts/bench-native.sh --only pair --pings 200 --mib 16
#   bash scripts/bench-native.sh --only mesh,no-server --peers 50
# (`--help` lists them). Traffic stays on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo build --quiet --release -p signaling-server -p bench-native
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
# A full mesh of 100 holds about 10,000 UDP sockets and 100 WebSockets.
ulimit -n 20000 2>/dev/null || true
exec "$target_dir/release/bench-native" --server "$target_dir/release/signaling-server" "$@"
