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

# upstream_flags BASE: every upstream URL flag of the source registry (scripts/sources.json, generated from it), each
# API pointed at BASE under its fake prefix, one per line:
#   mapfile -t upstream < <(upstream_flags "$FAKE_UPSTREAM_URL")
# A new API is then served and pointed at by every script without an edit.
upstream_flags() {
  python3 - "$1" <<'PY'
import json, sys
for api in json.load(open("scripts/sources.json"))["apis"]:
    print(f"--{api['url_flag']}={sys.argv[1]}{api['prefix']}")
PY
}

# recorded_flags: what the recorded bodies assume (the owner and the provider they belong to), one per line.
recorded_flags() {
  python3 -c 'import json; print(*json.load(open("scripts/sources.json"))["flags"], sep="\n")'
}

# interval_flags DURATION: every source's interval flag set to DURATION, one per line.
interval_flags() {
  python3 - "$1" <<'PY'
import json, sys
for flag in json.load(open("scripts/sources.json"))["interval_flags"]:
    print(f"--{flag}={sys.argv[1]}")
PY
}
