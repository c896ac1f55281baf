#!/usr/bin/env python3
"""Builds grafana/dashboards/*.json, the four provisioned dashboards of akash-cost-exporter.

The dashboards are written here as short panel lists instead of by hand, so every panel gets the same datasource
reference, units and layout, and a change of convention is one edit. Run it after changing a panel:

    python3 grafana/build_dashboards.py            # rewrite the JSON files
    python3 grafana/build_dashboards.py --check    # exit 1 if the committed JSON differs (scripts/check_stack.sh)

Conventions (exporter-conventions.md §4.2): fixed dashboard uid, no __inputs, a `ds_prometheus` datasource
variable defaulting to the provisioned datasource uid `prometheus`, every panel and target on `${ds_prometheus}`,
schemaVersion 41 (Grafana 11.6, the image pinned in docker-compose.yml). Metric names are those of METRICS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboards"
SCHEMA_VERSION = 41
DATASOURCE = {"type": "prometheus", "uid": "${ds_prometheus}"}
JOB = 'job="akash-cost-exporter"'
HOURS_PER_MONTH = "730.488"  # 30.437 days, the month Akash's own tools use (akash-api.md §5)
GRID_WIDTH = 24


# ---------------------------------------------------------------------------------------------------------------
# Panel model: a panel is a kind, a title, queries and display options; layout is computed from rows of panels.

@dataclass
class Query:
    expr: str
    legend: str = ""
    instant: bool = False   # tables and "current value" bar gauges ask for the latest value only


@dataclass
class Panel:
    kind: str                      # timeseries | stat | gauge | bargauge | table
    title: str
    description: str
    queries: list[Query]
    unit: str = "short"
    width: int = 12
    height: int = 8
    decimals: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    thresholds: list[tuple[float | None, str]] = field(default_factory=lambda: [(None, "green")])
    mappings: list[dict] = field(default_factory=list)
    legend_calcs: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)   # table: "Value #A" -> column title
    color_by_thresholds: bool = False


def q(expr: str, legend: str = "", instant: bool = False) -> Query:
    return Query(" ".join(expr.split()), legend, instant)


def field_config(panel: Panel) -> dict:
    defaults: dict = {
        "unit": panel.unit,
        "thresholds": {"mode": "absolute",
                       "steps": [{"color": color, "value": value} for value, color in panel.thresholds]},
        "mappings": panel.mappings,
        "color": {"mode": "thresholds" if panel.color_by_thresholds or panel.kind in ("stat", "gauge")
                  else "palette-classic"},
    }
    for key, value in (("decimals", panel.decimals), ("min", panel.minimum), ("max", panel.maximum)):
        if value is not None:
            defaults[key] = value
    if panel.kind == "timeseries":
        defaults["custom"] = {"drawStyle": "line", "lineWidth": 1, "fillOpacity": 10, "showPoints": "never",
                              "spanNulls": False, "axisSoftMin": panel.minimum if panel.minimum is not None else None}
        defaults["custom"] = {k: v for k, v in defaults["custom"].items() if v is not None}
        if panel.color_by_thresholds:
            defaults["custom"]["thresholdsStyle"] = {"mode": "line"}
    return {"defaults": defaults, "overrides": []}


def options(panel: Panel) -> dict:
    last_value = {"calcs": ["lastNotNull"], "fields": "", "values": False}
    if panel.kind == "timeseries":
        return {"legend": {"displayMode": "table" if panel.legend_calcs else "list", "placement": "bottom",
                           "showLegend": True, "calcs": panel.legend_calcs},
                "tooltip": {"mode": "multi", "sort": "desc"}}
    if panel.kind == "stat":
        return {"reduceOptions": last_value, "colorMode": "value", "graphMode": "area", "textMode": "auto",
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


def target(query: Query, ref_id: str, table: bool) -> dict:
    result = {"refId": ref_id, "datasource": DATASOURCE, "expr": query.expr, "legendFormat": query.legend,
              "range": not query.instant, "instant": query.instant, "editorMode": "code"}
    if table:
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
        "targets": [target(query, ref, panel.kind == "table") for query, ref in zip(panel.queries, ref_ids)],
    }
    if panel.kind == "table":
        hidden = {name: True for name in ("Time", "__name__", "job", "instance")}
        rendered["transformations"] = [
            {"id": "merge", "options": {}},
            {"id": "organize", "options": {"excludeByName": hidden, "renameByName": panel.columns}},
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


def label_variable(name: str, label: str, metric: str, label_name: str) -> dict:
    """A multi-value variable over one label's values; panels select with label=~"$name"."""
    definition = f"label_values({metric}, {label_name})"
    return {"name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            "definition": definition, "query": {"query": definition, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "hide": 0, "includeAll": True, "allValue": ".*", "multi": True, "options": [],
            "refresh": 2, "regex": "", "sort": 1}


def dashboard(uid: str, title: str, description: str, rows: list[list[Panel]], variables: list[dict] = ()) -> dict:
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
                   "includeVars": False, "keepTime": True, "icon": "external link", "targetBlank": False,
                   "tooltip": "", "url": ""}],
        "templating": {"list": [datasource_variable(), *variables]},
        "panels": layout(rows),
    }


# ---------------------------------------------------------------------------------------------------------------
# The four dashboards

AKT = 'symbol="AKT"'
RED_BELOW_HALF = [(None, "red"), (50, "green")]
FAVORABLE = [{"type": "value", "options": {"0": {"text": "Unfavorable", "color": "red", "index": 0},
                                           "1": {"text": "Favorable", "color": "green", "index": 1}}}]


def market_dashboard() -> dict:
    return dashboard("akash-market", "Akash / AKT market",
                     "AKT price and signal score, crypto macro regime, momentum, sector and DePIN movers (CoinMarketCap).", [
        [
            Panel("stat", "AKT price", "Latest AKT price from CoinMarketCap quotes.",
                  [q(f"akash_market_price_usd{{{AKT}}}", "{{symbol}}")], unit="currencyUSD", width=4, height=5,
                  decimals=3),
            Panel("stat", "AKT 24h change", "AKT price change over 24 hours (CoinMarketCap percent_change_24h).",
                  [q(f'akash_market_price_change_ratio{{{AKT}, window="24h"}}', "24h")], unit="percentunit",
                  width=4, height=5, decimals=1, thresholds=[(None, "red"), (0, "green")]),
            Panel("stat", "AKT signal score", "The AKT score; it includes the 15-point penalty when the regime is unfavorable.",
                  [q("akash_akt_signal_score", "score")], width=4, height=5,
                  thresholds=[(None, "red"), (40, "orange"), (60, "green")]),
            Panel("gauge", "Fear & greed", "CoinMarketCap Fear & Greed index, 0 (extreme fear) to 100 (extreme greed).",
                  [q("akash_macro_fear_greed_index", "fear & greed")], width=4, height=5, minimum=0, maximum=100,
                  thresholds=RED_BELOW_HALF),
            Panel("gauge", "Altcoin season", "CoinMarketCap Altcoin Season index, 0 (bitcoin season) to 100 (altcoin season).",
                  [q("akash_macro_altcoin_season_index", "altcoin season")], width=4, height=5, minimum=0,
                  maximum=100, thresholds=RED_BELOW_HALF),
            Panel("stat", "Macro regime", "Favorable when fear & greed > 50 and altcoin season >= 50.",
                  [q("akash_macro_regime_favorable", "regime")], width=4, height=5, mappings=FAVORABLE,
                  thresholds=[(None, "red"), (1, "green")]),
        ],
        [
            Panel("timeseries", "AKT price", "AKT price in USD at each quote.",
                  [q(f"akash_market_price_usd{{{AKT}}}", "price")], unit="currencyUSD", legend_calcs=["min", "max", "lastNotNull"]),
            Panel("timeseries", "Score and macro indices", "The AKT score next to the two indices that set the regime.",
                  [q("akash_akt_signal_score", "AKT score"), q("akash_macro_fear_greed_index", "fear & greed"),
                   q("akash_macro_altcoin_season_index", "altcoin season")], legend_calcs=["lastNotNull"]),
        ],
        [
            Panel("timeseries", "AKT momentum", "Price and 24h-volume change between the last two AKT quotes.",
                  [q("akash_akt_momentum_price_change_ratio", "price"),
                   q("akash_akt_momentum_volume_change_ratio", "24h volume")], unit="percentunit", width=9),
            Panel("stat", "Accelerating", "1 when the last AKT quote is above the one before.",
                  [q("akash_akt_momentum_accelerating", "accelerating")], width=3,
                  mappings=[{"type": "value", "options": {"0": {"text": "No", "color": "orange", "index": 0},
                                                          "1": {"text": "Yes", "color": "green", "index": 1}}}],
                  thresholds=[(None, "orange"), (1, "green")]),
            Panel("timeseries", "AKT volume and market cap", "AKT 24h traded volume and market capitalisation.",
                  [q(f"akash_market_volume_24h_usd{{{AKT}}}", "24h volume"),
                   q(f"akash_market_cap_usd{{{AKT}}}", "market cap"),
                   q(f"akash_market_fully_diluted_cap_usd{{{AKT}}}", "fully diluted cap")], unit="currencyUSD"),
        ],
        [
            Panel("bargauge", "Sector 24h change", "24h price change of every tracked sector asset.",
                  [q('akash_market_price_change_ratio{window="24h"}', "{{symbol}}", instant=True)],
                  unit="percentunit", decimals=1, thresholds=[(None, "red"), (0, "green")], color_by_thresholds=True),
            Panel("table", "Sector", "Tracked assets: price, changes, market cap, market pairs and rank in the sector (1 = strongest 24h change).",
                  [q("akash_market_price_usd", instant=True),
                   q('max without (window) (akash_market_price_change_ratio{window="7d"})', instant=True),
                   q("akash_market_cap_usd", instant=True),
                   q("akash_market_pairs", instant=True),
                   q("akash_market_sector_rank", instant=True)],
                  columns={"Value #A": "Price (USD)", "Value #B": "7d change", "Value #C": "Market cap (USD)",
                           "Value #D": "Market pairs", "Value #E": "Sector rank"}),
        ],
        [
            Panel("bargauge", "DePIN trending", "24h change of the top 10 DePIN assets by volume.",
                  [q("akash_depin_trending_price_change_ratio", "{{rank}}. {{symbol}}", instant=True)],
                  unit="percentunit", decimals=1, width=16, height=9, thresholds=[(None, "red"), (0, "green")],
                  color_by_thresholds=True),
            Panel("stat", "DePIN assets listed", "Assets in the latest listings matching the DePIN tags or the sector.",
                  [q("akash_depin_listed_assets", "assets")], width=4, height=9),
            Panel("stat", "Quote age", "Time since CoinMarketCap last updated the AKT quote.",
                  [q(f"time() - akash_market_quote_updated_timestamp_seconds{{{AKT}}}", "age")], unit="s",
                  width=4, height=9, thresholds=[(None, "green"), (3600, "orange"), (3 * 3600, "red")]),
        ],
    ])


GPU = 'model=~"$gpu_model"'
GPU_LEGEND = "{{vendor}} {{model}} {{ram}} {{interface}}"


def utilisation(resource: str) -> str:
    return f'{resource}{{state="active"}} / ignoring(state) {resource}{{state="total"}}'


def gpu_price(stat: str) -> str:
    """One price statistic without its stat label, so a table can merge the statistics into one row per model."""
    return f'max without (stat) (akash_gpu_bid_price_usd_per_hour{{stat="{stat}", {GPU}}})'


def compute_dashboard() -> dict:
    utilisation_steps = [(None, "green"), (0.7, "orange"), (0.9, "red")]
    return dashboard("akash-compute", "Akash / Compute prices",
                     "Bid prices per GPU model (USD per GPU-hour, last 31 days of bids), GPU and provider supply, network capacity (Akash Console API).", [
        [
            Panel("timeseries", "Median bid price per GPU model", "Median of the best bid per provider, USD per GPU-hour.",
                  [q(f'akash_gpu_bid_price_usd_per_hour{{stat="median", {GPU}}}', GPU_LEGEND)],
                  unit="currencyUSD", width=14, height=9, legend_calcs=["min", "max", "lastNotNull"]),
            Panel("table", "Current bid prices", "USD per GPU-hour: lowest, median, volume-weighted mean and highest bid.",
                  [q(gpu_price(stat), instant=True) for stat in ("min", "median", "weighted_mean", "max")],
                  unit="currencyUSD", width=10, height=9,
                  columns={"Value #A": "Min", "Value #B": "Median", "Value #C": "Weighted mean", "Value #D": "Max"}),
        ],
        [
            Panel("timeseries", "Bid price range per GPU model", "Lowest and highest bid per model over time.",
                  [q(f'akash_gpu_bid_price_usd_per_hour{{stat="min", {GPU}}}', GPU_LEGEND + " min"),
                   q(f'akash_gpu_bid_price_usd_per_hour{{stat="max", {GPU}}}', GPU_LEGEND + " max")],
                  unit="currencyUSD", width=24),
        ],
        [
            Panel("bargauge", "GPUs per model", "Available and total GPUs of each model.",
                  [q(f'akash_gpus{{state="available", {GPU}}}', GPU_LEGEND + " available", instant=True),
                   q(f'akash_gpus{{state="total", {GPU}}}', GPU_LEGEND + " total", instant=True)], width=12, height=9),
            Panel("bargauge", "Providers per model", "Providers offering each model, and those with one available.",
                  [q(f'akash_gpu_providers{{state="available", {GPU}}}', GPU_LEGEND + " available", instant=True),
                   q(f'akash_gpu_providers{{state="total", {GPU}}}', GPU_LEGEND + " total", instant=True)], width=12, height=9),
        ],
        [
            Panel("gauge", "GPU utilisation", "Leased GPUs over all GPUs on the network.",
                  [q(utilisation("akash_network_gpus"), "GPU")], unit="percentunit", width=6, height=6, minimum=0,
                  maximum=1, thresholds=utilisation_steps),
            Panel("gauge", "CPU utilisation", "Leased CPU over all CPU on the network.",
                  [q(utilisation("akash_network_cpu_cores"), "CPU")], unit="percentunit", width=6, height=6,
                  minimum=0, maximum=1, thresholds=utilisation_steps),
            Panel("gauge", "Memory utilisation", "Leased memory over all memory on the network.",
                  [q(utilisation("akash_network_memory_bytes"), "memory")], unit="percentunit", width=6, height=6,
                  minimum=0, maximum=1, thresholds=utilisation_steps),
            Panel("gauge", "Storage utilisation", "Leased storage over all storage, per class.",
                  [q(utilisation("akash_network_storage_bytes"), "{{class}}")], unit="percentunit", width=6,
                  height=6, minimum=0, maximum=1, thresholds=utilisation_steps),
        ],
        [
            Panel("timeseries", "Network GPUs", "GPUs on the network by state.",
                  [q("akash_network_gpus", "{{state}}")], width=8),
            Panel("timeseries", "Network CPU cores", "CPU cores on the network by state.",
                  [q("akash_network_cpu_cores", "{{state}}")], width=8),
            Panel("timeseries", "Network memory", "Memory on the network by state.",
                  [q("akash_network_memory_bytes", "{{state}}")], unit="bytes", width=8),
        ],
        [
            Panel("timeseries", "Network storage", "Storage on the network by class and state.",
                  [q("akash_network_storage_bytes", "{{class}} {{state}}")], unit="bytes"),
            Panel("timeseries", "Providers", "Registered, online, audited and active providers.",
                  [q("akash_providers", "{{state}}")], legend_calcs=["lastNotNull"]),
        ],
    ], [label_variable("gpu_model", "GPU model", "akash_gpu_bid_price_usd_per_hour", "model")])


OWNER = 'owner=~"$owner"'
RUNWAY_STEPS = [(None, "red"), (24 * 3600, "orange"), (72 * 3600, "green")]


def account_dashboard() -> dict:
    return dashboard("akash-account", "Akash / Account costs",
                     "What the configured owner addresses spend per hour and per month, by deployment and lease, and how long their escrow lasts (Akash chain).", [
        [
            Panel("stat", "Spend per hour", "Sum of the price of every active lease.",
                  [q(f"sum(akash_account_spend_usd_per_hour{{{OWNER}}})", "USD/h")], unit="currencyUSD", width=6,
                  height=5, decimals=3),
            Panel("stat", "Spend per month", f"Spend per hour x {HOURS_PER_MONTH} hours (30.437 days).",
                  [q(f"sum(akash_account_spend_usd_per_hour{{{OWNER}}}) * {HOURS_PER_MONTH}", "USD/month")],
                  unit="currencyUSD", width=6, height=5, decimals=2),
            Panel("stat", "Active leases", "Active leases of the selected owners.",
                  [q(f"sum(akash_account_active_leases{{{OWNER}}})", "leases")], width=6, height=5),
            Panel("stat", "Shortest escrow runway", "The deployment whose escrow runs dry first; alerts fire under 72h and 24h.",
                  [q(f"min(akash_deployment_escrow_runway_seconds{{{OWNER}}})", "runway")], unit="s", width=6,
                  height=5, thresholds=RUNWAY_STEPS),
        ],
        [
            Panel("timeseries", "Spend per hour by owner", "USD per hour of each owner's active leases.",
                  [q(f"akash_account_spend_usd_per_hour{{{OWNER}}}", "{{owner}}")], unit="currencyUSD",
                  legend_calcs=["lastNotNull"]),
            Panel("timeseries", "Spend per month by owner", f"USD per month at the current rate ({HOURS_PER_MONTH} h).",
                  [q(f"akash_account_spend_usd_per_hour{{{OWNER}}} * {HOURS_PER_MONTH}", "{{owner}}")],
                  unit="currencyUSD", legend_calcs=["lastNotNull"]),
        ],
        [
            Panel("table", "Deployments", "Per deployment: spend, escrow left and runway at the current rate.",
                  [q(f"akash_deployment_spend_usd_per_hour{{{OWNER}}}", instant=True),
                   q(f"akash_deployment_spend_usd_per_hour{{{OWNER}}} * {HOURS_PER_MONTH}", instant=True),
                   q(f"akash_deployment_escrow_balance_usd{{{OWNER}}}", instant=True),
                   q(f"akash_deployment_escrow_runway_seconds{{{OWNER}}}", instant=True)],
                  width=24, height=7,
                  columns={"Value #A": "USD/hour", "Value #B": "USD/month", "Value #C": "Escrow left (USD)",
                           "Value #D": "Runway (s)"}),
        ],
        [
            Panel("timeseries", "Spend per hour by deployment", "USD per hour of each deployment's active leases.",
                  [q(f"akash_deployment_spend_usd_per_hour{{{OWNER}}}", "{{dseq}}")], unit="currencyUSD", width=8),
            Panel("timeseries", "Escrow balance", "Escrow left per deployment, after unsettled spend.",
                  [q(f"akash_deployment_escrow_balance_usd{{{OWNER}}}", "{{dseq}}")], unit="currencyUSD", width=8),
            Panel("timeseries", "Escrow runway", "Time until each deployment's escrow runs dry; lines at 24h and 72h.",
                  [q(f"akash_deployment_escrow_runway_seconds{{{OWNER}}}", "{{dseq}}")], unit="s", width=8,
                  thresholds=RUNWAY_STEPS, color_by_thresholds=True),
        ],
        [
            Panel("table", "Leases", "Every active lease and its price.",
                  [q(f"akash_lease_price_usd_per_hour{{{OWNER}}}", instant=True),
                   q(f"akash_lease_price_usd_per_hour{{{OWNER}}} * {HOURS_PER_MONTH}", instant=True)],
                  width=24, height=8, columns={"Value #A": "USD/hour", "Value #B": "USD/month"}),
        ],
    ], [label_variable("owner", "Owner", "akash_account_spend_usd_per_hour", "owner")])


def health_dashboard() -> dict:
    return dashboard("akash-exporter", "Akash / Exporter health",
                     "Is the exporter scraped, is every upstream source polling, why do polls fail, and how many CoinMarketCap credits are left.", [
        [
            Panel("stat", "Exporter up", "Prometheus can scrape the exporter.",
                  [q(f"up{{{JOB}}}", "{{instance}}")], width=4, height=5,
                  mappings=[{"type": "value", "options": {"0": {"text": "Down", "color": "red", "index": 0},
                                                          "1": {"text": "Up", "color": "green", "index": 1}}}],
                  thresholds=[(None, "red"), (1, "green")]),
            Panel("stat", "Sources up", "Sources whose last poll succeeded, out of all sources.",
                  [q("sum(akash_exporter_source_up)", "up"), q("count(akash_exporter_source_up)", "sources")],
                  width=4, height=5),
            Panel("stat", "Version", "akash_exporter_build_info.",
                  [q("akash_exporter_build_info", "{{version}} (Swift {{swift_version}})", instant=True)],
                  width=4, height=5),
            Panel("stat", "CMC credits left this month", "From /v1/key/info (only with an API key).",
                  [q('akash_exporter_cmc_credits_remaining{period="month"}', "month")], width=4, height=5,
                  thresholds=[(None, "red"), (1000, "green")]),
            Panel("stat", "CMC credits projected / budget",
                  "Credits a month at the current poll schedule, as a share of --cmc.monthly-credit-budget.",
                  [q("akash_exporter_cmc_credits_projected_monthly / akash_exporter_cmc_credits_budget_monthly", "projected")],
                  unit="percentunit", width=4, height=5,
                  thresholds=[(None, "green"), (0.9, "orange"), (1, "red")]),
            Panel("stat", "Uptime", "Time since the exporter process started.",
                  [q(f"time() - process_start_time_seconds{{{JOB}}}", "uptime")], unit="s", width=4, height=5),
        ],
        [
            Panel("table", "Sources", "Per source: up, age of the last success and duration of the last poll.",
                  [q("akash_exporter_source_up", instant=True),
                   q("time() - akash_exporter_source_last_success_timestamp_seconds", instant=True),
                   q("akash_exporter_source_duration_seconds", instant=True)],
                  width=24, height=9,
                  columns={"Value #A": "Up", "Value #B": "Last success (s ago)", "Value #C": "Last poll (s)"}),
        ],
        [
            Panel("timeseries", "Last success age", "Seconds since each source last succeeded.",
                  [q("time() - akash_exporter_source_last_success_timestamp_seconds", "{{source}}")], unit="s"),
            Panel("timeseries", "Poll duration", "How long each source's last poll took.",
                  [q("akash_exporter_source_duration_seconds", "{{source}}")], unit="s"),
        ],
        [
            Panel("timeseries", "Upstream requests", "Requests per second to each upstream source.",
                  [q("sum by (source) (rate(akash_exporter_source_requests_total[$__rate_interval]))", "{{source}}")],
                  unit="reqps"),
            Panel("timeseries", "Failures by reason", "Failed requests per second by source and reason (timeout, connection, http, rate_limited, auth, credits_exhausted, decode).",
                  [q("sum by (source, reason) (rate(akash_exporter_source_failures_total[$__rate_interval]))",
                     "{{source}} {{reason}}")], unit="reqps"),
        ],
        [
            Panel("timeseries", "CoinMarketCap credits", "Credits spent (counter, kept across restarts), left today and this month, and projected a month.",
                  [q("akash_exporter_cmc_credits_used_total", "used"),
                   q("akash_exporter_cmc_credits_remaining", "left this {{period}}"),
                   q("akash_exporter_cmc_credits_projected_monthly", "projected a month")], width=12,
                  legend_calcs=["lastNotNull"]),
            Panel("timeseries", "Exporter memory", "Resident memory of the exporter process.",
                  [q(f"process_resident_memory_bytes{{{JOB}}}", "resident memory")], unit="bytes", width=6),
            Panel("timeseries", "Exporter CPU and file descriptors", "CPU seconds per second, and open file descriptors over the limit.",
                  [q(f"rate(process_cpu_seconds_total{{{JOB}}}[$__rate_interval])", "CPU"),
                   q(f"process_open_fds{{{JOB}}} / process_max_fds{{{JOB}}}", "fds used")], unit="percentunit",
                  width=6),
        ],
    ])


DASHBOARDS = {
    "akash-market.json": market_dashboard,
    "akash-compute.json": compute_dashboard,
    "akash-account.json": account_dashboard,
    "akash-exporter.json": health_dashboard,
}


def rendered() -> dict[str, str]:
    return {name: json.dumps(build(), indent=2) + "\n" for name, build in DASHBOARDS.items()}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Build the Grafana dashboards of akash-cost-exporter.")
    parser.add_argument("--check", action="store_true", help="only compare with the committed files; exit 1 on a difference")
    args = parser.parse_args(argv)
    stale = []
    for name, text in rendered().items():
        path = DASHBOARD_DIR / name
        if args.check:
            if not path.is_file() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        print(f"dashboards out of date, run python3 grafana/build_dashboards.py: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
