# Sourced by the scripts that run against recorded bodies (crash_safety.sh, parity.sh, bench.sh).
#
#   start_fake_upstream DIR [fake_upstream.py flags...]
#
# Starts scripts/fake_upstream.py on a free loopback port in the background, its stdout and stderr in DIR/fake.out
# and DIR/fake.err, and sets FAKE_UPSTREAM_PID and FAKE_UPSTREAM_URL (http://127.0.0.1:PORT). Returns 1 when it did
# not come up within 10 s. Run from the repository root.
start_fake_upstream() {
  local dir="$1"
  shift
  : >"$dir/fake.out"  # exists before the loop below reads it
  python3 scripts/fake_upstream.py --port 0 "$@" >"$dir/fake.out" 2>"$dir/fake.err" &
  FAKE_UPSTREAM_PID=$!
  local port=""
  for _ in $(seq 100); do
    port="$(sed -n 's/^PORT=//p' "$dir/fake.out")"
    [ -n "$port" ] && break
    kill -0 "$FAKE_UPSTREAM_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || return 1
  FAKE_UPSTREAM_URL="http://127.0.0.1:$port"
}
