#!/usr/bin/env python3
"""Builds grafana/dashboards/*.json, the provisioned dashboards of akash-cost-exporter.

The dashboards are written here as short panel groups instead of by hand, so every panel gets the same datasource
reference, selectors, units and layout, and a change of convention is one edit. Run it after changing a panel:

    python3 grafana/build_dashboards.py            # rewrite the JSON files
    python3 grafana/build_dashboards.py --check    # exit 1 if the committed JSON differs or breaks a rule below

Conventions (exporter-conventions.md §4.2): fixed dashboard uid, no __inputs, a `ds_prometheus` datasource
variable defaulting to the provisioned datasource uid `prometheus`, every panel and target on `${ds_prometheus}`,
schemaVersion 41 (Grafana 11.6, the image pinned in docker-compose.yml). Metric names are those of METRICS.md.

Rules every dashboard follows (`lint` enforces them, `--check` runs it):
- `job` and `instance` variables on every dashboard; every series selector names them (`series()` writes them),
  so a renamed job, a second exporter or a second replica never mixes in.
- Two replicas scraped together must not double anything: every query aggregates per entity first
  (`max by (owner) (...)`, `max by (source) (...)`) and only then sums or counts.
- A table merges one query per column; Grafana joins rows only when every label matches, `__name__` included, so
  each table query is an aggregation (no `__name__`), and every value column declares its unit.

Adding a dashboard: write a function that returns `dashboard(...)` and decorate it with `@register("file.json")`.
Adding a group of panels: write a function that returns rows (`list[list[Panel]]`) and add it to a dashboard's list.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboards"
SCHEMA_VERSION = 41
DATASOURCE = {"type": "prometheus", "uid": "${ds_prometheus}"}
HOURS_PER_MONTH = "730.488"  # 30.437 days, the month Akash's own tools use (akash-api.md §5)
GRID_WIDTH = 24
SCOPE = ('job=~"$job"', 'instance=~"$instance"')


# ---------------------------------------------------------------------------------------------------------------
# PromQL helpers: every selector goes through series(), every per-entity figure through per().

def series(metric: str, *matchers: str) -> str:
    """`metric{job=~"$job", instance=~"$instance", ...}`: the only way a query names an exporter series."""
    return f"{metric}{{{', '.join((*SCOPE, *matchers))}}}"


def per(labels: str, expr: str, how: str = "max") -> str:
    """One series per entity however many replicas report it (they report the same value): `max by (labels)`."""
    return f"{how} by ({labels}) ({expr})"


def one(expr: str) -> str:
    """A single figure (AKT price, an index) from whichever replica reports it."""
    return f"max({expr})"


def flat(expr: str) -> str:
    return " ".join(expr.split())


# ---------------------------------------------------------------------------------------------------------------
# Panel model: a panel is a kind, a title, queries and display options; layout is computed from rows of panels.

@dataclass
class Query:
    expr: str
    legend: str = ""


@dataclass
class Column:
    """A table value column: its query (aggregated by the table's key labels), title, unit and display."""
    title: str
    expr: str
    unit: str
    decimals: int | None = None
    mappings: list[dict] = field(default_factory=list)
    thresholds: list[tuple[float | None, str]] | None = None   # colours the cell when given


@dataclass
class Panel:
    kind: str                      # timeseries | stat | gauge | bargauge | table
    title: str
    description: str
    queries: list[Query] = field(default_factory=list)
    unit: str = "short"
    width: int = 12
    height: int = 8
    decimals: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    thresholds: list[tuple[float | None, str]] = field(default_factory=lambda: [(None, "green")])
    mappings: list[dict] = field(default_factory=list)
    legend_calcs: list[str] = field(default_factory=list)
    color_by_thresholds: bool = False
    text_mode: str = "auto"        # stat: "name" shows the legend (a version string) instead of the value
    no_value: str | None = None    # what a stat says when its query returns nothing
    key_labels: list[tuple[str, str]] = field(default_factory=list)   # table: (label, column title), row identity
    columns: list[Column] = field(default_factory=list)                # table: value columns


def q(expr: str, legend: str = "") -> Query:
    return Query(flat(expr), legend)


def table(title: str, description: str, key_labels: list[tuple[str, str]], columns: list[Column],
          width: int = 24, height: int = 8) -> Panel:
    """One row per entity (the key labels), one column per query, every query aggregated by the key labels."""
    by = ", ".join(label for label, _ in key_labels)
    return Panel("table", title, description,
                 [q(per(by, column.expr)) for column in columns],
                 width=width, height=height, key_labels=key_labels, columns=columns)


UP_DOWN = [{"type": "value", "options": {"0": {"text": "Down", "color": "red", "index": 0},
                                         "1": {"text": "Up", "color": "green", "index": 1}}}]


def field_config(panel: Panel) -> dict:
    defaults: dict = {
        "unit": panel.unit,
        "thresholds": steps(panel.thresholds),
        "mappings": panel.mappings,
        "color": {"mode": "thresholds" if panel.color_by_thresholds or panel.kind in ("stat", "gauge")
                  else "palette-classic"},
    }
    for key, value in (("decimals", panel.decimals), ("min", panel.minimum), ("max", panel.maximum),
                       ("noValue", panel.no_value)):
        if value is not None:
            defaults[key] = value
    if panel.kind == "timeseries":
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
                              "spanNulls": False, "axisSoftMin": panel.minimum if panel.minimum is not None else None}
        defaults["custom"] = {k: v for k, v in defaults["custom"].items() if v is not None}
        if panel.color_by_thresholds:
            defaults["custom"]["thresholdsStyle"] = {"mode": "line"}
    overrides = [column_override(column) for column in panel.columns]
    return {"defaults": defaults, "overrides": overrides}


def steps(thresholds: list[tuple[float | None, str]]) -> dict:
    return {"mode": "absolute", "steps": [{"color": color, "value": value} for value, color in thresholds]}


def column_override(column: Column) -> dict:
    """Overrides apply after the table's transformations, so they match the renamed column title."""
    properties = [{"id": "unit", "value": column.unit}]
    if column.decimals is not None:
        properties.append({"id": "decimals", "value": column.decimals})
    if column.mappings:
        properties.append({"id": "mappings", "value": column.mappings})
    if column.thresholds:
        properties += [{"id": "thresholds", "value": steps(column.thresholds)},
                       {"id": "custom.cellOptions", "value": {"type": "color-text"}}]
    return {"matcher": {"id": "byName", "options": column.title}, "properties": properties}


def options(panel: Panel) -> dict:
    last_value = {"calcs": ["lastNotNull"], "fields": "", "values": False}
    if panel.kind == "timeseries":
        return {"legend": {"displayMode": "table" if panel.legend_calcs else "list", "placement": "bottom",
                           "showLegend": True, "calcs": panel.legend_calcs},
                "tooltip": {"mode": "multi", "sort": "desc"}}
    if panel.kind == "stat":
        return {"reduceOptions": last_value, "colorMode": "value", "graphMode": "none", "textMode": panel.text_mode,
                "justifyMode": "auto", "orientation": "auto", "showPercentChange": False, "wideLayout": True}
    if panel.kind == "gauge":
        return {"reduceOptions": last_value, "showThresholdMarkers": True, "showThresholdLabels": False,
                "orientation": "auto"}
    if panel.kind == "bargauge":
        return {"reduceOptions": last_value, "displayMode": "gradient", "orientation": "horizontal",
                "showUnfilled": True, "valueMode": "color", "namePlacement": "auto", "sizing": "auto"}
    if panel.kind == "table":
        return {"showHeader": True, "cellHeight": "sm", "footer": {"show": False, "reducer": ["sum"]}}
    raise ValueError(f"unknown panel kind {panel.kind}")


def target(query: Query, ref_id: str, kind: str) -> dict:
    """Only time series ask for a range. Everything else shows "now" from an instant query: a stat reduced from a
    range would freeze on its last value when the data goes (stale data is dropped), and say nothing is wrong."""
    instant = kind != "timeseries"
    result = {"refId": ref_id, "datasource": DATASOURCE, "expr": query.expr, "legendFormat": query.legend,
              "range": not instant, "instant": instant, "editorMode": "code"}
    if kind == "table":
        result["format"] = "table"
    return result


def render_panel(panel: Panel, panel_id: int, x: int, y: int) -> dict:
    ref_ids = [chr(ord("A") + i) for i in range(len(panel.queries))]
    rendered = {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
        "fieldConfig": field_config(panel),
        "options": options(panel),
        "targets": [target(query, ref, panel.kind) for query, ref in zip(panel.queries, ref_ids)],
    }
    if panel.kind == "table":
        renames = dict(panel.key_labels) | {f"Value #{ref}": column.title for ref, column in zip(ref_ids, panel.columns)}
        if len(panel.columns) == 1:   # Grafana names the value of a single query "Value"
            renames["Value"] = panel.columns[0].title
        order = {name: index for index, name in enumerate(renames)}
        rendered["transformations"] = [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": {"Time": True}, "indexByName": order,
                                           "renameByName": renames}},
        ]
    return rendered


def layout(rows: list[list[Panel]]) -> list[dict]:
    """Places rows of panels left to right; a row is as tall as its tallest panel."""
    rendered, y, panel_id = [], 0, 1
    for row in rows:
        if sum(panel.width for panel in row) > GRID_WIDTH:
            raise ValueError(f"row wider than {GRID_WIDTH}: {[panel.title for panel in row]}")
        x = 0
        for panel in row:
            rendered.append(render_panel(panel, panel_id, x, y))
            x, panel_id = x + panel.width, panel_id + 1
        y += max(panel.height for panel in row)
    return rendered


# ---------------------------------------------------------------------------------------------------------------
# Template variables

def datasource_variable() -> dict:
    return {"name": "ds_prometheus", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {"selected": False, "text": "Prometheus", "value": "prometheus"},
            "hide": 0, "includeAll": False, "multi": False, "options": [], "refresh": 1, "regex": ""}


def label_variable(name: str, label: str, selector: str, label_name: str) -> dict:
    """A multi-value variable over one label's values; panels select with label=~"$name"."""
    definition = f"label_values({selector}, {label_name})"
    return {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "definition": definition, "query": {"query": definition, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "hide": 0, "includeAll": True, "allValue": ".*", "multi": True, "options": [],
            "refresh": 2, "regex": "", "sort": 1}


def scope_variables() -> list[dict]:
    """Which exporter: every job that runs one (build_info is ours alone), then its instances."""
    return [label_variable("job", "Job", "akash_exporter_build_info", "job"),
            label_variable("instance", "Instance", 'akash_exporter_build_info{job=~"$job"}', "instance")]


def dashboard(uid: str, title: str, description: str, groups: list[list[list[Panel]]],
              variables: list[dict] = ()) -> dict:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["akash", "akash-cost-exporter"],
        "editable": True,
        "graphTooltip": 1,
        "refresh": "1m",
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": "now-24h", "to": "now"},
        "timepicker": {},
        "timezone": "",
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "version": 1,
        "annotations": {"list": [{"builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                                  "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                                  "name": "Annotations & Alerts", "type": "dashboard"}]},
        "links": [{"title": "Akash dashboards", "type": "dashboards", "tags": ["akash"], "asDropdown": True,
                   "includeVars": True, "keepTime": True, "icon": "external link", "targetBlank": False,
                   "tooltip": "", "url": ""}],
        "templating": {"list": [datasource_variable(), *scope_variables(), *variables]},
        "panels": layout([row for group in groups for row in group]),
    }


DASHBOARDS: dict[str, Callable[[], dict]] = {}


def register(file_name: str):
    def add(build: Callable[[], dict]) -> Callable[[], dict]:
        DASHBOARDS[file_name] = build
        return build
    return add


# ---------------------------------------------------------------------------------------------------------------
# Akash / AKT market

AKT = 'symbol="AKT"'
FAVORABLE = [{"type": "value", "options": {"0": {"text": "Unfavorable", "color": "red", "index": 0},
                                           "1": {"text": "Favorable", "color": "green", "index": 1}}}]
RISE_FALL = [(None, "red"), (0, "green")]


def aktprice_group() -> list[list[Panel]]:
    fear_greed, altcoin = series("akash_macro_fear_greed_index"), series("akash_macro_altcoin_season_index")
    return [[
        Panel("stat", "AKT price", "Latest AKT price from CoinMarketCap quotes.",
              [q(one(series("akash_market_price_usd", AKT)), "AKT")], unit="currencyUSD", width=4, height=5,
              decimals=3),
        Panel("stat", "AKT 24h change", "AKT price change over 24 hours (CoinMarketCap percent_change_24h).",
              [q(one(series("akash_market_price_change_ratio", AKT, 'window="24h"')), "24h")], unit="percentunit",
              width=4, height=5, decimals=1, thresholds=RISE_FALL),
        Panel("stat", "AKT signal score", "The AKT score; it includes the 15-point penalty when the regime is unfavorable.",
              [q(one(series("akash_akt_signal_score")), "score")], width=4, height=5,
              thresholds=[(None, "red"), (40, "orange"), (60, "green")]),
        # The regime needs fear & greed above 50: the index is an integer, so green starts at 51.
        Panel("gauge", "Fear & greed", "CoinMarketCap Fear & Greed index, 0 (extreme fear) to 100 (extreme greed); the regime needs more than 50.",
              [q(one(fear_greed), "fear & greed")], width=4, height=5, minimum=0, maximum=100,
              thresholds=[(None, "red"), (51, "green")]),
        Panel("gauge", "Altcoin season", "CoinMarketCap Altcoin Season index, 0 (bitcoin season) to 100 (altcoin season); the regime needs 50 or more.",
              [q(one(altcoin), "altcoin season")], width=4, height=5, minimum=0, maximum=100,
              thresholds=[(None, "red"), (50, "green")]),
        Panel("stat", "Macro regime", "Favorable when fear & greed > 50 and altcoin season >= 50; unknown while either index is missing.",
              [q(f"{one(series('akash_macro_regime_favorable'))} and on() {one(fear_greed)} and on() {one(altcoin)}",
                 "regime")], width=4, height=5, mappings=FAVORABLE, thresholds=[(None, "red"), (1, "green")],
              no_value="Unknown"),
    ], [
        Panel("timeseries", "AKT price", "AKT price in USD at each quote.",
              [q(one(series("akash_market_price_usd", AKT)), "price")], unit="currencyUSD",
              legend_calcs=["min", "max", "lastNotNull"]),
        Panel("timeseries", "Score and macro indices", "The AKT score next to the two indices that set the regime.",
              [q(one(series("akash_akt_signal_score")), "AKT score"), q(one(fear_greed), "fear & greed"),
               q(one(altcoin), "altcoin season")], legend_calcs=["lastNotNull"]),
    ], [
        Panel("timeseries", "AKT momentum", "Price and 24h-volume change between the last two AKT quotes.",
              [q(one(series("akash_akt_momentum_price_change_ratio")), "price"),
               q(one(series("akash_akt_momentum_volume_change_ratio")), "24h volume")], unit="percentunit", width=9),
        Panel("stat", "Accelerating", "1 when the last AKT quote is above the one before.",
              [q(one(series("akash_akt_momentum_accelerating")), "accelerating")], width=3,
              mappings=[{"type": "value", "options": {"0": {"text": "No", "color": "orange", "index": 0},
                                                      "1": {"text": "Yes", "color": "green", "index": 1}}}],
              thresholds=[(None, "orange"), (1, "green")]),
        Panel("timeseries", "AKT volume and market cap", "AKT 24h traded volume and market capitalisation.",
              [q(one(series("akash_market_volume_24h_usd", AKT)), "24h volume"),
               q(one(series("akash_market_cap_usd", AKT)), "market cap"),
               q(one(series("akash_market_fully_diluted_cap_usd", AKT)), "fully diluted cap")], unit="currencyUSD"),
    ]]


def sector_group() -> list[list[Panel]]:
    coin = "cmc_id, symbol"
    return [[
        Panel("bargauge", "Sector 24h change", "24h price change of every tracked sector asset.",
              [q(per(coin, series("akash_market_price_change_ratio", 'window="24h"')), "{{symbol}}")],
              unit="percentunit", decimals=1, thresholds=RISE_FALL, color_by_thresholds=True),
        table("Sector", "Tracked assets: price, changes, market cap, market pairs and rank in the sector (1 = strongest 24h change).",
              [("symbol", "Asset"), ("cmc_id", "CMC id")], [
                  Column("Price", series("akash_market_price_usd"), "currencyUSD", decimals=4),
                  Column("24h change", series("akash_market_price_change_ratio", 'window="24h"'), "percentunit",
                         decimals=1, thresholds=RISE_FALL),
                  Column("7d change", series("akash_market_price_change_ratio", 'window="7d"'), "percentunit",
                         decimals=1, thresholds=RISE_FALL),
                  Column("Market cap", series("akash_market_cap_usd"), "currencyUSD", decimals=0),
                  Column("Market pairs", series("akash_market_pairs"), "none"),
                  Column("Sector rank", series("akash_market_sector_rank"), "none"),
              ], width=12),
    ], [
        Panel("bargauge", "DePIN trending", "24h change of the top 10 DePIN assets by volume.",
              [q(per("rank, cmc_id, symbol", series("akash_depin_trending_price_change_ratio")), "{{rank}}. {{symbol}}")],
              unit="percentunit", decimals=1, width=16, height=9, thresholds=RISE_FALL, color_by_thresholds=True),
        Panel("stat", "DePIN assets listed", "Assets in the latest listings matching the DePIN tags or the sector.",
              [q(one(series("akash_depin_listed_assets")), "assets")], width=4, height=9),
        # Measured from the exporter's last successful quotes poll, which outlives the quote itself: when the
        # quote is dropped as stale this keeps growing into red instead of freezing on its last value.
        Panel("stat", "Quote age", "Time since the exporter last got quotes from CoinMarketCap (cmc_quotes); it keeps counting while quotes fail.",
              [q("time() - " + one(series("akash_exporter_source_last_success_timestamp_seconds", 'source="cmc_quotes"')),
                 "age")], unit="dtdurations",
              width=4, height=9, thresholds=[(None, "green"), (3600, "orange"), (3 * 3600, "red")]),
    ]]


YES_NO = [{"type": "value", "options": {"0": {"text": "No", "color": "red", "index": 0},
                                       "1": {"text": "Yes", "color": "green", "index": 1}}}]


def akt_priced_by() -> Panel:
    """Which feed priced uakt leases in the last scrape (--akash.akt-price-source); shared by two dashboards."""
    return Panel("stat", "AKT leases priced by",
                 "The AKT/USD feed that prices uakt leases now: oracle (the chain's median, healthy and at most 5 min old) or cmc (CoinMarketCap). Unpriced: neither is usable, and uakt leases have no USD figures.",
                 [q(per("source", f"{series('akash_exporter_akt_price_source')} == 1"), "{{source}}")],
                 width=4, height=5, text_mode="name", no_value="unpriced")


def onchain_group() -> list[list[Panel]]:
    """The chain's own AKT price and BME (sources akash_oracle and akash_bme)."""
    ratio = series("akash_bme_collateral_ratio")
    return [[
        Panel("stat", "Oracle AKT median", "The chain oracle's AKT/USD median (/akash/oracle/v2/aggregated_price/akt); frozen at its last healthy value while unhealthy.",
              [q(one(series("akash_oracle_akt_price_usd", 'stat="median"')), "median")], unit="currencyUSD", width=4,
              height=5, decimals=4),
        Panel("stat", "Oracle price age", "Time since the chain last aggregated its AKT price (every block, about 6 s, while healthy); AkashOraclePriceStale past 5 min.",
              [q(f"time() - {one(series('akash_oracle_price_timestamp_seconds'))}", "age")], unit="dtdurations",
              width=4, height=5, thresholds=[(None, "green"), (300, "red")]),
        Panel("stat", "Oracle healthy", "The oracle's own verdict: enough fresh sources and a deviation within bounds.",
              [q(one(series("akash_oracle_price_healthy")), "healthy")], width=4, height=5, mappings=YES_NO,
              thresholds=[(None, "red"), (1, "green")]),
        Panel("stat", "BME state", "BME's circuit breaker: healthy, warning (collateral at or below warn), halt_cr (at or below halt: no ACT minted), halt_oracle (no usable oracle price: no ACT minted, no refunds).",
              [q(per("status", f"{series('akash_bme_status')} == 1"), "{{status}}")], width=4, height=5,
              text_mode="name", no_value="unknown"),
        Panel("stat", "ACT mints allowed", "No: AKT cannot be burnt for ACT, so ACT escrows cannot be topped up (AkashBmeMintsHalted).",
              [q(one(series("akash_bme_mints_allowed")), "mints")], width=4, height=5, mappings=YES_NO,
              thresholds=[(None, "red"), (1, "green")]),
        Panel("stat", "ACT refunds allowed", "No only in halt_oracle: ACT cannot be refunded to AKT.",
              [q(one(series("akash_bme_refunds_allowed")), "refunds")], width=4, height=5, mappings=YES_NO,
              thresholds=[(None, "red"), (1, "green")]),
    ], [
        Panel("timeseries", "AKT: oracle vs CoinMarketCap", "The chain oracle's median and TWAP next to CoinMarketCap's AKT price.",
              [q(one(series("akash_oracle_akt_price_usd", 'stat="median"')), "oracle median"),
               q(one(series("akash_oracle_akt_price_usd", 'stat="twap"')), "oracle TWAP"),
               q(one(series("akash_market_price_usd", AKT)), "CoinMarketCap")], unit="currencyUSD", width=9,
              legend_calcs=["lastNotNull"]),
        Panel("timeseries", "Oracle / CoinMarketCap", "The oracle's median over CoinMarketCap's price while both are fresh; AkashAktPriceFeedsDisagree beyond 5 % for 30 min.",
              [q(one(series("akash_akt_oracle_vs_market_ratio")), "ratio")], unit="none", width=5, decimals=3),
        Panel("timeseries", "BME collateral ratio", "Vault AKT at the oracle's TWAP over ACT outstanding, with the chain's warn and halt thresholds (absent in halt_oracle).",
              [q(one(ratio), "collateral ratio"),
               q(one(series("akash_bme_threshold_ratio", 'level="warn"')), "warn"),
               q(one(series("akash_bme_threshold_ratio", 'level="halt"')), "halt")], unit="none", width=10,
              legend_calcs=["lastNotNull"]),
    ], [
        Panel("timeseries", "ACT outstanding and vault AKT", "ACT in circulation and the AKT that backs it in the BME vault, in whole tokens.",
              [q(one(series("akash_bme_outstanding_act")), "ACT outstanding"),
               q(one(series("akash_bme_vault_akt")), "AKT in the vault")], width=12, legend_calcs=["lastNotNull"]),
        Panel("timeseries", "BME state over time", "1 for the state BME was in.",
              [q(per("status", series("akash_bme_status")), "{{status}}")], width=8),
        akt_priced_by(),
    ]]


@register("akash-market.json")
def market_dashboard() -> dict:
    return dashboard("akash-market", "Akash / AKT market",
                     "AKT price and signal score, crypto macro regime, momentum, sector and DePIN movers (CoinMarketCap); the chain's own AKT price and BME (On chain).",
                     [aktprice_group(), sector_group(), onchain_group()])


# ---------------------------------------------------------------------------------------------------------------
# Akash / Compute prices

GPU = 'model=~"$gpu_model"'
GPU_KEY = "vendor, model, ram, interface"
GPU_LEGEND = "{{vendor}} {{model}} {{ram}} {{interface}}"
UTILISATION_STEPS = [(None, "green"), (0.7, "orange"), (0.9, "red")]


def gpu_price(stat: str) -> str:
    return series("akash_gpu_bid_price_usd_per_hour", f'stat="{stat}"', GPU)


def utilisation(resource: str, by: str = "") -> str:
    active, total = series(resource, 'state="active"'), series(resource, 'state="total"')
    return f"{per(by, active)} / {per(by, total)}" if by else f"{one(active)} / {one(total)}"


def gpu_prices_group() -> list[list[Panel]]:
    return [[
        Panel("timeseries", "Median bid price per GPU model", "Median of the best bid per provider, USD per GPU-hour.",
              [q(per(GPU_KEY, gpu_price("median")), GPU_LEGEND)],
              unit="currencyUSD", width=14, height=9, legend_calcs=["min", "max", "lastNotNull"]),
        table("Current bid prices", "USD per GPU-hour: lowest, median, volume-weighted mean and highest bid.",
              [("vendor", "Vendor"), ("model", "Model"), ("ram", "Memory"), ("interface", "Interface")],
              [Column(title, gpu_price(stat), "currencyUSD", decimals=3)
               for title, stat in (("Min", "min"), ("Median", "median"), ("Weighted mean", "weighted_mean"), ("Max", "max"))],
              width=10, height=9),
    ], [
        Panel("timeseries", "Bid price range per GPU model", "Lowest and highest bid per model over time.",
              [q(per(GPU_KEY, gpu_price("min")), GPU_LEGEND + " min"),
               q(per(GPU_KEY, gpu_price("max")), GPU_LEGEND + " max")],
              unit="currencyUSD", width=24),
    ], [
        Panel("bargauge", "GPUs per model", "Available and total GPUs of each model.",
              [q(per(GPU_KEY, series("akash_gpus", 'state="available"', GPU)), GPU_LEGEND + " available"),
               q(per(GPU_KEY, series("akash_gpus", 'state="total"', GPU)), GPU_LEGEND + " total")],
              width=12, height=9),
        Panel("bargauge", "Providers per model", "Providers offering each model, and those with one available.",
              [q(per(GPU_KEY, series("akash_gpu_providers", 'state="available"', GPU)), GPU_LEGEND + " available"),
               q(per(GPU_KEY, series("akash_gpu_providers", 'state="total"', GPU)), GPU_LEGEND + " total")],
              width=12, height=9),
    ]]


def network_group() -> list[list[Panel]]:
    def gauge(title: str, description: str, resource: str, by: str = "", legend: str = "") -> Panel:
        return Panel("gauge", title, description, [q(utilisation(resource, by), legend or title.split()[0])],
                     unit="percentunit", width=6, height=6, minimum=0, maximum=1, thresholds=UTILISATION_STEPS)
    return [[
        gauge("GPU utilisation", "Leased GPUs over all GPUs on the network.", "akash_network_gpus"),
        gauge("CPU utilisation", "Leased CPU over all CPU on the network.", "akash_network_cpu_cores"),
        gauge("Memory utilisation", "Leased memory over all memory on the network.", "akash_network_memory_bytes"),
        gauge("Storage utilisation", "Leased storage over all storage, per class.", "akash_network_storage_bytes",
              "class", "{{class}}"),
    ], [
        Panel("timeseries", "Network GPUs", "GPUs on the network by state.",
              [q(per("state", series("akash_network_gpus")), "{{state}}")], width=8),
        Panel("timeseries", "Network CPU cores", "CPU cores on the network by state.",
              [q(per("state", series("akash_network_cpu_cores")), "{{state}}")], width=8),
        Panel("timeseries", "Network memory", "Memory on the network by state.",
              [q(per("state", series("akash_network_memory_bytes")), "{{state}}")], unit="bytes", width=8),
    ], [
        Panel("timeseries", "Network storage", "Storage on the network by class and state.",
              [q(per("class, state", series("akash_network_storage_bytes")), "{{class}} {{state}}")], unit="bytes"),
        Panel("timeseries", "Providers", "Registered, online, audited and active providers.",
              [q(per("state", series("akash_providers")), "{{state}}")], legend_calcs=["lastNotNull"]),
    ]]


def paid(stat: str) -> str:
    return series("akash_gpu_paid_price_usd_per_gpu_hour", f'stat="{stat}"', GPU)


def paid_vs_asked_group() -> list[list[Panel]]:
    """What leases pay (the exporter's paid-price index, labelled by the offered model) against what providers ask
    (the Console's bid median). The bid median in the offer's labels is paid median x bid/paid (the exporter matched
    the two); the clouds are per Console model, whose interface is spelled as the inventory has it (SXM5)."""
    bid_in_paid_labels = f"{paid('median')} * ignoring(stat) {series('akash_gpu_bid_vs_paid_ratio', GPU)}"
    ratio = series("akash_gpu_price_vs_cloud_ratio", GPU)
    cheapest_cloud = (f"min by ({GPU_KEY}) ({series('akash_gpu_bid_price_usd_per_hour', MEDIAN, GPU)} "
                      f"/ on(job, instance, {GPU_KEY}) group_right() {ratio})")
    return [[
        Panel("timeseries", "Paid vs asked: what leases pay per GPU-hour, and the bid median",
              "Per offered GPU model: the median of what the network's active and reclaiming single-model leases pay "
              "per GPU-hour (each GPU one sample, the whole lease price including its host CPU and memory), its p10 and "
              "p90, the Console's median bid of the same model, and the cheapest comparable cloud (per Console model). "
              "The model is the provider's claim in its offer.",
              [q(per(GPU_KEY, paid("median")), GPU_LEGEND + " paid median"),
               q(per(GPU_KEY, paid("p10")), GPU_LEGEND + " paid p10"),
               q(per(GPU_KEY, paid("p90")), GPU_LEGEND + " paid p90"),
               q(per(GPU_KEY, bid_in_paid_labels), GPU_LEGEND + " bid median"),
               q(cheapest_cloud, GPU_LEGEND + " cheapest cloud")],
              unit="currencyUSD", width=16, height=9, legend_calcs=["lastNotNull"]),
        Panel("timeseries", "Running leases by kind",
              "Every active and reclaiming lease on the network, once: gpu (priced, in the index), unpriced (a denom "
              "without a USD price), mixed (several GPU models), cpu (no GPU), no_offer (no winning bid or offer).",
              [q(per("kind", series("akash_gpu_paid_network_leases")), "{{kind}}")],
              unit="none", width=8, height=9, legend_calcs=["lastNotNull"]),
    ], [
        table("Paid vs asked per GPU model",
              "Per offered GPU model: GPUs and leases of single-model leases (priced or not), what they pay per "
              "GPU-hour (p10, median, p90), the Console's bid median and bid / paid (above 1: providers ask more than "
              "tenants pay).",
              [("vendor", "Vendor"), ("model", "Model"), ("ram", "Memory"), ("interface", "Interface")], [
                  Column("GPUs leased", series("akash_gpu_paid_gpus", GPU), "none", decimals=0),
                  Column("Leases", series("akash_gpu_paid_leases", GPU), "none", decimals=0),
                  Column("Paid p10 USD/GPU-hour", paid("p10"), "currencyUSD", decimals=3),
                  Column("Paid median USD/GPU-hour", paid("median"), "currencyUSD", decimals=3),
                  Column("Paid p90 USD/GPU-hour", paid("p90"), "currencyUSD", decimals=3),
                  Column("Bid median USD/GPU-hour", bid_in_paid_labels, "currencyUSD", decimals=3),
                  Column("Bid / paid", series("akash_gpu_bid_vs_paid_ratio", GPU), "none", decimals=2),
              ], height=8),
    ]]


@register("akash-compute.json")
def compute_dashboard() -> dict:
    # Models come from the GPU counts: a model with GPUs but no bids yet can still be picked.
    return dashboard("akash-compute", "Akash / Compute prices",
                     "Bid prices per GPU model (USD per GPU-hour, last 31 days of bids), GPU and provider supply, network capacity (Akash Console API).",
                     [gpu_prices_group(), paid_vs_asked_group(), clouds_group(), network_group()],
                     [label_variable("gpu_model", "GPU model", series("akash_gpus"), "model")])


# ---------------------------------------------------------------------------------------------------------------
# Akash / Account costs

OWNER = 'owner=~"$owner"'
RUNWAY_STEPS = [(None, "red"), (24 * 3600, "orange"), (72 * 3600, "green")]
CHAIN_SOURCES = 'source=~"akash_leases|akash_deployments|akash_block"'


def owners(metric: str) -> str:
    return per("owner", series(metric, OWNER))


def unpriced_leases() -> str:
    """Leases that pay (active and reclaiming) minus the leases that have a USD price, over the selected owners (an
    owner with no priced lease at all counts every lease)."""
    active = owners("akash_account_active_leases")
    # Each lease once, however many replicas export it.
    reclaiming = per("owner", per("owner, dseq, gseq, oseq, provider", series("akash_lease_info", OWNER, 'state="reclaiming"')),
                     how="count")
    priced = per("owner", per("owner, dseq, gseq, oseq, provider", series("akash_lease_price_usd_per_hour", OWNER)),
                 how="count")
    return f"sum(({active} + ({reclaiming} or {active} * 0)) - ({priced} or {active} * 0))"


def account_total(multiplier: str = "") -> str:
    """Σ of the owners' spend, only when every selected owner has one: a total without the unpriced owners would
    look like a real, smaller number."""
    spend = owners("akash_account_spend_usd_per_hour")
    return (f"sum({spend}){multiplier} and on() "
            f"(count({spend}) == count({owners('akash_account_active_leases')}))")


def escrow_runway() -> str:
    """Runway per deployment that survives a chain outage: the exported runway while it is there; once the chain
    sources are down and it was dropped as stale, the last known runway minus the time since the deployments were
    last read (the escrow keeps draining). The same rule as `akash:deployment_escrow_runway_seconds:projected` in
    alerts/akash.rules.yml, which the escrow alerts use."""
    runway = series("akash_deployment_escrow_runway_seconds", OWNER)
    last_read = series("akash_exporter_source_last_success_timestamp_seconds", 'source="akash_deployments"')
    chain_up = f"min by (job, instance) ({series('akash_exporter_source_up', CHAIN_SOURCES)}) == 1"
    return (f"{runway} or on(job, instance, owner, dseq) "
            f"((last_over_time({runway}[24h]) - on(job, instance) group_left() (time() - last_over_time({last_read}[24h]))) "
            f"unless on(job, instance) ({chain_up}))")


def account_totals_group() -> list[list[Panel]]:
    unpriced_note = "Hidden while any selected owner has a lease without a USD price (see the next panel), rather than shown too small."
    return [[
        Panel("stat", "Spend per hour", f"Sum of the price of every active lease. {unpriced_note}",
              [q(account_total(), "USD/h")], unit="currencyUSD", width=5, height=5, decimals=3,
              no_value="unknown"),
        Panel("stat", "Monthly rate at current prices",
              f"Spend per hour x {HOURS_PER_MONTH} hours (30.437 days), at today's prices (AKT-priced leases move with AKT). {unpriced_note}",
              [q(account_total(f" * {HOURS_PER_MONTH}"), "USD/month")],
              unit="currencyUSD", width=5, height=5, decimals=2, no_value="unknown"),
        Panel("stat", "Leases without a USD price",
              "Leases that pay (active and reclaiming) whose price has no USD value now: uakt while no AKT price feed is usable (see AKT leases priced by), an unknown denom. Their deployments still show spend per block in their own denom.",
              [q(unpriced_leases(), "leases")], unit="none", width=4, height=5,
              thresholds=[(None, "green"), (1, "orange")]),
        Panel("stat", "Active leases", "Active leases of the selected owners.",
              [q(f"sum({owners('akash_account_active_leases')})", "leases")], unit="none", width=3,
              height=5),
        Panel("stat", "Shortest escrow runway",
              "The deployment whose escrow runs dry first (owner and dseq); alerts fire under 72h and 24h. During a chain outage: the last known runway minus the time since.",
              [q(f"bottomk(1, {per('owner, dseq', escrow_runway(), how='min')})", "{{owner}} {{dseq}}")],
              unit="dtdurations", width=3, height=5, thresholds=RUNWAY_STEPS, text_mode="value_and_name"),
        akt_priced_by(),
    ], [
        Panel("timeseries", "Spend per hour by owner", "USD per hour of each owner's active leases (absent for an owner with an unpriced lease).",
              [q(owners("akash_account_spend_usd_per_hour"), "{{owner}}")], unit="currencyUSD",
              legend_calcs=["lastNotNull"]),
        Panel("timeseries", "Monthly rate by owner", f"USD per month at the current rate and prices ({HOURS_PER_MONTH} h).",
              [q(f"{owners('akash_account_spend_usd_per_hour')} * {HOURS_PER_MONTH}", "{{owner}}")],
              unit="currencyUSD", legend_calcs=["lastNotNull"]),
    ]]


def deployments_group() -> list[list[Panel]]:
    deployment = [("owner", "Owner"), ("dseq", "Deployment")]
    spend = series("akash_deployment_spend_usd_per_hour", OWNER)
    runway_cells = dict(decimals=None, thresholds=RUNWAY_STEPS)
    return [[
        table("Deployments", "Per deployment: spend, escrow left and runway at the current rate.", deployment, [
            Column("USD/hour", spend, "currencyUSD", decimals=4),
            Column("USD/month at current prices", f"{spend} * {HOURS_PER_MONTH}", "currencyUSD", decimals=2),
            Column("Escrow left", series("akash_deployment_escrow_balance_usd", OWNER), "currencyUSD", decimals=2),
            Column("Runway", series("akash_deployment_escrow_runway_seconds", OWNER), "dtdurations", **runway_cells),
        ], height=7),
    ], [
        Panel("timeseries", "Spend per hour by deployment", "USD per hour of each deployment's active leases.",
              [q(per("owner, dseq", spend), "{{owner}} {{dseq}}")], unit="currencyUSD", width=8),
        Panel("timeseries", "Escrow balance", "Escrow left per deployment, after unsettled spend.",
              [q(per("owner, dseq", series("akash_deployment_escrow_balance_usd", OWNER)), "{{owner}} {{dseq}}")],
              unit="currencyUSD", width=8),
        Panel("timeseries", "Escrow runway", "Time until each deployment's escrow runs dry; lines at 24h and 72h.",
              [q(per("owner, dseq", series("akash_deployment_escrow_runway_seconds", OWNER)), "{{owner}} {{dseq}}")],
              unit="s", width=8, thresholds=RUNWAY_STEPS, color_by_thresholds=True),
    ], [
        table("Leases", "Every active lease with a USD price.",
              [("owner", "Owner"), ("dseq", "Deployment"), ("gseq", "Group"), ("oseq", "Order"), ("provider", "Provider")], [
                  Column("USD/hour", series("akash_lease_price_usd_per_hour", OWNER), "currencyUSD", decimals=4),
                  Column("USD/month at current prices",
                         f"{series('akash_lease_price_usd_per_hour', OWNER)} * {HOURS_PER_MONTH}", "currencyUSD", decimals=2),
              ]),
    ]]


def lease_states_group() -> list[list[Panel]]:
    """Leases that cost money but need the tenant: reclaimed by their provider (still paid until closed), overdrawn
    (escrow dry, unpaid), and deployment groups still waiting for a bid with the escrow locked."""
    info = lambda state: series("akash_lease_info", OWNER, f'state="{state}"')
    lease = [("owner", "Owner"), ("dseq", "Deployment"), ("gseq", "Group"), ("oseq", "Order"), ("provider", "Provider")]
    deadline = series("akash_lease_reclamation_deadline_timestamp_seconds", OWNER)
    transferred = series("akash_deployment_escrow_transferred_total", OWNER)
    return [[
        Panel("stat", "Reclaiming leases",
              "Leases whose provider started reclaiming them: they keep running and paying until the provider closes them after the deadline (AkashLeaseReclaiming).",
              [q(f"count({per('owner, dseq, gseq, oseq, provider', info('reclaiming'))}) or on() "
                 f"(sum({owners('akash_account_active_leases')}) * 0)", "leases")],
              unit="none", width=4, height=5, thresholds=[(None, "green"), (1, "orange")]),
        Panel("stat", "Overdrawn leases",
              "Leases in insufficient_funds: the deployment's escrow ran dry, the provider is not paid and may close them (AkashLeaseOverdrawn).",
              [q(f"count({per('owner, dseq, gseq, oseq, provider', info('insufficient_funds'))}) or on() "
                 f"(sum({owners('akash_account_active_leases')}) * 0)", "leases")],
              unit="none", width=4, height=5, thresholds=[(None, "green"), (1, "red")]),
        Panel("stat", "Groups waiting for a bid",
              "Deployment groups open without an active or reclaiming lease, escrow locked meanwhile (AkashDeploymentWaitingForBid after 1 h).",
              [q(f"sum({per('owner, dseq', series('akash_deployment_open_groups', OWNER))})", "groups")],
              unit="none", width=4, height=5, thresholds=[(None, "green"), (1, "orange")]),
    ] + chain_panels(), [
        Panel("timeseries", "Leases by state", "Open leases of the selected owners by state: active, reclaiming, insufficient_funds.",
              [q(f"sum by (state) ({series('akash_lease_info', OWNER)})", "{{state}}")], unit="none", width=8),
        table("Reclamation deadlines",
              "Each reclaiming lease: when its provider may close it, and the time left (critical under 6 h).", lease, [
                  Column("Deadline", f"{deadline} * 1000", "dateTimeAsIso"),
                  Column("Time left", f"{deadline} - time()", "dtdurations",
                         thresholds=[(None, "red"), (6 * 3600, "orange"), (24 * 3600, "green")]),
                  Column("Notice window", series("akash_lease_reclamation_window_seconds", OWNER), "dtdurations"),
              ], width=16, height=8),
    ], [
        Panel("timeseries", "Paid out by deployment",
              "What each deployment's escrow has paid to providers so far, in whole tokens of its denom (escrow_account.state.transferred).",
              [q(f"{per('owner, dseq, denom', transferred)} / 1e6", "{{owner}} {{dseq}} {{denom}}")], unit="none", width=12),
        Panel("timeseries", "Groups waiting for a bid by deployment", "Open groups without a lease, per deployment.",
              [q(per("owner, dseq", series("akash_deployment_open_groups", OWNER)), "{{owner}} {{dseq}}")],
              unit="none", width=12),
    ]]


def chain_panels() -> list[Panel]:
    """The chain every chain figure comes from: the block time per-hour figures use, and how old its head is."""
    return [
        Panel("stat", "Block time",
              "The chain's average block time over its last 1000 blocks (--akash.block-time=auto); per-hour figures use 6 s while it is not measured or when a fixed --akash.block-time is set.",
              [q(one(series("akash_chain_block_time_seconds")), "s")], unit="s", width=6, height=5, decimals=3,
              no_value="not measured"),
        Panel("stat", "Chain head age",
              "How old the latest block from the chain REST node is; AkashChainHeadStale fires over 2 minutes (the chain halted or the node lags).",
              [q(f"time() - {one(series('akash_chain_latest_block_timestamp_seconds'))}", "age")], unit="s", width=6,
              height=5, decimals=0, thresholds=[(None, "green"), (120, "orange")]),
    ]


# Reachability: is the provider of each lease still there (its gateway's /status, probed from where the exporter
# runs, and the Console's own checks). Provider-level series carry no owner: they are joined to the providers of the
# selected owners' leases.

LEASE_KEY = "owner, dseq, gseq, oseq, provider"
ONLINE_OFFLINE = [{"type": "value", "options": {"0": {"text": "Offline", "color": "red", "index": 0},
                                               "1": {"text": "Online", "color": "green", "index": 1}}}]
UP_STEPS = [(None, "red"), (1, "green")]
UPTIME_STEPS = [(None, "red"), (0.9, "orange"), (0.99, "green")]


def owners_leases(metric: str) -> str:
    return per(LEASE_KEY, series(metric, OWNER))


def owners_providers() -> str:
    """The providers of the selected owners' leases: the probed ones and the priced ones (a provider whose host_uri
    the guard refused is not probed, and a uakt lease without an AKT price is not priced), per exporter: a provider's
    figures come from the exporters that watch these owners."""
    return (f"group by (job, instance, provider) ({series('akash_lease_provider_up', OWNER)}) or "
            f"group by (job, instance, provider) ({series('akash_lease_price_usd_per_hour', OWNER)})")


def your_providers_group() -> list[list[Panel]]:
    def of_yours(metric: str, *matchers: str) -> str:
        return f"{series(metric, *matchers)} and on(job, instance, provider) ({owners_providers()})"
    uptime = lambda window: Column(f"Uptime {window}", of_yours("akash_provider_uptime_ratio", f'window="{window}"'),
                                   "percentunit", decimals=1, thresholds=UPTIME_STEPS)
    return [[
        table("Your providers",
              "Each provider hosting a lease of the selected owners: its gateway's GET /status from where the exporter "
              "runs (AkashLeaseProviderDown after 10 min down) and how long it took, the Akash Console's view (online, "
              "uptime over 1, 7 and 30 days), your leases there and what they cost per hour. An empty probe cell: not "
              "probed (host_uri refused by the guard, see AkashProviderProbeRefused, or the probe is off); empty "
              "Console cells: the Console never checked it.",
              [("provider", "Provider")], [
                  Column("Probe", of_yours("akash_provider_probe_success"), "none", mappings=UP_DOWN,
                         thresholds=UP_STEPS),
                  Column("Probe latency", of_yours("akash_provider_probe_duration_seconds"), "s", decimals=3),
                  Column("Console", of_yours("akash_provider_console_online"), "none", mappings=ONLINE_OFFLINE,
                         thresholds=UP_STEPS),
                  uptime("1d"), uptime("7d"), uptime("30d"),
                  Column("Your leases", f"count by (provider) ({owners_leases('akash_lease_provider_up')} or "
                                        f"{owners_leases('akash_lease_price_usd_per_hour')})", "none", decimals=0),
                  Column("USD/hour paid", f"sum by (provider) ({owners_leases('akash_lease_price_usd_per_hour')})",
                         "currencyUSD", decimals=4),
              ], height=7),
    ]]


@register("akash-account.json")
def account_dashboard() -> dict:
    # Owners come from the lease counts, which exist whether or not the leases can be priced.
    return dashboard("akash-account", "Akash / Account costs",
                     "What the configured owner addresses spend per hour and per month, by deployment and lease, how long their escrow lasts (Akash chain), and whether the providers of their leases still answer.",
                     [account_totals_group(), deployments_group(), lease_states_group(), your_providers_group(), gpu_leases_vs_market_group()],
                     [label_variable("owner", "Owner", series("akash_account_active_leases"), "owner")])


# ---------------------------------------------------------------------------------------------------------------
# The GPU price check (docs/gpu-price-check.md): a tenant's GPU leases against the Akash median, Akash against
# the clouds. Added as groups of their own to the account and compute dashboards.

LEASE_GPU_KEY = [("owner", "Owner"), ("dseq", "Deployment"), ("gseq", "Group"), ("oseq", "Order"),
                 ("provider", "Provider"), ("vendor", "Vendor"), ("model", "Model"), ("ram", "Memory"),
                 ("interface", "Interface")]
CLOUD_GPU_KEY = "vendor, model, ram, interface"
RATIO_STEPS = [(None, "green"), (1.25, "orange")]


def gpu_leases_vs_market_group() -> list[list[Panel]]:
    """The three lease series share their labels, so the median is price / ratio (no join on the Console's
    interface spelling); the overpay is the recording rule the alert uses, present only when positive."""
    price = series("akash_lease_gpu_price_usd_per_gpu_hour", OWNER)
    ratio = series("akash_lease_gpu_price_vs_market_ratio", OWNER)
    paid_ratio = series("akash_lease_gpu_price_vs_paid_ratio", OWNER)
    return [[
        table("Your GPU leases vs the market",
              "Each GPU lease of the selected owners: the GPUs its winning bid offered, what it pays per GPU-hour (the "
              "whole lease price, CPU, memory and storage included, / its GPUs), the network median of the model "
              "(Akash Console), their ratio, the median that the network's leases of the same model pay and the ratio "
              "to it, and what it pays over the median a month (730 h, only when above; against the paid median when "
              "there is one). Empty cells: no single matching model (no median), a mixed-model group (no per-GPU price).",
              LEASE_GPU_KEY, [
                  Column("GPUs", series("akash_lease_gpus", OWNER), "none", decimals=0),
                  Column("Your USD/GPU-hour", price, "currencyUSD", decimals=3),
                  Column("Median USD/GPU-hour", f"{price} / {ratio}", "currencyUSD", decimals=3),
                  Column("Your price / median", ratio, "none", decimals=2, thresholds=RATIO_STEPS),
                  Column("Paid median USD/GPU-hour", f"{price} / {paid_ratio}", "currencyUSD", decimals=3),
                  Column("Your price / paid median", paid_ratio, "none", decimals=2, thresholds=RATIO_STEPS),
                  Column("Overpay USD/month", series("akash:lease_gpu_overpay_usd_per_month", OWNER), "currencyUSD",
                         decimals=2),
              ], height=8),
    ]]


def clouds_group() -> list[list[Panel]]:
    """The cloud's cheapest per-GPU price is the Akash median / the ratio; the median is repeated on each cloud's
    row (both joined on the model and the exporter that reports them)."""
    ratio = series("akash_gpu_price_vs_cloud_ratio", GPU)
    median = series("akash_gpu_bid_price_usd_per_hour", 'stat="median"', GPU)
    on = f"on(job, instance, {CLOUD_GPU_KEY})"
    as_of = series("akash_cloud_gpu_prices_as_of_timestamp_seconds")
    return [[
        table("Akash vs the clouds",
              "Per GPU model and cloud: the Akash median bid per GPU-hour, the cloud's cheapest on-demand price per "
              "GPU-hour for the same model (same ram; same interface when the price list gives one), and Akash as a "
              "share of it. Cloud prices include the host's CPU and memory; the list is dated (see its age).",
              [("vendor", "Vendor"), ("model", "Model"), ("ram", "Memory"), ("interface", "Interface"), ("cloud", "Cloud")], [
                  Column("Akash median USD/GPU-hour", f"{ratio} * 0 + {on} group_left() {median}", "currencyUSD", decimals=3),
                  Column("Cloud USD/GPU-hour", f"{median} / {on} group_right() {ratio}", "currencyUSD", decimals=3),
                  Column("Akash / cloud", ratio, "percentunit", decimals=0),
              ], width=18, height=9),
        Panel("stat", "Cloud price list age",
              "Time since the date of the cloud price list (the shipped snapshot or --akash.cloud-prices-file); an "
              "alert fires after 180 days.",
              [q(f"time() - {one(as_of)}", "age")], unit="dtdurations", width=6, height=9,
              thresholds=[(None, "green"), (180 * 86400, "orange")]),
    ]]


# ---------------------------------------------------------------------------------------------------------------
# Akash / Provider

PROVIDER = 'provider=~"$provider"'
PROVIDER_GPU = f"provider, {GPU_KEY}"
PROVIDER_GPU_LEGEND = "{{provider}} " + GPU_LEGEND
BELOW_MARKET_STEPS = [(None, "red"), (0.6, "orange"), (0.9, "green")]
MEDIAN = 'stat="median"'


def providers(metric: str, by: str = "provider") -> str:
    return per(by, series(metric, PROVIDER))


def provider_revenue(multiplier: str = "") -> str:
    """Σ of the providers' revenue, only when every selected provider has one (a uakt lease without an AKT price
    hides a provider's revenue rather than shrinking it; so does the total)."""
    revenue = providers("akash_provider_revenue_usd_per_hour")
    return (f"sum({revenue}){multiplier} and on() "
            f"(count({revenue}) == count({providers('akash_provider_active_leases')}))")


def provider_median() -> str:
    """The network median each provider model is compared with: its price divided by the ratio (the exporter
    matched the model to one /v1/gpu-prices row; the labels of that row are Console's, not the offer's)."""
    return (f"{providers('akash_provider_gpu_price_usd_per_gpu_hour', PROVIDER_GPU)} / "
            f"{providers('akash_provider_gpu_price_vs_market_ratio', PROVIDER_GPU)}")


def provider_totals_group() -> list[list[Panel]]:
    return [[
        Panel("stat", "Revenue per hour",
              "Sum of the price of every active lease, CPU-only ones included. Hidden while a selected provider has a uakt lease and no AKT price is known.",
              [q(provider_revenue(), "USD/h")], unit="currencyUSD", width=6, height=5, decimals=3,
              no_value="unknown"),
        Panel("stat", "Monthly rate at current prices",
              f"Revenue per hour x {HOURS_PER_MONTH} hours (30.437 days), at today's prices (uakt leases move with AKT).",
              [q(provider_revenue(f" * {HOURS_PER_MONTH}"), "USD/month")], unit="currencyUSD",
              width=6, height=5, decimals=2, no_value="unknown"),
        Panel("stat", "Active leases", "Active leases of the selected providers.",
              [q(f"sum({providers('akash_provider_active_leases')})", "leases")], unit="none",
              width=4, height=5),
        Panel("stat", "GPUs leased", "GPUs rented out, every model (leases whose bid names the model).",
              [q(f"sum({providers('akash_provider_leased_gpus', PROVIDER_GPU)})", "GPUs")],
              unit="none", width=4, height=5),
        Panel("stat", "Open bids", "Bids waiting for the tenant (0 is a real zero).",
              [q(f"sum({providers('akash_provider_open_bids')})", "bids")], unit="none",
              width=4, height=5),
    ], [
        Panel("timeseries", "Revenue per hour by provider",
              "USD per hour of each provider's active leases; the revenue-drop alert fires under 70 % of an hour ago.",
              [q(providers("akash_provider_revenue_usd_per_hour"), "{{provider}}")], unit="currencyUSD",
              legend_calcs=["lastNotNull"]),
        Panel("timeseries", "Monthly rate by provider", f"USD per month at the current rate and prices ({HOURS_PER_MONTH} h).",
              [q(f"{providers('akash_provider_revenue_usd_per_hour')} * {HOURS_PER_MONTH}", "{{provider}}")],
              unit="currencyUSD", legend_calcs=["lastNotNull"]),
    ], [
        Panel("timeseries", "Active leases by provider", "Active leases per provider.",
              [q(providers("akash_provider_active_leases"), "{{provider}}")], unit="none", width=8),
        Panel("timeseries", "GPUs leased by model", "GPUs rented out, by the model the winning bid offered.",
              [q(providers("akash_provider_leased_gpus", PROVIDER_GPU), PROVIDER_GPU_LEGEND)], unit="none", width=8),
        Panel("timeseries", "Open bids by provider", "Bids waiting for the tenant.",
              [q(providers("akash_provider_open_bids"), "{{provider}}")], unit="none", width=8),
    ]]


def provider_prices_group() -> list[list[Panel]]:
    model = [("provider", "Provider"), ("vendor", "Vendor"), ("model", "Model"), ("ram", "Memory"),
             ("interface", "Interface")]
    return [[
        Panel("timeseries", "Your price per GPU-hour vs the network median",
              "GPU-weighted average of lease price / GPUs per model (the whole lease price, CPU and memory included), and the network median of the matching model.",
              [q(providers("akash_provider_gpu_price_usd_per_gpu_hour", PROVIDER_GPU), PROVIDER_GPU_LEGEND + " yours"),
               q(provider_median(), PROVIDER_GPU_LEGEND + " median")],
              unit="currencyUSD", legend_calcs=["lastNotNull"]),
        Panel("timeseries", "Your price / network median, bid and paid",
              "1 is the median; the below-market alert fires under 0.6 (more than 40 % below the bid median) for 24 h. "
              "vs bid: the Console's median bid (absent when the model matches no single /v1/gpu-prices row); vs paid: "
              "the median the network's leases of the same offered model pay.",
              [q(providers("akash_provider_gpu_price_vs_market_ratio", PROVIDER_GPU), PROVIDER_GPU_LEGEND + " vs bid"),
               q(providers("akash_provider_gpu_price_vs_paid_ratio", PROVIDER_GPU), PROVIDER_GPU_LEGEND + " vs paid")],
              unit="percentunit", thresholds=BELOW_MARKET_STEPS, color_by_thresholds=True, legend_calcs=["lastNotNull"]),
    ], [
        table("GPU models: leased, your price, the median, your lowest ask",
              "Per provider and offered model: GPUs leased, your per-GPU price, the network median it is compared with and the ratio, your lowest open bid per GPU-hour.",
              model, [
                  Column("GPUs leased", series("akash_provider_leased_gpus", PROVIDER), "none"),
                  Column("Your USD/GPU-hour", series("akash_provider_gpu_price_usd_per_gpu_hour", PROVIDER), "currencyUSD", decimals=3),
                  Column("Median USD/GPU-hour", f"{series('akash_provider_gpu_price_usd_per_gpu_hour', PROVIDER)} / "
                                                f"{series('akash_provider_gpu_price_vs_market_ratio', PROVIDER)}", "currencyUSD", decimals=3),
                  Column("Yours / median", series("akash_provider_gpu_price_vs_market_ratio", PROVIDER), "percentunit",
                         decimals=0, thresholds=BELOW_MARKET_STEPS),
                  Column("Paid median USD/GPU-hour", f"{series('akash_provider_gpu_price_usd_per_gpu_hour', PROVIDER)} / "
                                                     f"{series('akash_provider_gpu_price_vs_paid_ratio', PROVIDER)}", "currencyUSD", decimals=3),
                  Column("Yours / paid median", series("akash_provider_gpu_price_vs_paid_ratio", PROVIDER), "percentunit",
                         decimals=0, thresholds=BELOW_MARKET_STEPS),
                  Column("Lowest open ask USD/GPU-hour", series("akash_provider_open_bid_min_usd_per_gpu_hour", PROVIDER),
                         "currencyUSD", decimals=3),
              ]),
    ], [
        Panel("timeseries", "Your lowest open ask vs the network median",
              "Your cheapest open bid per GPU-hour per offered model, and the network median of the Console models with the same vendor and model name.",
              [q(providers("akash_provider_open_bid_min_usd_per_gpu_hour", PROVIDER_GPU), PROVIDER_GPU_LEGEND + " your ask"),
               q(f"{per(GPU_KEY, series('akash_gpu_bid_price_usd_per_hour', MEDIAN))} and on(vendor, model) "
                 f"{providers('akash_provider_open_bid_min_usd_per_gpu_hour', PROVIDER_GPU)}", GPU_LEGEND + " median")],
              unit="currencyUSD", width=24, legend_calcs=["lastNotNull"]),
    ]]


def provider_states_group() -> list[list[Panel]]:
    """Leases being reclaimed (still paid) or running unpaid (the tenant's escrow ran dry), and what the provider has
    earned but not withdrawn."""
    unwithdrawn = series("akash_provider_unwithdrawn", PROVIDER)
    return [[
        Panel("stat", "Reclaiming leases", "Leases the selected providers are reclaiming: still running and paid until closed.",
              [q(f"sum({providers('akash_provider_reclaiming_leases')})", "leases")], unit="none", width=3, height=5),
        Panel("stat", "Overdrawn leases", "Leases whose tenant's escrow ran dry (insufficient_funds): running unpaid.",
              [q(f"sum({providers('akash_provider_overdrawn_leases')})", "leases")], unit="none", width=3, height=5,
              thresholds=[(None, "green"), (1, "orange")]),
        Panel("stat", "Unwithdrawn", "Earned and settled but not yet withdrawn, over every open lease (hidden while a uakt part has no AKT price).",
              [q(f"sum({providers('akash_provider_unwithdrawn_usd')})", "USD")], unit="currencyUSD", width=6, height=5,
              decimals=2, no_value="unknown"),
    ] + chain_panels(), [
        Panel("timeseries", "Unwithdrawn by provider and denom", "Settled but not withdrawn, in whole tokens of the denom.",
              [q(f"{per('provider, denom', unwithdrawn)} / 1e6", "{{provider}} {{denom}}")], unit="none", width=12),
        Panel("timeseries", "Reclaiming and overdrawn leases by provider", "Leases being reclaimed, and leases running unpaid.",
              [q(providers("akash_provider_reclaiming_leases"), "{{provider}} reclaiming"),
               q(providers("akash_provider_overdrawn_leases"), "{{provider}} overdrawn")], unit="none", width=12),
    ]]


def provider_gateway_group() -> list[list[Panel]]:
    """The provider's gateway as tenants and the Console reach it: GET {host_uri}/status from where the exporter runs."""
    return [[
        Panel("stat", "Gateway reachable from outside",
              "GET {host_uri}/status from where the exporter runs answered 200 with the cluster status; "
              "AkashProviderGatewayUnreachable after 5 min down. No value: not probed (host_uri refused by the guard, "
              "see AkashProviderProbeRefused, or the probe is off).",
              [q(providers("akash_provider_probe_success"), "{{provider}}")], unit="none", width=6, height=5,
              mappings=UP_DOWN, thresholds=UP_STEPS, no_value="not probed"),
        Panel("stat", "Last gateway success", "Time since the gateway last answered its /status probe correctly (since the exporter started).",
              [q(f"time() - {providers('akash_provider_probe_last_success_timestamp_seconds')}", "{{provider}}")],
              unit="dtdurations", width=6, height=5, thresholds=[(None, "green"), (180, "orange"), (300, "red")]),
        Panel("stat", "Leases the gateway reports", "cluster.leases of the gateway's /status (the chain's count is Active leases).",
              [q(providers("akash_provider_status_leases"), "{{provider}}")], unit="none", width=6, height=5),
        Panel("stat", "Console online", "The Akash Console's latest check of the provider (isOnline); no value while it never checked it.",
              [q(providers("akash_provider_console_online"), "{{provider}}")], unit="none", width=6, height=5,
              mappings=ONLINE_OFFLINE, thresholds=UP_STEPS),
    ], [
        Panel("timeseries", "Gateway probe latency", "Seconds each /status probe took, to its answer or its failure (--akash.probe-timeout caps it).",
              [q(providers("akash_provider_probe_duration_seconds"), "{{provider}}")], unit="s",
              legend_calcs=["min", "max", "lastNotNull"]),
        Panel("timeseries", "Console uptime", "Share of the last 1, 7 and 30 days the Console saw the provider online; a long-dead provider can show 1d uptime 1 (its checks thin out), so read it with Console online.",
              [q(providers("akash_provider_uptime_ratio", "provider, window"), "{{provider}} {{window}}")],
              unit="percentunit", minimum=0, maximum=1, legend_calcs=["lastNotNull"]),
    ]]


@register("akash-provider.json")
def provider_dashboard() -> dict:
    # Providers come from the lease counts, which exist whether or not the revenue can be priced.
    return dashboard("akash-provider", "Akash / Provider",
                     "What the configured provider addresses earn per hour and per month, whether their gateway answers from outside, the GPUs they rent out by model, and their price per GPU-hour and open bids against the network median (Akash chain and Console).",
                     [provider_totals_group(), provider_states_group(), provider_gateway_group(), provider_prices_group()],
                     [label_variable("provider", "Provider", series("akash_provider_active_leases"), "provider")])


# ---------------------------------------------------------------------------------------------------------------
# Akash / Exporter health

def exporter_status_group() -> list[list[Panel]]:
    source = "source"
    credits_month = 'period="month"'
    return [[
        Panel("stat", "Exporter up", "Prometheus can scrape the exporter, per instance.",
              [q(series("up"), "{{instance}}")], unit="none", width=4, height=5, mappings=UP_DOWN,
              thresholds=[(None, "red"), (1, "green")]),
        Panel("stat", "Sources up", "Sources whose last poll succeeded, out of all sources.",
              [q(f"sum({per(source, series('akash_exporter_source_up'))})", "up"),
               q(f"count({per(source, series('akash_exporter_source_up'))})", "sources")],
              unit="none", width=4, height=5),
        Panel("stat", "Version", "akash_exporter_build_info: version and Swift version, per version running.",
              [q(per("version, swift_version", series("akash_exporter_build_info")),
                 "{{version}} (Swift {{swift_version}})")],
              width=4, height=5, text_mode="name"),
        Panel("stat", "CMC credits left this month", "Share of the key plan's monthly credits left (/v1/key/info, only with an API key); AkashCmcCreditsLow fires under 10 %.",
              [q(f"{one(series('akash_exporter_cmc_credits_remaining', credits_month))} / "
                 f"{one(series('akash_exporter_cmc_credits_limit', credits_month))}", "left")],
              unit="percentunit", width=4, height=5, decimals=1, thresholds=[(None, "red"), (0.1, "orange"), (0.25, "green")]),
        Panel("stat", "CMC credits projected / budget",
              "Credits a month at the current poll schedule, as a share of --cmc.monthly-credit-budget; the planner aims at 0.9.",
              [q(f"{one(series('akash_exporter_cmc_credits_projected_monthly'))} / "
                 f"{one(series('akash_exporter_cmc_credits_budget_monthly'))}", "projected")],
              unit="percentunit", width=4, height=5, thresholds=[(None, "green"), (0.95, "orange"), (1, "red")]),
        Panel("stat", "Uptime", "Time since each exporter process started.",
              [q(f"time() - {series('process_start_time_seconds')}", "{{instance}}")],
              unit="dtdurations", width=4, height=5),
    ], [
        table("Sources", "Per source: up, age of the last success against its poll interval, duration of the last poll.",
              [("source", "Source")], [
                  Column("Status", series("akash_exporter_source_up"), "none", mappings=UP_DOWN),
                  Column("Last success", f"time() - {series('akash_exporter_source_last_success_timestamp_seconds')}",
                         "dtdurations"),
                  Column("Interval", series("akash_exporter_source_interval_seconds"), "dtdurations"),
                  Column("Last poll", series("akash_exporter_source_duration_seconds"), "s", decimals=3),
              ], height=9),
    ]]


def exporter_activity_group() -> list[list[Panel]]:
    # Polls run every minute to every day: per-second rates over a few minutes are mostly zero, so hourly counts.
    # Requests and failures are summed over replicas: each replica's request really reached the upstream.
    return [[
        Panel("timeseries", "Last success age", "Time since each source last succeeded.",
              [q(per("source", f"time() - {series('akash_exporter_source_last_success_timestamp_seconds')}", how="min"),
                 "{{source}}")], unit="s"),
        Panel("timeseries", "Poll duration", "How long each source's last poll took.",
              [q(per("source", series("akash_exporter_source_duration_seconds")), "{{source}}")], unit="s"),
    ], [
        Panel("timeseries", "Upstream requests per hour", "Requests to each upstream source in the last hour, all selected instances together.",
              [q(per("source", f"increase({series('akash_exporter_source_requests_total')}[1h])", how="sum"), "{{source}}")],
              unit="none"),
        Panel("timeseries", "Failures per hour", "Failed polls in the last hour by source and reason (timeout, connection, http, rate_limited, auth, credits_exhausted, decode).",
              [q(per("source, reason", f"increase({series('akash_exporter_source_failures_total')}[1h])", how="sum"),
                 "{{source}} {{reason}}")], unit="none"),
    ], [
        Panel("timeseries", "Bytes per hour by source", "Response body bytes received from each upstream source in the last hour, as on the wire (compressed when compressed): what each source costs in bandwidth, all selected instances together.",
              [q(per("source", f"increase({series('akash_exporter_source_response_bytes_total')}[1h])", how="sum"), "{{source}}")],
              unit="bytes", width=24),
    ], [
        Panel("timeseries", "CoinMarketCap credits", "Credits spent (counter, kept across restarts), left today and this month, and projected a month.",
              [q(one(series("akash_exporter_cmc_credits_used_total")), "used"),
               q(per("period", series("akash_exporter_cmc_credits_remaining")), "left this {{period}}"),
               q(one(series("akash_exporter_cmc_credits_projected_monthly")), "projected a month")], width=12,
              legend_calcs=["lastNotNull"]),
        Panel("timeseries", "Exporter memory", "Resident memory of each exporter process.",
              [q(series("process_resident_memory_bytes"), "{{instance}}")], unit="bytes", width=6),
        Panel("timeseries", "Exporter CPU and file descriptors", "CPU seconds per second, and open file descriptors over the limit.",
              [q(f"rate({series('process_cpu_seconds_total')}[$__rate_interval])", "{{instance}} CPU"),
               q(f"{series('process_open_fds')} / {series('process_max_fds')}", "{{instance}} fds used")],
              unit="percentunit", width=6),
    ]]


@register("akash-exporter.json")
def health_dashboard() -> dict:
    return dashboard("akash-exporter", "Akash / Exporter health",
                     "Is the exporter scraped, is every upstream source polling, why do polls fail, and how many CoinMarketCap credits are left.",
                     [exporter_status_group(), exporter_activity_group()])


# ---------------------------------------------------------------------------------------------------------------
# Lint: the rules of the module docstring, on the rendered JSON (so hand edits of the files are caught too).

AGGREGATIONS = r"(sum|min|max|avg|count|group|stddev|stdvar|topk|bottomk|quantile|count_values)"
NAME_KEEPING_FUNCTIONS = {"label_replace", "label_join", "sort", "sort_desc", "last_over_time", "clamp",
                          "clamp_min", "clamp_max"}
SELECTOR = re.compile(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^}]*\})?(\s*\[[^\]]*\])?")
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
            "time", "vector", "scalar", *re.findall(r"\w+", AGGREGATIONS), "increase", "rate", "last_over_time",
            "label_values", "abs"}


def _top_level(expr: str) -> str:
    """`expr` with strings, {...} and [...] blanked and every parenthesised group replaced by `()`."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", expr)
    while True:
        reduced = re.sub(r"\([^()]*\)", "#", expr)
        if reduced == expr:
            return reduced
        expr = reduced


def _split_top(expr: str, operators: str) -> list[str] | None:
    """Splits on the first top-level binary operator of `operators` (a regex); None when there is none."""
    depth, i = 0, 0
    while i < len(expr):
        char = expr[i]
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        elif char == '"':
            i = expr.index('"', i + 1)
        elif depth == 0:
            match = re.match(operators, expr[i:])
            if match and i > 0:
                return [expr[:i], expr[i + match.end():]]
        i += 1
    return None


def keeps_metric_name(expr: str) -> bool:
    """Whether a query's result can carry `__name__` (so that a table merge keeps one row per query)."""
    expr = expr.strip()
    for operator, sides in ((r"\s(or)\s", (0, 1)), (r"\s(and|unless)\s", (0,)),
                            (r"\s*(==|!=|>=|<=|>|<)(?!\s*bool)\s*", (0,)), (r"\s*(\+|-|\*|/|%|\^)\s*", ())):
        parts = _split_top(expr, operator)
        if parts:
            return any(keeps_metric_name(re.sub(r"^\s*(on|ignoring)\s*\([^)]*\)\s*(group_\w+\s*(\([^)]*\))?)?", "", parts[side]))
                       for side in sides)
    if expr.startswith("("):
        return keeps_metric_name(expr[1:expr.rindex(")")])
    call = re.match(r"(\w+)\s*(?:(?:by|without)\s*\([^)]*\)\s*)?\(", expr)
    if call:
        if re.fullmatch(AGGREGATIONS, call.group(1)) or call.group(1) not in NAME_KEEPING_FUNCTIONS:
            return False
        return keeps_metric_name(expr[call.end():expr.rindex(")")].split(",")[0])
    return bool(re.match(r"[a-zA-Z_:]", expr))   # a selector; a number or a string has no name


def unscoped_selectors(expr: str) -> list[str]:
    """Series selectors that do not name both $job and $instance."""
    found = []
    text = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: m.group(0).replace("(", "").replace(")", ""), expr)
    for match in SELECTOR.finditer(text):
        name, matchers = match.group(1), match.group(2) or ""
        following = text[match.end():].lstrip()[:1]
        if name in KEYWORDS or following == "(" or name.isdigit():
            continue
        if name in ("job", "instance", "owner", "dseq", "source", "period", "state", "class", "version",
                    "swift_version", "gseq", "oseq", "provider", "rank", "cmc_id", "symbol", "vendor", "model",
                    "ram", "interface", "cloud", "reason", "denom", "stat", "window", "status", "level", "kind", "basis", "e", "h",
                    "m", "s", "d"):
            continue
        if 'job=~"$job"' not in matchers or 'instance=~"$instance"' not in matchers:
            found.append(name + matchers)
    return found


def lint(board: dict) -> list[str]:
    problems, where = [], board.get("uid", "?")
    names = [variable["name"] for variable in board["templating"]["list"]]
    for variable in ("job", "instance"):
        if variable not in names:
            problems.append(f"{where}: no ${variable} variable")
    for variable in board["templating"]["list"]:
        if variable["type"] == "query" and variable["name"] not in ("job", "instance"):
            selector = re.fullmatch(r"label_values\((.*),\s*\w+\)", variable["definition"]).group(1)
            problems += [f"{where}: variable {variable['name']} selects {s} without $job/$instance"
                         for s in unscoped_selectors(selector)]
    for panel in board["panels"]:
        label = f"{where} / {panel['title']}"
        for target in panel["targets"]:
            problems += [f"{label}: {s} without $job/$instance" for s in unscoped_selectors(target["expr"])]
            if panel["type"] != "timeseries" and not target.get("instant"):
                problems.append(f"{label}: {panel['type']} query {target['refId']} is a range query (freezes on its "
                                f"last value when the data goes)")
        if panel["type"] != "table":
            continue
        for target in panel["targets"]:
            if keeps_metric_name(target["expr"]):
                problems.append(f"{label}: merged table query {target['refId']} keeps __name__ "
                                f"(Grafana then shows one row per query): {target['expr']}")
        renames = next(t["options"]["renameByName"] for t in panel.get("transformations", []) if t["id"] == "organize")
        units = {o["matcher"]["options"]: p["value"] for o in panel["fieldConfig"]["overrides"]
                 for p in o["properties"] if p["id"] == "unit"}
        for target in panel["targets"]:
            column = renames.get(f"Value #{target['refId']}")
            if column is None:
                problems.append(f"{label}: query {target['refId']} has no column title")
            elif not units.get(column):
                problems.append(f"{label}: column {column!r} has no unit")
    return problems


def rendered() -> dict[str, str]:
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Build the Grafana dashboards of akash-cost-exporter.")
    parser.add_argument("--check", action="store_true",
                        help="only compare with the committed files and lint them; exit 1 on a difference or a problem")
    args = parser.parse_args(argv)
    stale, problems = [], []
    for name, text in rendered().items():
        path = DASHBOARD_DIR / name
        problems += lint(json.loads(text))
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if args.check:
        for path in sorted(DASHBOARD_DIR.glob("*.json")):
            if path.name not in DASHBOARDS:
                problems += lint(json.loads(path.read_text()))
    for problem in problems:
        print(f"dashboard rule broken: {problem}", file=sys.stderr)
    if stale:
        print(f"dashboards out of date, run python3 grafana/build_dashboards.py: {', '.join(stale)}", file=sys.stderr)
    return 1 if stale or problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
