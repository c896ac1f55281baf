#!/usr/bin/env bash
# End-to-end test of the monitoring stack, on loopback with real Prometheus and Alertmanager:
#   fake upstreams (scripts/fake_upstream.py) -> the exporter -> Prometheus (config derived from prometheus.yml,
#   rules from alerts/ with short `for:`) -> Alertmanager (alertmanager.yml, with a webhook receiver added) ->
#   a webhook receiver run here.
# Four exporters in the one scrape job, told apart by instance as the dashboards' $instance variable does:
#   main        the default fake upstreams;
#   replica     a second replica of main on the same upstreams (docs/production.md recommends one);
#   cmc-down    CoinMarketCap unreachable, deployment 27790001 and its lease paid in uakt (no AKT price);
#   chain-down  its chain upstream answers until the critical escrow alert fires for it, then 503.
# main's chain oracle aggregated its AKT price as the run starts (fresh, so it prices AKT leases and is compared with
# CoinMarketCap); cmc-down's oracle is unhealthy, so its BME is in halt_oracle (no ACT minted).
# Asserts: promtool checks pass; the targets are up; every query of every dashboard panel returns data for main
# (template variables substituted with real label values) and no merged table query returns __name__; the numbers
# main's panels show (spend 1.56 USD/h with the reclaiming lease of its routes, 3 active leases, every registered source up, runway 16.5 h on dseq 27790001);
# main + replica show the same totals and as many series as main alone (no doubling); cmc-down shows no account
# total but 1 lease without a USD price; chain-down keeps the critical escrow alert firing after its runway series
# is gone; the escrow-runway alert for the deployment with 16.5 h of escrow fires and is delivered to the webhook
# (its warning twin inhibited, the 20-day deployment silent); AkashBmeMintsHalted for cmc-down's halt_oracle is delivered;
# main's providers (the owner's two and the watched one) registered at a loopback TLS status server (self-signed,
# made here), probed with --akash.probe-allow-private, which receives no credentials; once that server stops,
# AkashLeaseProviderDown for the owner's leases is delivered with what they still cost per hour;
# the CoinMarketCap key only travels in its header; every PromQL example of README.md and docs/*.md returns what its
# text says (scripts/doc_examples.py).
# Prints: e2e: panels checked=N with data=M situations=S alerts delivered=K doc examples=E
#
# Usage: scripts/e2e.sh (no arguments)
# Environment: EXPORTER_BIN (default .build/debug/akash-cost-exporter, built when missing), E2E_TIMEOUT (seconds
# to wait for data and alerts, default 120), E2E_KEEP=1 (keep the temp dir with every log and config).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/fake_upstream.sh  # upstream_flags, recorded_flags, interval_flags
export PATH="/usr/sbin:/usr/bin:$PATH"

if [ "$#" -gt 0 ]; then echo "usage: $0" >&2; exit 2; fi

OWNER=akash139v3hvzldaa0zgaw7thsayqv65x6mvfmyl520c   # Tests/Fixtures/e2e/README.md
SECOND_OWNER=akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg  # cmc-down only: OWNER's fixtures under this address
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
mkdir -p "$work/fixtures"
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
# A provider gateway (scripts/fake_gateway.py): GET /status over TLS, self-signed certificate made now, port chosen
# now; its routes.json registers main's providers at it (layered below). The probe must not verify the certificate.
mkdir -p "$work/gateway"
touch "$work/gateway.jsonl"
start gateway python3 scripts/fake_gateway.py --dir "$work/gateway" --record "$work/gateway.jsonl"
gateway_pid=${pids[-1]}
announced_port "$work/gateway.log" >/dev/null
# Tests/Fixtures/e2e/routes.json, plus the recorded healthy oracle body aggregated 30 s from now: fresh for the
# next 5.5 minutes (the exporter allows the chain's clock a minute ahead), so the oracle prices AKT and the
# oracle/CoinMarketCap ratio exists.
python3 - "$work/fixtures" <<'PY'
import json, os, sys, time
out = sys.argv[1]
routes = json.load(open("Tests/Fixtures/e2e/routes.json"))
def from_root(entry):  # the file's paths are relative to its own directory
    if isinstance(entry, str):
        return os.path.normpath(os.path.join("Tests/Fixtures/e2e", entry))
    if isinstance(entry, dict) and "sequence" in entry:
        return {**entry, "sequence": [from_root(reply) for reply in entry["sequence"]]}
    return entry
routes = {path: (entry if path.startswith("_") else from_root(entry)) for path, entry in routes.items()}
oracle = json.load(open("Tests/Fixtures/onchain/oracle-aggregated-price-akt.json"))
oracle["aggregated_price"]["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 30))
json.dump(oracle, open(f"{out}/oracle-fresh.json", "w"))
routes["/chain/akash/oracle/v2/aggregated_price/akt"] = f"{out}/oracle-fresh.json"
# The chain head now and the block 1000 below it 6000 s earlier (6 s measured, as the recorded pair), so the head is
# fresh and the block time is measured; the reclamation deadlines 3 h away.
iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
for name, age in (("chain-block-latest.json", 0), ("chain-block-27799000.json", 6000)):
    block = json.load(open(f"Tests/Fixtures/e2e/{name}"))
    block["block"]["header"]["time"] = iso(time.time() - age)
    json.dump(block, open(f"{out}/{name}", "w"))
routes["/chain/cosmos/base/tendermint/v1beta1/blocks/latest"] = f"{out}/chain-block-latest.json"
routes["/chain/cosmos/base/tendermint/v1beta1/blocks/27799000"] = f"{out}/chain-block-27799000.json"
for path, entry in list(routes.items()):
    if not path.startswith("_") and isinstance(entry, str) and entry.endswith("reclaiming.json"):
        leases = json.load(open(entry))
        for item in leases["leases"]:
            item["lease"]["reclamation"]["deadline"] = str(int(time.time()) + 3 * 3600)
        name = os.path.basename(entry)
        json.dump(leases, open(f"{out}/{name}", "w"))
        routes[path] = f"{out}/{name}"
json.dump(routes, open(f"{out}/main-routes.json", "w"), indent=1)
PY
# Every provider of the recorded routes (the owner's two, the watched one) registered at the gateway above.
python3 - "$work/fixtures/main-routes.json" "$work/gateway/routes.json" <<'PY'
import json, sys
main, gateway = sys.argv[1:]
json.dump({**json.load(open(main)), **json.load(open(gateway))}, open(main, "w"), indent=1)
PY
upstream_args+=(--routes "$work/fixtures/main-routes.json")
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

step "exporters"
# start_exporter <name> <upstream URL> [flags...]: short intervals, so that two polls (momentum needs two quotes)
# happen within seconds; CMC_BASE=<URL> points CoinMarketCap elsewhere, OWNERS=a,b sets the owners. Sets started_port (not a subshell: `start` records the pid for the cleanup).
# source_flags <base>: the flags of every registered source, from scripts/sources.json (which a test keeps equal to
# the exporter's source registry): each API pointed at <base>, the flags its recorded bodies assume (the owner, the
# provider), every interval at 3s.
source_flags() {
  upstream_flags "$1"
  recorded_flags
  interval_flags 3s
}
start_exporter() {
  local name=$1 base=$2 port flags; shift 2
  port=$(free_port)
  started_port=$port
  mapfile -t flags < <(source_flags "$base")
  if [ -n "${CMC_BASE:-}" ]; then mapfile -t -O "${#flags[@]}" flags < <(upstream_flags "$CMC_BASE" | grep "^--cmc\."); fi
  if [ -n "${OWNERS:-}" ]; then  # --akash.owner repeats: replace the recorded owner rather than add to it
    mapfile -t flags < <(printf '%s\n' "${flags[@]}" | grep -v '^--akash.owner=')
    flags+=("--akash.owner=$OWNERS")
  fi
  start "$name" env CMC_API_KEY="$CMC_KEY" "$bin" \
    --web.listen-address="127.0.0.1:$port" \
    --state.file="$work/$name.state.json" \
    --log.level=debug \
    "${flags[@]}" "$@"
}
situations=()   # name=port, for the assertions
bin=${EXPORTER_BIN:-.build/debug/akash-cost-exporter}
if [ ! -x "$bin" ]; then
  swift build --product akash-cost-exporter 2>&1 | tail -n 3
fi
# cmc-down: two owners. OWNER's deployment 27790001 (escrow and lease) is in uakt, and there is no CoinMarketCap
# to price AKT; SECOND_OWNER has OWNER's usual uact deployments, all priced (1.5 USD/h). A total over both must
# not show SECOND_OWNER's 1.5 as if it were everything.
python3 - "$work/fixtures" "$OWNER" "$SECOND_OWNER" <<'PY'
import json, sys
out, owner, second = sys.argv[1:]
def to_uakt(node):
    if isinstance(node, dict):
        return {key: to_uakt(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_uakt(value) for value in node]
    return "uakt" if node == "uact" else node
def fixture(name):
    return json.load(open(f"Tests/Fixtures/e2e/{name}"))
def write(name, body):
    json.dump(body, open(f"{out}/{name}", "w"))
    return f"{out}/{name}"
page2 = "?pagination.key=bGVhc2VzLXBhZ2UtMg=="
leases, deployments = fixture("chain-leases.json"), fixture("chain-deployments.json")
leases["leases"] = [to_uakt(l) if l["lease"]["id"]["dseq"] == "27790001" else l for l in leases["leases"]]
deployments["deployments"] = [to_uakt(d) if d["deployment"]["id"]["dseq"] == "27790001" else d
                              for d in deployments["deployments"]]
as_second = lambda name: json.loads(json.dumps(fixture(name)).replace(owner, second))
base = "/chain/akash/market/v1beta5/leases/list?filters.owner="
routes = {
    base + owner: write("uakt-leases.json", leases),
    base + owner + "&" + page2[1:]: "Tests/Fixtures/e2e/chain-leases-page2.json",
    base + second: write("second-leases.json", as_second("chain-leases.json")),
    base + second + "&" + page2[1:]: write("second-leases-page2.json", as_second("chain-leases-page2.json")),
    "/chain/akash/deployment/v1beta4/deployments/list?filters.owner=" + owner: write("uakt-deployments.json", deployments),
    "/chain/akash/deployment/v1beta4/deployments/list?filters.owner=" + second:
        write("second-deployments.json", as_second("chain-deployments.json")),
    # The oracle unhealthy, so BME's /status answers the chain's error: halt_oracle, and AkashBmeMintsHalted must
    # reach the webhook. No feed can price the uakt lease either.
    "/chain/akash/oracle/v2/aggregated_price/akt": "Tests/Fixtures/onchain/oracle-aggregated-price-akt.unhealthy.json",
    "/chain/akash/bme/v1/status": {"file": "Tests/Fixtures/onchain/bme-status.halt-oracle-error.json", "status": 500},
}
json.dump(routes, open(f"{out}/cmc-down-routes.json", "w"), indent=1)
PY
# chain-down: every chain path answers until $work/chain-down.off exists, then 503. The file is made once Prometheus
# has scraped a runway from that exporter and the critical escrow alert fires (below): an event, not a count of
# requests, which a loaded machine makes at another pace.
python3 - "$work/fixtures" "$work/chain-down.off" <<'PY'
import json, sys
sys.path.insert(0, "scripts")
from fake_upstream import default_route_table
down = {"status": 503, "body": {"code": 14, "message": "node unavailable (e2e chain-down)"}}
routes = {path: {"switch_file": sys.argv[2], "before": fixture, "after": down}
          for path, fixture in default_route_table().items() if path.startswith("/chain")}
json.dump(routes, open(f"{sys.argv[1]}/chain-down-routes.json", "w"), indent=1)
PY
start upstream-cmc-down python3 scripts/fake_upstream.py --port 0 --with-defaults --routes "$work/fixtures/cmc-down-routes.json"
start upstream-chain-down python3 scripts/fake_upstream.py --port 0 --with-defaults --routes "$work/fixtures/chain-down-routes.json"
cmc_down_upstream="http://127.0.0.1:$(announced_port "$work/upstream-cmc-down.log")"
chain_down_upstream="http://127.0.0.1:$(announced_port "$work/upstream-chain-down.log")"
nothing_listens="http://127.0.0.1:$(free_port)"

start_exporter exporter "$upstream" --akash.probe-allow-private; exporter_port=$started_port
situations+=("main=$exporter_port")
wait_ready "http://127.0.0.1:$exporter_port/-/ready" 60
start_exporter replica "$upstream" --akash.probe-allow-private; situations+=("replica=$started_port")
CMC_BASE=$nothing_listens OWNERS="$OWNER,$SECOND_OWNER" start_exporter cmc-down "$cmc_down_upstream"; situations+=("cmc-down=$started_port")
start_exporter chain-down "$chain_down_upstream"; situations+=("chain-down=$started_port"); chain_down_port=$started_port
for situation in "${situations[@]}"; do
  wait_ready "http://127.0.0.1:${situation#*=}/-/ready" 60
  echo "exporter ${situation%%=*} ready on 127.0.0.1:${situation#*=}"
done

step "Prometheus and Alertmanager (configs derived from the shipped ones)"
prometheus_port=$(free_port)
alertmanager_port=$(free_port)
mkdir -p "$work/alerts"
python3 - "$work" "$exporter_port" "$prometheus_port" "$alertmanager_port" "$webhook_port" "${situations[*]}" <<'PY'
import sys, yaml
work, exporter, prometheus, alertmanager, webhook, situations = sys.argv[1:]
# Compose service names -> where the same thing listens here.
address = {"exporter": f"127.0.0.1:{exporter}", "localhost": f"127.0.0.1:{prometheus}",
           "alertmanager": f"127.0.0.1:{alertmanager}"}
relocate = lambda targets: [address[target.split(":")[0]] for target in targets]

config = yaml.safe_load(open("prometheus.yml"))
config["global"].update(scrape_interval="2s", scrape_timeout="1s", evaluation_interval="2s")
for job in config["scrape_configs"]:
    job.pop("dns_sd_configs", None)  # the compose demo profile's exporter: no such name here
    for static in job["static_configs"]:
        static["targets"] = relocate(static["targets"])
        if static["targets"] == [address["exporter"]]:
            # Every situation's exporter in the shipped job, as replicas and a second exporter would be.
            static["targets"] = [f"127.0.0.1:{entry.split('=')[1]}" for entry in situations.split()]
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
manager["route"].update(group_wait="3s", group_interval="1s", repeat_interval="1h")
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

# chain-down's chain goes down once Prometheus has its runway and the critical escrow alert fires for it.
python3 - "$prometheus_port" "$chain_down_port" "$SHORT_RUNWAY_DSEQ" "$TIMEOUT" "$work/chain-down.off" <<'PY'
import json, pathlib, sys, time, urllib.parse, urllib.request
prometheus, exporter, dseq, timeout, switch = sys.argv[1:]
query = (f'ALERTS{{alertname="AkashDeploymentEscrowRunwayLow", alertstate="firing", severity="critical", '
         f'instance="127.0.0.1:{exporter}", dseq="{dseq}"}}')
deadline = time.time() + float(timeout)
while time.time() < deadline:
    url = f"http://127.0.0.1:{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    try:
        if json.load(urllib.request.urlopen(url, timeout=10))["data"]["result"]:
            print(f"chain-down: the escrow alert fires; its chain goes down now")
            break
    except (OSError, ValueError) as error:  # Prometheus busy or restarting: ask again
        print(f"chain-down: asking Prometheus failed ({error}); trying again")
    time.sleep(1)
else:
    print("chain-down: no escrow alert within the timeout; its chain goes down anyway (the checks below say what is missing)")
pathlib.Path(switch).touch()
PY

step "assertions"
E2E_ALERTMANAGER="http://127.0.0.1:$alertmanager_port" E2E_PROMETHEUS="http://127.0.0.1:$prometheus_port" E2E_EXPORTER="http://127.0.0.1:$exporter_port" E2E_WORK="$work" \
E2E_OWNER="$OWNER" E2E_SECOND_OWNER="$SECOND_OWNER" E2E_TIMEOUT="$TIMEOUT" E2E_CMC_KEY="$CMC_KEY" \
E2E_SHORT_DSEQ="$SHORT_RUNWAY_DSEQ" E2E_LONG_DSEQ="$LONG_RUNWAY_DSEQ" E2E_SITUATIONS="${situations[*]}" \
E2E_GATEWAY_PID="${gateway_pid:-}" python3 - <<'PY'
import glob, json, os, re, signal, sys, time, urllib.parse, urllib.request

env = os.environ
prometheus, exporter, work, owner = env["E2E_PROMETHEUS"], env["E2E_EXPORTER"], env["E2E_WORK"], env["E2E_OWNER"]
timeout, cmc_key = float(env["E2E_TIMEOUT"]), env["E2E_CMC_KEY"]
short_dseq, long_dseq = env["E2E_SHORT_DSEQ"], env["E2E_LONG_DSEQ"]
failures = []
# Every registered source is polled (scripts/sources.json is the exporter's source registry).
REGISTERED = float(len(json.load(open("scripts/sources.json"))["sources"]))

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

situations = dict(entry.split("=") for entry in env["E2E_SITUATIONS"].split())
instance_of = {name: f"127.0.0.1:{port}" for name, port in situations.items()}
JOB = "akash-cost-exporter"

# 1. Every exporter's target is up.
def targets_up():
    up = {s["metric"]["instance"] for s in api("/api/v1/query", query=f'up{{job="{JOB}"}} == 1')["result"]}
    return up if up >= set(instance_of.values()) else None
up = wait_for(targets_up)
if not up:
    failures.append(f"not every exporter target is up in Prometheus (want {sorted(instance_of.values())})")
else:
    print(f"ok   {len(up)} targets up in job {JOB}: " + ", ".join(f"{n}={a}" for n, a in instance_of.items()))

# 2. Dashboards, seen as Grafana would with $job and $instance set to one situation (or two).
boards = [json.load(open(path)) for path in sorted(glob.glob("grafana/dashboards/*.json"))]

def regex_of(*values):
    return "|".join(re.escape(value).replace("\\", "\\\\") for value in values)  # a regex in a PromQL string

def substitute(expr, values):
    expr = expr.replace("$__rate_interval", "30s").replace("$__interval", "10s")
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace("${" + name + "}", values[name]).replace("$" + name, values[name])
    return expr

def variable_values(board, *instances, chosen=None):
    """$job and $instance as chosen (and any variable in `chosen`); every other variable set to all of its values,
    found the way Grafana does."""
    values = {"job": regex_of(JOB), "instance": regex_of(*instances), **(chosen or {})}
    for variable in board["templating"]["list"]:
        if variable["type"] != "query" or variable["name"] in values:
            continue
        selector, label = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", variable["definition"]).groups()
        found = sorted(api(f"/api/v1/label/{label}/values", **{"match[]": substitute(selector, values)}))
        values[variable["name"]] = regex_of(*found) if found else "no-value-found"
    return values

def panel_results(*instances, chosen=None):
    """{(dashboard, panel): [(refId, expr, result), ...]} for every panel query."""
    results = {}
    for board in boards:
        values = variable_values(board, *instances, chosen=chosen)
        for panel in board["panels"]:
            results[(board["title"], panel["title"])] = [
                (t["refId"], substitute(t["expr"], values), api("/api/v1/query", query=substitute(t["expr"], values))["result"])
                for t in panel.get("targets", [])]
    return results

def without_data(results):
    return [f"{board} / {panel}: {expr}" for (board, panel), queries in results.items()
            for _, expr, result in queries if not result][:50]

def figure(results, panel, ref="A"):
    """The single value a stat panel shows; None when its query returns nothing."""
    found = [r for r_ref, _, r in results[panel] if r_ref == ref]
    if not found or not found[0]:
        return None
    if len(found[0]) != 1:
        return ("series", len(found[0]))
    return float(found[0][0]["value"][1])

def close(value, expected):
    return isinstance(value, float) and abs(value - expected) <= 1e-6 * max(1, abs(expected))

def expect(what, value, expected):
    ok = close(value, expected) if isinstance(expected, float) else value == expected
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {value} (expected {expected})")
    if not ok:
        failures.append(f"{what}: {value}, expected {expected}")

ACCOUNT, HEALTH, PROVIDER = "Akash / Account costs", "Akash / Exporter health", "Akash / Provider"
main = instance_of["main"]
deadline = time.time() + timeout
while True:
    results = panel_results(main)
    missing = without_data(results)
    if not missing or time.time() > deadline:
        break
    time.sleep(2)
checked = len(results)
with_data = checked - len({line.split(":")[0] for line in missing})
for line in missing:
    failures.append("no data (main): " + line)
print(f"{'ok  ' if not missing else 'FAIL'} dashboard panels with data for main: {with_data}/{checked}")

# Tables: every merged query comes back without __name__, or Grafana shows one row per query.
named = [f"{board} / {panel} {ref}" for board in boards for panel in board["panels"] if panel["type"] == "table"
         for ref, _, result in results[(board["title"], panel["title"])] if any("__name__" in s["metric"] for s in result)]
if named:
    failures.append("table queries returning __name__: " + ", ".join(named))
else:
    print("ok   no merged table query returns __name__")

# main: the numbers of Tests/Fixtures/e2e/README.md.
# 1.5 USD/h of the recorded active leases + 0.06 of the reclaiming one main's routes add (Tests/Fixtures/e2e/routes.json).
expect("main: Spend per hour (USD)", figure(results, (ACCOUNT, "Spend per hour")), 1.56)
expect("main: Monthly rate at current prices (USD)", figure(results, (ACCOUNT, "Monthly rate at current prices")), 1.56 * 730.488)
expect("main: Reclaiming leases", figure(results, (ACCOUNT, "Reclaiming leases")), 1.0)
expect("main: Overdrawn leases", figure(results, (ACCOUNT, "Overdrawn leases")), 1.0)
expect("main: Groups waiting for a bid", figure(results, (ACCOUNT, "Groups waiting for a bid")), 1.0)
expect("main: Block time (s)", figure(results, (ACCOUNT, "Block time")), 6.0)
expect("main: provider Reclaiming leases", figure(results, (PROVIDER, "Reclaiming leases")), 1.0)
expect("main: provider Overdrawn leases", figure(results, (PROVIDER, "Overdrawn leases")), 1.0)
expect("main: Active leases", figure(results, (ACCOUNT, "Active leases")), 3.0)
expect("main: Leases without a USD price", figure(results, (ACCOUNT, "Leases without a USD price")), 0.0)
runway = results[(ACCOUNT, "Shortest escrow runway")][0][2]
expect("main: Shortest escrow runway (s, dseq)", [(float(s["value"][1]), s["metric"].get("dseq")) for s in runway],
       [(59400.0, short_dseq)])
expect("main: Sources up", (figure(results, (HEALTH, "Sources up"), "A"), figure(results, (HEALTH, "Sources up"), "B")),
       (REGISTERED, REGISTERED))
expect("main: Deployments table rows", len(results[(ACCOUNT, "Deployments")][0][2]), 2)
# The provider of Tests/Fixtures/chain/README.md (its revenue moves with the second AKT quote, so counts only).
expect("main: provider Active leases", figure(results, (PROVIDER, "Active leases")), 8.0)
expect("main: provider GPUs leased", figure(results, (PROVIDER, "GPUs leased")), 9.0)
expect("main: provider Open bids", figure(results, (PROVIDER, "Open bids")), 7.0)
# The gateway every provider of main is registered at answers (Tests/Fixtures/reachability/README.md: the Console
# saw the owner's first provider offline with 0 uptime and never checked the second; it saw the watched one online).
def by_provider(results, panel, ref):
    return {s["metric"]["provider"]: round(float(s["value"][1]), 6)
            for r_ref, _, result in results[panel] if r_ref == ref for s in result}
first, second = "akash1dwulk2y0nh5q4425rlj9wf2d7j2fypsurcwfu4", "akash1qd9dhx3vhtd87ynfhc8lgc9vepjnv7ugjj5pnz"
yours = (ACCOUNT, "Your providers")
expect("main: Your providers: Probe", by_provider(results, yours, "A"), {first: 1.0, second: 1.0})
expect("main: Your providers: Console", by_provider(results, yours, "C"), {first: 0.0})
expect("main: Your providers: Uptime 30d", by_provider(results, yours, "F"), {first: 0.0416})
# Paid leases (Tests/Fixtures/e2e/README.md): the first provider's two active ones and the reclaiming 27650002 3/1.
expect("main: Your providers: Your leases", by_provider(results, yours, "G"), {first: 3.0, second: 1.0})
expect("main: Your providers: USD/hour paid", by_provider(results, yours, "H"), {first: 1.44, second: 0.12})
expect("main: provider Gateway reachable from outside", figure(results, (PROVIDER, "Gateway reachable from outside")), 1.0)
expect("main: provider Leases the gateway reports", figure(results, (PROVIDER, "Leases the gateway reports")), 3.0)
expect("main: provider Console online", figure(results, (PROVIDER, "Console online")), 1.0)
# The chain's own prices (Tests/Fixtures/onchain/README.md), fresh on main: the oracle prices AKT leases.
MARKET = "Akash / AKT market"
def legends(results, panel):
    return sorted(s["metric"].get(label) for label in ("source", "status") for _, _, r in results[panel] for s in r
                  if label in s["metric"])
expect("main: Oracle AKT median", figure(results, (MARKET, "Oracle AKT median")), 0.6763)
expect("main: BME state", legends(results, (MARKET, "BME state")), ["healthy"])
expect("main: ACT mints allowed", figure(results, (MARKET, "ACT mints allowed")), 1.0)
expect("main: AKT leases priced by (account)", legends(results, (ACCOUNT, "AKT leases priced by")), ["oracle"])
ratio = figure(results, (MARKET, "Oracle / CoinMarketCap"))
expect("main: Oracle / CoinMarketCap (one of the two quotes)",
       any(close(ratio, 0.6763 / quote) for quote in (0.87, 0.8874)), True)
situations_checked = 1

# Two replicas scraped together: the same totals, and no panel with more series than one replica gives.
both = panel_results(main, instance_of["replica"])
per_instance = lambda expr: "process_" in expr or re.match(r"up\{", expr)
doubled = [f"{board} / {panel} {ref}: {len(result)} series, main alone {len(alone)}"
           for (board, panel), queries in both.items()
           for (ref, expr, result), (_, _, alone) in zip(queries, results[(board, panel)])
           if not per_instance(expr) and len(result) != len(alone)]
for line in doubled:
    failures.append("two replicas: " + line)
print(f"{'ok  ' if not doubled else 'FAIL'} two replicas: every panel query has as many series as one replica ({len(both)} panels)")
for panel, expected in (("Spend per hour", 1.56), ("Active leases", 3.0), ("Leases without a USD price", 0.0)):
    expect(f"two replicas: {panel}", figure(both, (ACCOUNT, panel)), expected)
expect("two replicas: Sources up", (figure(both, (HEALTH, "Sources up"), "A"), figure(both, (HEALTH, "Sources up"), "B")),
       (REGISTERED, REGISTERED))

# CoinMarketCap down, one uakt lease among two owners' leases: no total at all rather than the priced owner's
# 1.5 USD/h, the unpriced lease counted, both owners offered; the priced owner alone still has its total.
second_owner = env["E2E_SECOND_OWNER"]
cmc_down = panel_results(instance_of["cmc-down"])
expect("cmc-down: Spend per hour", figure(cmc_down, (ACCOUNT, "Spend per hour")), None)
expect("cmc-down: Monthly rate at current prices", figure(cmc_down, (ACCOUNT, "Monthly rate at current prices")), None)
expect("cmc-down: Leases without a USD price", figure(cmc_down, (ACCOUNT, "Leases without a USD price")), 1.0)
expect("cmc-down: Active leases", figure(cmc_down, (ACCOUNT, "Active leases")), 6.0)
account_board = next(board for board in boards if board["title"] == ACCOUNT)
expect("cmc-down: owners offered by $owner", variable_values(account_board, instance_of["cmc-down"]).get("owner"),
       regex_of(*sorted([owner, second_owner])))
expect("cmc-down: BME state", legends(cmc_down, (MARKET, "BME state")), ["halt_oracle"])
expect("cmc-down: ACT mints allowed", figure(cmc_down, (MARKET, "ACT mints allowed")), 0.0)
expect("cmc-down: BME collateral ratio (none in halt_oracle)", figure(cmc_down, (MARKET, "BME collateral ratio")), None)
# Its oracle is unhealthy and CoinMarketCap unreachable: no feed prices its uakt lease.
expect("cmc-down: AKT leases priced by", legends(cmc_down, (ACCOUNT, "AKT leases priced by")), [])
priced_alone = panel_results(instance_of["cmc-down"], chosen={"owner": regex_of(second_owner)})
expect("cmc-down, $owner = the priced owner: Spend per hour", figure(priced_alone, (ACCOUNT, "Spend per hour")), 1.5)
situations_checked += 2

# Every PromQL example of README.md and docs/*.md (scripts/doc_examples.py), run here on the recorded data that
# scripts/demo.sh serves, returns what its text says: an error or a contradicted expectation fails the run.
sys.path.insert(0, "scripts")
import doc_examples
examples = doc_examples.extract()
doc_examples.check_static(examples)
doc_examples.run(examples, prometheus, timeout)
doc_examples.report(examples, ran=True)
failures += [f"doc example {e.where}: {'; '.join(e.errors)}" for e in examples if e.errors]
doc_examples_run = len(examples)

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
def mints_halted(alerts):
    return [a for a in alerts if a["labels"].get("alertname") == "AkashBmeMintsHalted"
            and a["labels"].get("instance") == instance_of["cmc-down"] and a["labels"].get("status") == "halt_oracle"]
halted = mints_halted(wait_for(lambda: mints_halted(delivered()) and delivered()) or delivered())
if halted:
    alerts = delivered()
    print(f"ok   delivered: AkashBmeMintsHalted {halted[0]['labels']['severity']} for cmc-down: {halted[0]['annotations']['description']}")
else:
    failures.append("no AkashBmeMintsHalted (halt_oracle) for cmc-down reached the webhook")
if any(a["labels"].get("alertname") == "AkashBmeMintsHalted" and a["labels"].get("instance") == main for a in alerts):
    failures.append("AkashBmeMintsHalted fired for main, whose BME is healthy")
print("     all delivered: " + ", ".join(sorted(f"{a['labels']['alertname']}({a['labels'].get('severity')})" for a in alerts)))

# 4. Chain down: the runway series is gone, the critical escrow alert keeps firing (the escrow keeps draining).
chain_down, chain_down_url = instance_of["chain-down"], f"http://127.0.0.1:{situations['chain-down']}"
def runway_dropped():
    text = get(chain_down_url + "/metrics")
    return ("akash_deployment_escrow_runway_seconds{" not in text
            and 'akash_exporter_source_up{source="akash_deployments"} 0' in text)
seen = api("/api/v1/query", query=f'last_over_time(akash_deployment_escrow_runway_seconds{{instance="{chain_down}"}}[10m])')
if not seen["result"]:
    failures.append("chain-down: Prometheus never scraped a runway before the chain went down (started too late?)")
if not wait_for(runway_dropped):
    failures.append("chain-down: the exporter still exports a runway (or its deployments source is up)")
time.sleep(8)   # Prometheus scrapes the exporter without it and evaluates the rules a few times (2 s each)
raw = api("/api/v1/query", query=f'akash_deployment_escrow_runway_seconds{{instance="{chain_down}"}}')["result"]
firing = api("/api/v1/query", query=f'ALERTS{{alertname="AkashDeploymentEscrowRunwayLow", alertstate="firing", '
                                    f'severity="critical", instance="{chain_down}", dseq="{short_dseq}"}}')["result"]
manager = json.loads(get(env["E2E_ALERTMANAGER"] + "/api/v2/alerts?active=true&filter=" + urllib.parse.quote(
    f'instance="{chain_down}"')))
in_manager = [a for a in manager if a["labels"].get("alertname") == "AkashDeploymentEscrowRunwayLow"
              and a["labels"].get("severity") == "critical" and a["labels"].get("dseq") == short_dseq]
expect("chain-down: runway series left in Prometheus", len(raw), 0)
expect("chain-down: critical AkashDeploymentEscrowRunwayLow firing in Prometheus", len(firing), 1)
expect("chain-down: ... and active in Alertmanager", len(in_manager), 1)
shortest = panel_results(chain_down)[(ACCOUNT, "Shortest escrow runway")][0][2]
projected = [(float(s["value"][1]), s["metric"].get("dseq")) for s in shortest]
ok = len(projected) == 1 and projected[0][1] == short_dseq and 59400 - 600 < projected[0][0] < 59400
print(f"{'ok  ' if ok else 'FAIL'} chain-down: Shortest escrow runway projected from the last known: {projected}")
if not ok:
    failures.append(f"chain-down: Shortest escrow runway {projected}, expected dseq {short_dseq} a little under 59400 s")
situations_checked += 1

# 4b. main's provider gateway stops: each lease it hosts alerts, saying what it still costs per hour; the watched
# provider's own gateway alert too. The probe sent no credentials while the gateway was up.
probes = [json.loads(line) for line in open(f"{work}/gateway.jsonl")]
sent = sorted({name for probe in probes for name in probe["headers"]})
ok = probes and all(p["path"] == "/status" for p in probes) and not {"authorization", "cookie"} & set(sent)
print(f"{'ok  ' if ok else 'FAIL'} gateway: {len(probes)} probes of /status, headers sent: {', '.join(sent)}")
if not ok:
    failures.append(f"gateway: probes {len(probes)}, paths {sorted({p['path'] for p in probes})}, headers {sent}")
os.kill(int(env["E2E_GATEWAY_PID"]), signal.SIGTERM)
def provider_down(alerts):
    return sorted(((a["labels"]["dseq"], a["labels"]["gseq"], a["labels"]["oseq"], a["labels"]["provider"]), a)
                  for a in alerts if a["labels"].get("alertname") == "AkashLeaseProviderDown"
                  and a["labels"].get("instance") == main and a["labels"].get("owner") == owner)
def gateway_unreachable(alerts):
    return [a for a in alerts if a["labels"].get("alertname") == "AkashProviderGatewayUnreachable"
            and a["labels"].get("instance") == main]
wait_for(lambda: len(provider_down(delivered())) >= 3 and gateway_unreachable(delivered()))
alerts = delivered()
down = provider_down(alerts)
expect("gateway stopped: AkashLeaseProviderDown delivered for main's leases", [lease for lease, _ in down],
       sorted([(short_dseq, "1", "1", "akash1dwulk2y0nh5q4425rlj9wf2d7j2fypsurcwfu4"),
               (long_dseq, "1", "1", "akash1dwulk2y0nh5q4425rlj9wf2d7j2fypsurcwfu4"),
               (long_dseq, "2", "1", "akash1qd9dhx3vhtd87ynfhc8lgc9vepjnv7ugjj5pnz"),
               # the reclaiming lease is still paid; the overdrawn one (27800006) is not, and does not alert
               (long_dseq, "3", "1", "akash1dwulk2y0nh5q4425rlj9wf2d7j2fypsurcwfu4")]))
costly = [a for lease, a in down if lease[0] == short_dseq]
if costly:
    description = costly[0]["annotations"]["description"]
    print(f"     delivered: AkashLeaseProviderDown {costly[0]['labels']['severity']}: {description}")
    if "still costs 1.2 USD per hour" not in description:
        failures.append(f"AkashLeaseProviderDown for dseq {short_dseq} does not say it still costs 1.2 USD per hour: {description}")
unreachable = sorted(a["labels"]["provider"] for a in gateway_unreachable(alerts))
expect("gateway stopped: AkashProviderGatewayUnreachable delivered for the watched provider", unreachable,
       ["akash18ga02jzaq8cw52anyhzkwta5wygufgu6zsz6xc"])
situations_checked += 1

# 5. The CoinMarketCap key travels in its header only.
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
print(f"e2e: panels checked={checked} with data={with_data} situations={situations_checked} alerts delivered={len(alerts)}"
      f" doc examples={doc_examples_run}")
sys.exit(1 if failures else 0)
PY
