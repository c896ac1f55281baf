#!/usr/bin/env bash
# See it work offline in one minute: recorded upstream bodies (CoinMarketCap, the Akash Console, the chain) served on
# loopback by scripts/fake_upstream.py, and the exporter polling them on 127.0.0.1:9877 with one watched owner and one
# watched provider, so every area has series. Nothing leaves the machine. Ctrl-C stops both.
#
#   scripts/demo.sh                 # builds once if needed (release), then serves http://127.0.0.1:9877/metrics
#   DEMO_PORT=9900 scripts/demo.sh  # another port
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DEMO_PORT:-9877}
work=$(mktemp -d)
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap 'echo; echo "demo: stopping"; stop; exit 0' INT TERM
trap stop EXIT

# Something already answering on the port (another demo, a running exporter) would pass the readiness check below
# for this one: refuse at once instead.
if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null; then
  echo "demo: 127.0.0.1:$port is already in use (another demo or exporter?): stop it, or DEMO_PORT=9900 scripts/demo.sh" >&2
  exit 1
fi

bin=$(swift build -c release --show-bin-path)/akash-cost-exporter
if [ ! -x "$bin" ]; then
  echo "demo: building the exporter once (release, a few minutes on 2 cores)"
  swift build -c release --product akash-cost-exporter 2>&1 | tail -n 1
fi

. scripts/lib/fake_upstream.sh
start_fake_upstream "$work" --with-defaults --routes Tests/Fixtures/e2e/routes.json \
  || { echo "demo: the fake upstream did not start:"; cat "$work/fake.err"; exit 1; }
pids+=("$FAKE_UPSTREAM_PID")
base=$FAKE_UPSTREAM_URL

# Every upstream URL flag and the recorded owner and provider come from scripts/sources.json, which the source
# registry generates: a new source is in the demo without an edit here.
mapfile -t flags < <(upstream_flags "$base"; recorded_flags)
CMC_API_KEY=demo-key-not-secret "$bin" --web.listen-address="127.0.0.1:$port" --state.file= --poll.start-spread=0s \
  "${flags[@]}" >"$work/exporter.log" 2>&1 &
pids+=($!)
. scripts/lib/exporter.sh
wait_exporter_ready "$port" "${pids[1]}" "$work/exporter.log" || exit 1

cat <<TEXT

akash-cost-exporter is serving recorded data (offline) on http://127.0.0.1:$port
  landing page   http://127.0.0.1:$port/
  metrics        http://127.0.0.1:$port/metrics

Try:
  curl -s http://127.0.0.1:$port/metrics | grep '^akash_gpu_bid_price_usd_per_hour{.*stat="median"'
  curl -s http://127.0.0.1:$port/metrics | grep '^akash_deployment_escrow_runway_seconds'
  curl -s http://127.0.0.1:$port/metrics | grep '^akash_provider_revenue_usd_per_hour'
  curl -s http://127.0.0.1:$port/metrics | grep '^akash_akt_signal_score'

With a Prometheus scraping it (prometheus.yml, target 127.0.0.1:$port), in PromQL:
  akash_gpu_bid_price_usd_per_hour{stat="median"}
  akash_deployment_escrow_runway_seconds / 3600
  sum by (owner) (akash_account_spend_usd_per_hour)

Ctrl-C stops the exporter and the fake upstream.
TEXT
status=0
wait "${pids[1]}" || status=$?
echo "demo: the exporter exited ($status):"; tail -n 20 "$work/exporter.log"
exit "$status"
