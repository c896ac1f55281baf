#!/usr/bin/env bash
# The Dockerfile's runtime stage installs exactly what the static binary links, proven without a Docker
# engine: the binary is built as the Dockerfile's build stage builds it (release, --static-swift-stdlib, on the
# same Debian release as CI), every shared library `ldd` lists must resolve, the packages that own the libraries the
# binary names itself (its ELF NEEDED entries, and the libraries it loads with dlopen; the rest are theirs and come
# with them as dependencies) are looked up with `dpkg -S`, and that set plus the declared non-library extras must equal the runtime stage's `apt-get install`
# list, no more and no less.
#
#   scripts/check_runtime_libs.sh                                  # builds into .build/static first
#   BINARY=.build/static/release/akash-cost-exporter scripts/check_runtime_libs.sh
#
# Exit 0 when the lists agree, 1 otherwise (with what is missing or extra).
set -euo pipefail
cd "$(dirname "$0")/.."

# Packages the runtime stage needs that no ldd line names: the CA store TLS verification reads, and the client of
# the HEALTHCHECK (docker-compose.yml's healthcheck runs it too).
extras=(ca-certificates curl)

binary="${BINARY:-}"
if [ -z "$binary" ]; then
  swift build -c release --static-swift-stdlib --scratch-path .build/static --product akash-cost-exporter 2>&1 | tail -n 1
  binary=.build/static/release/akash-cost-exporter
fi
[ -x "$binary" ] || { echo "check_runtime_libs: no binary at $binary" >&2; exit 1; }

fail=0
echo "ldd $binary:"
ldd "$binary" | sed 's/^/    /'
if ldd "$binary" | grep -q "not found"; then
  echo "check_runtime_libs: FAIL: a library does not resolve" >&2
  fail=1
fi
if ldd "$binary" | grep -q -E "libswift|libFoundation|lib_Foundation|libdispatch"; then
  echo "check_runtime_libs: FAIL: the Swift runtime is linked dynamically (expected --static-swift-stdlib)" >&2
  fail=1
fi

# The package owning a library file, whichever of its merged-/usr spellings dpkg registered.
owner() {
  local path="$1" candidate
  for candidate in "$path" "$(realpath "$path")" "${path#/usr}" "/usr${path}"; do
    if dpkg -S "$candidate" >/dev/null 2>&1; then
      dpkg -S "$candidate" | head -n 1 | cut -d: -f1
      return
    fi
  done
  echo "?$path"
}

needed=()
while read -r soname; do needed+=("$soname"); done < <(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
expected=("${extras[@]}")
echo "libraries the binary names itself (ELF NEEDED) and their packages:"
for soname in "${needed[@]}"; do
  path="$(ldd "$binary" | awk -v name="$soname" '$1 == name && $3 ~ /^\// {print $3; exit}')"
  [ -n "$path" ] || path="$(ldd "$binary" | awk -v name="$soname" '$1 ~ "/" name "$" {print $1; exit}')"
  package="$(owner "${path:-$soname}")"
  printf '    %-28s %-45s %s\n' "$soname" "${path:-?}" "$package"
  case "$package" in "?"*) echo "check_runtime_libs: FAIL: no package owns $soname" >&2; fail=1 ;; esac
  expected+=("$package")
done

# Libraries the binary loads itself with dlopen, which no ELF NEEDED entry shows: libcurl (Sources/CCurl/include/CCurl.h
# says why). Each must still be named in the binary (so this list cannot go stale unnoticed), resolve through the
# loader's cache, and find every library it needs in turn.
dlopened=(libcurl.so.4)
ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
echo "libraries the binary loads with dlopen and their packages:"
for soname in "${dlopened[@]}"; do
  if ! grep -q -a -F "$soname" "$binary"; then
    echo "check_runtime_libs: FAIL: the binary does not name $soname any more: take it out of dlopened" >&2
    fail=1
    continue
  fi
  path="$("$ldconfig" -p | awk -v name="$soname" '$1 == name {print $NF; exit}')"
  if [ -z "$path" ] || ldd "$path" | grep -q "not found"; then
    echo "check_runtime_libs: FAIL: $soname or a library it needs does not resolve" >&2
    fail=1
    continue
  fi
  package="$(owner "$path")"
  printf '    %-28s %-45s %s\n' "$soname" "$path" "$package"
  expected+=("$package")
done

# The runtime stage: the last FROM to the end, its apt-get install arguments (options and shell words left out).
installed="$(awk '/^FROM /{stage=""} {stage = stage $0 "\n"} END {printf "%s", stage}' Dockerfile \
  | tr '\\\n' '  ' | grep -o 'apt-get install[^&]*' | tr ' ' '\n' \
  | grep -v -E '^(apt-get|install|-.*|)$' | sort -u)"
want="$(printf '%s\n' "${expected[@]}" | sort -u)"
echo "runtime stage installs: $(echo "$installed" | tr '\n' ' ')"
echo "the binary needs:       $(echo "$want" | tr '\n' ' ')(extras: ${extras[*]})"
missing="$(comm -13 <(echo "$installed") <(echo "$want"))"
extra="$(comm -23 <(echo "$installed") <(echo "$want"))"
[ -z "$missing" ] || { echo "check_runtime_libs: FAIL: the runtime stage lacks: $(echo "$missing" | tr '\n' ' ')" >&2; fail=1; }
[ -z "$extra" ] || { echo "check_runtime_libs: FAIL: the runtime stage installs more than needed: $(echo "$extra" | tr '\n' ' ')" >&2; fail=1; }
if [ "$fail" -eq 0 ]; then
  echo "check_runtime_libs: OK: the runtime stage installs exactly what the binary links, plus ${extras[*]}"
fi
exit "$fail"
