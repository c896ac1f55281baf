#!/usr/bin/env bash
# The whole test suite, RUNS times in a row, beside BUSY CPU-bound processes (`yes > /dev/null`): tests must not
# depend on how busy the machine is. Prints one line per run (exit code, failed tests, seconds) and the total;
# exit 1 when any run failed. Needs a debug build with the tests (swift build --build-tests).
#
#   scripts/stress_tests.sh            # 10 runs beside 2 busy processes
#   RUNS=10 BUSY=3 scripts/stress_tests.sh
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
busy=${BUSY:-2}
logs=$(mktemp -d)
hogs=()
for _ in $(seq "$busy"); do yes > /dev/null & hogs+=($!); done
trap 'kill "${hogs[@]}" 2>/dev/null' EXIT
failed_runs=0
for run in $(seq "$runs"); do
  started=$(date +%s.%N)
  swift test --skip-build > "$logs/run-$run.log" 2>&1
  status=$?
  seconds=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  failed=$(grep -E '^✘ Test .* failed after' "$logs/run-$run.log" | grep -cv '^✘ Test run with')
  total=$(grep -oE '^(✔|✘) Test run with [0-9]+ tests' "$logs/run-$run.log" | grep -oE '[0-9]+' | tail -n 1)
  printf 'run %2d beside %d busy: exit %d, %s tests, %d failed, %.1f s\n' "$run" "$busy" "$status" "${total:-?}" "$failed" "$seconds"
  if [ "$status" -ne 0 ]; then
    failed_runs=$((failed_runs + 1))
    grep -E '^✘ Test .* (recorded an issue|failed after)' "$logs/run-$run.log" | grep -v '^✘ Test run with' | cut -c1-240 | head -n 10
  fi
done
echo "stress_tests: $failed_runs of $runs runs failed beside $busy busy processes (logs in $logs)"
[ "$failed_runs" -eq 0 ]
