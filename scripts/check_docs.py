#!/usr/bin/env python3
"""Docs that check themselves: every count or default that README.md and docs/*.md repeat from the code must still be
the code's. Fails (exit 1) naming the file, the line and what the code says.

Checked:
  - "N dashboards" (in words or digits) against grafana/dashboards/*.json;
  - "N alerts" / "N alert rules" against alerts/akash.rules.yml;
  - a flag followed by its value in parentheses, "`--akash.providers-interval` (30m)", against the exporter's --help
    defaults (a value that is not the default must be written otherwise, e.g. "`--flag=5m`");
  - every "Source names:" list against scripts/sources.json (generated from the source registry);
  - the flags table of docs/configuration.md against --help: every flag in it once, in --help's order, each default as
    --help gives it;
  - the cost table of docs/configuration.md against scripts/sources.json: one row per source, in the registry's order,
    and its "all" row's requests a day the sum of the rows' polls/day × requests/poll;
  - the two metric tables of docs/METRICS.md (the contract by area, and every series with its HELP text) name the
    same metrics;
  - every relative link of README.md and docs/*.md reaches a file, and its anchor a heading of that file;
  - every PromQL example (```promql blocks) states its expected result, parses and names only metrics of the
    contract: scripts/doc_examples.py, which scripts/e2e.sh also runs against a Prometheus holding the demo data.

Usage: scripts/check_docs.py [path to the built exporter, default .build/debug/akash-cost-exporter]
"""
import glob
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/debug/akash-cost-exporter")

docs = [ROOT / "README.md"] + sorted(Path(p) for p in glob.glob(str(ROOT / "docs/*.md")))
failures = []
checked = 0


def number(text):
    return WORDS.get(text.lower(), int(text) if text.isdigit() else None)


def each_line():
    for path in docs:
        for number_, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield path.relative_to(ROOT), number_, line


# --- what the code has ---------------------------------------------------------------------------------------------
dashboards = len(glob.glob(str(ROOT / "grafana/dashboards/*.json")))
alerts = len(re.findall(r"^\s*- alert:", (ROOT / "alerts/akash.rules.yml").read_text(), re.M))
help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True).stdout
defaults, help_flags = {}, []
for match in re.finditer(r"^  --(?:\[no-\])?([a-z0-9.\-]+)(?:=\S+)?\n((?:      .*\n)+)", help_text, re.M):
    help_flags.append(match.group(1))
    default = re.search(r"\(default: (.*?)\)\n", match.group(2))
    if default:
        defaults[match.group(1)] = default.group(1).strip('"')
sources = json.loads((ROOT / "scripts/sources.json").read_text())["sources"]
source_names = {s if isinstance(s, str) else s["name"] for s in sources}

# --- what the docs say ---------------------------------------------------------------------------------------------
count_word = r"\b(\d+|" + "|".join(WORDS) + r")\b"
for path, line_number, line in each_line():
    where = f"{path}:{line_number}"
    # "`--flag` (1m)" and "(`--flag`, 1m)": how the docs give a default beside its flag.
    for match in re.finditer(r"`--(?:\[no-\])?([a-z0-9.\-]+)`(?: \(|, )([0-9][0-9a-zA-Z.]*)\)", line):
        flag, said = match.groups()
        if flag not in defaults:
            continue
        checked += 1
        if said != defaults[flag]:
            failures.append(f"{where}: gives --{flag} as {said}; its default is {defaults[flag]}")

# Counts, over the whole text: a sentence may break its line between "five" and "dashboards".
for path in docs:
    text = path.read_text(encoding="utf-8")
    for pattern, actual, where_from in (
            (count_word + r"\s+(?:Grafana\s+)?dashboards\b", dashboards, "grafana/dashboards/"),
            (count_word + r"\s+(?:shipped\s+)?alert(?:s|\s+rules)\b", alerts, "alerts/akash.rules.yml")):
        for match in re.finditer(pattern, text, re.I):
            checked += 1
            if number(match.group(1)) != actual:
                line_number = text[: match.start()].count("\n") + 1
                said = " ".join(match.group(0).split())
                failures.append(f"{path.relative_to(ROOT)}:{line_number}: says {said!r}; {where_from} has {actual}")

for path in docs:
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"Source names: ((?:`[a-z_]+`[,.]?\s*)+)", text):
        checked += 1
        listed = set(re.findall(r"`([a-z_]+)`", match.group(1)))
        if listed != source_names:
            line_number = text[: match.start()].count("\n") + 1
            missing, extra = sorted(source_names - listed), sorted(listed - source_names)
            failures.append(f"{path.relative_to(ROOT)}:{line_number}: source names miss {missing}, name unknown {extra}")

# The flags table: | `--flag=VALUE` | `default` | what it does |, one row per flag of --help, in --help's order.
configuration = ROOT / "docs/configuration.md"
rows = re.findall(r"^\| `--(?:\[no-\])?([a-z0-9.\-]+)(?:=[^`]*)?` \| (?:`([^`]*)`)? *\|", configuration.read_text(), re.M)
checked += 1
listed = [flag for flag, _ in rows]
missing = sorted(set(help_flags) - set(listed))
unknown = sorted(set(listed) - set(help_flags))
twice = sorted({flag for flag in listed if listed.count(flag) > 1})
if missing or unknown or twice:
    failures.append(f"docs/configuration.md: flags table misses {missing}, lists unknown {unknown}, twice {twice}")
else:
    checked += 1
    out_of_place = next((f"--{flag} (row {n}, --help has --{want} there)" for n, (flag, want)
                         in enumerate(zip(listed, [f for f in help_flags if f in listed]), 1) if flag != want), None)
    if out_of_place:
        failures.append(f"docs/configuration.md: flags table not in --help's order: first out of place {out_of_place}")
for flag, said in rows:
    if flag in help_flags:
        checked += 1
        if said != defaults.get(flag, ""):
            failures.append(f"docs/configuration.md: flags table gives --{flag} default {said!r}; --help says "
                            f"{defaults.get(flag, '(none)')!r}")

# The cost table of docs/configuration.md (| source | schedule | polls/day | requests/poll | ...): one row per source of
# the registry, in its order, and an "all" row whose requests a day are the rows' polls times requests ("1,440 (+ 24)"
# and "3 (+ 3)": a second, slower kind of request of the same source).
def counts(cell):
    return [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", cell)]

cost_text = configuration.read_text()
cost_header = cost_text.find("\n| source | schedule | polls/day | requests/poll |")
if cost_header < 0:
    failures.append("docs/configuration.md: no cost table (| source | schedule | polls/day | requests/poll | ...)")
else:
    cost_line = cost_text[:cost_header].count("\n") + 2
    cost_rows = []
    for row in cost_text[cost_header + 1:].split("\n")[2:]:
        if not row.startswith("|"):
            break
        cost_rows.append([cell.strip() for cell in row.strip("|").split("|")])
    named = [re.fullmatch(r"`([a-z_]+)`", cells[0]) for cells in cost_rows]
    costed = [match.group(1) for match in named if match]
    registry = [s if isinstance(s, str) else s["name"] for s in sources]
    checked += 1
    missing, extra = [s for s in registry if s not in costed], [s for s in costed if s not in registry]
    if missing or extra:
        problems = ([f"no row for {', '.join(missing)}"] if missing else []) + \
                   ([f"a row for {', '.join(extra)}, not a source"] if extra else [])
        failures.append(f"docs/configuration.md:{cost_line}: cost table against the registry (scripts/sources.json): "
                        + "; ".join(problems))
    elif costed != registry:
        row, want = next((n, want) for n, (have, want) in enumerate(zip(costed, registry), 1) if have != want)
        failures.append(f"docs/configuration.md:{cost_line}: cost table not in the registry's order "
                        f"(scripts/sources.json): row {row} is {costed[row - 1]}, the registry has {want} there")
    total = next((cells for cells in cost_rows if cells[0] == "all"), None)
    if total is None:
        failures.append(f"docs/configuration.md:{cost_line}: cost table has no \"all\" row")
    else:
        checked += 1
        said = (counts(next((cell for cell in total if "requests/day" in cell), "")) or [None])[0]
        summed = sum(polls * requests for cells, match in zip(cost_rows, named) if match
                     for polls, requests in zip(counts(cells[2]), counts(cells[3])))
        if said != summed:
            failures.append(f"docs/configuration.md:{cost_line}: cost table's \"all\" row says "
                            f"{'no number of' if said is None else f'{said:,}'} requests/day; "
                            f"its rows' polls/day × requests/poll add up to {summed:,}")

# docs/METRICS.md: the contract's tables by area and the table of every series (`| metric | type | ...`) agree.
metrics_text = (ROOT / "docs/METRICS.md").read_text(encoding="utf-8")
split = metrics_text.find("\n| metric | type | labels | meaning |")
if split < 0:
    failures.append("docs/METRICS.md: no table of every series (| metric | type | labels | meaning |)")
else:
    def table_names(text):
        return set(re.findall(r"^\|\s*`([a-z_][a-z0-9_]*)`", text, re.M)) | set(re.findall(r"`(process_[a-z_]+)`", text))
    by_area, every = table_names(metrics_text[:split]), table_names(metrics_text[split:])
    checked += 1
    if by_area != every:
        failures.append(f"docs/METRICS.md: only in the tables by area {sorted(by_area - every)}, "
                        f"only in the table of every series {sorted(every - by_area)}")

# Links: every relative link of README.md and docs/*.md names a file that exists, and an anchor into a Markdown file
# (or into the same one) names one of its headings, so moving a section cannot leave a dead link behind.
def anchors_of(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^(```|````).*?^\1", "", text, flags=re.M | re.S)  # headings inside code blocks are not headings
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+\s+(.*?)\s*$", text, re.M)}

for path in docs:
    text = path.read_text(encoding="utf-8")
    for match in re.finditer(r"\]\(((?!https?://|mailto:)[^)\s]*)\)", text):
        target, _, anchor = match.group(1).partition("#")
        linked = (path.parent / target).resolve() if target else path
        where = f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        checked += 1
        if not linked.exists():
            failures.append(f"{where}: link to {match.group(1)}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors_of(linked):
            failures.append(f"{where}: link to {match.group(1)}: {linked.relative_to(ROOT)} has no heading #{anchor}")

sys.path.insert(0, str(ROOT / "scripts"))
import doc_examples  # noqa: E402 - a sibling script

examples = doc_examples.extract(ROOT)
doc_examples.check_static(examples, ROOT)
checked += len(examples)
failures += [f"{e.where}: PromQL example: {'; '.join(e.errors)}" for e in examples if e.errors]

for failure in failures:
    print("FAIL", failure)
print(f"check_docs: {checked} statements checked against the code, {len(failures)} wrong")
sys.exit(1 if failures else 0)
