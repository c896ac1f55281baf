#!/usr/bin/env bash
# Parity: the exporter and examples/python/akash_monitor.py, fed the same recorded CoinMarketCap bodies by
# scripts/fake_upstream.py on loopback, must agree on the AKT score, the macro regime, the sector order and the
# DePIN list. The exporter is the reference; where the how-to's rule is ambiguous, examples/python/README.md
# says which reading both follow.
#
#   scripts/parity.sh                 # after `swift build`; CI runs it from .ci/run
#   EXPORTER=/path/to/binary scripts/parity.sh
#
# Exit 0 when both agree, 1 when they differ or a run fails. Prints what it compared.
set -euo pipefail
cd "$(dirname "$0")/.."

exporter="${EXPORTER:-.build/debug/akash-cost-exporter}"
key="test-key"
[ -x "$exporter" ] || { echo "parity: no exporter binary at $exporter (run swift build first)" >&2; exit 1; }

work="$(mktemp -d)"
fake_pid=""
cleanup() {
  if [ -n "$fake_pid" ]; then kill "$fake_pid" 2>/dev/null || true; wait "$fake_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
show() { echo "--- $1"; sed "s/^/    /" "$2"; } >&2

# One fake for all upstreams, recording every request it answers.
. scripts/lib/fake_upstream.sh
start_fake_upstream "$work" --record "$work/requests.jsonl" || { show "fake upstream did not start" "$work/fake.err"; exit 1; }
fake_pid="$FAKE_UPSTREAM_PID"
base="$FAKE_UPSTREAM_URL"
mapfile -t upstream < <(upstream_flags "$base")
echo "parity: fake upstream at $base"

# The exporter: poll every enabled source once and print the exposition. Its exit code says whether every poll
# succeeded; a failure elsewhere (say the Console) is reported, but only the compared series decide parity.
exporter_status=0
CMC_API_KEY="$key" timeout 120 "$exporter" --once \
  "${upstream[@]}" --state.file "$work/exporter.state.json" \
  >"$work/exporter.prom" 2>"$work/exporter.log" || exporter_status=$?
if [ "$exporter_status" -ne 0 ]; then
  echo "parity: warning: the exporter's --once exited $exporter_status (some poll failed); its log:"
  show "exporter log" "$work/exporter.log"
fi

# The Python how-to, against the same bodies.
if ! CMC_API_KEY="$key" CMC_BASE_URL="$base/cmc" timeout 120 python3 examples/python/akash_monitor.py \
    --state-file "$work/monitor.state.json" >"$work/monitor.json" 2>"$work/monitor.log"; then
  show "akash_monitor.py failed" "$work/monitor.log"
  exit 1
fi

python3 examples/python/parity_check.py "$work/exporter.prom" "$work/monitor.json" \
  --requests "$work/requests.jsonl" --key "$key"
