"""query_prometheus.py against a fake Prometheus HTTP API serving series we control."""

import io
import json
import os
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import query_prometheus as qp  # noqa: E402
from fakehttp import FakeHTTP, Reply  # noqa: E402

OWNER = "akash102kdwsssl6jf4frdcz50mua6j0h6d8wdhjh7nq"
OTHER_OWNER = "akash100dwtg4hqnd240x583spjwnk4kanp559xwtvmg"
H100 = {"vendor": "nvidia", "model": "h100", "ram": "80Gi", "interface": "SXM5"}
RTX = {"vendor": "nvidia", "model": "rtx4090", "ram": "24Gi", "interface": "PCIe"}
GPU_NOW = 'akash_gpu_bid_price_usd_per_hour{stat=~"min|median"}'


def vector(samples):
    return {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": labels, "value": [1780000000.0, str(value)]} for labels, value in samples]}}


class FakePrometheus:
    """Answers /api/v1/query from a dict PromQL -> samples; any other query gets an empty vector."""

    def __init__(self, series):
        self.series = series
        self.http = FakeHTTP()
        self.http.route("/api/v1/query", lambda request: Reply(200, vector(self.series.get(request.query["query"], []))))

    def queries(self):
        return [r.query["query"] for r in self.http.requests]


FULL = {
    GPU_NOW: [({**H100, "stat": "min"}, 2.01), ({**H100, "stat": "median"}, 2.58),
              ({**RTX, "stat": "min"}, 0.17), ({**RTX, "stat": "median"}, "NaN")],
    GPU_NOW + " offset 24h": [({**H100, "stat": "min"}, 2.10), ({**H100, "stat": "median"}, 2.60)],
    "akash_account_spend_usd_per_hour": [({"owner": OWNER}, 0.5)],
    "akash_account_active_leases": [({"owner": OWNER}, 2)],
    "akash_deployment_escrow_balance_usd": [({"owner": OWNER, "dseq": "456"}, 3.0),
                                            ({"owner": OWNER, "dseq": "123"}, 45.0)],
    "akash_deployment_escrow_runway_seconds": [({"owner": OWNER, "dseq": "456"}, 7200),
                                               ({"owner": OWNER, "dseq": "123"}, 360000)],
    "akash_deployment_spend_usd_per_hour": [({"owner": OWNER, "dseq": "456"}, 0.375),
                                            ({"owner": OWNER, "dseq": "123"}, 0.125)],
    "akash_macro_regime_favorable": [({}, 0)],
    "akash_macro_fear_greed_index": [({}, 40)],
    "akash_macro_altcoin_season_index": [({}, 31)],
    "akash_akt_signal_score": [({}, 21)],
    "akash_exporter_source_up == 0": [({"source": "cmc_listings"}, 0)],
}


class Report(unittest.TestCase):
    def setUp(self):
        os.environ["no_proxy"] = "127.0.0.1"

    def serve(self, series):
        fake = FakePrometheus(series)
        self.addCleanup(fake.http.stop)
        return fake

    def run_cli(self, fake_url, args=()):
        stdout, stderr = io.StringIO(), io.StringIO()
        code = qp.main(list(args), {"PROM_URL": fake_url}, stdout, stderr)
        return code, stdout.getvalue(), stderr.getvalue()

    def test_json_report(self):
        fake = self.serve(FULL)
        code, out, err = self.run_cli(fake.http.base_url, ["--json"])
        self.assertEqual(code, 0, err)
        report = json.loads(out)
        self.assertEqual(report["gpu_prices"], [
            {**H100, "cheapest": 2.01, "median": 2.58, "cheapest_24h_ago": 2.10, "median_24h_ago": 2.60},
            {**RTX, "cheapest": 0.17},  # NaN median dropped; no price 24 h ago
        ])
        owner = report["owners"][OWNER]
        self.assertEqual((owner["spend_usd_per_hour"], owner["spend_usd_per_day"], owner["active_leases"]),
                         (0.5, 12.0, 2))
        self.assertEqual(owner["runway_seconds"], 7200)  # the first deployment to run dry
        self.assertEqual(list(owner["deployments"]), ["123", "456"])
        self.assertEqual(owner["deployments"]["456"],
                         {"escrow_usd": 3.0, "runway_seconds": 7200, "spend_usd_per_hour": 0.375})
        self.assertEqual(report["macro"], {"regime_favorable": False, "fear_greed_index": 40,
                                           "altcoin_season_index": 31, "akt_signal_score": 21})
        self.assertEqual(report["sources_down"], ["cmc_listings"])

    def test_text_report(self):
        fake = self.serve(FULL)
        code, out, _ = self.run_cli(fake.http.base_url)
        self.assertEqual(code, 0)
        self.assertIn("nvidia h100 80Gi SXM5                $2.01     $2.58       $2.10     $2.60", out)
        self.assertIn(f"{OWNER}: $12.00/day ($0.5000/h), 2 active leases; escrow runs dry first in 2.0 h", out)
        self.assertIn("deployment 123: escrow $45.00, $0.1250/h, runway 4.2 days", out)
        self.assertIn("Macro regime: not favorable (fear & greed 40, altcoin season index 31", out)
        self.assertIn("AKT score 21", out)
        self.assertIn("Sources down (their series may be stale or missing): cmc_listings", out)

    def test_no_data_says_so_in_each_section(self):
        fake = self.serve({})
        code, out, _ = self.run_cli(fake.http.base_url)
        self.assertEqual(code, 0)
        self.assertEqual(out.count("no data"), 3, out)
        self.assertIn("is --akash.owner set on the exporter", out)

    def test_owner_filter_goes_into_every_owner_query(self):
        fake = self.serve({})
        self.run_cli(fake.http.base_url, ["--owner", OWNER, "--owner", OTHER_OWNER])
        owned = [q for q in fake.queries() if "account" in q or "deployment" in q]
        self.assertEqual(len(owned), 5)
        for query in owned:
            self.assertTrue(query.endswith(f'{{owner=~"{OWNER}|{OTHER_OWNER}"}}'), query)

    def test_bad_owner_is_a_usage_error(self):
        with self.assertRaises(SystemExit) as exit_info, io.StringIO() as sink:
            sys.stderr, saved = sink, sys.stderr
            try:
                qp.main(["--owner", 'akash1x"}) or vector(1'], {"PROM_URL": "http://127.0.0.1:1"})
            finally:
                sys.stderr = saved
        self.assertEqual(exit_info.exception.code, 2)

    def test_prometheus_error_is_reported(self):
        fake = self.serve({})
        fake.http.route("/api/v1/query", Reply(400, {"status": "error", "errorType": "bad_data",
                                                     "error": "parse error at char 3"}))
        code, out, err = self.run_cli(fake.http.base_url)
        self.assertEqual(code, qp.EXIT_PROMETHEUS)
        self.assertEqual(out, "")
        self.assertIn("HTTP 400: bad_data: parse error at char 3", err)

    def test_unreachable_prometheus(self):
        fake = self.serve({})
        fake.http.stop()
        code, _, err = self.run_cli(fake.http.base_url)
        self.assertEqual(code, qp.EXIT_PROMETHEUS)
        self.assertIn("cannot reach Prometheus", err)


class Formatting(unittest.TestCase):
    def test_durations(self):
        cases = [(None, "unknown"), (float("inf"), "unlimited (nothing is spending)"), (600, "10 min"),
                 (7200, "2.0 h"), (172800, "2.0 days"), (360000, "4.2 days")]
        for seconds, text in cases:
            with self.subTest(seconds=seconds):
                self.assertEqual(qp.duration(seconds), text)

    def test_infinite_runway_is_null_in_json(self):
        self.assertEqual(qp._finite({"a": [float("inf"), 1.0]}), {"a": [None, 1.0]})


if __name__ == "__main__":
    unittest.main()
