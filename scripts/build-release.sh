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
# Relative relocations packed (DT_RELR, lld): the static binary has about 39,000 of them, 0.9 MiB of .rela.dyn that
# the loader reads at every start and that stays resident; packed they take 8 KiB. glibc reads DT_RELR from 2.36 on
# (Debian 12, Ubuntu 22.10): older C libraries get the classic table. RELR=0 turns it off.
link=()
glibc="$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')"
if [ "${RELR:-1}" = 1 ] && [ -n "$glibc" ] && printf '2.36\n%s\n' "$glibc" | sort -V -C; then
  link=(-Xswiftc -use-ld=lld -Xlinker -z -Xlinker pack-relative-relocs)
fi
exec swift build -c release "${defines[@]}" "${link[@]}" "$@"
