#!/usr/bin/env python3
"""A fake Akash provider gateway: GET /status over TLS, with a self-signed certificate made at start-up.

The exporter probes `GET {host_uri}/status` of the providers hosting the watched leases. This serves the recorded
status body (Tests/Fixtures/reachability/provider-gateway-status.json) on a loopback port chosen at start-up, and
writes a routes file for scripts/fake_upstream.py (--with-defaults) in which every provider of the recorded chain
routes is registered at it (`host_uri` https://127.0.0.1:PORT). Loopback is refused by the exporter's guard unless
it runs with --akash.probe-allow-private, as scripts/e2e.sh and scripts/soak.sh start it.

    python3 scripts/fake_gateway.py --dir DIR [--record FILE.jsonl]

DIR receives the certificate and key (made by `openssl req`) and routes.json with the provider bodies; PORT=<n> is
printed on stdout once it listens and routes.json is written. --record appends each request's path and headers as
a JSON line (the probe must send no credentials). Standard library and the openssl command only.
"""

from __future__ import annotations

import argparse
import json
import ssl
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STATUS_BODY = REPO_ROOT / "Tests/Fixtures/reachability/provider-gateway-status.json"
PROVIDER_ROUTE = "/chain/akash/provider/v1beta4/providers/"


def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "gateway.crt", directory / "gateway.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def write_routes(directory: Path, port: int) -> None:
    """The recorded provider bodies of scripts/sources.json with their host_uri at this gateway."""
    recorded = json.loads((REPO_ROOT / "scripts/sources.json").read_text())["routes"]
    routes = {}
    for path, fixture in recorded.items():
        if path.startswith(PROVIDER_ROUTE):
            body = json.loads((REPO_ROOT / fixture).read_text())
            body["provider"]["host_uri"] = f"https://127.0.0.1:{port}"
            name = directory / f"provider-{path[len(PROVIDER_ROUTE):]}.json"
            name.write_text(json.dumps(body))
            routes[path] = str(name)
    (directory / "routes.json").write_text(json.dumps(routes, indent=1))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dir", type=Path, required=True, help="where the certificate, key and routes.json go")
    parser.add_argument("--record", type=Path, help="append every request's path and headers to this JSONL file")
    args = parser.parse_args(argv)
    body = STATUS_BODY.read_bytes()
    record = args.record.open("a") if args.record else None

    class Gateway(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if record:
                record.write(json.dumps({"path": self.path,
                                         "headers": {k.lower(): v for k, v in self.headers.items()}}) + "\n")
                record.flush()
            found = self.path == "/status"
            self.send_response(200 if found else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if found else 0))
            self.end_headers()
            if found:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # one line a probe would drown the logs of a soak

    cert, key = self_signed(args.dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    write_routes(args.dir, server.server_address[1])
    print(f"PORT={server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
