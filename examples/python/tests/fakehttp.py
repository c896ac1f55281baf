"""A fake upstream on 127.0.0.1 for the examples' tests: routes by path, records every request."""

import http.server
import json
import pathlib
import threading
import urllib.parse

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT / "Tests" / "Fixtures"


def fixture(relative_path):
    return (FIXTURES / relative_path).read_bytes()


class Reply:
    def __init__(self, status=200, body=b"", headers=None):
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.headers = headers or {}

    @classmethod
    def fixture(cls, relative_path, status=200, headers=None):
        return cls(status, fixture(relative_path), headers)


class Recorded:
    def __init__(self, path, query, headers, raw_target):
        self.path = path
        self.query = query  # dict: name -> first value
        self.headers = headers  # dict with lower-cased names
        self.raw_target = raw_target


class FakeHTTP:
    """`route(path, reply)` with a Reply or a function Recorded -> Reply. Unrouted paths answer 404."""

    def __init__(self):
        self.routes = {}
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                recorded = Recorded(parts.path, query, {k.lower(): v for k, v in self.headers.items()}, self.path)
                fake.requests.append(recorded)
                reply = fake.routes.get(parts.path, Reply(404, b'{"status":{"error_code":404}}'))
                if callable(reply):
                    reply = reply(recorded)
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(reply.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def route(self, path, reply):
        self.routes[path] = reply

    def paths(self):
        return [r.path for r in self.requests]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
