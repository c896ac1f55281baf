#!/usr/bin/env bash
# Fuzzes the HTTP request parser with libFuzzer (swiftc -sanitize=fuzzer,address) for N seconds.
#   scripts/fuzz.sh [SECONDS]        default 60; the corpus is kept in .build/fuzz/corpus between runs
# A crash leaves its input in .build/fuzz/crash-*; replay it with .build/fuzz/parser-fuzzer FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
out=.build/fuzz
mkdir -p "$out/corpus"

# The parser is pure Swift over bytes: compile its two files with the harness as one module.
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name HTTPServer \
    Sources/HTTPServer/HTTPMessage.swift Sources/HTTPServer/HTTPRequestParser.swift \
    Benchmarks/ParserFuzz/ParserFuzzer.swift -o "$out/parser-fuzzer" 2> >(grep -v "Cannot export local symbol" >&2)

# Seeds: the request shapes the server sees, so mutation starts inside the grammar.
printf 'GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9877\r\nAccept: */*\r\n\r\n' > "$out/corpus/seed-get"
printf 'HEAD / HTTP/1.0\nConnection: keep-alive\n\n' > "$out/corpus/seed-head-lf"
printf 'GET http://h:1/-/ready?x=y HTTP/1.1\r\nAuthorization: Basic dXNlcjpwYXNz\r\n\r\nGET /b HTTP/1.1\r\n\r\n' > "$out/corpus/seed-pipelined"
printf 'POST /x HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\nbody' > "$out/corpus/seed-body"

"$out/parser-fuzzer" "$out/corpus" -max_total_time="$seconds" -max_len=16384 -artifact_prefix="$out/" -print_final_stats=1
