#!/usr/bin/env bash
# Load on two signaling instances sharing rooms through one Redis: starts a
# redis-server and two release servers on loopback, runs signaling-load with its peers
# spread over both (every room spans them), prints its report, and stops everything.
# Arguments go to signaling-load, e.g.:
#   bash scripts/load-shared.sh --peers 20000 --rate 20000 --seconds 10
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

REDIS_PORT=${REDIS_PORT:-6391}
PORTS=(9101 9102)
# 20,000 peers: a socket each, in the load tool and in the servers.
ulimit -n 65536 2>/dev/null || true

cargo build --quiet --release -p signaling-server -p signaling-load
target=${CARGO_TARGET_DIR:-target}/release

pids=()
server_pids=()
# The servers first (each retires from Redis as it stops), then Redis.
cleanup() {
  kill "${server_pids[@]}" 2>/dev/null || true
  wait "${server_pids[@]}" 2>/dev/null || true
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
redis_pid=$!
pids+=("$redis_pid")
until redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; do sleep 0.1; done

logs=${LOG_DIR:-$(mktemp -d)}
urls=()
for port in "${PORTS[@]}"; do
  RUST_LOG=warn "$target/signaling-server" \
    --listen "127.0.0.1:$port" --redis-url "redis://127.0.0.1:$REDIS_PORT" \
    --max-connections 40000 --max-connections-per-ip 40000 --max-rooms 100000 \
    --messages-per-second 1000 --message-burst 2000 >"$logs/server-$port.log" 2>&1 &
  pid=$!
  server_pids+=("$pid")
  urls+=("ws://127.0.0.1:$port/ws")
done
for port in "${PORTS[@]}"; do
  until curl -sf "http://127.0.0.1:$port/metrics" | grep -qx 'signaling_redis_up 1'; do sleep 0.1; done
done

"$target/signaling-load" --url "$(IFS=,; echo "${urls[*]}")" \
  --server-pid "$(IFS=,; echo "${server_pids[*]}")" \
  --redis "127.0.0.1:$REDIS_PORT" --redis-pid "$redis_pid" "$@"
echo "server logs (warnings) in $logs:"
grep -h -c WARN "$logs"/server-*.log || true
