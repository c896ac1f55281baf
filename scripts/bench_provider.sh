#!/usr/bin/env bash
# Provider view at scale: poll time (active leases; active and open bids) and collect/render time for one provider
# with 5,000 active leases and 2,000 open bids, 1,000 per page, served by a fake chain REST on loopback. Release
# build; prints numbers.
#
#   scripts/bench_provider.sh [leases] [open bids] [page size] [repetitions]   (defaults 5000 2000 1000 10)
#   scripts/bench_provider.sh --scaling      (1250/500, 2500/1000, 5000/2000, 10000/4000: linear, not quadratic)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product ProviderBench >&2
bench=.build/release/ProviderBench
if [[ "${1:-}" == "--scaling" ]]; then
    for leases in 1250 2500 5000 10000; do
        "$bench" "$leases" $((leases * 2 / 5)) 1000 5
        echo
    done
else
    "$bench" "$@"
fi
