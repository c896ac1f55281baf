#!/usr/bin/env bash
# The paid-price index at network scale: poll + join + collect time, resident memory over repeated polls and the
# series count, for 10,000 active leases and their winning bids, 500 per page, served by a fake chain REST on
# loopback. Release build; prints numbers (README "Is my GPU price right?" gives them).
#
#   scripts/bench_paid_index.sh [leases] [page size] [polls]   (defaults 10000 500 20)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product PaidIndexBench >&2
.build/release/PaidIndexBench "$@"
