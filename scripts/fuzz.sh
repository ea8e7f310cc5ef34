#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ (the protocol decoder, the server's message
# handling), each for SECONDS (default 60), and prints how many inputs each executed.
# On a finding, libFuzzer stops, saves the input under fuzz/artifacts/, and this fails.
#
#   bash scripts/fuzz.sh            # a minute each
#   bash scripts/fuzz.sh 1200       # a real session
#
# Builds on the stable toolchain without a sanitizer (`-s none`): Rust code is memory
# safe, and what the targets look for is panics and broken invariants. The corpus grows
# in fuzz/corpus/ (not committed); fuzz/seeds/ holds committed inputs worth replaying,
# such as past findings.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${1:-60}"

cd fuzz
for target in decode server; do
  mkdir -p "corpus/$target"
  printf '[fuzz] %s for %ss\n' "$target" "$seconds"
  cargo fuzz build -O -s none "$target"
  log="target/fuzz-$target.log"
  if ! cargo fuzz run -O -s none "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    printf '[fuzz] %s FOUND A FAILURE: see fuzz/artifacts/%s/ and %s\n' "$target" "$target" "fuzz/$log"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  corpus=$(find "corpus/$target" -type f | wc -l)
  printf '[fuzz] %s: %s inputs executed in %ss, no failure; corpus %s inputs\n' \
    "$target" "$runs" "$seconds" "$corpus"
done
