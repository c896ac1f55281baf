#!/usr/bin/env bash
# Serving benchmark, all on this machine over loopback, printing figures (issues 2 and 7):
#   - requests/s and p99 of /metrics at 1, 64 and 256 connections (wrk, BENCH_SECONDS each) for the server
#     under test, nginx serving the identical bytes as a static file, and a Python prometheus_client exporter
#     publishing the same series; ratios against both;
#   - resident memory at start, after 1,000,000 requests, and after 1,000,000 more (growth);
#   - cold start to a ready /metrics;
#   - render time and body size for 10 and 10,000 series;
#   - exporter target: gzip scrapes (Accept-Encoding: gzip) against nginx gzip_static serving the same
#     .gz, and TLS scrapes (--web.config.file with a fresh certificate) against nginx ssl with the same certificate:
#     kept-alive connections, and a new TLS connection per request (handshakes/s).
#
#   scripts/bench.sh
# Environment:
#   BENCH_TARGET=exporter|server   exporter (default): the real akash-cost-exporter against scripts/fake_upstream.py;
#                                  server: Benchmarks/BenchServer, the HTTP server alone serving a rendered body
#   BENCH_SECONDS=10               length of each wrk run
#   BENCH_CONNECTIONS="1 64 256"   connection counts
#   BENCH_SERIES=200               series in the body the server target serves (about 100 bytes each)
#   BENCH_TLS_GZIP=1               0 skips the TLS and gzip section (exporter target only)
#   BENCH_ONLY_TLS_GZIP=0          1 runs only the TLS and gzip section (no plain table, memory, cold start, render)
# The machine is shared: every figure is measured with the three servers run back to back per connection count,
# so a ratio compares like with like even when the absolute numbers move.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"

target="${BENCH_TARGET:-exporter}"
seconds="${BENCH_SECONDS:-10}"
connection_counts="${BENCH_CONNECTIONS:-1 64 256}"
series="${BENCH_SERIES:-200}"
million=1000000
case "$target" in exporter|server) ;; *) echo "BENCH_TARGET must be exporter or server, not \"$target\"" >&2; exit 2;; esac

for tool in wrk nginx curl python3 openssl; do
  command -v "$tool" >/dev/null || { echo "bench.sh needs $tool (Debian: wrk, nginx-light, curl)" >&2; exit 2; }
done
# prometheus_client for the Python baseline: the interpreter's own, or a virtual environment of ours where the
# system Python refuses pip installs (PEP 668).
python=python3
if ! python3 -c 'import prometheus_client' 2>/dev/null; then
  python=.build/bench-venv/bin/python3
  [ -x "$python" ] || python3 -m venv .build/bench-venv
  "$python" -c 'import prometheus_client' 2>/dev/null || "$python" -m pip install -q prometheus-client
fi

. scripts/lib/scratch.sh  # $work, $pids, cleaned up on exit
chmod 755 "$work"  # nginx workers run as an unprivileged user and must read the body
# nginx daemonizes: its master's pid is in its pid file, not in $pids.
scratch_cleanup_extra() {
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
}
[ -n "${BENCH_DEBUG:-}" ] && set -x

. scripts/lib/exporter.sh  # free_port
now_ms() { date +%s%3N; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Waits until URL answers 200 (at most 30 s).
wait_for_200() {
  local url="$1" deadline=$(( $(now_ms) + 30000 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ]; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "timed out waiting for $url" >&2; return 1; }
    sleep 0.005
  done
}

echo "==> building (release)"
swift build -c release --product bench-render 2>&1 | tail -n 1
if [ "$target" = exporter ]; then
  swift build -c release --product akash-cost-exporter 2>&1 | tail -n 1
else
  swift build -c release --product bench-server 2>&1 | tail -n 1
fi
bin=.build/release

# --- the server under test -------------------------------------------------------------------------------
upstream_port=""
if [ "$target" = exporter ]; then
  . scripts/lib/fake_upstream.sh
  start_fake_upstream "$work" || { echo "fake upstream did not start" >&2; cat "$work/fake.err" >&2; exit 1; }
  pids+=("$FAKE_UPSTREAM_PID")
  upstream_port="${FAKE_UPSTREAM_URL##*:}"
  mapfile -t upstream < <(upstream_flags "$FAKE_UPSTREAM_URL")
fi

# Starts the server under test on port $1 in the background, with the flags after it; prints its pid.
start_under_test() {
  local port="$1"
  shift
  if [ "$target" = exporter ]; then
    "$bin/akash-cost-exporter" --web.listen-address "127.0.0.1:$port" --log.level warn "$@" \
      --state.file "$work/state-$port.json" \
      "${upstream[@]}" --poll.start-spread 0s \
      --akash.owner akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c \
      > "$work/under-test-$port.log" 2>&1 &
  else
    "$bin/bench-server" --listen "127.0.0.1:$port" --body "$work/body.prom" > "$work/under-test-$port.log" 2>&1 &
  fi
  echo $!
}
ready_path() { [ "$target" = exporter ] && echo /-/ready || echo /metrics; }

[ "$target" = server ] && "$bin/bench-render" --emit "$series" > "$work/body.prom"

only_tls_gzip="${BENCH_ONLY_TLS_GZIP:-0}"
tls_gzip="${BENCH_TLS_GZIP:-1}"
[ "$target" = exporter ] || tls_gzip=0
[ "$only_tls_gzip" = 1 ] && [ "$tls_gzip" != 1 ] && { echo "BENCH_ONLY_TLS_GZIP needs the exporter target" >&2; exit 2; }

# Cold start: process start to the first 200 on /-/ready (exporter: every source polled once) or /metrics.
cold_starts=()
for run in 1 2 3 4 5; do
  [ "$only_tls_gzip" = 1 ] && break
  port="$(free_port)"
  started="$(now_ms)"
  pid="$(start_under_test "$port")"
  wait_for_200 "http://127.0.0.1:$port$(ready_path)"
  cold_starts+=($(( $(now_ms) - started )))
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
cold_median="$(printf '%s\n' "${cold_starts[@]}" "" | sort -n | sed -n 4p)"

swift_port="$(free_port)"
swift_pid="$(start_under_test "$swift_port")"
pids+=("$swift_pid")
wait_for_200 "http://127.0.0.1:$swift_port$(ready_path)"
swift_url="http://127.0.0.1:$swift_port/metrics"
[ "$target" = exporter ] && curl -s "$swift_url" > "$work/body.prom"
rss_start="$(rss_kib "$swift_pid")"
body_bytes="$(wc -c < "$work/body.prom")"
body_series="$(grep -vc '^#' "$work/body.prom")"

# One certificate for the exporter's TLS and nginx's (a P-256 key, as a small deployment would make).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
  -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null

# --- nginx: the same bytes as a static file (and, for gzip scrapes, the exporter's own .gz) --------------------
nginx_port="$(free_port)"
nginx_tls_port="$(free_port)"
mkdir -p "$work/nginx/www" "$work/nginx/tmp"
cp "$work/body.prom" "$work/nginx/www/metrics"
[ "$target" = exporter ] && curl -s -H 'Accept-Encoding: gzip' "$swift_url" -o "$work/nginx/www/metrics.gz"
cat > "$work/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_requests 100000000;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    listen 127.0.0.1:$nginx_tls_port ssl;
    ssl_certificate $work/tls.crt;
    ssl_certificate_key $work/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/nginx/www;
    # gzip_static: a client that accepts gzip gets metrics.gz as it is on disk, compressed once, like the exporter.
    location = /metrics { default_type "text/plain; version=0.0.4; charset=utf-8"; gzip_static on; }
  }
}
NGINX
nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" -e "$work/nginx/error.log"
nginx_url="http://127.0.0.1:$nginx_port/metrics"
wait_for_200 "$nginx_url"
cmp -s <(curl -s "$nginx_url") "$work/body.prom" || { echo "nginx does not serve the identical body" >&2; exit 1; }

# --- Python prometheus_client exporter publishing the same series ---------------------------------------------
python_port="$(free_port)"
"$python" Benchmarks/python-exporter.py --port "$python_port" --body "$work/body.prom" > "$work/python.log" 2>&1 &
pids+=($!)
python_url="http://127.0.0.1:$python_port/metrics"
wait_for_200 "$python_url"

# --- load ------------------------------------------------------------------------------------------------------
swift_requests=0
# Runs wrk, with the request headers after the duration; sets rps, p99 (ms), requests.
run_wrk() {
  local url="$1" connections="$2" duration="$3" threads=2 output header
  shift 3
  local headers=()
  for header in "$@"; do headers+=(-H "$header"); done
  [ "$connections" -lt 2 ] && threads=1
  output="$(wrk -t"$threads" -c"$connections" -d"$duration" --latency ${headers[@]+"${headers[@]}"} "$url")"
  rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$output")"
  requests="$(awk '/requests in/ { print $1 }' <<<"$output")"
  p99="$(awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 } printf "%.2f", v }' <<<"$output")"
  local errors
  errors="$(awk '/Non-2xx|Socket errors/' <<<"$output")"
  [ -z "$errors" ] || echo "    wrk: $errors" >&2
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

if [ "$only_tls_gzip" != 1 ]; then
echo
echo "target: $target ($( [ "$target" = exporter ] && echo "akash-cost-exporter, release, fake upstreams" || echo "bench-server, release" ))"
echo "body: $body_bytes bytes, $body_series series; machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: ${seconds}s per run, 1 thread at 1 connection, 2 threads otherwise"
echo
printf '%-6s %-8s %12s %10s\n' conns server "requests/s" "p99 ms"
summary=()
for connections in $connection_counts; do
  run_wrk "$swift_url" "$connections" "${seconds}s"; swift_rps=$rps; swift_p99=$p99
  swift_requests=$(( swift_requests + requests ))
  run_wrk "$nginx_url" "$connections" "${seconds}s"; nginx_rps=$rps; nginx_p99=$p99
  run_wrk "$python_url" "$connections" "${seconds}s"; python_rps=$rps; python_p99=$p99
  printf '%-6s %-8s %12s %10s\n' "$connections" swift "$swift_rps" "$swift_p99"
  printf '%-6s %-8s %12s %10s\n' "" nginx "$nginx_rps" "$nginx_p99"
  printf '%-6s %-8s %12s %10s\n' "" python "$python_rps" "$python_p99"
  summary+=("$(printf '%-6s swift/nginx %-7s swift/python %s' "$connections" "$(ratio "$swift_rps" "$nginx_rps")" "$(ratio "$swift_rps" "$python_rps")")")
done
echo
echo "ratios (requests/s):"
printf '  %s\n' "${summary[@]}"

# --- memory over a million requests ----------------------------------------------------------------------------
load_until() {
  local goal="$1"
  while [ "$swift_requests" -lt "$goal" ]; do
    run_wrk "$swift_url" 64 "${seconds}s"
    swift_requests=$(( swift_requests + requests ))
  done
}
load_until "$million"
rss_1m="$(rss_kib "$swift_pid")"
requests_1m=$swift_requests
load_until $(( requests_1m + million ))
rss_2m="$(rss_kib "$swift_pid")"
echo
echo "resident memory (swift):"
echo "  at start (ready, before load):  $(mib "$rss_start") MiB"
echo "  after $requests_1m requests:    $(mib "$rss_1m") MiB  (+$(mib $(( rss_1m - rss_start ))) MiB)"
echo "  after $swift_requests requests:    $(mib "$rss_2m") MiB  (+$(mib $(( rss_2m - rss_1m ))) MiB over the second million)"

echo
echo "cold start to a ready $(ready_path): median ${cold_median} ms (runs: ${cold_starts[*]} ms)"

echo
echo "render (Exposition, release):"
"$bin/bench-render" 10 10000 | sed 's/^/  /'
fi

# --- TLS and gzip --------------------------------------------------------------------------------------------
if [ "$tls_gzip" = 1 ]; then
  printf 'tls_server_config:\n  cert_file: %s\n  key_file: %s\n' "$work/tls.crt" "$work/tls.key" > "$work/web.yml"
  tls_port="$(free_port)"
  tls_pid="$(start_under_test "$tls_port" --web.config.file "$work/web.yml")"
  pids+=("$tls_pid")
  swift_tls_url="https://127.0.0.1:$tls_port/metrics"
  deadline=$(( $(now_ms) + 30000 ))
  until [ "$(curl -s --cacert "$work/tls.crt" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$tls_port/-/ready")" = 200 ]; do
    [ "$(now_ms)" -lt "$deadline" ] || { echo "the TLS exporter did not get ready" >&2; exit 1; }
    sleep 0.05
  done
  nginx_tls_url="https://127.0.0.1:$nginx_tls_port/metrics"
  gzip_header="Accept-Encoding: gzip"
  # Both answer gzip only when asked, over TLS too.
  for url in "$swift_url" "$nginx_url"; do
    curl -s -D - -o /dev/null -H "$gzip_header" "$url" | grep -qi '^content-encoding: gzip' \
      || { echo "$url does not answer gzip" >&2; exit 1; }
  done
  gzip_bytes="$(curl -s -H "$gzip_header" "$swift_url" | wc -c)"
  nginx_gzip_bytes="$(curl -s -H "$gzip_header" "$nginx_url" | wc -c)"
  echo
  echo "TLS and gzip: exporter (release) vs nginx; body $body_bytes bytes plain, $gzip_bytes gzip (exporter) / $nginx_gzip_bytes (nginx's .gz)"
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg); wrk ${seconds}s per run; TLS: $(openssl version | cut -d' ' -f1-2), P-256 certificate"
  printf '%-6s %-34s %12s %9s %12s %9s %9s\n' conns scrape "exporter r/s" "p99 ms" "nginx r/s" "p99 ms" "vs nginx"
  bench_pair() {  # label connections exporter-url nginx-url [headers...]
    local label="$1" connections="$2" ours="$3" theirs="$4"
    shift 4
    run_wrk "$ours" "$connections" "${seconds}s" "$@"; local our_rps=$rps our_p99=$p99
    run_wrk "$theirs" "$connections" "${seconds}s" "$@"
    printf '%-6s %-34s %12s %9s %12s %9s %9s\n' "$connections" "$label" "$our_rps" "$our_p99" "$rps" "$p99" "$(ratio "$our_rps" "$rps")"
  }
  for connections in 1 64; do
    bench_pair "gzip, http (nginx gzip_static)" "$connections" "$swift_url" "$nginx_url" "$gzip_header"
  done
  for connections in 1 64; do
    bench_pair "TLS, kept alive" "$connections" "$swift_tls_url" "$nginx_tls_url"
  done
  bench_pair "TLS + gzip, kept alive" 64 "$swift_tls_url" "$nginx_tls_url" "$gzip_header"
  # wrk reconnects after every response that says Connection: close: one full handshake per request.
  bench_pair "TLS, new connection per request" 16 "$swift_tls_url" "$nginx_tls_url" "Connection: close"
  echo "resident memory of the TLS exporter after these runs: $(mib "$(rss_kib "$tls_pid")") MiB"
fi
