#!/usr/bin/env bash
# End-to-end test of the monitoring stack (issue 6), on loopback with real Prometheus and Alertmanager:
#   fake upstreams (scripts/fake_upstream.py) -> the exporter -> Prometheus (config derived from prometheus.yml,
#   rules from alerts/ with short `for:`) -> Alertmanager (alertmanager.yml, with a webhook receiver added) ->
#   a webhook receiver run here.
# Asserts: promtool checks pass; the exporter target is up; every query of every dashboard panel returns data
# (template variables substituted with real label values); the escrow-runway alert for the deployment with 16.5 h
# of escrow fires and is delivered to the webhook (its warning twin inhibited, the 20-day deployment silent); the
# CoinMarketCap key only ever travels in its request header.
# Prints: e2e: panels checked=N with data=M alerts delivered=K
#
# Usage: scripts/e2e.sh [--stand-in]
#   --stand-in   scrape Tests/Fixtures/e2e/stand-in.prom (served by the fake upstream) instead of the exporter:
#                checks Prometheus, rules, Alertmanager and dashboards alone, e.g. before the exporter is wired.
# Environment: EXPORTER_BIN (default .build/debug/akash-cost-exporter, built when missing), E2E_TIMEOUT (seconds
# to wait for data and alerts, default 120), E2E_KEEP=1 (keep the temp dir with every log and config).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/sbin:/usr/bin:$PATH"

stand_in=0
case "${1:-}" in
  --stand-in) stand_in=1 ;;
  "") ;;
  *) echo "usage: $0 [--stand-in]" >&2; exit 2 ;;
esac

OWNER=akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c   # Tests/Fixtures/e2e/README.md
SHORT_RUNWAY_DSEQ=27790001                           # 16.5 h of escrow: critical
LONG_RUNWAY_DSEQ=27650002                            # 20.8 days: no alert
CMC_KEY="e2e-fake-cmc-key-$RANDOM$RANDOM"            # must appear in the key header and nowhere else
TIMEOUT=${E2E_TIMEOUT:-120}

work=$(mktemp -d /tmp/akash-e2e.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${E2E_KEEP:-0}" = 1 ]; then echo "e2e: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
step() { printf '\n==> %s\n' "$*"; }
die() { echo "e2e: FAIL: $*" >&2; for log in "$work"/*.log; do echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; done; exit 1; }

# start <name> <command...>: runs in the background, output in $work/<name>.log, stopped on exit.
start() { local name=$1; shift; "$@" >"$work/$name.log" 2>&1 & pids+=($!); }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# announced_port <log>: the PORT=<n> line a helper prints once it listens.
announced_port() {
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^PORT=//p' "$1" | head -n 1)
    [ -n "$port" ] && { echo "$port"; return; }
    sleep 0.1
  done
  die "no PORT= line in $1"
}
# wait_ready <url> <seconds>: until the URL answers 200.
wait_ready() {
  python3 - "$1" "$2" <<'PY' || die "$1 did not answer 200 within $2 s"
import sys, time, urllib.request
url, deadline = sys.argv[1], time.time() + float(sys.argv[2])
while time.time() < deadline:
    try:
        if urllib.request.urlopen(url, timeout=2).status == 200:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.3)
sys.exit(1)
PY
}

step "tools"
missing=()
command -v promtool >/dev/null && command -v prometheus >/dev/null || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null || command -v alertmanager >/dev/null || missing+=(prometheus-alertmanager)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install -q PyYAML
alertmanager_bin=$(command -v prometheus-alertmanager || command -v alertmanager)
prometheus --version 2>&1 | head -n 1; "$alertmanager_bin" --version 2>&1 | head -n 1

step "promtool checks of the shipped configuration"
promtool check config prometheus.yml
promtool check rules alerts/akash.rules.yml
promtool test rules alerts/akash.rules.test.yml

step "fake upstreams and webhook receiver"
upstream_args=(--port 0 --record "$work/upstream.jsonl" --with-defaults)
if [ "$stand_in" = 0 ]; then
  upstream_args+=(--routes Tests/Fixtures/e2e/routes.json)
else
  now=$(date +%s)
  sed -e "s/NOW/$now/g" -e "s/START/$now/g" -e "s/COUNT/1/g" Tests/Fixtures/e2e/stand-in.prom > "$work/stand-in.prom"
  printf '{"/metrics": "%s", "/-/ready": {"body": "ready"}}\n' "$work/stand-in.prom" > "$work/stand-in-routes.json"
  upstream_args+=(--routes "$work/stand-in-routes.json")
fi
start upstream python3 scripts/fake_upstream.py "${upstream_args[@]}"
upstream_port=$(announced_port "$work/upstream.log")
upstream="http://127.0.0.1:$upstream_port"

cat > "$work/webhook.py" <<'PY'
# Records every Alertmanager notification as one JSON line.
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
out = open(sys.argv[1], "a")
class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        out.write(json.dumps(json.loads(body)) + "\n"); out.flush()
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, format, *args):
        sys.stderr.write("webhook: " + format % args + "\n")
server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
print(f"PORT={server.server_address[1]}", flush=True)
server.serve_forever()
PY
touch "$work/webhook.jsonl"
start webhook python3 "$work/webhook.py" "$work/webhook.jsonl"
webhook_port=$(announced_port "$work/webhook.log")

step "exporter"
if [ "$stand_in" = 1 ]; then
  exporter_port=$upstream_port
  echo "stand-in exposition served at $upstream/metrics"
else
  bin=${EXPORTER_BIN:-.build/debug/akash-cost-exporter}
  if [ ! -x "$bin" ]; then
    swift build --product akash-cost-exporter 2>&1 | tail -n 3
  fi
  exporter_port=$(free_port)
  # Every registered API pointed at the fake, the flags its recorded bodies assume (the owner), and every
  # interval short so that two polls (momentum needs two quotes) happen within seconds: from scripts/sources.json,
  # which a test keeps equal to the exporter's source registry.
  mapfile -t source_flags < <(python3 - "$upstream" <<'PY'
import json, sys
sources = json.load(open("scripts/sources.json"))
for api in sources["apis"]:
    print(f"--{api['url_flag']}={sys.argv[1]}{api['prefix']}")
print(*sources["flags"], sep="\n")
for flag in sources["interval_flags"]:
    print(f"--{flag}=3s")
PY
)
  start exporter env CMC_API_KEY="$CMC_KEY" "$bin" \
    --web.listen-address="127.0.0.1:$exporter_port" \
    --state.file="$work/exporter.state.json" \
    --log.level=debug \
    "${source_flags[@]}"
fi
wait_ready "http://127.0.0.1:$exporter_port/-/ready" 60
echo "exporter ready on 127.0.0.1:$exporter_port"

step "Prometheus and Alertmanager (configs derived from the shipped ones)"
prometheus_port=$(free_port)
alertmanager_port=$(free_port)
mkdir -p "$work/alerts"
python3 - "$work" "$exporter_port" "$prometheus_port" "$alertmanager_port" "$webhook_port" <<'PY'
import sys, yaml
work, exporter, prometheus, alertmanager, webhook = sys.argv[1:]
# Compose service names -> where the same thing listens here.
address = {"exporter": f"127.0.0.1:{exporter}", "localhost": f"127.0.0.1:{prometheus}",
           "alertmanager": f"127.0.0.1:{alertmanager}"}
relocate = lambda targets: [address[target.split(":")[0]] for target in targets]

config = yaml.safe_load(open("prometheus.yml"))
config["global"].update(scrape_interval="2s", scrape_timeout="1s", evaluation_interval="2s")
for job in config["scrape_configs"]:
    for static in job["static_configs"]:
        static["targets"] = relocate(static["targets"])
for manager in config["alerting"]["alertmanagers"]:
    for static in manager["static_configs"]:
        static["targets"] = relocate(static["targets"])
yaml.safe_dump(config, open(f"{work}/prometheus.yml", "w"), sort_keys=False)

# The shipped rules, `for:` shortened (the test copy only).
rules = yaml.safe_load(open("alerts/akash.rules.yml"))
for group in rules["groups"]:
    for rule in group["rules"]:
        if "for" in rule:
            rule["for"] = "2s"
yaml.safe_dump(rules, open(f"{work}/alerts/akash.rules.yml", "w"), sort_keys=False)

# The shipped routing and inhibition; the null receiver gets the test's webhook, grouping waits are short.
manager = yaml.safe_load(open("alertmanager.yml"))
manager["route"].update(group_wait="1s", group_interval="1s", repeat_interval="1h")
for receiver in manager["receivers"]:
    receiver["webhook_configs"] = [{"url": f"http://127.0.0.1:{webhook}/alerts", "send_resolved": False}]
yaml.safe_dump(manager, open(f"{work}/alertmanager.yml", "w"), sort_keys=False)
PY
promtool check config "$work/prometheus.yml" >/dev/null || die "derived prometheus.yml is invalid"
amtool check-config "$work/alertmanager.yml" >/dev/null || die "derived alertmanager.yml is invalid"

start alertmanager "$alertmanager_bin" --config.file="$work/alertmanager.yml" --storage.path="$work/alertmanager-data" \
  --web.listen-address="127.0.0.1:$alertmanager_port" --cluster.listen-address=
start prometheus prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus-data" \
  --web.listen-address="127.0.0.1:$prometheus_port"
wait_ready "http://127.0.0.1:$alertmanager_port/-/ready" 30
wait_ready "http://127.0.0.1:$prometheus_port/-/ready" 30
echo "Prometheus on 127.0.0.1:$prometheus_port, Alertmanager on 127.0.0.1:$alertmanager_port"

step "assertions"
E2E_PROMETHEUS="http://127.0.0.1:$prometheus_port" E2E_EXPORTER="http://127.0.0.1:$exporter_port" E2E_WORK="$work" \
E2E_OWNER="$OWNER" E2E_TIMEOUT="$TIMEOUT" E2E_STAND_IN="$stand_in" E2E_CMC_KEY="$CMC_KEY" \
E2E_SHORT_DSEQ="$SHORT_RUNWAY_DSEQ" E2E_LONG_DSEQ="$LONG_RUNWAY_DSEQ" python3 - <<'PY'
import glob, json, os, re, sys, time, urllib.parse, urllib.request

env = os.environ
prometheus, exporter, work, owner = env["E2E_PROMETHEUS"], env["E2E_EXPORTER"], env["E2E_WORK"], env["E2E_OWNER"]
timeout, stand_in, cmc_key = float(env["E2E_TIMEOUT"]), env["E2E_STAND_IN"] == "1", env["E2E_CMC_KEY"]
short_dseq, long_dseq = env["E2E_SHORT_DSEQ"], env["E2E_LONG_DSEQ"]
failures = []

def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode()

def api(path, **params):
    body = json.loads(get(prometheus + path + "?" + urllib.parse.urlencode(params, doseq=True)))
    if body["status"] != "success":
        raise RuntimeError(body)
    return body["data"]

def wait_for(probe):
    """Calls probe until it returns something truthy or the timeout passes; returns its last result."""
    deadline = time.time() + timeout
    while True:
        result = probe()
        if result or time.time() > deadline:
            return result
        time.sleep(1)

# 1. The exporter's target is up.
up = wait_for(lambda: [s for s in api("/api/v1/query", query='up{job="akash-cost-exporter"} == 1')["result"]])
if not up:
    failures.append("the akash-cost-exporter target is not up in Prometheus")
else:
    print(f"ok   target up: {up[0]['metric']['instance']}")

# 2. Every query of every dashboard panel returns data.
def promql_regex_literal(value):
    return re.escape(value).replace("\\", "\\\\")  # a regex inside a PromQL string

def variable_values(board):
    values = {}
    for variable in board["templating"]["list"]:
        if variable["type"] != "query":
            continue
        metric, label = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", variable["definition"]).groups()
        found = sorted(api(f"/api/v1/label/{label}/values", **{"match[]": metric}))
        values[variable["name"]] = promql_regex_literal(found[0]) if found else "no-value-found"
    return values

def substitute(expr, values):
    expr = expr.replace("$__rate_interval", "30s").replace("$__interval", "10s")
    for name, value in values.items():
        expr = expr.replace("${" + name + "}", value).replace("$" + name, value)
    return expr

def panels_without_data():
    checked, missing = 0, []
    for path in sorted(glob.glob("grafana/dashboards/*.json")):
        board = json.load(open(path))
        values = variable_values(board)
        for panel in board["panels"]:
            checked += 1
            for target in panel.get("targets", []):
                expr = substitute(target["expr"], values)
                if not api("/api/v1/query", query=expr)["result"]:
                    missing.append(f"{board['title']} / {panel['title']}: {expr}")
                    break
    return checked, missing

deadline = time.time() + timeout
while True:
    checked, missing = panels_without_data()
    if not missing or time.time() > deadline:
        break
    time.sleep(2)
with_data = checked - len(missing)
for line in missing:
    failures.append("no data: " + line)
print(f"{'ok  ' if not missing else 'FAIL'} dashboard panels with data: {with_data}/{checked}")

# 3. The escrow-runway alert reaches the webhook through Alertmanager.
def delivered():
    alerts = {}
    for line in open(f"{work}/webhook.jsonl"):
        for alert in json.loads(line)["alerts"]:
            if alert["status"] == "firing":
                alerts[tuple(sorted(alert["labels"].items()))] = alert
    return list(alerts.values())

def runway_alerts(alerts, dseq, severity=None):
    return [a for a in alerts if a["labels"].get("alertname") == "AkashDeploymentEscrowRunwayLow"
            and a["labels"].get("dseq") == dseq and a["labels"].get("owner") == owner
            and (severity is None or a["labels"].get("severity") == severity)]

def delivered_with_critical_runway():
    alerts = delivered()
    return alerts if runway_alerts(alerts, short_dseq, "critical") else None

alerts = wait_for(delivered_with_critical_runway) or delivered()
if runway_alerts(alerts, short_dseq, "critical"):
    alert = runway_alerts(alerts, short_dseq, "critical")[0]
    print(f"ok   delivered: {alert['labels']['alertname']} {alert['labels']['severity']} dseq={short_dseq}: {alert['annotations']['description']}")
else:
    failures.append(f"no critical AkashDeploymentEscrowRunwayLow for dseq {short_dseq} reached the webhook "
                    f"(delivered: {[a['labels'].get('alertname') for a in alerts]})")
if runway_alerts(alerts, short_dseq, "critical") and runway_alerts(alerts, short_dseq, "warning"):
    failures.append(f"the warning for dseq {short_dseq} was delivered although the critical one inhibits it")
if runway_alerts(alerts, long_dseq):
    failures.append(f"dseq {long_dseq} (20.8 days of escrow) alerted")
print("     all delivered: " + ", ".join(sorted(f"{a['labels']['alertname']}({a['labels'].get('severity')})" for a in alerts)))

# 4. The CoinMarketCap key travels in its header only.
if not stand_in:
    requests = [json.loads(line) for line in open(f"{work}/upstream.jsonl")]
    cmc = [r for r in requests if r["path"].startswith("/cmc/")]
    if not cmc:
        failures.append("the exporter made no CoinMarketCap request")
    if any(r["headers"].get("x-cmc_pro_api_key") != cmc_key for r in cmc):
        failures.append("a CoinMarketCap request lacked the X-CMC_PRO_API_KEY header")
    if any("public-api" in r["path"] for r in cmc):
        failures.append("the exporter used the keyless /public-api although a key was set")
    leaks = [name for name, text in [
        ("a request target", " ".join(r["raw_target"] for r in requests)),
        ("/metrics", get(exporter + "/metrics")),
        ("the landing page", get(exporter + "/")),
        ("the exporter log", open(f"{work}/exporter.log").read()),
        ("the state file", open(f"{work}/exporter.state.json").read() if glob.glob(f"{work}/exporter.state.json") else ""),
    ] if cmc_key in text]
    if not any(r["params"].get("pagination.key") == ["bGVhc2VzLXBhZ2UtMg=="] for r in requests):
        failures.append("the exporter never asked for the second page of leases (pagination.key)")
    if leaks:
        failures.append("the CoinMarketCap key leaked into " + ", ".join(leaks))
    else:
        print(f"ok   CoinMarketCap key only in the header of {len(cmc)} requests")

for failure in failures:
    print("FAIL " + failure)
print(f"e2e: panels checked={checked} with data={with_data} alerts delivered={len(alerts)}"
      + (" (stand-in exposition)" if stand_in else ""))
sys.exit(1 if failures else 0)
PY
