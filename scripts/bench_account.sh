#!/usr/bin/env bash
# Account area at scale: poll time (leases, deployments, latest block) and collect/render time for one owner with
# 2,000 active leases over 10 pages, served by a fake chain REST on loopback. Release build; prints numbers.
#
#   scripts/bench_account.sh [leases] [pages] [repetitions] [gpu]   (defaults 2000 10 20 1; gpu 0: no GPU leases)
#   scripts/bench_account.sh --scaling                           (1000/2000/4000/8000 leases: linear, not quadratic)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product AccountBench >&2
bench=.build/release/AccountBench
if [[ "${1:-}" == "--scaling" ]]; then
    for leases in 1000 2000 4000 8000; do
        "$bench" "$leases" $((leases / 200)) 10
        echo
    done
else
    "$bench" "$@"
fi
