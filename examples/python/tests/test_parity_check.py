"""parity_check.py: the exposition parser and the comparison with a monitor report."""

import json
import pathlib
import sys
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import parity_check  # noqa: E402

# What the exporter should print for the recorded CoinMarketCap bodies (the part parity compares).
EXPOSITION = """\
# HELP akash_akt_signal_score The AKT score, regime penalty included.
# TYPE akash_akt_signal_score gauge
akash_akt_signal_score 21
# TYPE akash_macro_regime_favorable gauge
akash_macro_regime_favorable 0
# TYPE akash_market_sector_rank gauge
akash_market_sector_rank{cmc_id="2280",symbol="FIL"} 2
akash_market_sector_rank{cmc_id="5665",symbol="HNT"} 1
akash_market_sector_rank{cmc_id="5690",symbol="RENDER"} 3
akash_market_sector_rank{cmc_id="7431",symbol="AKT"} 4
# TYPE akash_depin_listed_assets gauge
akash_depin_listed_assets 4
# TYPE akash_depin_trending_price_change_ratio gauge
akash_depin_trending_price_change_ratio{cmc_id="2280",rank="1",symbol="FIL"} -0.00812
akash_depin_trending_price_change_ratio{cmc_id="5690",rank="2",symbol="RENDER"} -0.010371
akash_depin_trending_price_change_ratio{cmc_id="5665",rank="4",symbol="HNT"} 0.019902
akash_depin_trending_price_change_ratio{cmc_id="7431",rank="3",symbol="AKT"} -0.021874
"""

REPORT = {
    "akt_signal": {"score": 21},
    "regime": {"favorable": False},
    "sector": [{"rank": 1, "cmc_id": 5665, "symbol": "HNT"}, {"rank": 2, "cmc_id": 2280, "symbol": "FIL"},
               {"rank": 3, "cmc_id": 5690, "symbol": "RENDER"}, {"rank": 4, "cmc_id": 7431, "symbol": "AKT"}],
    "depin": {"matched": 4, "trending": [
        {"rank": 1, "cmc_id": 2280, "symbol": "FIL", "pct_change_24h": -0.812},
        {"rank": 2, "cmc_id": 5690, "symbol": "RENDER", "pct_change_24h": -1.0371},
        {"rank": 3, "cmc_id": 7431, "symbol": "AKT", "pct_change_24h": -2.1874},
        {"rank": 4, "cmc_id": 5665, "symbol": "HNT", "pct_change_24h": 1.9902}]},
}


def disagreements(exposition, report):
    return [what for what, _, _, agree in parity_check.comparisons(parity_check.parse_exposition(exposition), report)
            if not agree]


class Parser(unittest.TestCase):
    def test_labels_with_escapes_braces_and_commas(self):
        text = ('# comment\nm{a="x\\"y",b="{1,2}",c="back\\\\slash\\n"} 1.5e3 1700000000000\n'
                'plain 7\nspecial{x="1"} +Inf\n')
        samples = parity_check.parse_exposition(text)
        self.assertEqual(samples["m"], [({"a": 'x"y', "b": "{1,2}", "c": "back\\slash\n"}, 1500.0)])
        self.assertEqual(samples["plain"], [({}, 7.0)])
        self.assertEqual(samples["special"], [({"x": "1"}, float("inf"))])

    def test_broken_label_set_is_an_error(self):
        with self.assertRaises(ValueError):
            parity_check.parse_exposition('m{a="1" 2\n')


class Comparison(unittest.TestCase):
    def test_agreeing_runs(self):
        self.assertEqual(disagreements(EXPOSITION, REPORT), [])

    def test_each_difference_is_named(self):
        report = json.loads(json.dumps(REPORT))
        report["akt_signal"]["score"] = 36
        report["regime"]["favorable"] = True
        report["sector"][0], report["sector"][1] = report["sector"][1], report["sector"][0]
        report["depin"]["trending"][3]["pct_change_24h"] = 2.0
        report["depin"]["matched"] = 5
        self.assertEqual(disagreements(EXPOSITION, report),
                         ["AKT score", "regime favorable", "sector order (rank, cmc_id, symbol)",
                          "DePIN trending 24h change ratio", "DePIN listed assets"])

    def test_missing_exporter_series_never_agree(self):
        self.assertEqual(disagreements("", REPORT),
                         ["AKT score", "regime favorable", "sector order (rank, cmc_id, symbol)",
                          "DePIN trending (rank, cmc_id, symbol)", "DePIN trending 24h change ratio",
                          "DePIN listed assets"])

    def test_key_in_a_request_url_is_found(self):
        log = [json.dumps({"raw_target": "/cmc/v1/key/info"}),
               json.dumps({"raw_target": "/cmc/v1/cryptocurrency/map?CMC_PRO_API_KEY=test-key"})]
        self.assertEqual(parity_check.key_in_urls(log, "test-key"),
                         ["/cmc/v1/cryptocurrency/map?CMC_PRO_API_KEY=test-key"])


if __name__ == "__main__":
    unittest.main()
