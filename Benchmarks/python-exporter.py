#!/usr/bin/env python3
"""The Python baseline for scripts/bench.sh: a prometheus_client exporter publishing the same series.

It parses an exposition (the body the Swift exporter serves) into families and re-publishes them from a
custom collector, as a typical Python exporter does: every scrape collects and renders anew.

    python-exporter.py --port PORT --body FILE
"""
import argparse
import time

from prometheus_client import start_http_server
from prometheus_client.core import CollectorRegistry, CounterMetricFamily, GaugeMetricFamily
from prometheus_client.parser import text_string_to_metric_families


class Republisher:
    def __init__(self, text):
        self.families = list(text_string_to_metric_families(text))

    def collect(self):
        for family in self.families:
            if family.type == "counter":
                out = CounterMetricFamily(family.name, family.documentation, labels=None)
                samples = [s for s in family.samples if s.name.endswith("_total")]
            else:
                out = GaugeMetricFamily(family.name, family.documentation, labels=None)
                samples = family.samples
            for sample in samples:
                out.samples.append(type(sample)(sample.name, sample.labels, sample.value, None, None))
            yield out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--body", required=True)
    args = parser.parse_args()
    registry = CollectorRegistry(auto_describe=False)  # no process/platform collectors: the same series only
    registry.register(Republisher(open(args.body, encoding="utf-8").read()))
    start_http_server(args.port, addr="127.0.0.1", registry=registry)
    print(f"listening on {args.port}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
