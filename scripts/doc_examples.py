#!/usr/bin/env python3
"""The PromQL examples of README.md and docs/*.md, each with the result its text promises, checked.

An example lives in a fenced ```promql block: comment lines saying what it shows, one `# expect:` line, then the
query (it may span lines; a blank or comment line ends it). A block may hold several examples.

    ```promql
    # What your leased GPUs would earn a month more at the median
    # expect: non-empty, values >= 0
    sum by (provider, model) (...)
    ```

Expectations, comma-separated: `non-empty` (at least one series), `empty`, `values OP NUMBER` (every value; OP one of
>=, >, <=, <, ==), `labels a b ...` (every series carries exactly these labels). A promql block without an
example, or an example without `# expect:`, is an error: a query nobody checks is how a doc goes stale.

    scripts/doc_examples.py                   list the examples and check them without a Prometheus: each has an
                                              expectation, parses (promtool) and names only metrics of the contract
                                              (docs/METRICS.md) or recording rules of alerts/akash.rules.yml
    scripts/doc_examples.py --prometheus URL  also run each one against that Prometheus (scripts/e2e.sh does, with
                                              the recorded data of scripts/demo.sh) until it meets its expectation
                                              or --timeout seconds (default 60) pass

Exit status: 0 when every example passed, 1 otherwise. Also imported by scripts/check_docs.py and scripts/e2e.sh.
"""
from __future__ import annotations

import glob
import json
import operator
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPARISONS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


@dataclass
class Example:
    path: str
    line: int                      # the query's first line
    says: str                      # the comment above it
    query: str
    expectations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def doc_files(root: Path = ROOT) -> list[Path]:
    return [root / "README.md"] + sorted(Path(p) for p in glob.glob(str(root / "docs/*.md")))


def extract(root: Path = ROOT) -> list[Example]:
    """Every example of every promql block, with the errors of its form (missing or unknown expectation)."""
    examples: list[Example] = []
    for path in doc_files(root):
        name = str(path.relative_to(root))
        lines = path.read_text(encoding="utf-8").splitlines()
        number = 0
        while number < len(lines):
            opening = re.match(r"^(\s*)```promql\s*$", lines[number])
            number += 1
            if not opening:
                continue
            block_start, found = number, 0
            comments: list[str] = []
            current: Example | None = None
            while number < len(lines) and not re.match(r"^\s*```\s*$", lines[number]):
                text = lines[number].strip()
                number += 1
                if text.startswith("#"):
                    current = None
                    comments.append(text.lstrip("#").strip())
                elif not text:
                    current = None
                    comments = []
                elif current is not None:
                    current.query += "\n" + text
                else:
                    says = [c for c in comments if not c.lower().startswith("expect:")]
                    expects = [c.split(":", 1)[1] for c in comments if c.lower().startswith("expect:")]
                    current = Example(name, number, " ".join(says), text,
                                      [e.strip() for spec in expects for e in spec.split(",") if e.strip()])
                    if not expects:
                        current.errors.append("no `# expect:` line above the query")
                    current.errors += [f"unknown expectation {e!r}" for e in current.expectations if not _known(e)]
                    examples.append(current)
                    found += 1
                    comments = []
            number += 1  # the closing fence
            if not found:
                examples.append(Example(name, block_start, "", "", errors=["a promql block without a query"]))
    return examples


def _known(expectation: str) -> bool:
    return (expectation in ("non-empty", "empty")
            or re.fullmatch(r"values (>=|>|<=|<|==) -?[0-9.]+", expectation) is not None
            or re.fullmatch(r"labels( [a-z_][a-z0-9_]*)+", expectation) is not None)


def unmet(example: Example, result: list[dict]) -> list[str]:
    """What the result contradicts of the example's expectations (empty when it meets them all)."""
    problems = []
    for expectation in example.expectations:
        if expectation == "non-empty" and not result:
            problems.append("no series, expected some")
        elif expectation == "empty" and result:
            problems.append(f"{len(result)} series, expected none")
        elif expectation.startswith("values "):
            _, op, bound = expectation.split()
            bad = [(s["metric"], s["value"][1]) for s in result
                   if not COMPARISONS[op](float(s["value"][1]), float(bound))]
            if bad:
                problems.append(f"{len(bad)} of {len(result)} values not {op} {bound}, e.g. {bad[0][1]} for {bad[0][0]}")
        elif expectation.startswith("labels "):
            wanted = set(expectation.split()[1:])
            other = [s["metric"] for s in result if set(s["metric"]) != wanted]
            if other:
                problems.append(f"series labelled {sorted(other[0])}, expected exactly {sorted(wanted)}")
    return problems


# --- without a Prometheus ------------------------------------------------------------------------------------------
def contract_names(root: Path = ROOT) -> set[str]:
    text = (root / "docs/METRICS.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\|\s*`([a-z_:][a-z0-9_:]*)`", text, re.M)) | set(re.findall(r"`(process_[a-z_]+)`", text))


def recorded_names(root: Path = ROOT) -> set[str]:
    return set(re.findall(r"^\s*- record:\s*(\S+)", (root / "alerts/akash.rules.yml").read_text(), re.M))


def metric_names(query: str) -> set[str]:
    without_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', query)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_strings)
    return set(re.findall(r"(?<![\w:])((?:akash|process)_[a-z0-9_:]+|akash:[a-z0-9_:]+)", without_ranges))


def check_static(examples: list[Example], root: Path = ROOT) -> None:
    """Adds to each example's errors: unknown metric names, and what promtool finds invalid."""
    known = contract_names(root) | recorded_names(root)
    for example in examples:
        unknown = sorted(metric_names(example.query) - known) if example.query else []
        if unknown:
            example.errors.append(f"names {unknown}: not in docs/METRICS.md nor recorded by alerts/akash.rules.yml")
    queries = [e for e in examples if e.query]
    if not queries:
        return
    # promtool checks PromQL through rule files: one recording rule per example, each alone so an error names it.
    with tempfile.TemporaryDirectory() as scratch:
        for index, example in enumerate(queries):
            rule_file = Path(scratch, f"example_{index}.yml")
            rule_file.write_text(json.dumps({"groups": [{"name": "doc_examples", "rules": [
                {"record": f"doc_example_{index}", "expr": example.query}]}]}))
            check = subprocess.run(["promtool", "check", "rules", str(rule_file)], capture_output=True, text=True)
            if check.returncode != 0:
                error = (check.stdout + check.stderr).strip().splitlines()
                example.errors.append("not valid PromQL: " + " ".join(error[-2:]))


# --- against a Prometheus ------------------------------------------------------------------------------------------
def query(prometheus: str, expr: str) -> list[dict]:
    url = prometheus.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:  # 400 on a bad query: its body names the error
        body = json.loads(error.read() or b"{}")
    if body.get("status") != "success":
        raise RuntimeError(body.get("error", body))
    return body["data"]["result"]


def run(examples: list[Example], prometheus: str, timeout: float) -> None:
    """Runs every example until it meets its expectations or the timeout passes (rates need a few scrapes);
    adds what is still unmet to its errors."""
    pending = [e for e in examples if e.query and not e.errors]
    deadline = time.time() + timeout
    last: dict[int, list[str]] = {}
    while pending:
        for example in list(pending):
            try:
                problems = unmet(example, query(prometheus, example.query))
            except RuntimeError as error:
                problems = [f"Prometheus refused it: {error}"]
            last[id(example)] = problems
            if not problems:
                pending.remove(example)
        if not pending or time.time() > deadline:
            break
        time.sleep(2)
    for example in pending:
        example.errors += last[id(example)]


def report(examples: list[Example], ran: bool) -> int:
    for example in examples:
        first = example.query.splitlines()[0] if example.query else ""
        status = "FAIL" if example.errors else "ok  "
        more = "…" if len(first) > 70 or "\n" in example.query else ""
        print(f"{status} {example.where}: {first[:70]}{more}  [{', '.join(example.expectations)}]")
        for error in example.errors:
            print(f"     {error}")
    failed = sum(1 for e in examples if e.errors)
    print(f"doc examples: {len(examples)} PromQL examples in README.md and docs/*.md "
          f"{'run against Prometheus' if ran else 'checked without a Prometheus'}, {failed} failed")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    prometheus, timeout = None, 60.0
    arguments = list(argv)
    while arguments:
        flag = arguments.pop(0)
        if flag == "--prometheus" and arguments:
            prometheus = arguments.pop(0)
        elif flag == "--timeout" and arguments:
            timeout = float(arguments.pop(0))
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    examples = extract()
    check_static(examples)
    if prometheus:
        run(examples, prometheus, timeout)
    return report(examples, ran=prometheus is not None)


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main(sys.argv[1:]))
