#!/usr/bin/env bash
# Crash safety: SIGKILL the exporter at random moments while it polls and saves its state file, ROUNDS
# times (default 50). Every restart must come up (no crash), say in its log how it found the state file (loaded,
# first start, or unreadable and starting fresh), and must never report a torn or invalid file as loaded. A
# final run must drain on SIGTERM, exit 0 and leave a valid state file.
#
#   scripts/crash_safety.sh                                   # after `swift build`
#   EXPORTER=/path/to/binary ROUNDS=50 KILL_WINDOW_MS=400 scripts/crash_safety.sh
#   EXPORTER_ARGS="--cmc.quotes-interval 5s" scripts/crash_safety.sh    # extra flags: more polls, more saves
#   FAKE_UPSTREAM_ARGS="--routes my-routes.json"                        # extra flags for the fake upstream
#
# Upstreams are faked by scripts/fake_upstream.py (recorded bodies on loopback), so polls succeed and the state
# file really is written while the kills land. The exporter is killed a random 0..KILL_WINDOW_MS after it answers
# /-/healthy, which is when its first polls finish and save. The summary counts the kills that caught a save in
# the middle (a temp file left behind), which is what the test is about.
#
# Exit 0 when every round passed, 1 otherwise (the failing round's log is printed).
set -euo pipefail
cd "$(dirname "$0")/.."

exporter="${EXPORTER:-.build/debug/akash-cost-exporter}"
rounds="${ROUNDS:-50}"
kill_window_ms="${KILL_WINDOW_MS:-400}"
read -r -a extra_args <<<"${EXPORTER_ARGS:-}"
read -r -a fake_args <<<"${FAKE_UPSTREAM_ARGS:-}"
[ -x "$exporter" ] || { echo "crash_safety: no exporter binary at $exporter (run swift build first)" >&2; exit 1; }
[ -f scripts/fake_upstream.py ] || { echo "crash_safety: scripts/fake_upstream.py is missing" >&2; exit 1; }

work="$(mktemp -d)"
fake_pid=""
exporter_pid=""
cleanup() {
  for pid in "$exporter_pid" "$fake_pid"; do
    if [ -n "$pid" ]; then kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "crash_safety: FAIL: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$2" ]; then sed 's/^/    /' "$2" >&2; fi
  exit 1
}

. scripts/lib/fake_upstream.sh
start_fake_upstream "$work" ${fake_args[@]+"${fake_args[@]}"} || fail "fake upstream did not start" "$work/fake.err"
fake_pid="$FAKE_UPSTREAM_PID"
base="$FAKE_UPSTREAM_URL"
mapfile -t upstream < <(upstream_flags "$base")
state="$work/state.json"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# What a correct loader must make of the file: absent, valid (format 1 with a sections object), or invalid.
classify_state() {
  python3 - "$state" <<'EOF'
import json, sys
try:
    with open(sys.argv[1], "rb") as f:
        raw = f.read()
except FileNotFoundError:
    print("absent"); sys.exit()
try:
    doc = json.loads(raw)
    ok = isinstance(doc, dict) and doc.get("format") == 1 and isinstance(doc.get("sections"), dict)
    print("valid" if ok else "invalid")
except ValueError:
    print("invalid")
EOF
}

# Starts the exporter in the background (sets exporter_pid) and waits until /-/healthy answers.
start_exporter() {
  local log="$1" listen
  listen="127.0.0.1:$(free_port)"
  "$exporter" --web.listen-address "$listen" --state.file "$state" \
    "${upstream[@]}" --poll.start-spread 0s \
    ${extra_args[@]+"${extra_args[@]}"} >/dev/null 2>"$log" &
  exporter_pid=$!
  for _ in $(seq 200); do
    curl -sf -o /dev/null "http://$listen/-/healthy" && return 0
    kill -0 "$exporter_pid" 2>/dev/null || { wait "$exporter_pid" || true; fail "the exporter died on start" "$log"; }
    sleep 0.05
  done
  fail "the exporter did not answer /-/healthy within 10 s" "$log"
}

loaded=0 fresh=0 replaced=0 torn=0 midsave=0
for round in $(seq "$rounds"); do
  found="$(classify_state)"
  log="$work/round-$round.log"
  start_exporter "$log"
  case "$found" in
    absent)
      grep -q 'no state file yet' "$log" || fail "round $round: no state file, but no first-start line" "$log"
      fresh=$((fresh + 1)) ;;
    valid)
      grep -q 'msg="state loaded"' "$log" || fail "round $round: a valid state file was not loaded" "$log"
      loaded=$((loaded + 1)) ;;
    invalid)
      torn=$((torn + 1))
      grep -q 'msg="state loaded"' "$log" && fail "round $round: an invalid state file was taken as valid" "$log"
      grep -Eq 'state file is unreadable|unknown format' "$log" || fail "round $round: invalid state, no log line" "$log"
      replaced=$((replaced + 1)) ;;
  esac
  sleep "$(python3 -c "import random; print(random.uniform(0, $kill_window_ms / 1000))")"
  kill -0 "$exporter_pid" 2>/dev/null || fail "round $round: the exporter exited before the kill" "$log"
  kill -9 "$exporter_pid"
  wait "$exporter_pid" 2>/dev/null || true
  exporter_pid=""
  if compgen -G "$state.tmp.*" >/dev/null; then midsave=$((midsave + 1)); fi
done

# A clean stop after all that: SIGTERM drains, saves and exits 0; the file is valid and no temp file is left.
log="$work/final.log"
start_exporter "$log"
sleep 1
kill -TERM "$exporter_pid"
status=0
wait "$exporter_pid" || status=$?
exporter_pid=""
[ "$status" -eq 0 ] || fail "SIGTERM: exit status $status, expected 0" "$log"
[ "$(classify_state)" = valid ] || fail "after SIGTERM the state file is not valid" "$log"
compgen -G "$state.tmp.*" >/dev/null && fail "after SIGTERM a temp file is left: $(ls "$state".tmp.*)"

echo "crash_safety: $rounds kills: restarts loaded state $loaded, first start $fresh, invalid file replaced $replaced"
echo "crash_safety: kills that interrupted a save (temp file left): $midsave; torn state files seen: $torn"
echo "crash_safety: SIGTERM exit 0 with a valid state file: ok"
[ "$torn" -eq 0 ] || fail "$torn torn state files: the write is not atomic"
echo "crash_safety: PASS"
