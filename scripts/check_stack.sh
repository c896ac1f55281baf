#!/usr/bin/env bash
# Static checks of the monitoring stack (no Docker engine needed):
#   - every YAML file parses; every bind mount of docker-compose.yml exists in the repository;
#   - the demo profile (docker compose --profile demo) serves what scripts/demo.sh serves: scripts/fake_upstream.py
#     with the same routes, its fixtures mounted, the exporter pointed at it with scripts/sources.json's flags, and
#     Prometheus finding it in the exporter's job;
#   - the exporter's port agrees across its flag default, Dockerfile, compose and prometheus.yml, and every
#     target/URL names a compose service on the port that service listens on;
#   - every dashboard parses, has a fixed unique uid, the ds_prometheus variable, the schemaVersion of the pinned
#     Grafana, is what grafana/build_dashboards.py generates, and queries only metrics of the contract (or `up`)
#     with valid PromQL; the alert rules use only contract metrics too;
#   - every alert has summary, description and an absolute runbook_url (scripts/gen_prometheusrule.py's base)
#     pointing at its section of docs/runbook.md, and no
#     alert names a scrape job itself (the recording rule akash_exporter:up is the one place that does);
#   - grafana/build_dashboards.py --check also lints the dashboards: $job/$instance on every dashboard and selector,
#     no merged table query that keeps __name__, a unit on every table column;
#   - promtool check config / check rules / test rules, amtool check-config.
# The metric contract is the first of METRICS.md, docs/METRICS.md, README.md with its tables (or METRICS_FILE=path).
# Usage: scripts/check_stack.sh        Exit status: 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

failures=0
run() {  # run <description> <command...>: one line per check, output shown only on failure
  local output
  if output=$("${@:2}" 2>&1); then
    echo "ok   $1"
  else
    echo "FAIL $1"; echo "$output" | sed 's/^/     /'
    failures=$((failures + 1))
  fi
}

python3 -c 'import yaml' 2>/dev/null || { echo "check_stack: PyYAML is required (pip install PyYAML)"; exit 2; }
for tool in promtool amtool; do
  command -v "$tool" >/dev/null || { echo "check_stack: $tool not found (Debian: prometheus, prometheus-alertmanager)"; exit 2; }
done

# The Python part prints "ok   ..." / "FAIL ..." lines itself and exits with the number of failures.
python3 - <<'PY' || failures=$((failures + $?))
import glob, json, os, re, subprocess, sys, tempfile
from pathlib import Path
import yaml

failed = 0
def check(ok, what, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else f"\n     {detail}"))
    failed += not ok

def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f)

# --- YAML validity ------------------------------------------------------------------------------------------
yaml_files = ["prometheus.yml", "alertmanager.yml", "docker-compose.yml", *sorted(glob.glob("alerts/*.yml")),
              *sorted(glob.glob("grafana/provisioning/**/*.yml", recursive=True))]
for path in yaml_files:
    try:
        load_yaml(path); check(True, f"yaml parses: {path}")
    except Exception as error:  # noqa: BLE001 - any parse error is the finding
        check(False, f"yaml parses: {path}", str(error))

compose = load_yaml("docker-compose.yml")
services = compose["services"]
prometheus = load_yaml("prometheus.yml")

# --- compose: mounted paths, build context --------------------------------------------------------------------
for name, service in services.items():
    for volume in service.get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith((".", "/")):
            check(Path(source).exists(), f"compose {name}: mounted path {source} exists")
    if "build" in service:
        context = service["build"] if isinstance(service["build"], str) else service["build"].get("context", ".")
        check((Path(context) / "Dockerfile").is_file(), f"compose {name}: build context {context} has a Dockerfile")

# --- ports --------------------------------------------------------------------------------------------------
def container_ports(service):
    return {int(str(p).rsplit(":", 1)[-1].split("/")[0]) for p in service.get("ports", [])}

def url_port(text):
    match = re.search(r"127\.0\.0\.1:(\d+)", " ".join(map(str, text)) if isinstance(text, list) else text)
    return int(match.group(1)) if match else None

def exporter_default_port():
    """The default of --web.listen-address as the Swift sources declare it, when they do yet."""
    for source in glob.glob("Sources/**/*.swift", recursive=True):
        text = Path(source).read_text()
        match = re.search(r'"web\.listen-address"[^)]*?default:\s*"[^"]*:(\d+)"', text, re.S)
        if match:
            return int(match.group(1)), source
    return 9877, "the documented default (flag not found in Sources/)"

port, origin = exporter_default_port()
dockerfile = Path("Dockerfile").read_text()
exporter = services["exporter"]
check(port in container_ports(exporter), f"exporter port {port} ({origin}) is published by compose",
      f"compose publishes {sorted(container_ports(exporter))}")
check(url_port(exporter["healthcheck"]["test"]) == port, f"compose exporter healthcheck uses port {port}")
check(re.search(rf"^EXPOSE {port}$", dockerfile, re.M) is not None, f"Dockerfile EXPOSEs {port}")
healthcheck = re.search(r"^HEALTHCHECK.*?(?=^\S)", dockerfile + "\nEND", re.M | re.S)
check(healthcheck is not None and url_port(healthcheck.group(0)) == port, f"Dockerfile HEALTHCHECK uses port {port}")
# SwiftPM refuses a manifest whose target directories are missing: the image must get every one of them.
target_roots = {"Sources", "Tests"} | {path.split("/")[0] for path in re.findall(r'path:\s*"([^"]+)"', Path("Package.swift").read_text())}
copied = set(re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)\s", dockerfile, re.M))
ignored = {line.strip().rstrip("/") for line in Path(".dockerignore").read_text().splitlines() if line.strip() and not line.startswith("#")}
check(target_roots <= copied and not target_roots & ignored,
      f"Dockerfile copies every target directory of Package.swift ({', '.join(sorted(target_roots))})",
      f"not copied: {sorted(target_roots - copied)}, in .dockerignore: {sorted(target_roots & ignored)}")
check("--static-swift-stdlib" in dockerfile and re.search(r"^USER (?!root)", dockerfile, re.M) is not None,
      "Dockerfile builds with --static-swift-stdlib and runs as a non-root user")

service_ports = {"exporter": port, "prometheus": 9090, "alertmanager": 9093, "grafana": 3000}
for name, expected in service_ports.items():
    check(expected in container_ports(services[name]), f"compose {name} publishes its port {expected}")

# --- compose --profile demo: the recorded data of scripts/demo.sh, served in the stack --------------------------
# demo-upstream runs scripts/fake_upstream.py on the routes demo.sh serves; exporter-demo is pointed at it with the
# flags demo.sh derives from scripts/sources.json (every API's URL flag, the recorded owner and provider), so a new
# source or API is either in both or the check fails; Prometheus finds exporter-demo in the exporter's job.
demo = {name: service for name, service in services.items() if "demo" in service.get("profiles", [])}
check(set(demo) == {"demo-upstream", "exporter-demo"}, "compose profile demo: demo-upstream and exporter-demo",
      f"got {sorted(demo)}")
if set(demo) == {"demo-upstream", "exporter-demo"}:
    upstream, exporter_demo = demo["demo-upstream"], demo["exporter-demo"]
    command = upstream.get("command", [])
    mounts = dict(volume.split(":")[:2] for volume in upstream.get("volumes", []))
    def in_container(repo_path):
        """Where a repository path is inside demo-upstream, through its bind mounts (None when not mounted)."""
        for source, target in mounts.items():
            source = source.removeprefix("./").rstrip("/")
            if repo_path == source or repo_path.startswith(source + "/"):
                return target.rstrip("/") + repo_path[len(source):]
        return None
    script = next((arg for arg in command if arg.endswith("fake_upstream.py")), None)
    check(script is not None and script == in_container("scripts/fake_upstream.py")
          and in_container("scripts/sources.json") == str(Path(script).parent / "sources.json"),
          "compose demo-upstream runs the mounted scripts/fake_upstream.py next to scripts/sources.json", command)
    demo_sh = Path("scripts/demo.sh").read_text()
    demo_routes = re.search(r"start_fake_upstream \S+ (--with-defaults) --routes (\S+)", demo_sh)
    routes = command[command.index("--routes") + 1] if "--routes" in command else None
    check(demo_routes is not None and "--with-defaults" in command and routes == in_container(demo_routes.group(2))
          and Path(demo_routes.group(2)).is_file(),
          f"compose demo-upstream serves what scripts/demo.sh serves (--with-defaults --routes "
          f"{demo_routes and demo_routes.group(2)}), every fixture mounted",
          f"command {command}, mounts {mounts}")
    fixtures_mounted = in_container("Tests/Fixtures/e2e/routes.json") is not None and in_container("Tests/Fixtures/chain") is not None
    check(fixtures_mounted, "compose demo-upstream mounts Tests/Fixtures (the recorded bodies the routes name)", mounts)
    upstream_port = int(command[command.index("--port") + 1]) if "--port" in command else None
    bind = command[command.index("--bind") + 1] if "--bind" in command else "127.0.0.1"
    check(upstream_port is not None and bind == "0.0.0.0" and upstream_port == url_port(upstream["healthcheck"]["test"]),
          f"compose demo-upstream listens on 0.0.0.0:{upstream_port} and its healthcheck asks that port")
    sources_json = json.loads(Path("scripts/sources.json").read_text())
    base = f"http://demo-upstream:{upstream_port}"
    wanted = [f"--{api['url_flag']}={base}{api['prefix']}" for api in sources_json["apis"]] + sources_json["flags"]
    arguments = exporter_demo.get("command", [])
    check(set(wanted) <= set(arguments),
          "compose exporter-demo gets every upstream URL flag (at demo-upstream) and recorded flag of scripts/sources.json",
          f"missing: {sorted(set(wanted) - set(arguments))}")
    check(exporter_demo.get("image") == exporter.get("image") and "build" in exporter_demo,
          "compose exporter-demo runs the exporter's image", exporter_demo.get("image"))
    check(port in container_ports(exporter_demo) and url_port(exporter_demo["healthcheck"]["test"]) == port,
          f"compose exporter-demo listens on {port} (published, healthcheck)")
    published = lambda service: {int(str(p).split(":")[-2]) for p in service.get("ports", [])}
    clashes = [name for name, service in services.items() if name != "exporter-demo" and published(service) & published(exporter_demo)]
    check(not clashes, f"compose exporter-demo publishes host port(s) {sorted(published(exporter_demo))}, no other service does",
          f"also published by {clashes}")
    depends = exporter_demo.get("depends_on", {})
    check(isinstance(depends, dict) and depends.get("demo-upstream", {}).get("condition") == "service_healthy",
          "compose exporter-demo starts once demo-upstream answers")
    job = next((job for job in prometheus["scrape_configs"] if job["job_name"] == "akash-cost-exporter"), {})
    found = [(name, sd.get("port")) for sd in job.get("dns_sd_configs", []) for name in sd.get("names", [])]
    check(found == [("exporter-demo", port)],
          f"prometheus.yml finds exporter-demo:{port} by DNS in the exporter's job (only with the profile)", found)

def check_target(where, target):
    host, _, target_port = target.partition(":")
    if host == "localhost":          # Prometheus scraping itself
        host = "prometheus"
    check(host in services and service_ports.get(host) == int(target_port),
          f"{where}: target {target} is a compose service on its port")

for job in prometheus["scrape_configs"]:
    for static in job.get("static_configs", []):
        for target in static["targets"]:
            check_target(f"prometheus.yml job {job['job_name']}", target)
for manager in prometheus["alerting"]["alertmanagers"]:
    for static in manager["static_configs"]:
        for target in static["targets"]:
            check_target("prometheus.yml alerting", target)
check(any(job["job_name"] == "akash-cost-exporter" for job in prometheus["scrape_configs"]),
      'prometheus.yml scrapes job "akash-cost-exporter" (the alert rules select it)')
for rule_file in prometheus.get("rule_files", []):
    check(bool(glob.glob(rule_file)), f"prometheus.yml rule file {rule_file} exists next to it (compose mounts alerts/)")
for path in glob.glob("grafana/provisioning/datasources/*.yml"):
    for source in load_yaml(path)["datasources"]:
        check_target(f"{path} datasource {source['name']}", source["url"].split("//", 1)[1].rstrip("/"))

# --- metric contract ----------------------------------------------------------------------------------------
def contract_names(path):
    """Metric names from the contract's tables: rows starting with | `name` |, plus the process_* list."""
    text = Path(path).read_text()
    return set(re.findall(r"^\|\s*`([a-z_:][a-z0-9_:]*)`", text, re.M)) | set(re.findall(r"`(process_[a-z_]+)`", text))

candidates = [os.environ["METRICS_FILE"]] if os.environ.get("METRICS_FILE") else ["METRICS.md", "docs/METRICS.md", "README.md"]
contract_path = next((p for p in candidates if Path(p).is_file() and len(contract_names(p)) > 10), None)
contract = contract_names(contract_path) if contract_path else set()
check(bool(contract), f"metric contract read from {contract_path or 'nowhere: no METRICS.md, docs/METRICS.md or README.md metric tables'}: {len(contract)} names")

def metric_names(expr):
    """Exporter metric names in a query; recorded names (level:metric:operation) are checked where recorded."""
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
    names = set(re.findall(r"(?<![\w:])((?:akash|process)_[a-z0-9_:]+)", without_ranges))
    return {name for name in names if ":" not in name} | ({"up"} if re.search(r"(?<!:)\bup\b", without_ranges) else set())

def check_names(where, exprs):
    if not contract:
        return  # already reported: no contract to compare with
    unknown = sorted({name for expr in exprs for name in metric_names(expr)} - contract - {"up"})
    check(not unknown, f"{where}: only contract metric names", f"not in {contract_path}: {unknown}")

rules = load_yaml("alerts/akash.rules.yml")
check_names("alerts/akash.rules.yml", [rule["expr"] for group in rules["groups"] for rule in group["rules"]])

# --- alerts: annotations, runbook sections, one place that names the job --------------------------------------
# runbook_url is absolute (Alertmanager and Grafana show it as a link): the generator's base, then the alert's own
# section of docs/runbook.md, whose heading must exist.
sys.path.insert(0, "scripts")
from gen_prometheusrule import RUNBOOK_BASE_URL, runbook_anchors, runbook_problems

runbook = Path("docs/runbook.md").read_text() if Path("docs/runbook.md").is_file() else ""
anchors = runbook_anchors(runbook)
alerts = [rule for group in rules["groups"] for rule in group["rules"] if "alert" in rule]
for rule in alerts:
    annotations = rule.get("annotations", {})
    missing = [key for key in ("summary", "description", "runbook_url") if not annotations.get(key)]
    check(not missing, f"alert {rule['alert']} ({rule['labels'].get('severity')}): summary, description, runbook_url",
          f"missing: {missing}")
    url = annotations.get("runbook_url", "")
    expected = f"{RUNBOOK_BASE_URL}#{rule['alert'].lower()}"
    check(url == expected and rule["alert"].lower() in anchors,
          f"alert {rule['alert']}: runbook_url {url} is its section of docs/runbook.md",
          f"expected {expected} and a heading '## {rule['alert']}' in docs/runbook.md")
problems = runbook_problems(rules, runbook_text=runbook)
check(not problems, f"every runbook_url is absolute, under {RUNBOOK_BASE_URL}, and its anchor is a heading of docs/runbook.md",
      "; ".join(problems))
naming_job = [rule.get("alert") or rule.get("record") for group in rules["groups"] for rule in group["rules"]
              if re.search(r"\bjob\s*=", rule["expr"]) and rule.get("record") != "akash_exporter:up"]
check(not naming_job, "only the recording rule akash_exporter:up names the scrape job", f"also: {naming_job}")
unjoined = [rule["alert"] for rule in alerts if "akash_exporter:up" not in rule["expr"]
            and not re.search(r"akash:\w+:\w+", rule["expr"])]
check(not unjoined, "every alert selects the exporter's job through akash_exporter:up", f"not: {unjoined}")

# --- dashboards ---------------------------------------------------------------------------------------------
pinned = re.search(r"grafana/grafana:(\d+)\.(\d+)", Path("docker-compose.yml").read_text())
schema_for_grafana = {(11, 6): 41, (12, 0): 41, (11, 5): 40, (11, 4): 40}
expected_schema = schema_for_grafana.get((int(pinned.group(1)), int(pinned.group(2)))) if pinned else None
check(expected_schema is not None, f"compose pins a Grafana version with a known schemaVersion ({pinned and pinned.group(0)})")

generated = subprocess.run([sys.executable, "grafana/build_dashboards.py", "--check"], capture_output=True, text=True)
check(generated.returncode == 0, "grafana/dashboards/*.json are what grafana/build_dashboards.py generates", generated.stderr.strip())

uids, all_exprs = {}, []
for path in sorted(glob.glob("grafana/dashboards/*.json")):
    try:
        board = json.loads(Path(path).read_text())
    except ValueError as error:
        check(False, f"{path} parses", str(error)); continue
    uid = board.get("uid")
    check(bool(uid) and uid not in uids, f"{path}: fixed unique uid {uid!r}", f"also in {uids.get(uid)}")
    uids[uid] = path
    check(board.get("schemaVersion") == expected_schema, f"{path}: schemaVersion {board.get('schemaVersion')} matches Grafana {pinned and pinned.group(0)}")
    check("__inputs" not in board, f"{path}: no __inputs (provisioning cannot resolve them)")
    variables = {v["name"]: v for v in board.get("templating", {}).get("list", [])}
    check(variables.get("ds_prometheus", {}).get("type") == "datasource", f"{path}: has the ds_prometheus datasource variable")
    sources = [p.get("datasource") for p in board["panels"]] + [t.get("datasource") for p in board["panels"] for t in p.get("targets", [])]
    sources += [v.get("datasource") for v in variables.values() if v["type"] == "query"]
    check(all(s == {"type": "prometheus", "uid": "${ds_prometheus}"} for s in sources), f"{path}: every panel, query and variable uses ${{ds_prometheus}}")
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [v["definition"] for v in variables.values() if v["type"] == "query"]
    check_names(path, exprs)
    all_exprs += [(path, e) for e in exprs]

# Every query must be valid PromQL: load them into promtool as recording rules, Grafana variables substituted.
def substitute(expr):
    expr = re.sub(r"label_values\((.*),\s*\w+\)", r"\1", expr)
    expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m")
    return re.sub(r"\$\{?\w+\}?", ".*", expr)

with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
    yaml.safe_dump({"groups": [{"name": "dashboard_queries", "rules": [
        {"record": f"dashboard_query_{i}", "expr": substitute(expr)} for i, (_, expr) in enumerate(all_exprs)]}]}, handle)
promql = subprocess.run(["promtool", "check", "rules", handle.name], capture_output=True, text=True)
os.unlink(handle.name)
check(promql.returncode == 0, f"all {len(all_exprs)} dashboard queries are valid PromQL", (promql.stdout + promql.stderr).strip())

sys.exit(failed)
PY

run "promtool check config prometheus.yml" promtool check config prometheus.yml
run "promtool check rules alerts/akash.rules.yml" promtool check rules alerts/akash.rules.yml
run "promtool test rules alerts/akash.rules.test.yml" promtool test rules alerts/akash.rules.test.yml
# The escrow, stale and regime rules must keep their tests.
run "rule tests cover the escrow outage, a long interval and an unknown index" \
  bash -c 'for case in "chain outage" "lengthened interval" "both indices are known"; do grep -q "$case" alerts/akash.rules.test.yml || { echo "no test named ...$case..."; exit 1; }; done'
# The Kubernetes PrometheusRule is generated from the rules file: after editing the rules, run scripts/gen_prometheusrule.py.
run "deploy/kubernetes/prometheusrule.yaml is generated from alerts/akash.rules.yml" python3 scripts/gen_prometheusrule.py --check
run "amtool check-config alertmanager.yml" amtool check-config alertmanager.yml
run "bash -n on the scripts" bash -n scripts/e2e.sh scripts/check_stack.sh
run "grafana/test_build_dashboards.py: the dashboard lint catches __name__ in merged tables, unitless columns, missing job/instance" \
  python3 -m unittest discover -s grafana -p "test_*.py"
run "python compiles scripts/fake_upstream.py and grafana/build_dashboards.py" \
  python3 -m py_compile scripts/fake_upstream.py grafana/build_dashboards.py

if [ "$failures" -gt 0 ]; then
  echo "check_stack: $failures check(s) failed"; exit 1
fi
echo "check_stack: all checks passed"
