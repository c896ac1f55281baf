#!/usr/bin/env bash
# SIGTERM as soon as the port is announced, many times: every start must drain and exit 0 within 10 s. Until the
# exporter handled signals through a C handler and a pipe (ExporterKit/TerminationSignals.swift), about 1 start in 30
# ignored the signal for good (libdispatch re-raised it at the main thread parked in dispatch_main).
#
#   scripts/early_sigterm.sh                     # 60 starts of the debug build
#   EXPORTER=.build/release/akash-cost-exporter STARTS=200 scripts/early_sigterm.sh
#
# Prints the slowest exits and how many starts ignored the signal; exit 0 when none did, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

exporter="${EXPORTER:-.build/debug/akash-cost-exporter}"
starts="${STARTS:-60}"
[ -x "$exporter" ] || { echo "early_sigterm: no exporter binary at $exporter (swift build first)" >&2; exit 1; }

SCRATCH_SIGNAL=KILL
. scripts/lib/scratch.sh  # $work, $pids, killed and removed on exit

. scripts/lib/fake_upstream.sh
start_fake_upstream "$work" || { echo "early_sigterm: fake upstream did not start" >&2; cat "$work/fake.err" >&2; exit 1; }
pids+=("$FAKE_UPSTREAM_PID")
base="$FAKE_UPSTREAM_URL"
echo "fake-key" > "$work/key"

# Once, before the loop: a command substitution in the started command would run before its stderr file is
# truncated, and the previous start's "port=" line would then stop a shell that has not exec'd the exporter yet.
mapfile -t upstream < <(upstream_flags "$base")
ignored=0
: > "$work/times"
for i in $(seq "$starts"); do
  rm -f "$work/err"
  "$exporter" --web.listen-address 127.0.0.1:0 --state.file= --cmc.api-key-file "$work/key" "${upstream[@]}" \
    --akash.owner akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c --poll.start-spread 0s 2>"$work/err" &
  pid=$!
  for _ in $(seq 500); do grep -q "port=" "$work/err" && break; sleep 0.01; done
  sent="$(date +%s%N)"
  kill -TERM "$pid"
  for _ in $(seq 1000); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
  if kill -0 "$pid" 2>/dev/null; then
    ignored=$((ignored + 1))
    echo "start $i: still running 10 s after SIGTERM" >&2
    kill -9 "$pid"
    wait "$pid" 2>/dev/null || true
    continue
  fi
  status=0
  wait "$pid" || status=$?
  [ "$status" -eq 0 ] || { echo "start $i: exit $status" >&2; tail -n 5 "$work/err" >&2; ignored=$((ignored + 1)); }
  echo $(( ($(date +%s%N) - sent) / 1000000 )) >> "$work/times"
done
echo "early_sigterm: $starts starts, SIGTERM at the port announcement; slowest exits (ms): $(sort -n "$work/times" | tail -n 3 | tr '\n' ' ')"
if [ "$ignored" -gt 0 ]; then
  echo "early_sigterm: FAIL: $ignored of $starts starts did not exit 0 within 10 s" >&2
  exit 1
fi
echo "early_sigterm: OK"
