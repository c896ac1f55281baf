"""akash_monitor.py: the signal rules case by case, then whole runs against a fake CoinMarketCap."""

import copy
import io
import json
import os
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import akash_monitor as monitor  # noqa: E402
from fakehttp import FakeHTTP, Reply, fixture  # noqa: E402

API_KEY = "test-key-7f3a9c"


def fixture_json(name):
    return json.loads(fixture(f"cmc/{name}"))


def quote(**fields):
    """A parsed quote with every field unknown except the given ones."""
    blank = dict.fromkeys(("price", "volume_24h", "market_cap", "pct_change_1h", "pct_change_24h",
                           "pct_change_7d", "num_market_pairs"))
    return {**blank, **fields}


class ScoreTable(unittest.TestCase):
    def test_each_threshold_edge(self):
        # (field, value, points): the value on a threshold does not pass it ("greater than").
        cases = [
            ("pct_change_24h", 10.0001, 30), ("pct_change_24h", 10, 20), ("pct_change_24h", 5.0001, 20),
            ("pct_change_24h", 5, 10), ("pct_change_24h", 2.0001, 10), ("pct_change_24h", 2, 0),
            ("pct_change_24h", -15, 0), ("pct_change_24h", -15.0001, -25),
            ("pct_change_7d", 20.0001, 20), ("pct_change_7d", 20, 10), ("pct_change_7d", 10, 0),
            ("pct_change_1h", 2.0001, 15), ("pct_change_1h", 2, 8), ("pct_change_1h", 0.5, 0),
            ("pct_change_1h", 0.5001, 8),
            ("volume_24h", 20_000_001, 20), ("volume_24h", 20_000_000, 10), ("volume_24h", 5_000_000, 0),
            ("market_cap", 500_000_001, 15), ("market_cap", 500_000_000, 8), ("market_cap", 100_000_000, 0),
            ("num_market_pairs", 31, 8), ("num_market_pairs", 30, 4), ("num_market_pairs", 11, 4),
            ("num_market_pairs", 10, 0),
        ]
        for field, value, points in cases:
            with self.subTest(field=field, value=value):
                self.assertEqual(monitor.akt_score(quote(**{field: value})), points)

    def test_recorded_akt_quote_scores_36_and_21_after_the_regime_penalty(self):
        akt = monitor.parse_quote(fixture_json("quotes-v3.json")["data"][0])
        # volume 21.45M (+20), market cap 257M (+8), 58 pairs (+8); the changes earn nothing.
        self.assertEqual(monitor.akt_score(akt), 36)
        self.assertEqual(monitor.final_score(akt, favorable=False), 21)
        self.assertEqual(monitor.final_score(akt, favorable=True), 36)

    def test_unknown_fields_earn_nothing(self):
        self.assertEqual(monitor.akt_score(quote()), 0)
        self.assertEqual(monitor.final_score(quote(), favorable=False), -15)


class Regime(unittest.TestCase):
    def test_favorable_needs_greed_above_50_and_altcoin_index_at_least_50(self):
        cases = [((51, 50), True), ((50, 100), False), ((51, 49), False), ((100, None), False),
                 ((None, 80), False), ((75, 75), True)]
        for (fear_greed, altcoin), favorable in cases:
            with self.subTest(fear_greed=fear_greed, altcoin=altcoin):
                self.assertIs(monitor.regime_favorable(fear_greed, altcoin), favorable)


class Momentum(unittest.TestCase):
    def test_changes_against_the_previous_quote(self):
        result = monitor.momentum(quote(price=1.0, volume_24h=200.0), quote(price=1.1, volume_24h=300.0))
        self.assertAlmostEqual(result["price_change_pct"], 10.0)
        self.assertAlmostEqual(result["volume_change_pct"], 50.0)
        self.assertTrue(result["accelerating"])

    def test_falling_price_is_not_accelerating(self):
        result = monitor.momentum(quote(price=2.0, volume_24h=100.0), quote(price=1.5, volume_24h=50.0))
        self.assertAlmostEqual(result["price_change_pct"], -25.0)
        self.assertAlmostEqual(result["volume_change_pct"], -50.0)
        self.assertFalse(result["accelerating"])

    def test_nothing_to_compare_gives_no_momentum(self):
        self.assertIsNone(monitor.momentum(None, quote(price=1.0)))
        self.assertIsNone(monitor.momentum(quote(price=0), quote(price=1.0)))
        self.assertIsNone(monitor.momentum(quote(price=1.0), quote()))

    def test_unknown_previous_volume_leaves_volume_change_unknown(self):
        result = monitor.momentum(quote(price=1.0), quote(price=1.0, volume_24h=5.0))
        self.assertIsNone(result["volume_change_pct"])
        self.assertFalse(result["accelerating"])


class DistinctQuotes(unittest.TestCase):
    def test_a_new_quote_is_compared_with_the_latest_and_shifts_it(self):
        first, second = quote(price=1.0, last_updated="T1"), quote(price=1.2, last_updated="T2")
        previous, state = monitor.advance_quotes({"akt_quote": first}, second)
        self.assertIs(previous, first)
        self.assertEqual(state, {"akt_quote": second, "akt_quote_before": first})

    def test_the_same_quote_again_is_compared_with_the_one_before(self):
        first, second = quote(price=1.0, last_updated="T1"), quote(price=1.2, last_updated="T2")
        previous, state = monitor.advance_quotes({"akt_quote": second, "akt_quote_before": first},
                                                 quote(price=1.2, last_updated="T2"))
        self.assertIs(previous, first)
        self.assertIs(state["akt_quote_before"], first)

    def test_a_quote_without_a_price_is_not_kept(self):
        saved = {"akt_quote": quote(price=1.0, last_updated="T1"), "akt_quote_before": None}
        self.assertEqual(monitor.advance_quotes(saved, quote(last_updated="T2")), (None, saved))

    def test_first_run_has_nothing_to_compare(self):
        current = quote(price=1.0, last_updated="T1")
        self.assertEqual(monitor.advance_quotes({}, current), (None, {"akt_quote": current, "akt_quote_before": None}))


class SectorRank(unittest.TestCase):
    def test_recorded_sector_is_ordered_by_24h_change(self):
        quotes = [monitor.parse_quote(a) for a in fixture_json("quotes-v3.json")["data"]]
        ranked = monitor.rank_sector(quotes)
        self.assertEqual([(r["rank"], r["symbol"]) for r in ranked],
                         [(1, "HNT"), (2, "FIL"), (3, "RENDER"), (4, "AKT")])

    def test_the_lower_id_wins_a_tie_and_unknown_changes_are_not_ranked(self):
        quotes = [quote(cmc_id=3, symbol="A", pct_change_24h=1.0), quote(cmc_id=2, symbol="B"),
                  quote(cmc_id=1, symbol="C", pct_change_24h=1.0), quote(cmc_id=4, symbol="D", pct_change_24h=3)]
        self.assertEqual([(r["rank"], r["symbol"]) for r in monitor.rank_sector(quotes)],
                         [(1, "D"), (2, "C"), (3, "A")])


class Ids(unittest.TestCase):
    def test_akt_is_the_akash_slug_even_when_a_decoy_ranks_better(self):
        entries = [
            {"id": 99001, "symbol": "AKT", "slug": "akt-bridged-token", "rank": 5, "is_active": 1},
            {"id": 7431, "symbol": "AKT", "slug": "akash-network", "rank": 127, "is_active": 1},
            {"id": 1, "symbol": "RENDER", "slug": "render-old", "rank": 2, "is_active": 0},
            {"id": 5690, "symbol": "RENDER", "slug": "render", "rank": 60, "is_active": 1},
            {"id": 77, "symbol": "RENDER", "slug": "render-copy", "rank": 900, "is_active": 1},
        ]
        self.assertEqual(monitor.resolve_ids(entries, ["AKT", "RENDER", "FIL"]), {"AKT": 7431, "RENDER": 5690})

    def test_the_lower_id_wins_a_rank_tie(self):
        entries = [{"id": 900, "symbol": "FIL", "slug": "fil-b", "rank": 45, "is_active": 1},
                   {"id": 2280, "symbol": "FIL", "slug": "filecoin", "rank": 45, "is_active": 1},
                   {"id": 30, "symbol": "FIL", "slug": "fil-unranked", "rank": None, "is_active": 1}]
        self.assertEqual(monitor.resolve_ids(entries, ["FIL"]), {"FIL": 900})

    def test_akt_without_an_akash_slug_is_not_resolved(self):
        entries = [{"id": 99001, "symbol": "AKT", "slug": "akt-bridged-token", "rank": 5, "is_active": 1}]
        self.assertEqual(monitor.resolve_ids(entries, ["AKT"]), {})

    def test_recorded_map(self):
        self.assertEqual(monitor.resolve_ids(fixture_json("map.json")["data"], ["AKT", "RENDER", "FIL", "HNT"]),
                         {"AKT": 7431, "RENDER": 5690, "FIL": 2280, "HNT": 5665})


class Quotes(unittest.TestCase):
    def test_usd_entry_is_found_wherever_it_stands(self):
        asset = {"id": 7431, "symbol": "AKT",
                 "quote": [{"id": 2790, "symbol": "EUR", "price": 0.8}, {"id": 2781, "symbol": "USD", "price": 0.87}]}
        self.assertEqual(monitor.parse_quote(asset)["price"], 0.87)

    def test_v1_dict_quote_and_missing_usd(self):
        self.assertEqual(monitor.usd_quote({"quote": {"USD": {"price": 2.0}}}), {"price": 2.0})
        self.assertIsNone(monitor.parse_quote({"quote": [{"symbol": "EUR", "price": 1}]})["price"])

    def test_null_tvl_stays_unknown(self):
        self.assertIsNone(monitor.parse_quote(fixture_json("quotes-v3.json")["data"][0])["tvl"])


class DePIN(unittest.TestCase):
    def test_tags_are_normalised(self):
        cases = {"DePIN": "depin", "Distributed Computing": "distributed-computing",
                 "AI & Big Data": "ai-big-data", "distributed-computing": "distributed-computing",
                 " Akash_Ecosystem ": "akash-ecosystem"}
        for raw, normalised in cases.items():
            with self.subTest(tag=raw):
                self.assertEqual(monitor.normalise_tag(raw), normalised)

    def test_tags_as_strings_or_objects(self):
        self.assertEqual(monitor.asset_tags({"tags": ["DePIN", "Solana Ecosystem"]}), {"depin", "solana-ecosystem"})
        self.assertEqual(monitor.asset_tags({"tags": [{"slug": "ai-big-data", "name": "AI & Big Data"}]}),
                         {"ai-big-data"})
        self.assertEqual(monitor.asset_tags({"tags": None}), set())

    def test_filter_keeps_tagged_and_sector_assets_in_listing_order(self):
        listings = [
            {"id": 1, "symbol": "DOGE", "tags": ["memes"]},
            {"id": 2, "symbol": "ICP", "tags": ["Distributed Computing"]},
            {"id": 3, "symbol": "HNT", "tags": []},
            {"id": 4, "symbol": "GRT", "tags": [{"slug": "ai-big-data", "name": "AI & Big Data"}]},
        ]
        kept = monitor.filter_depin(listings, monitor.DEFAULT_DEPIN_TAGS, ["AKT", "HNT"])
        self.assertEqual([a["symbol"] for a in kept], ["ICP", "HNT", "GRT"])

    def test_trending_is_in_volume_order_whatever_the_listing_order(self):
        def asset(symbol, volume):
            return {"id": len(symbol), "symbol": symbol, "quote": [{"symbol": "USD", "volume_24h": volume}]}
        listings = [asset("NOVOL", None), asset("SMALL", 1e6), asset("BIG", 9e6), asset("TIE", 1e6)]
        self.assertEqual([t["symbol"] for t in monitor.trending(listings)], ["BIG", "SMALL", "TIE", "NOVOL"])

    def test_trending_takes_the_first_ten_with_their_usd_change(self):
        listings = [{"id": i, "symbol": f"S{i}",
                     "quote": [{"symbol": "EUR", "percent_change_24h": 99, "volume_24h": i},
                               {"symbol": "USD", "percent_change_24h": i / 10, "volume_24h": 1000 - i}]}
                    for i in range(1, 13)]
        top = monitor.trending(listings)
        self.assertEqual(len(top), 10)
        self.assertEqual((top[0]["rank"], top[0]["symbol"], top[0]["pct_change_24h"]), (1, "S1", 0.1))
        self.assertEqual((top[9]["rank"], top[9]["symbol"]), (10, "S10"))


class FakeCMCTestCase(unittest.TestCase):
    """A fake CoinMarketCap under /cmc serving the recorded bodies; `run()` calls main() like a shell would."""

    ROUTES = {
        "/v1/cryptocurrency/map": "map.json",
        "/v3/cryptocurrency/quotes/latest": "quotes-v3.json",
        "/v3/fear-and-greed/latest": "fear-and-greed.json",
        "/v1/altcoin-season-index/latest": "altcoin-season.json",
        "/v3/cryptocurrency/listings/latest": "listings-v3.json",
    }

    def setUp(self):
        os.environ["no_proxy"] = "127.0.0.1"
        self.cmc = FakeHTTP()
        self.addCleanup(self.cmc.stop)
        for path, name in self.ROUTES.items():
            self.cmc.route("/cmc" + path, Reply.fixture(f"cmc/{name}"))
            self.cmc.route("/cmc/public-api" + path, Reply.fixture(f"cmc/{name}"))
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.state_file = os.path.join(directory.name, "state.json")

    def route(self, path, reply):
        self.cmc.route("/cmc" + path, reply)

    def run_monitor(self, key=API_KEY, args=()):
        environ = {"CMC_BASE_URL": self.cmc.base_url + "/cmc"}
        if key:
            environ["CMC_API_KEY"] = key
        stdout, stderr = io.StringIO(), io.StringIO()
        code = monitor.main(["--state-file", self.state_file, *args], environ, stdout, stderr)
        self.assertNotIn(API_KEY, stdout.getvalue() + stderr.getvalue())
        return code, stdout.getvalue(), stderr.getvalue()

    def run_report(self, **kwargs):
        code, out, err = self.run_monitor(**kwargs)
        self.assertEqual(code, 0, err)
        return json.loads(out), err


class WholeRun(FakeCMCTestCase):
    def test_report_from_the_recorded_bodies(self):
        report, _ = self.run_report()
        self.assertEqual(report["ids"], {"AKT": 7431, "RENDER": 5690, "FIL": 2280, "HNT": 5665})
        self.assertEqual(report["akt_signal"]["score"], 21)
        self.assertEqual(report["akt_signal"]["price"], 0.87)
        self.assertFalse(report["akt_signal"]["regime_favorable"])
        self.assertIsNone(report["akt_signal"]["momentum"])
        self.assertEqual(report["regime"], {"fear_greed": 40, "fear_greed_classification": "Neutral",
                                            "altcoin_index": 31, "favorable": False})
        self.assertEqual([s["symbol"] for s in report["sector"]], ["HNT", "FIL", "RENDER", "AKT"])
        self.assertEqual(report["depin"]["matched"], 4)
        # by 24h volume: the recorded listing has HNT (9.9M) before AKT (21.5M)
        self.assertEqual([(t["rank"], t["symbol"], t["pct_change_24h"]) for t in report["depin"]["trending"]],
                         [(1, "FIL", -0.812), (2, "RENDER", -1.0371), (3, "AKT", -2.1874), (4, "HNT", 1.9902)])
        # map 0 + quotes 1 + fear & greed 1 + altcoin 1 + listings 1, from each body's status.credit_count
        self.assertEqual(report["source"]["credits_used"], 4)
        self.assertEqual(report["warnings"], [])

    def test_requests_carry_the_key_in_the_header_only(self):
        self.run_report()
        self.assertEqual(len(self.cmc.requests), 5)
        for request in self.cmc.requests:
            self.assertEqual(request.headers.get("x-cmc_pro_api_key"), API_KEY)
            self.assertNotIn(API_KEY, request.raw_target)
        queries = {r.path: r.query for r in self.cmc.requests}
        self.assertEqual(queries["/cmc/v1/cryptocurrency/map"], {"symbol": "AKT,RENDER,FIL,HNT"})
        self.assertEqual(queries["/cmc/v3/cryptocurrency/quotes/latest"], {"id": "7431,5690,2280,5665"})
        self.assertEqual(queries["/cmc/v3/cryptocurrency/listings/latest"],
                         {"sort": "volume_24h", "sort_dir": "desc", "limit": "500", "volume_24h_min": "500000"})

    def test_without_a_key_the_public_api_is_used_and_no_key_header_is_sent(self):
        report, err = self.run_report(key=None)
        self.assertTrue(report["source"]["keyless"])
        self.assertIn("keyless", err)
        self.assertTrue(all(p.startswith("/cmc/public-api/") for p in self.cmc.paths()), self.cmc.paths())
        self.assertTrue(all("x-cmc_pro_api_key" not in r.headers for r in self.cmc.requests))

    def test_a_decoy_akt_in_the_map_is_not_quoted(self):
        body = fixture_json("map.json")
        body["data"].insert(0, {"id": 99001, "symbol": "AKT", "slug": "akt-wormhole", "rank": 3, "is_active": 1})
        self.route("/v1/cryptocurrency/map", Reply(200, body))
        self.run_report()
        quotes = [r for r in self.cmc.requests if r.path.endswith("/quotes/latest")]
        self.assertEqual(quotes[0].query["id"], "7431,5690,2280,5665")

    def test_momentum_compares_with_the_previous_run(self):
        first, _ = self.run_report()
        self.assertIsNone(first["akt_signal"]["momentum"])
        with open(self.state_file, encoding="utf-8") as f:
            self.assertNotIn(API_KEY, f.read())
        later = fixture_json("quotes-v3.json")
        akt_usd = later["data"][0]["quote"][0]
        akt_usd["price"] = 0.957           # +10 %
        akt_usd["volume_24h"] = 10726940.31  # -50 %
        akt_usd["last_updated"] = "2026-05-26T12:09:00.000Z"
        self.route("/v3/cryptocurrency/quotes/latest", Reply(200, later))
        for run in ("second", "third: the same CoinMarketCap quote again, still compared with the first"):
            with self.subTest(run=run):
                report, _ = self.run_report()
                momentum = report["akt_signal"]["momentum"]
                self.assertAlmostEqual(momentum["price_change_pct"], 10.0)
                self.assertAlmostEqual(momentum["volume_change_pct"], -50.0)
                self.assertTrue(momentum["accelerating"])
                # volume fell below 20M: +10 instead of +20
                self.assertEqual(report["akt_signal"]["score"], 11)

    def test_usd_entry_not_first_in_the_quote_list(self):
        body = fixture_json("quotes-v3.json")
        for asset in body["data"]:
            asset["quote"].insert(0, {**copy.deepcopy(asset["quote"][0]), "id": 2790, "symbol": "EUR",
                                      "percent_change_24h": 50.0, "volume_24h": 1.0})
        self.route("/v3/cryptocurrency/quotes/latest", Reply(200, body))
        report, _ = self.run_report()
        self.assertEqual(report["akt_signal"]["score"], 21)
        self.assertEqual([s["symbol"] for s in report["sector"]], ["HNT", "FIL", "RENDER", "AKT"])

    def test_favorable_regime_drops_the_penalty(self):
        greed = fixture_json("fear-and-greed.json")
        greed["data"]["value"] = 72
        season = fixture_json("altcoin-season.json")
        season["data"]["altcoin_index"] = 50
        self.route("/v3/fear-and-greed/latest", Reply(200, greed))
        self.route("/v1/altcoin-season-index/latest", Reply(200, season))
        report, _ = self.run_report()
        self.assertTrue(report["regime"]["favorable"])
        self.assertEqual(report["akt_signal"]["score"], 36)


class Failures(FakeCMCTestCase):
    def error_reply(self, http_status, code, headers=None):
        return Reply.fixture(f"cmc/error-{code}.json", http_status, headers)

    def test_invalid_key(self):
        self.route("/v1/cryptocurrency/map", self.error_reply(401, 1001))
        code, out, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_KEY)
        self.assertEqual(out, "")
        self.assertIn("rejected the API key", err)
        self.assertIn("error 1001: This API Key is invalid.", err)

    def test_error_code_as_a_string(self):
        self.route("/v1/cryptocurrency/map",
                   Reply(401, {"status": {"error_code": "1002", "error_message": "API key missing."}}))
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_KEY)
        self.assertIn("error 1002: API key missing.", err)

    def test_minute_rate_limit_names_retry_after(self):
        self.route("/v3/cryptocurrency/quotes/latest", self.error_reply(429, 1008, {"Retry-After": "30"}))
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_RATE_LIMIT)
        self.assertIn("rate limited", err)
        self.assertIn("retry after 30 s", err)

    def test_daily_and_monthly_caps(self):
        for code_number, words in ((1009, "daily credit limit"), (1010, "monthly credit limit")):
            with self.subTest(error=code_number):
                self.route("/v3/cryptocurrency/quotes/latest", self.error_reply(429, code_number))
                code, _, err = self.run_monitor()
                self.assertEqual(code, monitor.EXIT_RATE_LIMIT)
                self.assertIn(words, err)

    def test_plan_without_the_endpoint(self):
        self.route("/v3/fear-and-greed/latest", self.error_reply(403, 1006))
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_KEY)
        self.assertIn("plan does not allow this endpoint", err)

    def test_altcoin_index_refused_counts_as_zero(self):
        self.route("/v1/altcoin-season-index/latest", self.error_reply(403, 1006))
        report, err = self.run_report()
        self.assertIsNone(report["regime"]["altcoin_index"])
        self.assertFalse(report["regime"]["favorable"])
        self.assertEqual(report["akt_signal"]["score"], 21)
        self.assertIn("altcoin season index", err)

    def test_listings_failure_leaves_depin_empty(self):
        self.route("/v3/cryptocurrency/listings/latest", Reply(500, b"upstream exploded"))
        report, err = self.run_report()
        self.assertEqual(report["depin"], {"matched": None, "trending": []})
        self.assertEqual(report["akt_signal"]["score"], 21)
        self.assertIn("HTTP 500", err)

    def test_server_error_on_quotes(self):
        self.route("/v3/cryptocurrency/quotes/latest", Reply(502, b"<html>bad gateway</html>"))
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_UPSTREAM)
        self.assertIn("HTTP 502", err)

    def test_truncated_json(self):
        self.route("/v3/cryptocurrency/quotes/latest", Reply(200, fixture("cmc/quotes-v3.json")[:300]))
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_UPSTREAM)
        self.assertIn("quotes: the response is not valid JSON", err)

    def test_unreachable_upstream(self):
        self.cmc.stop()
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_UPSTREAM)
        self.assertIn("cannot reach CoinMarketCap", err)

    def test_redirect_is_not_followed_with_the_key(self):
        self.route("/v1/cryptocurrency/map", Reply(302, b"", {"Location": "/elsewhere"}))
        code, _, _ = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_UPSTREAM)
        self.assertNotIn("/elsewhere", self.cmc.paths())

    def test_a_key_echoed_by_upstream_is_redacted(self):
        self.route("/v1/cryptocurrency/map",
                   Reply(401, {"status": {"error_code": 1001, "error_message": f"key {API_KEY} is invalid"}}))
        code, _, err = self.run_monitor()  # run_monitor asserts the key is nowhere in the output
        self.assertEqual(code, monitor.EXIT_KEY)
        self.assertIn("<redacted>", err)

    def test_a_key_echoed_in_a_warning_is_redacted(self):
        self.route("/v1/altcoin-season-index/latest",
                   Reply(403, {"status": {"error_code": 1006, "error_message": f"plan of {API_KEY} lacks this"}}))
        code, _, err = self.run_monitor()
        self.assertEqual(code, 0)
        self.assertIn("plan of <redacted> lacks this", err)

    def test_sector_is_deduplicated_with_akt_first(self):
        self.run_report(args=["--sector", "fil,AKT,FIL,hnt"])
        queries = {r.path: r.query for r in self.cmc.requests}
        self.assertEqual(queries["/cmc/v1/cryptocurrency/map"], {"symbol": "AKT,FIL,HNT"})

    def test_corrupt_state_file(self):
        with open(self.state_file, "w", encoding="utf-8") as f:
            f.write("{not json")
        code, _, err = self.run_monitor()
        self.assertEqual(code, monitor.EXIT_USAGE)
        self.assertIn(self.state_file, err)


if __name__ == "__main__":
    unittest.main()
