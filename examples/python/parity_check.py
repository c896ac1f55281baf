#!/usr/bin/env python3
"""Do the exporter and akash_monitor.py agree? Compares one exporter exposition with one monitor report.

    parity_check.py EXPOSITION.prom REPORT.json [--requests REQUESTS.jsonl]

Compared: the AKT score, the macro regime, the sector order, the DePIN list (ranks, ids, symbols, 24h change)
and the number of DePIN listings. The exporter is the reference. With --requests (the fake upstream's request
log) it also checks that no request carried the key in its URL. Exit 0 when everything agrees, 1 otherwise.
Standard library only (scripts/parity.sh runs it in CI).
"""

import argparse
import json
import math
import re
import sys

LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def parse_exposition(text):
    """Prometheus text format -> {metric name: [(labels dict, value)]}. Comments and timestamps are skipped."""
    samples = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name_end = min((i for i in (line.find("{"), line.find(" ")) if i >= 0), default=len(line))
        name, rest = line[:name_end], line[name_end:]
        labels = {}
        if rest.startswith("{"):
            close = _closing_brace(rest)
            body, rest = rest[1:close], rest[close + 1:]
            position = 0
            while position < len(body):
                match = LABEL.match(body, position)
                if not match:
                    raise ValueError(f"cannot parse labels in: {line}")
                labels[match.group(1)] = re.sub(r'\\[\\"n]', lambda m: UNESCAPE[m.group(0)], match.group(2))
                position = match.end()
        value = rest.split()[0]
        samples.setdefault(name, []).append((labels, float(value)))
    return samples


def _closing_brace(text):
    """Index of the `}` closing the label set, skipping braces inside quoted values."""
    in_quotes, escaped = False, False
    for index, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
        elif char == "}" and not in_quotes:
            return index
    raise ValueError(f"unclosed label set: {text}")


def _single(samples, name):
    values = samples.get(name) or []
    return values[0][1] if values else None


def comparisons(samples, report):
    """[(what, exporter's value, monitor's value, agree?)] for every signal both compute."""
    result = []

    def compare(what, exporter, monitor, agree=None):
        result.append((what, exporter, monitor, exporter == monitor if agree is None else agree))

    score = _single(samples, "akash_akt_signal_score")
    compare("AKT score", score, report["akt_signal"]["score"],
            score is not None and score == report["akt_signal"]["score"])

    favorable = _single(samples, "akash_macro_regime_favorable")
    compare("regime favorable", None if favorable is None else favorable == 1, report["regime"]["favorable"])

    sector = sorted(samples.get("akash_market_sector_rank") or [], key=lambda s: s[1])
    compare("sector order (rank, cmc_id, symbol)",
            [(int(value), int(labels["cmc_id"]), labels["symbol"]) for labels, value in sector],
            [(s["rank"], s["cmc_id"], s["symbol"]) for s in report["sector"]])

    depin = sorted(samples.get("akash_depin_trending_price_change_ratio") or [], key=lambda s: int(s[0]["rank"]))
    compare("DePIN trending (rank, cmc_id, symbol)",
            [(int(labels["rank"]), int(labels["cmc_id"]), labels["symbol"]) for labels, _ in depin],
            [(t["rank"], t["cmc_id"], t["symbol"]) for t in report["depin"]["trending"]])
    exporter_ratios = [value for _, value in depin]
    monitor_ratios = [None if t["pct_change_24h"] is None else t["pct_change_24h"] / 100
                      for t in report["depin"]["trending"]]
    compare("DePIN trending 24h change ratio", exporter_ratios, monitor_ratios,
            len(exporter_ratios) == len(monitor_ratios) and
            all(m is not None and math.isclose(e, m, rel_tol=1e-9, abs_tol=1e-12)
                for e, m in zip(exporter_ratios, monitor_ratios)))

    listed = _single(samples, "akash_depin_listed_assets")
    compare("DePIN listed assets", None if listed is None else int(listed), report["depin"]["matched"])
    return result


def display(value):
    """Numbers as a person reads them: 21 rather than 21.0, -0.010371 rather than -0.010370999999999998."""
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, (list, tuple)):
        items = ", ".join(display(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items})"
    return str(value)


def key_in_urls(request_log_lines, key):
    """Request targets (path and query) that contain the key: there must be none."""
    targets = (json.loads(line).get("raw_target", "") for line in request_log_lines if line.strip())
    return [target for target in targets if key in target]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Compare an exporter exposition with an akash_monitor report.")
    parser.add_argument("exposition")
    parser.add_argument("report")
    parser.add_argument("--requests", help="fake upstream request log (JSON lines) to check for the key in URLs")
    parser.add_argument("--key", default="test-key", help="the key the runs used (default test-key)")
    args = parser.parse_args(argv)
    with open(args.exposition, encoding="utf-8") as f:
        samples = parse_exposition(f.read())
    with open(args.report, encoding="utf-8") as f:
        report = json.load(f)

    results = comparisons(samples, report)
    for what, exporter, monitor, agree in results:
        print(f"{'ok  ' if agree else 'DIFF'} {what}\n"
              f"       exporter: {display(exporter)}\n       monitor:  {display(monitor)}")
    failed = [what for what, _, _, agree in results if not agree]
    if args.requests:
        with open(args.requests, encoding="utf-8") as f:
            leaked = key_in_urls(f.readlines(), args.key)
        print(f"{'DIFF' if leaked else 'ok  '} key never in a request URL (both runs): "
              f"{len(leaked)} URL(s) with the key")
        results.append(("key never in a URL", None, None, not leaked))
        failed += ["key in a URL"] if leaked else []
    print(f"parity: {len(results) - len(failed)}/{len(results)} agree" + (f"; differ: {', '.join(failed)}"
                                                                           if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
