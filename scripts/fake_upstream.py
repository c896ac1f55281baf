#!/usr/bin/env python3
"""Fake CoinMarketCap, Akash Console and Akash chain REST upstreams serving recorded bodies.

One loopback HTTP server stands in for all three APIs, each under its own path prefix, so the exporter can be
pointed at it with:

    --cmc.base-url       http://127.0.0.1:PORT/cmc        (keyless: the exporter adds /public-api itself)
    --akash.console-url  http://127.0.0.1:PORT/console
    --akash.rest-url     http://127.0.0.1:PORT/chain

Routes map a request path to a recorded body. Query strings are ignored when matching, except that a route key
may carry query parameters ("/chain/akash/market/v1beta5/leases/list?pagination.key=abc"); such a route wins over
the bare path when the request carries every one of those parameters (values compared after URL-decoding). This
is how pagination is faked: the first page names a next_key, the second page is routed on it. An entry "!name"
forbids instead: the request must carry no parameter of that name ("...leases/list?filters.state=active&
!filters.owner&!filters.provider" is the network-wide list, not one owner's or one provider's). Of the routes of
a path the request matches, the one with the most entries (required and forbidden) wins, the earlier on a tie:
the rule of the Swift tests' fake (Tests/TestSupport/FakeUpstream.swift, FakeRoute).

Routes file (--routes FILE.json): a JSON object whose keys are request paths and whose values are either a fixture
path (string) or an object with these optional fields:
    file     fixture path, relative to the routes file's directory or to the repository root
    body     inline body instead of a file (a string is sent as is, anything else as JSON)
    status   HTTP status (default 200)
    headers  extra response headers, e.g. {"Retry-After": "30"}
    delay    seconds to wait before answering (to exercise timeouts)
or {"sequence": [reply, reply, ...]}: the n-th request gets the n-th reply, the last one repeats (a failure then
a success, or a quote that changes between polls);
or {"switch_file": PATH, "before": reply, "after": reply}: "before" until the file PATH exists, then "after" (an
upstream that goes down when the test says so).
Keys starting with "_" are comments. Without --routes the default table, the "routes" of scripts/sources.json
(generated from the exporter's source registry), is served (see --print-routes);
with --routes and --with-defaults the file's entries are layered over it.

Standard library only: the tests, benchmarks and the end-to-end script run it without any package installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent

# Every registered source's paths and recorded bodies, generated from the exporter's source registry
# (SourceRegistry.all) and checked against it by a test: a new source is served here without an edit.
# Owner akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c: deployment 27790001 has ~16.5 h of escrow left,
# deployment 27650002 ~20.8 days (Tests/Fixtures/e2e/README.md has the arithmetic). Leases come in two pages.
SOURCES_FILE = Path(__file__).resolve().parent / "sources.json"


def default_route_table() -> dict[str, str]:
    return dict(json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["routes"])


CONTENT_TYPES = {".json": "application/json", ".prom": "text/plain; version=0.0.4; charset=utf-8"}


class Reply:
    """One canned answer, loaded at start-up so a missing fixture fails before the first request."""

    def __init__(self, key: str, spec: object, base_dirs: list[Path]):
        if isinstance(spec, str):
            spec = {"file": spec}
        if not isinstance(spec, dict):
            raise ValueError(f"route {key!r}: expected a fixture path or an object, got {spec!r}")
        self.status = int(spec.get("status", 200))
        self.delay = float(spec.get("delay", 0))
        self.headers = {str(k): str(v) for k, v in spec.get("headers", {}).items()}
        self.body, content_type = self._load_body(key, spec, base_dirs)
        self.headers.setdefault("Content-Type", content_type)

    @staticmethod
    def _load_body(key: str, spec: dict, base_dirs: list[Path]) -> tuple[bytes, str]:
        if "file" in spec:
            for base in base_dirs:
                candidate = (base / spec["file"]).resolve()
                if candidate.is_file():
                    return candidate.read_bytes(), CONTENT_TYPES.get(candidate.suffix, "application/octet-stream")
            searched = ", ".join(str(base) for base in base_dirs)
            raise ValueError(f"route {key!r}: fixture {spec['file']!r} not found under {searched}")
        body = spec.get("body", "")
        if isinstance(body, str):
            return body.encode(), "text/plain; charset=utf-8"
        return json.dumps(body).encode(), "application/json"


class Route:
    """A path (plus required and forbidden query parameters) and its replies: one, or a sequence whose last entry
    repeats."""

    def __init__(self, key: str, spec: object, base_dirs: list[Path]):
        path, _, query = key.partition("?")
        self.path = path
        entries = parse_qsl(query, keep_blank_values=True)
        self.required_params = {name: value for name, value in entries if not name.startswith("!")}
        self.forbidden_names = {name[1:] for name, value in entries if name.startswith("!")}
        if any(value for name, value in entries if name.startswith("!")):
            raise ValueError(f"route {key!r}: a forbidden parameter is a name (!name), not name=value")
        # {"switch_file": PATH, "before": reply, "after": reply}: the first until PATH exists (a test flips an
        # upstream when something has happened, not after a count of requests that a slow machine makes later).
        self.switch_file = spec.get("switch_file") if isinstance(spec, dict) else None
        if self.switch_file:
            if "before" not in spec or "after" not in spec:
                raise ValueError(f"route {key!r}: a switch_file route needs both \"before\" and \"after\"")
            specs = [spec["before"], spec["after"]]
        else:
            specs = spec["sequence"] if isinstance(spec, dict) and "sequence" in spec else [spec]
        if not specs:
            raise ValueError(f"route {key!r}: empty sequence")
        self.replies = [Reply(key, entry, base_dirs) for entry in specs]
        self.served = 0
        self.lock = threading.Lock()

    @property
    def specificity(self) -> int:
        return len(self.required_params) + len(self.forbidden_names)

    def matches(self, params: dict[str, list[str]]) -> bool:
        return (all(value in params.get(name, []) for name, value in self.required_params.items())
                and not any(name in params for name in self.forbidden_names))

    def next_reply(self) -> Reply:
        if self.switch_file:
            return self.replies[1 if os.path.exists(self.switch_file) else 0]
        with self.lock:
            reply = self.replies[min(self.served, len(self.replies) - 1)]
            self.served += 1
        return reply


class RouteTable:
    def __init__(self, entries: dict[str, object], base_dirs: list[Path]):
        self.routes_by_path: dict[str, list[Route]] = {}
        for key, spec in entries.items():
            if key.startswith("_"):
                continue
            route = Route(key, spec, base_dirs)
            self.routes_by_path.setdefault(route.path, []).append(route)
        for routes in self.routes_by_path.values():
            # Most specific first (stable: the earlier on a tie): a route that requires or forbids query parameters
            # beats the bare path.
            routes.sort(key=lambda r: r.specificity, reverse=True)

    def find(self, path: str, params: dict[str, list[str]]) -> Route | None:
        return next((r for r in self.routes_by_path.get(path, []) if r.matches(params)), None)


class RequestRecorder:
    """Appends every request as one JSON line, so a test can assert what the exporter sent."""

    def __init__(self, path: Path | None):
        self.file = path.open("a", encoding="utf-8") if path else None
        self.lock = threading.Lock()

    def record(self, entry: dict) -> None:
        if self.file is None:
            return
        with self.lock:
            self.file.write(json.dumps(entry, sort_keys=True) + "\n")
            self.file.flush()


class FakeUpstreamHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs; every reply carries Content-Length
    server_version = "fake-upstream/1"
    routes: RouteTable
    recorder: RequestRecorder

    def do_GET(self) -> None:
        target = urlsplit(self.path)
        params = parse_qs(target.query, keep_blank_values=True)
        route = self.routes.find(target.path, params)
        reply = route.next_reply() if route else None
        status = reply.status if reply else 404
        self.recorder.record({
            "time": datetime.now(timezone.utc).isoformat(),
            "method": self.command,
            "path": target.path,
            "query": target.query,
            "params": params,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "raw_target": self.path,
            "status": status,
        })
        if reply is None:
            self._reply(404, json.dumps({"error": f"no route for {target.path}"}).encode(),
                        {"Content-Type": "application/json"})
            return
        if reply.delay > 0:
            time.sleep(reply.delay)
        self._reply(reply.status, reply.body, reply.headers)

    def do_HEAD(self) -> None:
        self._reply(405, b"", {"Allow": "GET"})

    do_POST = do_PUT = do_DELETE = do_HEAD

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (e.g. its timeout fired during a delayed reply)

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"fake_upstream: {self.address_string()} {format % args}\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Run with --print-routes to see the default route table. Module docstring: routes file format.",
    )
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port; 0 (default) picks a free one. The port is printed as PORT=<n> on stdout.")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--routes", type=Path, help="JSON routes file (path -> fixture); replaces the defaults")
    parser.add_argument("--with-defaults", action="store_true",
                        help="layer the --routes entries over the default table instead of replacing it")
    parser.add_argument("--record", type=Path, help="append every request (path, query, headers) to this JSONL file")
    parser.add_argument("--repo-root", type=Path, default=REPO_ROOT,
                        help="where fixture paths are resolved from (default: this script's repository)")
    parser.add_argument("--print-routes", action="store_true", help="print the effective route table as JSON and exit")
    return parser.parse_args(argv)


def load_entries(args: argparse.Namespace) -> tuple[dict[str, object], list[Path]]:
    base_dirs = [args.repo_root]
    if args.routes is None:
        return dict(default_route_table()), base_dirs
    try:
        entries = json.loads(args.routes.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SystemExit(f"fake_upstream: cannot read routes file {args.routes}: {error}")
    if not isinstance(entries, dict):
        raise SystemExit(f"fake_upstream: routes file {args.routes} must hold a JSON object of path -> fixture")
    if args.with_defaults:
        entries = {**default_route_table(), **entries}
    return entries, [args.routes.resolve().parent, args.repo_root]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    entries, base_dirs = load_entries(args)
    if args.print_routes:
        print(json.dumps(entries, indent=2, sort_keys=True))
        return 0
    try:
        FakeUpstreamHandler.routes = RouteTable(entries, base_dirs)
    except ValueError as error:
        raise SystemExit(f"fake_upstream: {error}")
    FakeUpstreamHandler.recorder = RequestRecorder(args.record)
    # The listen backlog: socketserver's default of 5 drops the SYNs of an exporter's first polls (a dozen sources
    # connecting at once), which the kernel retries only after a second, so a cold start measured ~1.1 s.
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer((args.bind, args.port), FakeUpstreamHandler)
    server.daemon_threads = True
    print(f"PORT={server.server_address[1]}", flush=True)
    sys.stderr.write(f"fake_upstream: serving {sum(map(len, FakeUpstreamHandler.routes.routes_by_path.values()))} "
                     f"routes on http://{args.bind}:{server.server_address[1]}\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
