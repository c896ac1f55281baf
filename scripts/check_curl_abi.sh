#!/usr/bin/env bash
# Checks Sources/CCurl/include/CCurlABI.h against libcurl's real <curl/curl.h>: every type's size and every
# constant's value, at compile time. The package itself never needs that header (libcurl is loaded with dlopen);
# this check fetches Debian's libcurl4-openssl-dev as a .deb and unpacks it in a temporary folder (nothing is
# installed), or uses CURL_INCLUDE_DIR when given.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
include=${CURL_INCLUDE_DIR:-}
if [ -z "$include" ]; then
  (cd "$work" && { apt-get download libcurl4-openssl-dev >/dev/null 2>&1 || { apt-get update -qq && apt-get download libcurl4-openssl-dev >/dev/null 2>&1; }; } \
     && dpkg -x libcurl4-openssl-dev_*.deb root)
  include=$(dirname "$(find "$work/root" -name curl.h -path '*/curl/curl.h' | head -n 1)")/..
  version=$(basename "$work"/libcurl4-openssl-dev_*.deb)
else
  version="headers in $include"
fi
names=$(grep -oE '\b(CURL[A-Z_0-9]*_[A-Z_0-9]+|CURLE_OK)\b' Sources/CCurl/include/CCurlABI.h | grep -vE '^(CCURL|CURLOPTTYPE_|CURLINFO_LONG$|CURLINFO_OFF_T$)' | sort -u)
# The two headers declare the same names, so our values are printed by a program built with ours alone, then
# checked against theirs at compile time.
{
  echo '#include "CCurlABI.h"'
  echo '#include <stdio.h>'
  echo 'int main(void) {'
  for name in $names; do echo "  printf(\"%s %lld\\n\", \"$name\", (long long)($name));"; done
  echo '  return 0;'
  echo '}'
} > "$work/ours.c"
cc -I Sources/CCurl/include -o "$work/ours" "$work/ours.c"
"$work/ours" > "$work/values.txt"
{
  echo '#include <curl/curl.h>'
  echo '#include <assert.h>'
  echo '#include <stddef.h>'
  while read -r name value; do
    echo "_Static_assert(${value} == ${name}, \"${name}: CCurlABI.h says ${value}\");"
  done < "$work/values.txt"
  echo '_Static_assert(sizeof(curl_off_t) == 8, "curl_off_t is 64 bits");'
  echo 'struct ours_slist { char *data; struct ours_slist *next; };'
  echo '_Static_assert(sizeof(struct curl_slist) == sizeof(struct ours_slist), "curl_slist layout");'
  echo '_Static_assert(offsetof(struct curl_slist, next) == offsetof(struct ours_slist, next), "curl_slist layout");'
  echo '_Static_assert(CURL_GLOBAL_DEFAULT == 3, "CURL_GLOBAL_DEFAULT");'
} > "$work/check.c"
cc -fsyntax-only -I "$include" "$work/check.c"
echo "CCurlABI.h: $(wc -l < "$work/values.txt") constants match <curl/curl.h> ($version)"
