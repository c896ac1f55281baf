#!/usr/bin/env bash
# Soak: every source polled every second against the fake upstreams (scripts/fake_upstream.py), the
# exporter's resident and anonymous memory (/proc/PID/smaps_rollup) printed each sample, and a failure when
# anonymous memory still grows in the second half of the run. The poll path is what is soaked: no scrapes
# but the one per sample that reads the request counter.
#
#   scripts/soak.sh                        # 30 minutes after 1 minute of warm-up, release build
#   MINUTES=3 scripts/soak.sh              # the short variant (CI can afford it)
#   EXPORTER=.build/debug/akash-cost-exporter WARMUP_MINUTES=1 SAMPLE_SECONDS=60 LIMIT_KIB_PER_MIN=2 scripts/soak.sh
#   SCRAPE_SECONDS=20 MINUTES=0 WARMUP_MINUTES=0 scripts/soak.sh   # resident memory after 20 s of 64-connection
#                                                                   # wrk scrapes while polling, then stop
#   BREAKDOWN=1 SCRAPE_SECONDS=20 MINUTES=0 WARMUP_MINUTES=0 scripts/soak.sh  # ... and where it is, by mapping
#
# The provider probe polls for real: the owner's providers are registered at a loopback TLS gateway
# (scripts/fake_gateway.py), probed with --akash.probe-allow-private; GATEWAY=0 leaves the recorded host_uris, which the
# guard refuses without a connection.
# It also prints the cold start: process start to the first 200 on /-/ready (every source polled once).
# Output: one line per sample (elapsed, resident KiB, anonymous KiB, upstream requests so far), then the growth of
# anonymous memory from the end of the warm-up to the end and per 1,000 requests, and its trend (least-squares slope
# in KiB per minute, over all samples after warm-up and over the second half). Exit 0 when the second half's slope
# is at most LIMIT_KIB_PER_MIN (default 2 KiB/min, about 3 MiB a day), 1 otherwise or when the exporter died. The
# slope, not end minus baseline: the allocator settles for several minutes after the warm-up (a few hundred KiB
# once, then flat), which a fixed allowance took for a leak; a leak keeps its slope in the second half. Runs too
# short for a slope (a second half of less than 10 minutes, or of fewer than 5 samples) are judged by growth after
# warm-up against LIMIT_KIB (default 154 KiB).
set -euo pipefail
cd "$(dirname "$0")/.."

exporter="${EXPORTER:-.build/release/akash-cost-exporter}"
minutes="${MINUTES:-30}"
warmup_minutes="${WARMUP_MINUTES:-1}"
sample_seconds="${SAMPLE_SECONDS:-60}"
limit_kib="${LIMIT_KIB:-154}"
limit_slope="${LIMIT_KIB_PER_MIN:-2}"
[ -x "$exporter" ] || { echo "soak: no exporter binary at $exporter (swift build -c release first)" >&2; exit 1; }

. scripts/lib/scratch.sh  # $work, $pids, cleaned up on exit

. scripts/lib/fake_upstream.sh
gateway_routes=() probe_flags=()
if [ "${GATEWAY:-1}" = 1 ]; then
  mkdir "$work/gateway"
  python3 scripts/fake_gateway.py --dir "$work/gateway" >"$work/gateway.out" 2>"$work/gateway.err" &
  pids+=("$!")
  for _ in $(seq 100); do grep -q '^PORT=' "$work/gateway.out" && break; sleep 0.1; done
  grep -q '^PORT=' "$work/gateway.out" || { echo "soak: gateway did not start" >&2; cat "$work/gateway.err" >&2; exit 1; }
  gateway_routes=(--routes "$work/gateway/routes.json" --with-defaults)
  probe_flags=(--akash.probe-allow-private)
fi
start_fake_upstream "$work" "${gateway_routes[@]}" || { echo "soak: fake upstream did not start" >&2; cat "$work/fake.err" >&2; exit 1; }
pids+=("$FAKE_UPSTREAM_PID")
base="$FAKE_UPSTREAM_URL"
mapfile -t upstream < <(upstream_flags "$base")
mapfile -t intervals < <(interval_flags 1s)
. scripts/lib/exporter.sh  # free_port, wait_exporter_ready
port="$(free_port)"

echo "fake-key-for-soak" > "$work/key"
started_ns="$(date +%s%N)"
"$exporter" --web.listen-address "127.0.0.1:$port" --log.level error --state.file "$work/state.json" \
  --cmc.api-key-file "$work/key" "${upstream[@]}" "${intervals[@]}" \
  --akash.owner akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c --poll.start-spread 0s "${probe_flags[@]}" \
  >"$work/exporter.log" 2>&1 &
exporter_pid=$!
pids+=("$exporter_pid")

wait_exporter_ready "$port" "$exporter_pid" "$work/exporter.log" || exit 1
echo "soak: cold start to /-/ready: $(( ($(date +%s%N) - started_ns) / 1000000 )) ms"

# resident_kib anonymous_kib requests
sample() {
  local rss anon requests
  rss="$(awk '/^Rss:/ {print $2}' "/proc/$exporter_pid/smaps_rollup")"
  anon="$(awk '/^Anonymous:/ {print $2}' "/proc/$exporter_pid/smaps_rollup")"
  requests="$(curl -fsS "http://127.0.0.1:$port/metrics" \
    | awk '/^akash_exporter_source_requests_total/ {sum += $NF} END {printf "%d", sum}')"
  echo "$rss $anon $requests"
}

if [ "${SCRAPE_SECONDS:-0}" -gt 0 ]; then
  command -v wrk >/dev/null || { echo "soak: wrk is needed for SCRAPE_SECONDS" >&2; exit 1; }
  wrk -t 2 -c 64 -d "${SCRAPE_SECONDS}s" "http://127.0.0.1:$port/metrics" | grep -E "Requests/sec|requests in"
  read -r rss anon requests <<<"$(sample)"
  echo "soak: after ${SCRAPE_SECONDS} s of 64-connection scrapes while polling: resident ${rss} KiB ($(( rss / 1024 )).$(( rss % 1024 * 10 / 1024 )) MiB), anonymous ${anon} KiB"
  if [ -n "${BREAKDOWN:-}" ]; then
    # Where the resident memory is, by mapping (/proc/PID/smaps): the file's name, or [heap], [stack], anonymous.
    echo "soak: resident KiB by mapping (largest first):"
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "anonymous"; sub(/.*\//, "", name) }
         /^Rss:/ { rss[name] += $2 }
         END { for (n in rss) if (rss[n] > 0) printf "%8d  %s\n", rss[n], n }' "/proc/$exporter_pid/smaps" | sort -rn | head -n 25
    echo "soak: threads $(ls "/proc/$exporter_pid/task" | wc -l)"
  fi
fi

echo "soak: $exporter (pid $exporter_pid), every source every 1s ($([ "${GATEWAY:-1}" = 1 ] && echo "the owner's providers probed at a loopback TLS gateway" || echo "provider probes refused by the guard")), warm-up ${warmup_minutes} min, then ${minutes} min"
printf '%8s %14s %15s %10s\n' elapsed resident_kib anonymous_kib requests
start="$(date +%s)"
total_seconds=$(( (warmup_minutes + minutes) * 60 ))
warm_anon="" warm_requests=""
elapsed=0
while :; do
  kill -0 "$exporter_pid" 2>/dev/null || { echo "soak: FAIL: exporter died" >&2; tail -n 20 "$work/exporter.log" >&2; exit 1; }
  read -r rss anon requests <<<"$(sample)"
  printf '%7ss %14s %15s %10s\n' "$elapsed" "$rss" "$anon" "$requests"
  if [ -z "$warm_anon" ] && [ "$elapsed" -ge $(( warmup_minutes * 60 )) ]; then
    warm_anon="$anon" warm_requests="$requests"
    echo "   (warm-up over: anonymous ${anon} KiB is the baseline)"
  fi
  [ -n "$warm_anon" ] && echo "$elapsed $anon" >> "$work/samples"
  [ "$elapsed" -ge "$total_seconds" ] && break
  next=$(( elapsed + sample_seconds ))
  [ "$next" -gt "$total_seconds" ] && next="$total_seconds"
  sleep $(( start + next - $(date +%s) > 0 ? start + next - $(date +%s) : 0 ))
  elapsed=$(( $(date +%s) - start ))
done

# What the probe saw at the end: the gateway answered (1) or the guard refused (akash_provider_probe_refused).
echo "soak: provider probes at the end: $(curl -fsS "http://127.0.0.1:$port/metrics" \
  | awk '/^akash_provider_probe_success/ {ok += $NF; n++} /^akash_provider_probe_refused/ {refused++}
         END {printf "%d of %d succeeded, %d refused", ok, n, refused}')"
growth=$(( anon - warm_anon ))
polled=$(( requests - warm_requests ))
per_thousand="$(awk -v g="$growth" -v n="$polled" 'BEGIN { if (n > 0) printf "%.1f", g * 1000 / n; else print "n/a" }')"
echo "soak: anonymous ${warm_anon} -> ${anon} KiB after warm-up (${growth} KiB over ${polled} requests, ${per_thousand} KiB per 1,000)"
# The trend, as a least-squares slope of the samples after warm-up: over all of them, and over the second half
# alone (a level that settles early and then stays flat shows a slope near 0 there).
slope() {
  awk '{ n++; x += $1; y += $2; xx += $1 * $1; xy += $1 * $2 }
       END { d = n * xx - x * x; if (n > 2 && d != 0) printf "%+.1f", (n * xy - x * y) / d * 60; else printf "n/a" }'
}
samples="$(wc -l < "$work/samples")"
half=$(( (samples + 1) / 2 ))
second_half="$(tail -n "$half" "$work/samples" | slope)"
half_seconds="$(tail -n "$half" "$work/samples" | awk 'NR == 1 { first = $1 } { last = $1 } END { print last - first }')"
echo "soak: trend of anonymous memory after warm-up: $(slope < "$work/samples") KiB/min over ${samples} samples, ${second_half} KiB/min over the second half"
if [ "$half" -ge 5 ] && [ "$half_seconds" -ge 600 ]; then
  if awk -v s="$second_half" -v l="$limit_slope" 'BEGIN { exit !(s + 0 > l + 0) }'; then
    echo "soak: FAIL: anonymous memory still grows ${second_half} KiB/min over the second half (limit ${limit_slope})" >&2
    exit 1
  fi
  echo "soak: OK (second half ${second_half} KiB/min, limit ${limit_slope})"
else
  if [ "$growth" -gt "$limit_kib" ]; then
    echo "soak: FAIL: anonymous memory grew ${growth} KiB after warm-up (a run this short is judged by growth)" >&2
    exit 1
  fi
  echo "soak: OK (growth ${growth} KiB, allowance ${limit_kib})"
fi
