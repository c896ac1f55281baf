#!/usr/bin/env python3
"""Static checks of the deployment files, with no cluster, Docker engine or Akash account (CI runs it; seconds):

  - every YAML file under deploy/ parses;
  - deploy/kubernetes/prometheusrule.yaml is what scripts/gen_prometheusrule.py makes of alerts/akash.rules.yml, and
    every runbook_url in it is absolute and names a heading of docs/runbook.md;
  - `kubectl kustomize` renders deploy/kubernetes (the base), deploy/kubernetes-example (an overlay with the
    persistent-state component) and the base with both components (web-config too): Deployment, Service, ServiceMonitor and PrometheusRule, wired to each other
    (selectors, ports, the Secret, the state volume), non-root with a read-only root file system, probes on
    /-/healthy and /-/ready, resources; the PrometheusRule carries every rule group of the rules file unchanged,
    and the job it is scraped as is the job the rules select;
  - deploy/akash/deploy.yaml against the essentials of the Akash SDL schema (akash-network/chain-sdk
    go/sdl/sdl-input.schema.yaml): version, services with an image and port 9877 exposed, profiles compute and
    placement with pricing in uact, deployment naming existing profiles, a persistent volume mounted where the state
    file lives; its entrypoint gives that volume to the exporter's user (run for real when we are root);
  - deploy/systemd: `systemd-analyze verify` reports nothing, `systemd-analyze security` exposure at most 2.0;
  - every flag and AKASH_EXPORTER_* variable these files use is a flag the exporter declares, and the version in
    the Dockerfile, the kustomization and the SDL's image tag is Sources/AkashExporter/Version.swift's; nothing the
    Dockerfile copies is excluded by .dockerignore;
  - docs/production.md points at the unit file, and relative links of the deploy docs resolve;
  - NOTICE credits every source (repository, commit, path) the data shipped in Sources/ names.

Usage: scripts/check_deploy.py        Exit status: the number of failed checks (0: all passed). Needs PyYAML, kubectl.
"""
import fnmatch
import glob
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
os.chdir(ROOT)

failed = 0


def check(ok, what, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + what + ("" if ok or not detail else "\n     " + str(detail).replace("\n", "\n     ")))
    failed += not ok
    return ok


def skip(what, why):
    print(f"skip {what}: {why}")


# --- what the exporter declares ---------------------------------------------------------------------------------
sources = "\n".join(Path(p).read_text() for p in glob.glob("Sources/**/*.swift", recursive=True))
# Flags declared in Sources/ (`Flag<T> = .kind("name", ...)`, or the older `FlagSpec("name", ...)`), and those of the
# flags table of docs/configuration.md (which scripts/check_docs.py keeps equal to --help).
FLAGS = set(re.findall(r'(?:FlagSpec\(|Flag<[^=]*=\s*\.\w+\()\s*"([a-z0-9.\-]+)"', sources)) | set(
    re.findall(r"^\| `--(?:\[no-\])?([a-z0-9.\-]+)", Path("docs/configuration.md").read_text(), re.M))
ENVIRONMENT = {"AKASH_EXPORTER_" + re.sub(r"[^A-Z0-9]", "_", flag.upper()) for flag in FLAGS} | set(
    re.findall(r'"(CMC_[A-Z_]+)"', sources))
version_match = re.search(r'static let version\s*=\s*"([^"]+)"', sources)
VERSION = version_match.group(1) if version_match else None
PORT = 9877
STATE_FILE = "/var/lib/akash-cost-exporter/state.json"


def check_flags(where, arguments=(), variables=()):
    unknown = [a for a in arguments if a.startswith("--") and a[2:].split("=", 1)[0].removeprefix("no-") not in FLAGS]
    unknown += [v for v in variables if v not in ENVIRONMENT]
    check(not unknown, f"{where}: every flag and variable is one the exporter declares", f"unknown: {unknown}")


# --- YAML ---------------------------------------------------------------------------------------------------------
for path in sorted(glob.glob("deploy/**/*.y*ml", recursive=True)):
    try:
        list(yaml.safe_load_all(Path(path).read_text()))
        check(True, f"yaml parses: {path}")
    except yaml.YAMLError as error:
        check(False, f"yaml parses: {path}", error)

# --- PrometheusRule drift -------------------------------------------------------------------------------------------
spec = importlib.util.spec_from_file_location("gen_prometheusrule", "scripts/gen_prometheusrule.py")
generator = importlib.util.module_from_spec(spec)
spec.loader.exec_module(generator)
committed = generator.OUTPUT.read_text() if generator.OUTPUT.exists() else ""
check(committed == generator.render(generator.RULES.read_text()),
      "deploy/kubernetes/prometheusrule.yaml is what scripts/gen_prometheusrule.py makes of alerts/akash.rules.yml",
      "stale: run scripts/gen_prometheusrule.py and commit the result (--check shows the diff)")

rendered_groups = yaml.safe_load(generator.OUTPUT.read_text())["spec"]["groups"] if committed else []
link_problems = generator.runbook_problems({"groups": rendered_groups})
check(committed and not link_problems,
      "deploy/kubernetes/prometheusrule.yaml: every runbook_url is absolute and its anchor is a heading of docs/runbook.md",
      "\n".join(link_problems))

# --- Kubernetes -----------------------------------------------------------------------------------------------------
RULE_GROUPS = yaml.safe_load(Path("alerts/akash.rules.yml").read_text())["groups"]
ALERTS = [rule["alert"] for group in RULE_GROUPS for rule in group["rules"] if "alert" in rule]
RULE_JOBS = set(re.findall(r'job\s*=~?\s*"([^"]+)"', Path("alerts/akash.rules.yml").read_text()))


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check_kubernetes(directory, expect_pvc=False, expect_tls=False, name=None):
    kustomize = subprocess.run(["kubectl", "kustomize", directory], capture_output=True, text=True)
    directory = name or directory
    if not check(kustomize.returncode == 0, f"kubectl kustomize {directory} renders", kustomize.stderr.strip()):
        return
    documents = [d for d in yaml.safe_load_all(kustomize.stdout) if d]
    kinds = {}
    for document in documents:
        kinds.setdefault(document["kind"], []).append(document)
    wanted = {"Deployment": "apps/v1", "Service": "v1", "ServiceMonitor": "monitoring.coreos.com/v1",
              "PrometheusRule": "monitoring.coreos.com/v1"}
    check(all(len(kinds.get(k, [])) == 1 and kinds[k][0]["apiVersion"] == v for k, v in wanted.items()),
          f"{directory}: renders one each of {', '.join(f'{k} ({v})' for k, v in wanted.items())}",
          f"got {sorted((d['kind'], d['apiVersion']) for d in documents)}")
    if not all(kinds.get(k) for k in wanted):
        return
    deployment, service = kinds["Deployment"][0], kinds["Service"][0]
    monitor, rule = kinds["ServiceMonitor"][0], kinds["PrometheusRule"][0]
    pod = deployment["spec"]["template"]["spec"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    containers = pod["containers"]
    container = containers[0]
    context = pod.get("securityContext", {})
    container_context = container.get("securityContext", {})

    check(matches(deployment["spec"]["selector"]["matchLabels"], pod_labels),
          f"{directory}: the Deployment's selector matches its pod labels")
    check(context.get("runAsNonRoot") is True and context.get("runAsUser", 0) != 0
          and container_context.get("allowPrivilegeEscalation") is False
          and container_context.get("readOnlyRootFilesystem") is True
          and container_context.get("capabilities", {}).get("drop") == ["ALL"]
          and "add" not in container_context.get("capabilities", {})
          and (container_context.get("seccompProfile") or context.get("seccompProfile") or {}).get("type") == "RuntimeDefault"
          and all(set(v) - {"name"} <= {"emptyDir", "secret", "configMap", "persistentVolumeClaim", "projected"}
                  for v in pod.get("volumes", [])),
          f"{directory}: non-root, no privilege escalation, read-only root file system, no capabilities, RuntimeDefault "
          f"seccomp, only the volume types Pod Security 'restricted' allows")
    probes = {name: container.get(name, {}).get("httpGet", {}).get("path") for name in ("livenessProbe", "readinessProbe")}
    check(probes == {"livenessProbe": "/-/healthy", "readinessProbe": "/-/ready"},
          f"{directory}: liveness probe on /-/healthy, readiness on /-/ready", probes)
    schemes = {container[name]["httpGet"].get("scheme", "HTTP") for name in ("startupProbe", "livenessProbe", "readinessProbe")
               if name in container}
    check(schemes == {"HTTPS" if expect_tls else "HTTP"}, f"{directory}: probes over {'HTTPS' if expect_tls else 'HTTP'}", schemes)
    resources = container.get("resources", {})
    check({"cpu", "memory"} <= set(resources.get("requests", {})) and "memory" in resources.get("limits", {}),
          f"{directory}: CPU and memory requests, a memory limit", resources)

    arguments = container.get("args", [])
    environment = [e["name"] for e in container.get("env", [])]
    for config_map in kinds.get("ConfigMap", []):
        environment += list(config_map.get("data", {}))
    check_flags(f"{directory} Deployment", arguments, environment)
    flag_values = dict(a[2:].split("=", 1) for a in arguments if a.startswith("--") and "=" in a)
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}

    def volume_of(path):
        for mount_path, name in mounts.items():
            if path.startswith(mount_path.rstrip("/") + "/"):
                return volumes.get(name)
        return None

    key_volume = volume_of(flag_values.get("cmc.api-key-file", ""))
    check(key_volume is not None and "secret" in key_volume,
          f"{directory}: --cmc.api-key-file is a file of a mounted Secret", flag_values.get("cmc.api-key-file"))
    state_volume = volume_of(flag_values.get("state.file", ""))
    kind = "persistentVolumeClaim" if expect_pvc else "emptyDir"
    check(state_volume is not None and kind in state_volume,
          f"{directory}: --state.file is on a mounted {kind} volume", state_volume)
    if expect_pvc:
        claims = {c["metadata"]["name"] for c in kinds.get("PersistentVolumeClaim", [])}
        check(state_volume is not None and state_volume.get("persistentVolumeClaim", {}).get("claimName") in claims,
              f"{directory}: the state volume's PersistentVolumeClaim is rendered", sorted(claims))
    if expect_tls:
        # The web config by its variable, its certificate and key next to it, from a Secret; Prometheus's user and
        # password from that Secret too, but not mounted into the exporter.
        config_file = next((c.get("data", {}).get("AKASH_EXPORTER_WEB_CONFIG_FILE") for c in kinds.get("ConfigMap", [])), None)
        config_volume = volume_of(config_file or "")
        items = {item["key"] for item in (config_volume or {}).get("secret", {}).get("items", [])}
        check(config_volume is not None and {"web-config.yml", "tls.crt", "tls.key"} == items,
              f"{directory}: --web.config.file ({config_file}) is mounted from a Secret with its certificate and key only",
              items)
        endpoint = monitor["spec"]["endpoints"][0]
        secret = (config_volume or {}).get("secret", {}).get("secretName")
        check(endpoint.get("scheme") == "https" and endpoint.get("tlsConfig", {}).get("ca", {}).get("secret", {}).get("name") == secret
              and endpoint.get("tlsConfig", {}).get("serverName") == service["metadata"]["name"]
              and {endpoint.get("basicAuth", {}).get(k, {}).get("name") for k in ("username", "password")} == {secret},
              f"{directory}: the ServiceMonitor scrapes over HTTPS, verifying the certificate, with basic auth from that Secret",
              endpoint)
    root_writes = [p for p in ("/tmp",) if p not in mounts]
    check(not root_writes, f"{directory}: /tmp is a volume (the root file system is read-only)", root_writes)

    ports = {p["name"]: p["containerPort"] for c in containers for p in c.get("ports", [])}
    check(PORT in ports.values() and f":{PORT}" in flag_values.get("web.listen-address", f":{PORT}"),
          f"{directory}: the container listens on and declares port {PORT}", ports)
    check(matches(service["spec"]["selector"], pod_labels), f"{directory}: the Service selects the pods")
    service_ports = {p.get("name"): p for p in service["spec"]["ports"]}
    check(all(p["targetPort"] in ports or p["targetPort"] in ports.values() for p in service_ports.values()),
          f"{directory}: the Service's ports target the container's port")
    check(matches(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"])
          and all(e.get("port") in service_ports for e in monitor["spec"]["endpoints"])
          and all(e.get("path", "/metrics") == "/metrics" for e in monitor["spec"]["endpoints"]),
          f"{directory}: the ServiceMonitor selects the Service and scrapes a named port's /metrics")
    job = service["metadata"]["labels"].get(monitor["spec"].get("jobLabel", ""), service["metadata"]["name"])
    check(not RULE_JOBS or RULE_JOBS == {job}, f"{directory}: scraped as job {job!r}, the job the alert rules select",
          f"the rules select {sorted(RULE_JOBS)}")

    check(rule["spec"]["groups"] == RULE_GROUPS,
          f"{directory}: the PrometheusRule carries the rule groups of alerts/akash.rules.yml unchanged")
    shipped = [r["alert"] for g in rule["spec"]["groups"] for r in g["rules"] if "alert" in r]
    check(sorted(shipped) == sorted(ALERTS) and ALERTS,
          f"{directory}: the PrometheusRule carries every shipped alert ({len(shipped)} alerting rules, "
          f"{len(set(shipped))} alert names)", f"missing: {sorted(set(ALERTS) - set(shipped))}")


if shutil.which("kubectl"):
    check_kubernetes("deploy/kubernetes")
    check_kubernetes("deploy/kubernetes-example", expect_pvc=True)
    # Both components at once, through a throw-away overlay (kustomize takes relative paths only).
    with tempfile.TemporaryDirectory(dir="deploy", prefix=".render-") as overlay:
        Path(overlay, "kustomization.yaml").write_text(
            "resources: [../kubernetes]\n"
            "components: [../kubernetes/components/web-config, ../kubernetes/components/persistent-state]\n")
        check_kubernetes(overlay, expect_pvc=True, expect_tls=True,
                         name="deploy/kubernetes + components/web-config + components/persistent-state")
else:
    check(False, "kubectl kustomize", "kubectl not found (it renders deploy/kubernetes)")

# --- Akash SDL --------------------------------------------------------------------------------------------------------
def check_sdl(path):
    sdl = yaml.safe_load(Path(path).read_text())
    if not check(isinstance(sdl, dict), f"{path}: a mapping"):
        return
    check(set(sdl) <= {"version", "include", "services", "profiles", "deployment", "endpoints", "reclamation"},
          f"{path}: only the top-level keys of the SDL schema", sorted(set(sdl)))
    check(sdl.get("version") in ("2.0", "2.1"), f"{path}: version is the string \"2.0\" or \"2.1\"", repr(sdl.get("version")))
    services, profiles, deployment = sdl.get("services") or {}, sdl.get("profiles") or {}, sdl.get("deployment") or {}
    compute, placement = profiles.get("compute") or {}, profiles.get("placement") or {}
    check(services and compute and placement and deployment,
          f"{path}: has services, profiles.compute, profiles.placement and deployment")
    for name, service in services.items():
        image = service.get("image", "")
        check(bool(re.fullmatch(r"[a-z0-9][a-z0-9._/-]*(:[0-9]+)?[a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*", image))
              and not image.endswith(":latest"), f"{path}: service {name} names an image with a pinned tag", image)
        if VERSION:
            check(image.rsplit(":", 1)[-1].startswith(VERSION), f"{path}: service {name}'s image tag is version {VERSION}", image)
        env = service.get("env") or []
        check(all(isinstance(e, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", e) for e in env),
              f"{path}: service {name}: env entries are NAME=value strings")
        variables = {e.split("=", 1)[0]: e.split("=", 1)[1] for e in env}
        check_flags(f"{path} service {name}", variables=list(variables))
        check("AKASH_EXPORTER_AKASH_OWNER" in variables and "CMC_API_KEY" in variables,
              f"{path}: service {name} takes the owner and the CoinMarketCap key from env")
        check(not variables.get("CMC_API_KEY"), f"{path}: no CoinMarketCap key committed (CMC_API_KEY is empty)")
        exposed = service.get("expose") or []
        check(any(e.get("port") == PORT and any(t.get("global") for t in e.get("to", [])) for e in exposed),
              f"{path}: service {name} exposes port {PORT} globally")
        check(all(isinstance(e.get("port"), int) and 1 <= e["port"] <= 65535 and 1 <= e.get("as", 1) <= 65535
                  and e.get("proto", "tcp").lower() in ("tcp", "udp") for e in exposed),
              f"{path}: service {name}: expose ports and protocols valid")
        state_file = variables.get("AKASH_EXPORTER_STATE_FILE", STATE_FILE)
        mounts = {volume: params["mount"] for volume, params in ((service.get("params") or {}).get("storage") or {}).items()}
        persistent = {}
        for group in deployment.values():
            for placement_name, target in group.items():
                storage = compute.get(target.get("profile"), {}).get("resources", {}).get("storage", [])
                for volume in storage if isinstance(storage, list) else [storage]:
                    attributes = volume.get("attributes") or {}
                    if attributes.get("persistent") in (True, "true"):
                        persistent[volume.get("name", "default")] = attributes.get("class")
        check(any(volume in persistent and state_file.startswith(mount.rstrip("/") + "/") for volume, mount in mounts.items()),
              f"{path}: service {name}'s state file {state_file} is on a persistent volume", f"mounts {mounts}, persistent {persistent}")
        check(all(c in ("beta1", "beta2", "beta3", "default") for c in persistent.values()) and
              all(m.startswith("/") for m in mounts.values()) and set(mounts) <= set(persistent),
              f"{path}: persistent volumes have a storage class, mounts are absolute paths of persistent volumes")
    for name, profile in compute.items():
        resources = profile.get("resources", {})
        check({"cpu", "memory", "storage"} <= set(resources) and "units" in resources["cpu"] and "size" in resources["memory"],
              f"{path}: compute profile {name} has cpu units, memory size and storage")
        cpu = float(str(resources.get("cpu", {}).get("units", 0)).rstrip("m") or 0)
        check(0 < cpu <= 1, f"{path}: compute profile {name} is modest (at most one CPU)", cpu)
    for name, group in placement.items():
        pricing = group.get("pricing") or {}
        check(bool(pricing) and all(p.get("denom") == "uact" and float(p.get("amount", 0)) > 0 for p in pricing.values()),
              f"{path}: placement {name} has a max price in uact for its profiles", pricing)
        check(set(pricing) <= set(compute), f"{path}: placement {name} prices only existing compute profiles")
    for name, group in deployment.items():
        check(name in services, f"{path}: deployment {name} is a service")
        for placement_name, target in group.items():
            check(placement_name in placement and target.get("profile") in compute
                  and target.get("profile") in (placement.get(placement_name, {}).get("pricing") or {})
                  and isinstance(target.get("count"), int) and target["count"] >= 1,
                  f"{path}: deployment {name} places profile {target.get('profile')!r} in {placement_name!r} "
                  f"with a price and a count")
            check(target.get("count") == 1, f"{path}: deployment {name} runs one replica (CoinMarketCap credits)")


check_sdl("deploy/akash/deploy.yaml")

entrypoint = "deploy/akash/entrypoint.sh"
syntax = subprocess.run(["sh", "-n", entrypoint], capture_output=True, text=True)
check(syntax.returncode == 0, f"sh -n {entrypoint}", syntax.stderr)
if os.geteuid() == 0 and shutil.which("setpriv"):
    # As on an Akash provider: started as root with a root-owned state directory; the program must end up as the
    # unprivileged user, with no capabilities, able to write the state file.
    with tempfile.TemporaryDirectory() as scratch:
        os.chmod(scratch, 0o755)
        state = Path(scratch) / "state" / "state.json"
        state.parent.mkdir()
        run = subprocess.run([entrypoint, "-c", 'echo "$(id -u) $(grep CapEff /proc/self/status | cut -f2)" && echo {} > "$AKASH_EXPORTER_STATE_FILE"'],
                             env={**os.environ, "EXPORTER_USER": "daemon", "EXPORTER_BIN": "/bin/sh",
                                  "AKASH_EXPORTER_STATE_FILE": str(state)}, capture_output=True, text=True)
        check(run.returncode == 0 and run.stdout.split() == ["1", "0000000000000000"] and state.exists(),
              f"{entrypoint}: as root, gives the state directory to the user and runs the program as it, no capabilities",
              run.stdout + run.stderr)
else:
    skip(f"{entrypoint} run", "needs root and setpriv")

dockerfile = Path("deploy/akash/Dockerfile").read_text()
check("entrypoint.sh" in dockerfile and re.search(r"^ENTRYPOINT .*akash-entrypoint", dockerfile, re.M),
      "deploy/akash/Dockerfile installs entrypoint.sh as its entrypoint")

# --- systemd ----------------------------------------------------------------------------------------------------------
unit = Path("deploy/systemd/akash-cost-exporter.service")
unit_text = unit.read_text()
exec_start = re.search(r"^ExecStart=(.*?)(?<!\\)$", unit_text, re.M | re.S).group(1).replace("\\\n", " ").split()
check_flags(str(unit), exec_start[1:])
environment_file = Path("deploy/systemd/akash-cost-exporter.env.example")
check_flags(str(environment_file), variables=re.findall(r"^#?([A-Z][A-Z0-9_]*)=", environment_file.read_text(), re.M))
if shutil.which("systemd-analyze"):
    with tempfile.TemporaryDirectory() as scratch:
        # verify wants ExecStart's binary to exist: check the unit's syntax with a stand-in.
        copy = Path(scratch) / unit.name
        copy.write_text(unit_text.replace(exec_start[0], "/bin/true"))
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no", str(copy)], capture_output=True, text=True)
        output = (verify.stdout + verify.stderr).strip()
        check(verify.returncode == 0 and not output, f"systemd-analyze verify {unit}", output)
        security = subprocess.run(["systemd-analyze", "security", "--offline=yes", str(copy)], capture_output=True, text=True)
        exposure = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout + security.stderr)
        check(exposure is not None and float(exposure.group(1)) <= 2.0,
              f"systemd-analyze security {unit}: exposure {exposure.group(1) if exposure else '?'} (at most 2.0)",
              (security.stdout + security.stderr)[-2000:])
else:
    skip("systemd-analyze verify/security", "systemd-analyze not found")

# --- versions and docs ------------------------------------------------------------------------------------------------
if VERSION:
    dockerfile_version = re.search(r"^ARG VERSION=(\S+)", Path("Dockerfile").read_text(), re.M)
    kustomization = yaml.safe_load(Path("deploy/kubernetes/kustomization.yaml").read_text())
    tags = {image.get("newTag") for image in kustomization.get("images", [])}
    check(dockerfile_version is not None and dockerfile_version.group(1) == VERSION and tags == {VERSION},
          f"version {VERSION} (Version.swift) is the Dockerfile's VERSION default and the kustomization's image tag",
          f"Dockerfile {dockerfile_version and dockerfile_version.group(1)}, kustomization {tags}")



def docker_ignored(path, patterns):
    """.dockerignore semantics, enough for our file: the last pattern matching the path or a parent of it wins."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        if any(fnmatch.fnmatch(prefix, pattern) for prefix in
               ["/".join(path.split("/")[:i]) for i in range(1, path.count("/") + 2)]):
            ignored = not negated
    return ignored


ignore_patterns = [line.strip() for line in Path(".dockerignore").read_text().splitlines()
                   if line.strip() and not line.startswith("#")]
copied = [source for line in re.findall(r"^COPY\s+(?!.*--from)(.+)$", Path("Dockerfile").read_text(), re.M)
          for source in [word for word in line.split() if not word.startswith("--")][:-1]]
check(copied and not [c for c in copied if docker_ignored(c.rstrip("/"), ignore_patterns)],
      f"Dockerfile: nothing it COPYs is excluded by .dockerignore ({', '.join(copied)})",
      f"excluded: {[c for c in copied if docker_ignored(c.rstrip('/'), ignore_patterns)]}")

production = Path("docs/production.md").read_text()
check("deploy/systemd/akash-cost-exporter.service" in production and "\n[Service]" not in production,
      "docs/production.md points at deploy/systemd/akash-cost-exporter.service instead of an inline unit")
for doc in sorted(glob.glob("docs/deploy*.md")):
    text = Path(doc).read_text()
    links = re.findall(r"\]\(((?!https?://|#|mailto:)[^)#\s]+)", text)
    missing = [link for link in links if not (Path(doc).parent / link).exists()]
    check(not missing, f"{doc}: relative links resolve", missing)

# --- NOTICE credits every source the shipped data names ----------------------------------------------------------
notice = Path("NOTICE").read_text()
# A data row's source: a pinned repository file (owner/repo@commit:path) or a web page; metric labels are neither.
shipped_sources = sorted(source for source in set(re.findall(r'"source"\s*:\s*"([^"]+)"', sources))
                         if re.match(r"https?://|[\w.-]+/[\w.-]+@[0-9a-f]{7,}:", source))
if shipped_sources:
    uncredited = []
    for source in shipped_sources:
        pinned = re.fullmatch(r"([\w.-]+/[\w.-]+)@([0-9a-f]+):(\S+)", source)
        needed = [f"github.com/{pinned.group(1)}", pinned.group(2), pinned.group(3)] if pinned else [source]
        if not all(part in notice for part in needed):
            uncredited.append(source)
    check(not uncredited, f"NOTICE credits every source of the data shipped in Sources/ ({len(shipped_sources)} sources)",
          f"not credited (repository, commit and path, or the URL): {uncredited}")
else:
    skip("NOTICE credits", "no shipped data names a source yet")

print(f"check_deploy: {'all checks passed' if not failed else f'{failed} check(s) failed'}")
sys.exit(min(failed, 100))
