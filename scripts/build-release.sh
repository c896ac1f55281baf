#!/usr/bin/env bash
# Release build with the version stamp `--version` prints (prometheus/common's layout): git revision and branch,
# build date, user, Swift toolchain version. Outside a git checkout (a Docker build context) REVISION and BRANCH
# come from the environment. A plain `swift build` works too and prints "unknown" for these.
#   scripts/build-release.sh [extra swift build arguments, e.g. --static-swift-stdlib --product akash-cost-exporter]
set -euo pipefail
cd "$(dirname "$0")/.."
revision="${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"
branch="${BRANCH:-$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)}"
date="${BUILD_DATE:-$(date -u +%Y%m%d-%H:%M:%S)}"
user="${BUILD_USER:-$(id -un 2>/dev/null || echo unknown)@$(hostname 2>/dev/null || echo unknown)}"
swift_version="$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9][0-9.]*\).*/\1/p' | head -n 1)"
# Only characters that need no escaping inside a C string literal.
clean() { printf '%s' "$1" | tr -cd 'A-Za-z0-9._:/@+-'; }
stamp() { printf -- '-Xcc\n-DAKASH_BUILD_%s="%s"\n' "$1" "$(clean "$2")"; }
mapfile -t defines < <(stamp REVISION "$revision"; stamp BRANCH "$branch"; stamp DATE "$date"; stamp USER "$user"
                       stamp SWIFT_VERSION "${swift_version:-}")
exec swift build -c release "${defines[@]}" "$@"
