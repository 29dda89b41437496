"""DIR/report.html: the KPIs as tables and inline-SVG plots; self-contained, opens offline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from landbridge.simulation import catalogue, svg
from landbridge.simulation.processes.hub import HOURS_PER_DAY
from landbridge.simulation.run import SimulationResult

GANTT_DAYS = 28.0  # a year of ship calls is an unreadable smear; the first four weeks show the pattern


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{escape(name)}</th><td>{escape(_fmt(value))}</td></tr>" for name, value in rows)
    return f"<table>{body}</table>"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _flatten(tree: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(tree, dict):
        rows: list[tuple[str, Any]] = []
        for key, value in tree.items():
            rows.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return rows
    if isinstance(tree, list):
        return []  # series are plotted, not tabulated
    return [(prefix, tree)]


def render_report(result: SimulationResult) -> str:
    """The report as one HTML string."""
    twin = result.twin
    kpis = result.kpis
    days = twin.days
    calibration = kpis["calibration"]
    targets = twin.scenario.calibration_targets
    calibration_rows = [
        ("rail TEU / year", f"{calibration['rail_teu_per_year']:,.0f} (target {targets.rail_teu_per_year:,.0f})"),
        (
            "trains / year",
            f"{calibration['trains_per_year']:,.0f} (target {targets.trains_per_year_min:,.0f}–"
            f"{targets.trains_per_year_max:,.0f})",
        ),
        ("west : east TEU", f"{calibration['west_east_teu_ratio']:.2f} (target {targets.west_east_teu_ratio:g})"),
        (
            "gate moves TEU / year",
            f"{calibration['gate_moves_teu_per_year']:,.0f} (target {targets.gate_moves_teu_per_year:,.0f})",
        ),
    ]
    yard = kpis["yard"]
    step_days = yard["sample_h"] / HOURS_PER_DAY
    xs = [index * step_days for index in range(len(yard["series_teu"]))]
    charts = [
        svg.line_chart(
            "Yard occupancy against capacity (share of ground slots)",
            xs,
            {
                "in use": yard["series_slot_share"],
                "working limit (drop-offs refused above)": [yard["working_limit_share"]] * len(xs),
                "all slots": [1.0] * len(xs),
            },
            "day",
            "share",
        ),
        svg.line_chart(
            "Yard occupancy",
            xs,
            {"TEU in yard": yard["series_teu"], "stacking capacity of full boxes": [yard["capacity_teu"]] * len(xs)},
            "day",
            "TEU",
        ),
        svg.bar_chart(
            "Refused TEU per day (gate drop-offs refused, sea boxes held at the quay)",
            list(range(len(yard["refused_teu_per_day"]))),
            {"refused TEU": yard["refused_teu_per_day"]},
            "day",
            "TEU",
        ),
        svg.gantt(
            f"Berths, first {GANTT_DAYS:g} days",
            sorted(twin.berth_cranes),
            [
                (
                    ship.berth,
                    ship.start_h / HOURS_PER_DAY,
                    ship.end_h / HOURS_PER_DAY,
                    f"call {ship.call_id}: {ship.port_moves} port moves, {len(ship.discharge)} base boxes off",
                )
                for ship in twin.records.ships
                if not math.isnan(ship.end_h)
            ],
            0.0,
            min(GANTT_DAYS, days),
            "day",
        ),
        _trains_per_week(result),
        *_dwell_histograms(result),
        *_border_charts(result),
    ]
    sections = "".join(f"<figure>{chart}</figure>" for chart in charts)
    grouped = _grouped_rows(_flatten(kpis))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>landbridge twin — {escape(twin.scenario.title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; max-width: 900px; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 2px 8px; text-align: left; font-size: 13px; }}
figure {{ margin: 1.5em 0; }}
details summary {{ cursor: pointer; }}
</style></head><body>
<h1>Digital twin: {escape(twin.scenario.title)}</h1>
<p>Scenario <code>{escape(twin.scenario.scenario)}</code>, seed {twin.streams.seed}, {days:g} simulated days
({kpis["run"]["events"]:,} events).</p>
<h2>Calibration</h2>{_table(calibration_rows)}
<h2>Plots</h2>{sections}
<h2>All KPIs by area</h2>{grouped}
</body></html>
"""


def _grouped_rows(rows: list[tuple[str, Any]]) -> str:
    """KPIs under their area, with a readable name, qualifiers and unit (``simulation.catalogue``)."""
    areas: dict[str, list[tuple[str, Any]]] = {}
    for key, value in rows:
        info = catalogue.describe(key)
        if info is None or isinstance(value, str):
            continue
        label = info.name + (f", {info.statistic}" if info.statistic else "")
        label += "".join(f" · {catalogue.context_label(word)}" for word in info.context)
        areas.setdefault(info.area, []).append((f"{label} ({info.unit})", value))
    return "".join(
        f"<details{' open' if area in ('Calibration', 'Trains', 'Demand', 'Border', 'Yard') else ''}>"
        f"<summary>{escape(area)}</summary>{_table(areas[area])}</details>"
        for area in catalogue.AREAS
        if area in areas
    )


def _trains_per_week(result: SimulationResult) -> str:
    weeks = math.ceil(result.twin.days / 7)
    counts = {"west": [0] * weeks, "east": [0] * weeks}
    for train in result.twin.records.trains:
        week = math.floor(train.base_h / (7 * HOURS_PER_DAY)) if not math.isnan(train.base_h) else -1
        if 0 <= week < weeks and train.base_h < result.twin.horizon_h:
            counts[train.direction][week] += 1
    return svg.bar_chart("Trains per week at the base", list(range(weeks)), dict(counts), "week", "trains")


def _dwell_histograms(result: SimulationResult) -> list[str]:
    by_category: dict[str, list[float]] = {}
    for box in result.twin.records.boxes:
        if box.yard_in_h is not None and box.yard_out_h is not None and 0 <= box.yard_out_h < result.twin.horizon_h:
            by_category.setdefault(box.category, []).append((box.yard_out_h - box.yard_in_h) / HOURS_PER_DAY)
    return [
        svg.histogram(f"Yard dwell: {category.replace('_', ' ')}", values, 30, "days")
        for category, values in sorted(by_category.items())
        if category != "direct"
    ]


def _border_charts(result: SimulationResult) -> list[str]:
    twin = result.twin
    charts = []
    step_days = twin.params.yard_sample_h / HOURS_PER_DAY
    for code in twin.crossings:
        series: dict[str, Sequence[float]] = {
            f"{direction}bound": [float(n) for n in twin.records.border_queue.get((code, direction), [])]
            for direction in ("west", "east")
        }
        xs = [index * step_days for index in range(max(len(values) for values in series.values()))]
        bands = sorted(
            {
                (begin / HOURS_PER_DAY, end / HOURS_PER_DAY)
                for lane in _lanes(twin, code)
                for begin, end in lane.closures
            }
        )
        charts.append(
            svg.line_chart(
                f"Border queue at {code}: trains waiting (all terminals)", xs, series, "day", "trains", bands
            )
        )
        points: dict[str, list[tuple[float, float]]] = {"west": [], "east": []}
        for train in twin.records.trains:
            if (
                train.crossing == code
                and not math.isnan(train.border_arrival_h)
                and not math.isnan(train.border_wait_h)
            ):
                day = train.border_arrival_h / HOURS_PER_DAY
                if 0 <= day < twin.days:
                    points[train.direction].append((day, train.border_wait_h))
        charts.append(
            svg.scatter(
                f"Border queue at {code}: wait of each of the base's trains",
                points,
                (0.0, twin.days),
                "day",
                "wait (h)",
                bands,
            )
        )
    return charts


def _lanes(twin: Any, code: str) -> list[Any]:
    return [lane for (lane_code, _), lane in twin.lanes.items() if lane_code == code]


def write_report(result: SimulationResult, path: Path) -> None:
    """Write the HTML report."""
    path.write_text(render_report(result), encoding="utf-8")
