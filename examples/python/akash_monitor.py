#!/usr/bin/env python3
"""AKT market monitor: the CoinMarketCap how-to's flow, cleaned up, standard library only.

One run: resolve CoinMarketCap ids by slug, fetch v3 quotes for the sector, score AKT, rank the sector by
24h change, compare AKT with its previous distinct quote (kept in a small JSON file), filter the volume listings down
to DePIN assets, read the macro regime, and print one JSON report on stdout.

The Swift exporter (akash-cost-exporter) computes the same signals continuously and is the reference:
scripts/parity.sh checks that both agree on the same recorded bodies.

Environment:
  CMC_API_KEY   CoinMarketCap key. Sent only as the X-CMC_PRO_API_KEY header; never in a URL, never printed.
                Without it the keyless public endpoints (<base>/public-api/...) are used.
  CMC_BASE_URL  default https://pro-api.coinmarketcap.com (a path prefix such as http://127.0.0.1:8080/cmc works)

Exit codes: 0 report printed, 1 upstream unreachable/failing/undecodable, 2 bad usage or state file,
3 key or plan problem (401/402/403), 4 rate limited or credit cap reached (429).
"""

import argparse
import datetime
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

DEFAULT_BASE_URL = "https://pro-api.coinmarketcap.com"
DEFAULT_SECTOR = ("AKT", "RENDER", "FIL", "HNT")
DEFAULT_DEPIN_TAGS = ("depin", "distributed-computing", "ai-big-data", "akash-ecosystem")
DEFAULT_STATE_FILE = "akash_monitor_state.json"
TRENDING_LIMIT = 10

EXIT_OK = 0
EXIT_UPSTREAM = 1
EXIT_USAGE = 2
EXIT_KEY = 3
EXIT_RATE_LIMIT = 4

# The AKT score, as a table: for each quote field, the first matching line counts.
# (field, [(comparison, threshold, points), ...]). Percent values are as CoinMarketCap gives them (5.2 = 5.2 %).
SCORE_TABLE = (
    ("pct_change_24h", ((">", 10, 30), (">", 5, 20), (">", 2, 10), ("<", -15, -25))),
    ("pct_change_7d", ((">", 20, 20), (">", 10, 10))),
    ("pct_change_1h", ((">", 2, 15), (">", 0.5, 8))),
    ("volume_24h", ((">", 20_000_000, 20), (">", 5_000_000, 10))),
    ("market_cap", ((">", 500_000_000, 15), (">", 100_000_000, 8))),
    ("num_market_pairs", ((">", 30, 8), (">", 10, 4))),
)
UNFAVORABLE_REGIME_PENALTY = 15


# ---------------------------------------------------------------------------------------------------------
# Pure functions: parsing and signals. No I/O, so each is tested case by case.
# ---------------------------------------------------------------------------------------------------------

def resolve_ids(map_entries, symbols):
    """Symbol -> CoinMarketCap id. Symbols are not unique on CoinMarketCap.

    AKT is the entry whose slug contains "akash", so a bridged or copycat "AKT" never wins, even with a
    better rank. Any other symbol takes its active entry with the best (lowest) rank, the lower id on a tie.
    A symbol with no acceptable entry is left out."""
    ids = {}
    for symbol in symbols:
        candidates = [e for e in map_entries if str(e.get("symbol", "")).upper() == symbol]
        if symbol == "AKT":
            candidates = [e for e in candidates if "akash" in str(e.get("slug") or "").lower()]
        active = [e for e in candidates if e.get("is_active", 1) != 0]
        if active:
            best = min(active, key=lambda e: (e["rank"] if e.get("rank") is not None else float("inf"), e["id"]))
            ids[symbol] = best["id"]
    return ids


def usd_quote(asset):
    """The USD entry of an asset's quote. In v3 `quote` is a list and USD is not always first;
    v1/v2 bodies have a dict keyed by currency. No USD entry -> {} (every field then reads as missing)."""
    quote = asset.get("quote") or []
    if isinstance(quote, dict):
        return quote.get("USD") or {}
    return next((q for q in quote if isinstance(q, dict) and q.get("symbol") == "USD"), {})


def parse_quote(asset):
    """The fields the signals use. A null or absent field stays None: it is unknown, not zero."""
    usd = usd_quote(asset)
    return {
        "cmc_id": asset.get("id"),
        "symbol": asset.get("symbol"),
        "price": usd.get("price"),
        "volume_24h": usd.get("volume_24h"),
        "market_cap": usd.get("market_cap"),
        "fully_diluted_market_cap": usd.get("fully_diluted_market_cap"),
        "pct_change_1h": usd.get("percent_change_1h"),
        "pct_change_24h": usd.get("percent_change_24h"),
        "pct_change_7d": usd.get("percent_change_7d"),
        "tvl": usd.get("tvl"),  # null for AKT: a Cosmos L1 has no DeFi TVL on CoinMarketCap
        "num_market_pairs": asset.get("num_market_pairs"),
        "last_updated": usd.get("last_updated") or asset.get("last_updated"),
    }


def _matches(value, comparison, threshold):
    return value > threshold if comparison == ">" else value < threshold


def akt_score(quote):
    """Points from SCORE_TABLE, before the regime penalty. A missing field earns nothing."""
    score = 0
    for field, lines in SCORE_TABLE:
        value = quote.get(field)
        if value is None:
            continue
        score += next((points for comparison, threshold, points in lines
                       if _matches(value, comparison, threshold)), 0)
    return score


def regime_favorable(fear_greed, altcoin_index):
    """Favorable when fear & greed > 50 and the altcoin season index >= 50. An unknown index counts as 0,
    so an unknown value never makes the regime favorable."""
    return (fear_greed or 0) > 50 and (altcoin_index or 0) >= 50


def final_score(quote, favorable):
    return akt_score(quote) - (0 if favorable else UNFAVORABLE_REGIME_PENALTY)


def momentum(previous, current):
    """AKT now against the previous run. None without a previous price to compare with.
    Changes are percent; a change whose inputs are unknown is None (never computed against a made-up 1)."""
    if not previous or not previous.get("price") or current.get("price") is None:
        return None
    price_before, price_now = previous["price"], current["price"]
    volume_before, volume_now = previous.get("volume_24h"), current.get("volume_24h")
    volume_change = None
    if volume_before and volume_now is not None:
        volume_change = (volume_now - volume_before) / volume_before * 100
    return {
        "price_change_pct": (price_now - price_before) / price_before * 100,
        "volume_change_pct": volume_change,
        "accelerating": price_now > price_before,
        "previous_last_updated": previous.get("last_updated"),
    }


def advance_quotes(saved, current):
    """Which saved AKT quote momentum compares with, and what to save next.

    Momentum is between the last two *distinct* CoinMarketCap quotes (told apart by `last_updated`): a run
    within CoinMarketCap's refresh interval sees the same quote again and compares it with the one before,
    rather than with itself. `saved` is {"akt_quote": latest, "akt_quote_before": the one before}."""
    latest, before = saved.get("akt_quote"), saved.get("akt_quote_before")
    if current.get("price") is None:
        return None, saved  # nothing to compare or to keep
    if latest and current.get("last_updated") is not None and latest.get("last_updated") == current["last_updated"]:
        return before, {"akt_quote": current, "akt_quote_before": before}
    return latest, {"akt_quote": current, "akt_quote_before": latest}


def rank_sector(sector_quotes):
    """Sector ordered by 24h change, strongest first (rank 1); the lower CoinMarketCap id wins a tie, so the
    order never depends on how the sector was written. An asset without a 24h change is not ranked."""
    known = [q for q in sector_quotes if q.get("pct_change_24h") is not None]
    ordered = sorted(known, key=lambda q: (-q["pct_change_24h"], q["cmc_id"]))
    return [{"rank": rank, "cmc_id": q["cmc_id"], "symbol": q["symbol"],
             "pct_change_24h": q["pct_change_24h"], "pct_change_7d": q["pct_change_7d"],
             "market_cap": q["market_cap"], "volume_24h": q["volume_24h"]}
            for rank, q in enumerate(ordered, start=1)]


def normalise_tag(tag):
    """`DePIN`, `Distributed Computing`, `AI & Big Data` -> `depin`, `distributed-computing`, `ai-big-data`."""
    return re.sub(r"[^a-z0-9]+", "-", str(tag).lower()).strip("-")


def asset_tags(asset):
    """Normalised tags of a listing or quote. Tags come as strings (v3 listings) or as
    {slug, name, category} objects (v3 quotes, some v2 bodies): accept both."""
    tags = set()
    for tag in asset.get("tags") or []:
        if isinstance(tag, dict):
            tags.update(normalise_tag(tag[key]) for key in ("slug", "name") if tag.get(key))
        elif tag is not None:
            tags.add(normalise_tag(tag))
    return tags


def filter_depin(listings, depin_tags, sector):
    """Listings whose tags match a DePIN tag, or whose symbol is in the sector."""
    wanted = {normalise_tag(t) for t in depin_tags}
    return [a for a in listings if asset_tags(a) & wanted or str(a.get("symbol", "")).upper() in sector]


def trending(depin_assets, limit=TRENDING_LIMIT):
    """The first `limit` DePIN assets by 24h volume, each with its USD 24h change. The listings call asks
    CoinMarketCap to sort by volume; they are sorted again so the result does not depend on it (unknown
    volumes last, listing order on a tie)."""
    by_volume = sorted(depin_assets, key=lambda a: (usd_quote(a).get("volume_24h") is None,
                                                    -(usd_quote(a).get("volume_24h") or 0)))
    return [{"rank": rank, "cmc_id": a.get("id"), "symbol": a.get("symbol"),
             "pct_change_24h": usd_quote(a).get("percent_change_24h"),
             "volume_24h": usd_quote(a).get("volume_24h")}
            for rank, a in enumerate(by_volume[:limit], start=1)]


# ---------------------------------------------------------------------------------------------------------
# CoinMarketCap client: one GET, errors turned into messages a user can act on.
# ---------------------------------------------------------------------------------------------------------

class CMCError(Exception):
    """A CoinMarketCap call failed; `exit_code` says how the process should end."""

    def __init__(self, message, exit_code=EXIT_UPSTREAM, http_status=None):
        super().__init__(message)
        self.exit_code = exit_code
        self.http_status = http_status


def _error_code(status):
    """CoinMarketCap sends `error_code` as a number, sometimes as a string ("0")."""
    try:
        return int(str(status.get("error_code") or 0))
    except ValueError:
        return 0


def explain_error(what, http_status, status, retry_after):
    """A clear message and exit code for a CoinMarketCap error (codes from its error table)."""
    code = _error_code(status) or http_status
    detail = f"HTTP {http_status}, error {code}: {status.get('error_message') or 'no message'}"
    if code in (1001, 1002) or http_status == 401:
        return CMCError(f"{what}: CoinMarketCap rejected the API key ({detail}). "
                        "Check CMC_API_KEY, or unset it to use the keyless public API.", EXIT_KEY, http_status)
    if code in (1003, 1004) or http_status == 402:
        return CMCError(f"{what}: the key's plan needs payment ({detail}).", EXIT_KEY, http_status)
    if code == 1005:
        return CMCError(f"{what}: this endpoint needs an API key ({detail}). Set CMC_API_KEY.",
                        EXIT_KEY, http_status)
    if code in (1006, 1007) or http_status == 403:
        return CMCError(f"{what}: the key's plan does not allow this endpoint, or the key is disabled "
                        f"({detail}).", EXIT_KEY, http_status)
    if code == 1009:
        return CMCError(f"{what}: the daily credit limit is used up ({detail}). "
                        "It resets at 00:00 UTC; run less often or upgrade the plan.", EXIT_RATE_LIMIT, http_status)
    if code == 1010:
        return CMCError(f"{what}: the monthly credit limit is used up ({detail}). "
                        "It resets with the month (or the billing date on paid plans).", EXIT_RATE_LIMIT, http_status)
    if code in (1008, 1011) or http_status == 429:
        wait = f"retry after {retry_after} s (Retry-After)" if retry_after else "retry in a minute"
        return CMCError(f"{what}: rate limited ({detail}); {wait}.", EXIT_RATE_LIMIT, http_status)
    return CMCError(f"{what}: CoinMarketCap answered with an error ({detail}).", EXIT_UPSTREAM, http_status)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """urllib forwards request headers on redirect, which would hand the API key to another host.
    CoinMarketCap does not redirect API calls, so a redirect is treated as an error instead."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class CoinMarketCap:
    def __init__(self, base_url=DEFAULT_BASE_URL, api_key=None, timeout=15.0):
        self.api_key = api_key or None
        root = base_url.rstrip("/")
        # Without a key, the same paths are served keyless under /public-api (IP rate-limited).
        self.api_root = root if self.api_key else root + "/public-api"
        self.timeout = timeout
        self.credits_used = 0
        self._opener = urllib.request.build_opener(_RefuseRedirects)

    @property
    def keyless(self):
        return self.api_key is None

    def url(self, path, params=None):
        query = "?" + urllib.parse.urlencode(params) if params else ""
        return f"{self.api_root}{path}{query}"

    def get(self, path, params=None, what=None):
        """GET a CoinMarketCap path and return its `data`. Raises CMCError."""
        what = what or path
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["X-CMC_PRO_API_KEY"] = self.api_key  # the only place the key goes
        request = urllib.request.Request(self.url(path, params), headers=headers)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as error:
            status = _decode(error.read(), what, strict=False).get("status") or {}
            raise self._without_key(explain_error(what, error.code, status, error.headers.get("Retry-After"))) \
                from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise CMCError(f"{what}: cannot reach CoinMarketCap at {self.api_root} ({reason}).") from None
        document = _decode(body, what, strict=True)
        status = document.get("status") or {}
        if _error_code(status):
            raise self._without_key(explain_error(what, 200, status, None))
        self.credits_used += status.get("credit_count") or 0
        return document.get("data")

    def _without_key(self, error):
        """Error messages quote CoinMarketCap's `error_message`; should one ever echo the key, it is masked
        here, where upstream text enters, so no report, warning or error line can carry it."""
        if self.api_key and self.api_key in str(error):
            return CMCError(str(error).replace(self.api_key, "<redacted>"), error.exit_code, error.http_status)
        return error


def _decode(body, what, strict):
    try:
        document = json.loads(body)
        if not isinstance(document, dict):
            raise ValueError("not a JSON object")
        return document
    except ValueError as error:
        if strict:
            raise CMCError(f"{what}: the response is not valid JSON ({error}).") from None
        return {}


# ---------------------------------------------------------------------------------------------------------
# The monitor's flow.
# ---------------------------------------------------------------------------------------------------------

def fetch_macro(cmc, warnings):
    """Fear & greed (required) and the altcoin season index (optional: some plans answer 403/404)."""
    fear_greed = cmc.get("/v3/fear-and-greed/latest", what="fear & greed") or {}
    altcoin_index = None
    try:
        altcoin_index = (cmc.get("/v1/altcoin-season-index/latest", what="altcoin season index") or {}) \
            .get("altcoin_index")
    except CMCError as error:
        if error.exit_code == EXIT_RATE_LIMIT:
            raise
        warnings.append(f"{error} The altcoin index counts as 0.")
    return {
        "fear_greed": fear_greed.get("value"),
        "fear_greed_classification": fear_greed.get("value_classification"),
        "altcoin_index": altcoin_index,
        "favorable": regime_favorable(fear_greed.get("value"), altcoin_index),
    }


def fetch_depin(cmc, depin_tags, sector, warnings):
    """Volume listings filtered to DePIN; optional: a failure leaves the list empty with a warning."""
    params = {"sort": "volume_24h", "sort_dir": "desc", "limit": 500, "volume_24h_min": 500_000}
    try:
        listings = cmc.get("/v3/cryptocurrency/listings/latest", params, what="listings") or []
    except CMCError as error:
        if error.exit_code in (EXIT_KEY, EXIT_RATE_LIMIT):
            raise
        warnings.append(str(error))
        return {"matched": None, "trending": []}
    matched = filter_depin(listings, depin_tags, sector)
    return {"matched": len(matched), "trending": trending(matched)}


def run_monitor(cmc, sector=DEFAULT_SECTOR, depin_tags=DEFAULT_DEPIN_TAGS, saved=None, now=None):
    """One pass of the flow. `saved` is the previous run's state. Returns (report, state to save);
    raises CMCError when a required call fails."""
    warnings = []
    sector = tuple(s.upper() for s in sector)
    map_entries = cmc.get("/v1/cryptocurrency/map", {"symbol": ",".join(sector)}, what="id map") or []
    ids = resolve_ids(map_entries, sector)
    if "AKT" not in ids:
        raise CMCError("id map: no AKT entry whose slug contains 'akash' (a different coin may use the symbol).")
    missing = [s for s in sector if s not in ids]
    if missing:
        warnings.append(f"no active CoinMarketCap entry for {', '.join(missing)}; left out of the sector.")

    raw_quotes = cmc.get("/v3/cryptocurrency/quotes/latest",
                         {"id": ",".join(str(ids[s]) for s in sector if s in ids)}, what="quotes") or []
    quotes_by_id = {a.get("id"): parse_quote(a) for a in raw_quotes if isinstance(a, dict)}
    akt = quotes_by_id.get(ids["AKT"])
    if akt is None:
        raise CMCError(f"quotes: CoinMarketCap returned no quote for AKT (id {ids['AKT']}).")
    sector_quotes = [quotes_by_id[ids[s]] for s in sector if s in ids and ids[s] in quotes_by_id]

    previous_akt, state = advance_quotes(saved or {}, akt)
    regime = fetch_macro(cmc, warnings)
    depin = fetch_depin(cmc, depin_tags, sector, warnings)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    report = {
        "generated_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": {"base_url": cmc.api_root, "keyless": cmc.keyless, "credits_used": cmc.credits_used},
        "ids": ids,
        "akt_signal": {
            "score": final_score(akt, regime["favorable"]),
            "score_before_regime": akt_score(akt),
            "regime_favorable": regime["favorable"],
            "momentum": momentum(previous_akt, akt),
            **{k: akt[k] for k in ("price", "pct_change_1h", "pct_change_24h", "pct_change_7d",
                                   "volume_24h", "market_cap", "num_market_pairs", "last_updated")},
        },
        "sector": rank_sector(sector_quotes),
        "depin": depin,
        "regime": regime,
        "curr_quote": akt,
        "warnings": warnings,
    }
    return report, state


# ---------------------------------------------------------------------------------------------------------
# State file (the last two distinct AKT quotes, for momentum) and the command line.
# ---------------------------------------------------------------------------------------------------------

class UsageError(Exception):
    pass


def load_state(path):
    """What the previous run saved (its AKT quotes), or {} on the first run."""
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise UsageError(f"state file {path!r} is not readable JSON ({error}); fix or delete it.") from None
    if not isinstance(state, dict):
        raise UsageError(f"state file {path!r} should hold a JSON object; fix or delete it.")
    return state


def save_state(path, state):
    """Write atomically (temporary file, then rename) so an interrupted run never leaves half a file.
    Only market data goes in: never the key."""
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(state, f, indent=2)
    os.replace(temporary, path)


def symbol_list(text):
    items = [s.strip() for s in text.split(",") if s.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a comma-separated list such as AKT,RENDER")
    return items


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Score AKT and the DePIN sector from CoinMarketCap; print a JSON report.",
        epilog="Environment: CMC_API_KEY (header only), CMC_BASE_URL. Exit codes: 0 ok, 1 upstream error, "
               "2 usage/state file, 3 key or plan, 4 rate limit or credit cap.")
    parser.add_argument("--sector", type=symbol_list, default=list(DEFAULT_SECTOR),
                        help="symbols compared with AKT (default %(default)s); AKT is always included")
    parser.add_argument("--depin-tags", type=symbol_list, default=list(DEFAULT_DEPIN_TAGS),
                        help="listing tags that mark a DePIN asset, matched after normalising")
    parser.add_argument("--state-file", default=DEFAULT_STATE_FILE,
                        help="where the previous AKT quote is kept for momentum (default %(default)s)")
    parser.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    args = parser.parse_args(argv)
    args.sector = list(dict.fromkeys(["AKT"] + [s.upper() for s in args.sector]))  # AKT first, no repeats
    return args


def main(argv=None, environ=None, stdout=sys.stdout, stderr=sys.stderr):
    environ = os.environ if environ is None else environ
    args = parse_args(argv)
    api_key = environ.get("CMC_API_KEY", "").strip() or None
    cmc = CoinMarketCap(environ.get("CMC_BASE_URL") or DEFAULT_BASE_URL, api_key, args.timeout)
    if cmc.keyless:
        print("akash_monitor: no CMC_API_KEY; using the keyless public API (IP rate-limited).", file=stderr)
    try:
        report, state = run_monitor(cmc, args.sector, args.depin_tags, load_state(args.state_file))
        save_state(args.state_file, state)
    except UsageError as error:
        print(f"akash_monitor: {error}", file=stderr)
        return EXIT_USAGE
    except CMCError as error:
        print(f"akash_monitor: {error}", file=stderr)
        return error.exit_code
    for warning in report["warnings"]:
        print(f"akash_monitor: warning: {warning}", file=stderr)
    json.dump(report, stdout, indent=2)
    stdout.write("\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
