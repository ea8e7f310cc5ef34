#!/usr/bin/env bash
# The network benchmark: each case of the network lab (cone NATs, symmetric NATs, UDP
# dropped by a firewall, 5 % loss) built from Linux network namespaces, with a headless
# Chromium behind each router; connect p50/p95, round trip and 16 MiB throughput of
# peer-wasm beside a bare RTCPeerConnection in the same run, then the symmetric-NAT case
# 20 times. Needs root. Measures the release package (built here into www/pkg); the
# driver itself is a debug build (it only orchestrates). Options: --connects N,
# --symmetric-runs N, --mib N, --pings N, --out PATH (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/netlab-probe.sh
bash scripts/build-release-pkg.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec cargo run --quiet -p e2e-tests --bin bench-network -- "$@"
