#!/usr/bin/env bash
# Resident memory against large upstream bodies: the Console's /v1/providers list at 300, 2,000 and 8,000 providers,
# and an owner's lease list (/akash/market/v1beta5/leases/list, the chain's paginated list path and its decoder) at
# 1,000 and 10,000 leases in pages of 500. The bodies are made here from the recorded ones (Tests/Fixtures), each
# provider padded to at least the 2.15 KB the live list averages (4.6 MB at 2,000 providers where the live list had
# 4.3 MB); nothing large is committed.
#
#   scripts/bench_bodies.sh                  # every size, release build
#   SIZES="providers:8000 leases:10000" POLLS=20 INTERVAL=2s scripts/bench_bodies.sh
#   EXPORTER=.build/release/akash-cost-exporter scripts/bench_bodies.sh
#   EXPORTER_ENV="MALLOC_MMAP_THRESHOLD_=131072" scripts/bench_bodies.sh   # environment for the exporter
#   SIZES="leases-closed:10000" scripts/bench_bodies.sh   # leases the exporter decodes and then drops (state closed)
#   SIZES="network-leases:10000" scripts/bench_bodies.sh  # the network-wide active lease list of the paid index
#
# Each size runs its own exporter against scripts/fake_upstream.py, every other source at its default interval and
# the measured one every INTERVAL (default 2s; a value is served for three intervals, so a 20-page poll on a busy
# machine needs more than 1s to stay fresh). The measured route answers its first request with the small recorded
# body and every later one with the large body, so "before" is the process with every source polled once (ready),
# before the first large body. Printed per size: resident (Rss) and anonymous memory from /proc/PID/smaps_rollup
# before, after the first large poll and after POLLS large polls (default 20), each sampled a second after the poll's
# last request (between polls); the peak resident size over the run (VmHWM); and the source's `up` at the end (1: the
# last poll decoded).
#
# An owner's active leases are kept and exported (a few series each), so resident memory grows with their number
# whatever the decoding costs; `leases-closed` serves the same pages with every lease closed, which the exporter
# decodes, checks and drops, as a list read for an index (the network-wide lease and bid lists) keeps little.
set -euo pipefail
cd "$(dirname "$0")/.."

exporter="${EXPORTER:-.build/release/akash-cost-exporter}"
polls="${POLLS:-20}"
interval="${INTERVAL:-2s}"
sizes="${SIZES:-providers:300 providers:2000 providers:8000 network-leases:1000 network-leases:10000 leases:1000 leases:10000 leases-closed:1000 leases-closed:10000}"
owner="akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c"
if [ -z "${EXPORTER:-}" ]; then swift build -c release --product akash-cost-exporter >/dev/null; fi
[ -x "$exporter" ] || { echo "bench_bodies: no exporter binary at $exporter" >&2; exit 1; }

. scripts/lib/scratch.sh  # $work, $pids, cleaned up on exit
. scripts/lib/exporter.sh  # free_port, wait_exporter_ready

# make_bodies KIND COUNT DIR: the large bodies and a routes file (DIR/routes.json) serving them.
make_bodies() {
  python3 - "$1" "$2" "$3" "$owner" <<'PY'
import base64, copy, json, sys
from pathlib import Path
from urllib.parse import quote

kind, count, out, owner = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
state = "closed" if kind == "leases-closed" else "active"
network = kind == "network-leases"
compact = dict(separators=(",", ":"))
if kind == "providers":
    recorded = json.load(open("Tests/Fixtures/akash/providers.json"))
    providers = []
    for i in range(count):
        provider = copy.deepcopy(recorded[i % len(recorded)])
        provider["owner"] = "akash1bench%033d" % i
        provider["hostUri"] = "https://provider-%d.example.com:8443" % i
        provider["isOnline"] = i % 4 != 0
        provider["isAudited"] = i % 3 == 0
        # Pad to the live list's average entry (17 MB for 8,000) with attributes like the recorded ones.
        n = 0
        while len(json.dumps(provider, **compact)) < 2150:
            provider["attributes"].append({"key": "bench-%d" % n, "value": "padding-%d" % n, "auditedBy": []})
            n += 1
        providers.append(provider)
    (out / "big.json").write_text(json.dumps(providers, **compact))
    routes = {"/console/v1/providers": {"sequence": [{"file": str(Path.cwd() / "Tests/Fixtures/akash/providers.json")},
                                                    {"file": str(out / "big.json")}]}}
else:
    recorded = json.load(open("Tests/Fixtures/e2e/chain-leases.json"))["leases"]
    per_page = 500
    pages = (count + per_page - 1) // per_page
    key = lambda number: base64.b64encode(("bench/leases/%d" % number).encode()).decode()
    if network:
        # The network-wide list (every tenant's active leases) is asked with the state filter alone; its reclaiming
        # list is served empty.
        path = "/chain/akash/market/v1beta5/leases/list?filters.state=active"
        routes = {"/chain/akash/market/v1beta5/leases/list?filters.state=reclaiming":
                  {"body": {"leases": [], "pagination": {"next_key": None, "total": "0"}}}}
    else:
        path = "/chain/akash/market/v1beta5/leases/list?filters.owner=" + owner
        routes = {}
    for page in range(1, pages + 1):
        entries = []
        for i in range((page - 1) * per_page, min(count, page * per_page)):
            entry = copy.deepcopy(recorded[i % len(recorded)])
            entry["lease"]["id"]["dseq"] = str(30000000 + i)
            entry["lease"]["state"] = state
            entry["escrow_payment"]["id"]["aid"]["xid"] = "%s/%d" % (owner, 30000000 + i)
            entries.append(entry)
        next_key = key(page + 1) if page < pages else None
        body = {"leases": entries, "pagination": {"next_key": next_key, "total": "0" if page > 1 else str(count)}}
        (out / ("page%d.json" % page)).write_text(json.dumps(body, **compact))
        if page == 1:
            routes[path] = {"sequence": [{"file": str(Path.cwd() / "Tests/Fixtures/e2e/chain-leases.json")},
                                         {"file": str(out / "page1.json")}]}
        else:
            routes[path + "&pagination.key=" + quote(key(page), safe="")] = {"file": str(out / ("page%d.json" % page))}
(out / "routes.json").write_text(json.dumps(routes, indent=1))
total = sum(f.stat().st_size for f in out.glob("*.json") if f.name != "routes.json")
print(total)
PY
}

# rss_anon PID: "resident_kib anonymous_kib"
rss_anon() {
  awk '/^Rss:/ {r = $2} /^Anonymous:/ {a = $2} END {print r, a}' "/proc/$1/smaps_rollup"
}

# metric PORT NAME SOURCE: the value of NAME{source="SOURCE"}, 0 when absent.
metric() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk -v name="$2" -v source="$3" '
    index($0, name "{") == 1 && index($0, "source=\"" source "\"") { v = $NF } END { printf "%d", v + 0 }'
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

echo "bench_bodies: $exporter, $polls large polls per size, one poll every $interval${EXPORTER_ENV:+, env $EXPORTER_ENV}"
printf '| %-22s | %9s | %14s | %14s | %14s | %10s | %8s | %s |\n' "body" "size" "before MiB" "after 1 MiB" "after $polls MiB" "delta MiB" "peak MiB" "up"
printf '|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------" "-----------" "----------------" "----------------" "----------------" "------------" "----------" "----"
for size in $sizes; do
  kind="${size%%:*}" count="${size#*:}"
  dir="$work/$kind-$count"
  mkdir -p "$dir"
  bytes="$(make_bodies "$kind" "$count" "$dir")"
  . scripts/lib/fake_upstream.sh
  start_fake_upstream "$dir" --routes "$dir/routes.json" --with-defaults \
    || { echo "bench_bodies: fake upstream did not start" >&2; cat "$dir/fake.err" >&2; exit 1; }
  fake_pid="$FAKE_UPSTREAM_PID"
  pids+=("$fake_pid")
  mapfile -t upstream < <(upstream_flags "$FAKE_UPSTREAM_URL")
  owner_flags=(--akash.owner "$owner")
  if [ "$kind" = providers ]; then
    source=akash_providers fast=(--akash.providers-interval="$interval") per_poll=1
  elif [ "$kind" = network-leases ]; then
    # No owner: the network list's filter is a subset of an owner's, and its route must not answer theirs.
    source=akash_network_leases fast=(--akash.network-interval="$interval") per_poll=$(( (count + 499) / 500 + 1 ))
    owner_flags=()
  else
    source=akash_leases fast=(--akash.account-interval="$interval") per_poll=$(( (count + 499) / 500 ))
  fi
  port="$(free_port)"
  echo "fake-key-for-bench" > "$dir/key"
  env ${EXPORTER_ENV:-} "$exporter" --web.listen-address "127.0.0.1:$port" --log.level error --state.file "" \
    --cmc.api-key-file "$dir/key" "${upstream[@]}" "${owner_flags[@]}" --poll.start-spread 0s "${fast[@]}" \
    >"$dir/exporter.log" 2>&1 &
  exporter_pid=$!
  pids+=("$exporter_pid")
  wait_exporter_ready "$port" "$exporter_pid" "$dir/exporter.log" || exit 1
  read -r rss0 anon0 <<<"$(rss_anon "$exporter_pid")"
  # wait_polled N: until the source has made N requests (the recorded poll's, then per_poll per large poll) and then
  # none for a second: the poll has ended (decoding takes a fraction of a second) and the next is an interval away.
  first="$(metric "$port" akash_exporter_source_requests_total "$source")"
  wait_polled() {
    local seen last=-1 quiet=0
    while :; do
      kill -0 "$exporter_pid" 2>/dev/null || { echo "bench_bodies: exporter died" >&2; tail "$dir/exporter.log" >&2; exit 1; }
      seen="$(metric "$port" akash_exporter_source_requests_total "$source")"
      if [ "$seen" -ge "$1" ] && [ "$seen" = "$last" ]; then quiet=$(( quiet + 1 )); else quiet=0; fi
      [ "$quiet" -ge 10 ] && return
      last="$seen"
      sleep 0.1
    done
  }
  wait_polled $(( first + per_poll ))
  read -r rss1 anon1 <<<"$(rss_anon "$exporter_pid")"
  wait_polled $(( first + polls * per_poll ))
  read -r rss2 anon2 <<<"$(rss_anon "$exporter_pid")"
  up="$(metric "$port" akash_exporter_source_up "$source")"
  peak="$(awk '/^VmHWM:/ {print $2}' "/proc/$exporter_pid/status")"
  label="$kind $count"
  printf '| %-22s | %6s MB | %14s | %14s | %14s | %10s | %8s | %s |\n' "$label" "$(awk -v b="$bytes" 'BEGIN { printf "%.2f", b / 1e6 }')" \
    "$(mib "$rss0")" "$(mib "$rss1")" "$(mib "$rss2")" "$(awk -v a="$rss2" -v b="$rss0" 'BEGIN { printf "%+.1f", (a - b) / 1024 }')" \
    "$(mib "$peak")" "$up"
  if [ -n "${VERBOSE:-}" ]; then
    echo "   anonymous KiB: $anon0 -> $anon1 -> $anon2; /metrics $(curl -fsS "http://127.0.0.1:$port/metrics" | wc -c) bytes"
  fi
  kill "$exporter_pid" "$fake_pid" 2>/dev/null || true
  wait "$exporter_pid" "$fake_pid" 2>/dev/null || true
  pids=()
  rm -rf "$dir"
done
