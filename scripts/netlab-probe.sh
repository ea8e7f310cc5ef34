#!/usr/bin/env bash
# Says whether the network lab (e2e-tests/src/netlab) can run here: root, a network
# namespace with iptables in it, and its tools. The same checks the tests make before
# they skip; prints one line either way and always succeeds.
set -uo pipefail
say() { printf '[network lab] %s\n' "$*"; }
if [ "$(id -u)" -ne 0 ]; then
  say "skipped: needs root (network namespaces and iptables); its tests pass without running"
  exit 0
fi
for tool in ip iptables conntrack socat turnserver chromedriver; do
  if ! command -v "$tool" >/dev/null; then
    say "skipped: \`$tool\` is missing (bash scripts/setup.sh installs it); its tests pass without running"
    exit 0
  fi
done
probe="pwlab-probe-$$"
if ! error=$(ip netns add "$probe" 2>&1); then
  say "skipped: cannot create a network namespace ($error); its tests pass without running"
  exit 0
fi
if ! error=$(ip netns exec "$probe" iptables -t nat -S 2>&1 >/dev/null); then
  ip netns del "$probe"
  say "skipped: iptables does not work in a network namespace ($error); its tests pass without running"
  exit 0
fi
ip netns del "$probe"
say "runs: root and network namespaces available (5 tests, about 2 minutes)"
