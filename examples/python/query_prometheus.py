#!/usr/bin/env python3
"""Cost report from the exporter's series, read back through the Prometheus HTTP API. Standard library only.

Prints, from what Prometheus scraped off akash-cost-exporter:
  - the cheapest and the median bid price per GPU model, now and 24 h ago (`offset 24h`);
  - each owner's spend per day and the escrow runway of each deployment;
  - whether the macro regime is favorable, with the AKT score.
A section whose series Prometheus does not have prints "no data" and why that usually happens.

Environment: PROM_URL (default http://localhost:9090). Exit codes: 0 report printed, 1 Prometheus unreachable
or answering an error, 2 bad usage.
"""

import argparse
import json
import math
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_PROM_URL = "http://localhost:9090"
GPU_PRICE = "akash_gpu_bid_price_usd_per_hour"
GPU_LABELS = ("vendor", "model", "ram", "interface")
# The exporter's `stat` label: "min" is the cheapest provider's best bid, "median" the median of best bids.
GPU_STATS = {"min": "cheapest", "median": "median"}
OWNER_PATTERN = re.compile(r"^akash1[02-9ac-hj-np-z]{38,58}$")  # bech32 alphabet, so it is safe in PromQL

EXIT_OK = 0
EXIT_PROMETHEUS = 1
EXIT_USAGE = 2


class PrometheusError(Exception):
    pass


class Prometheus:
    def __init__(self, url=DEFAULT_PROM_URL, timeout=10.0):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def query(self, promql):
        """Instant query -> [(labels, value)]. A sample whose value is NaN is dropped: it carries no number."""
        target = f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            with urllib.request.urlopen(target, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            # Prometheus explains 400/422/503 in a JSON body.
            raise PrometheusError(f"{promql!r}: HTTP {error.code}: {_error_text(error.read())}") from None
        except (urllib.error.URLError, OSError) as error:
            raise PrometheusError(f"cannot reach Prometheus at {self.url} ({getattr(error, 'reason', error)})") \
                from None
        try:
            document = json.loads(body)
        except ValueError:
            raise PrometheusError(f"{promql!r}: the answer is not JSON; is PROM_URL a Prometheus server?") from None
        if document.get("status") != "success":
            raise PrometheusError(f"{promql!r}: {_error_text(body)}")
        data = document.get("data") or {}
        if data.get("resultType") != "vector":
            raise PrometheusError(f"{promql!r}: expected an instant vector, got {data.get('resultType')}")
        samples = [(item.get("metric") or {}, float(item["value"][1])) for item in data.get("result") or []]
        return [(labels, value) for labels, value in samples if not math.isnan(value)]


def _error_text(body):
    try:
        document = json.loads(body)
        return f"{document.get('errorType', 'error')}: {document.get('error', '')}".strip()
    except ValueError:
        return body[:200].decode("utf-8", "replace")


def owner_matcher(owners):
    """A label matcher for the chosen owners, or none for every owner the exporter reports."""
    return f'owner=~"{"|".join(owners)}"' if owners else ""


# ---------------------------------------------------------------------------------------------------------
# The report: queries in, plain data out (pure functions below build it from samples).
# ---------------------------------------------------------------------------------------------------------

def gpu_prices(now_samples, day_ago_samples):
    """{(vendor, model, ram, interface): {"cheapest": , "median": , "cheapest_24h_ago": , "median_24h_ago": }}
    A model missing from one side simply lacks those keys (no price then, or a model new since yesterday)."""
    models = {}
    for samples, suffix in ((now_samples, ""), (day_ago_samples, "_24h_ago")):
        for labels, value in samples:
            name = GPU_STATS.get(labels.get("stat"))
            if name:
                key = tuple(labels.get(label, "") for label in GPU_LABELS)
                models.setdefault(key, {})[name + suffix] = value
    return dict(sorted(models.items()))


def owner_costs(spend, leases, balances, runways, deployment_spend):
    """Per owner: spend per hour and per day, active leases, and each deployment's escrow and runway.
    `runway_seconds` of the owner is the shortest: the first deployment to run dry."""
    owners = {}

    def owner(labels):
        return owners.setdefault(labels.get("owner", ""), {"deployments": {}})

    def deployment(labels):
        return owner(labels)["deployments"].setdefault(labels.get("dseq", ""), {})

    for labels, value in spend:
        owner(labels)["spend_usd_per_hour"] = value
        owner(labels)["spend_usd_per_day"] = value * 24
    for labels, value in leases:
        owner(labels)["active_leases"] = int(value)
    for samples, field in ((balances, "escrow_usd"), (runways, "runway_seconds"),
                           (deployment_spend, "spend_usd_per_hour")):
        for labels, value in samples:
            deployment(labels)[field] = value
    for data in owners.values():
        data["deployments"] = dict(sorted(data["deployments"].items(), key=lambda item: _dseq_order(item[0])))
        known = [d["runway_seconds"] for d in data["deployments"].values() if "runway_seconds" in d]
        data["runway_seconds"] = min(known) if known else None
    return dict(sorted(owners.items()))


def _dseq_order(dseq):
    return (0, int(dseq), "") if dseq.isdigit() else (1, 0, dseq)


def single(samples):
    """The value of a series that has no labels, or None when Prometheus has none."""
    return samples[0][1] if samples else None


def collect(prometheus, owners=()):
    """Run every query and build the report (a dict ready for JSON)."""
    matcher = owner_matcher(owners)
    stats = "|".join(GPU_STATS)

    def owned(metric):
        return prometheus.query(f"{metric}{{{matcher}}}" if matcher else metric)

    gpu_selector = f'{GPU_PRICE}{{stat=~"{stats}"}}'
    favorable = single(prometheus.query("akash_macro_regime_favorable"))
    return {
        "gpu_prices": [
            {**dict(zip(GPU_LABELS, key)), **prices}
            for key, prices in gpu_prices(prometheus.query(gpu_selector),
                                          prometheus.query(f"{gpu_selector} offset 24h")).items()
        ],
        "owners": owner_costs(
            owned("akash_account_spend_usd_per_hour"), owned("akash_account_active_leases"),
            owned("akash_deployment_escrow_balance_usd"), owned("akash_deployment_escrow_runway_seconds"),
            owned("akash_deployment_spend_usd_per_hour")),
        "macro": {
            "regime_favorable": None if favorable is None else favorable == 1,
            "fear_greed_index": single(prometheus.query("akash_macro_fear_greed_index")),
            "altcoin_season_index": single(prometheus.query("akash_macro_altcoin_season_index")),
            "akt_signal_score": single(prometheus.query("akash_akt_signal_score")),
        },
        "sources_down": sorted(labels.get("source", "") for labels, _ in
                               prometheus.query("akash_exporter_source_up == 0")),
    }


# ---------------------------------------------------------------------------------------------------------
# Text rendering.
# ---------------------------------------------------------------------------------------------------------

def money(value, digits=2):
    return "-" if value is None else f"${value:,.{digits}f}"


def duration(seconds):
    """Runway for people: 3.2 days, 7.5 h, 12 min."""
    if seconds is None:
        return "unknown"
    if math.isinf(seconds):
        return "unlimited (nothing is spending)"
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


def render_text(report):
    lines = ["GPU prices, USD per GPU-hour (cheapest = lowest provider bid, median = median of providers' best bids)"]
    if report["gpu_prices"]:
        lines.append(f"  {'':<32} {'now':>19}   {'24 h ago':>19}")
        lines.append(f"  {'model':<32} {'cheapest':>9} {'median':>9}   {'cheapest':>9} {'median':>9}")
        for row in report["gpu_prices"]:
            name = " ".join(row[label] for label in GPU_LABELS if row[label])
            lines.append(f"  {name:<32} {money(row.get('cheapest')):>9} {money(row.get('median')):>9}   "
                         f"{money(row.get('cheapest_24h_ago')):>9} {money(row.get('median_24h_ago')):>9}")
    else:
        lines.append(f"  no data: Prometheus has no {GPU_PRICE} (is the exporter scraped, is the Console source up?)")

    lines.append("Spend and escrow")
    if report["owners"]:
        for owner, data in report["owners"].items():
            leases = data.get("active_leases")
            lease_text = "" if leases is None else f", {leases} active lease{'' if leases == 1 else 's'}"
            lines.append(f"  {owner}: {money(data.get('spend_usd_per_day'))}/day "
                         f"({money(data.get('spend_usd_per_hour'), 4)}/h){lease_text}; "
                         f"escrow runs dry first in {duration(data['runway_seconds'])}")
            for dseq, deployment in data["deployments"].items():
                lines.append(f"    deployment {dseq}: escrow {money(deployment.get('escrow_usd'))}, "
                             f"{money(deployment.get('spend_usd_per_hour'), 4)}/h, "
                             f"runway {duration(deployment.get('runway_seconds'))}")
    else:
        lines.append("  no data: no akash_account_* series (is --akash.owner set on the exporter, "
                     "and the owner spelled right?)")

    macro = report["macro"]
    if macro["regime_favorable"] is None:
        lines.append("Macro regime: no data (no akash_macro_regime_favorable; is the CoinMarketCap source enabled?)")
    else:
        verdict = "favorable" if macro["regime_favorable"] else "not favorable"
        lines.append(f"Macro regime: {verdict} (fear & greed {_number(macro['fear_greed_index'])}, altcoin season "
                     f"index {_number(macro['altcoin_season_index'])}; favorable needs > 50 and >= 50); "
                     f"AKT score {_number(macro['akt_signal_score'])}")
    if report["sources_down"]:
        lines.append(f"Sources down (their series may be stale or missing): {', '.join(report['sources_down'])}")
    return "\n".join(lines) + "\n"


def _number(value):
    return "unknown" if value is None else f"{value:g}"


# ---------------------------------------------------------------------------------------------------------

def owner_address(text):
    if not OWNER_PATTERN.match(text):
        raise argparse.ArgumentTypeError(f"{text!r}: expected an Akash account address (akash1...)")
    return text


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Print an Akash cost report from Prometheus.",
                                     epilog="Environment: PROM_URL (default http://localhost:9090).")
    parser.add_argument("--owner", action="append", type=owner_address, default=[],
                        help="only this owner address (repeatable); default every owner the exporter reports")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per query (default 10)")
    return parser.parse_args(argv)


def main(argv=None, environ=None, stdout=sys.stdout, stderr=sys.stderr):
    environ = os.environ if environ is None else environ
    args = parse_args(argv)
    prometheus = Prometheus(environ.get("PROM_URL") or DEFAULT_PROM_URL, args.timeout)
    try:
        report = collect(prometheus, args.owner)
    except PrometheusError as error:
        print(f"query_prometheus: {error}", file=stderr)
        return EXIT_PROMETHEUS
    if args.json:
        json.dump(_finite(report), stdout, indent=2)
        stdout.write("\n")
    else:
        stdout.write(render_text(report))
    return EXIT_OK


def _finite(value):
    """JSON has no Infinity: an unlimited runway (nothing spending) is written as null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


if __name__ == "__main__":
    sys.exit(main())
