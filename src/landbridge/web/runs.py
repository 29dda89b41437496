"""Twin runs on disk, compared the way a planner reads them.

A run is a folder holding ``kpis.json`` (``landbridge simulate --out DIR``) or ``sweep.json``
(``landbridge sweep --out DIR``: each KPI's mean and 95 % confidence half-width, and with
``--compare-…`` the compared variant and the paired difference). The dashboard reads the files as
they are (no database), so any run a planner made on a laptop can be dropped into the runs folder.

The comparison groups KPIs by area with names and units from ``simulation.catalogue`` (translated
by the page), shows by default only what changed — for sweeps, what changed by more than the
confidence interval of the difference — and the change in units and per cent.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landbridge.simulation.catalogue import AREAS, context_label, describe

KPI_FILE = "kpis.json"
SWEEP_FILE = "sweep.json"
# The rows shown first in their area, in this order, and shown even when they did not change.
HEADLINE = (
    "teu.rail.total",
    "teu.rail.west",
    "teu.rail.east",
    "trains.total",
    "trains.west",
    "trains.east",
    "trains.departure_delay_h.mean",
    "trains.cancelled_total",
    "trains.rerouted",
    "demand.unmet_teu",
    "demand.teu_left_behind",
    "yard.ground_slot_share.max",
    "yard.refused_teu",
    "teu.gate.total",
)


@dataclass(frozen=True)
class Run:
    """One run folder: a single replication's KPI tree, or a sweep's estimates."""

    name: str
    kpis: dict[str, Any]
    kind: str = "run"  # "run" | "sweep"
    # sweeps: key -> (mean, 95 % half-width)
    estimates: dict[str, tuple[float, float | None]] = field(default_factory=dict)
    paired: dict[str, tuple[float, float | None]] = field(default_factory=dict)

    def flat(self) -> dict[str, float | int | str | bool | None]:
        """Every scalar KPI by dotted path (series are plotted, not tabulated)."""
        if self.kind == "sweep":
            return {key: mean for key, (mean, _) in self.estimates.items()}
        out: dict[str, float | int | str | bool | None] = {}

        def walk(tree: Any, prefix: str) -> None:
            if isinstance(tree, dict):
                for key, value in tree.items():
                    walk(value, f"{prefix}.{key}" if prefix else str(key))
            elif not isinstance(tree, list):
                out[prefix] = tree

        walk(self.kpis, "")
        return out

    def half_width(self, key: str) -> float | None:
        """The 95 % half-width of a sweep's KPI (None for a single run)."""
        return self.estimates.get(key, (0.0, None))[1]

    @property
    def seeds(self) -> int:
        """Replications behind a sweep (1 for a single run)."""
        return len(self.kpis.get("seeds", [])) if self.kind == "sweep" else 1


def runs_dir(configured: str | os.PathLike[str] | None) -> Path:
    """Where the runs live: the app's setting, else ``LANDBRIDGE_RUNS_DIR``, else ./runs."""
    return Path(configured or os.environ.get("LANDBRIDGE_RUNS_DIR", "runs"))


def list_runs(root: Path) -> list[str]:
    """Names (relative folder paths) of the runs under ``root``, sorted."""
    if not root.is_dir():
        return []
    found = {
        str(path.parent.relative_to(root))
        for pattern in (f"**/{KPI_FILE}", f"**/{SWEEP_FILE}")
        for path in root.glob(pattern)
        if len(path.relative_to(root).parts) <= 3
    }
    return sorted(found)


def _estimates(tree: Any) -> dict[str, tuple[float, float | None]]:
    out: dict[str, tuple[float, float | None]] = {}
    if isinstance(tree, dict):
        for key, value in tree.items():
            if isinstance(value, dict) and isinstance(value.get("mean"), int | float):
                half = value.get("ci95_half_width")
                out[str(key)] = (float(value["mean"]), float(half) if isinstance(half, int | float) else None)
    return out


def load_run(root: Path, name: str) -> Run | None:
    """One run by name; None when missing, outside the root, or unreadable."""
    folder = (root / name).resolve()
    if root.resolve() not in (folder, *folder.parents):
        return None  # a crafted name must not read files outside the runs folder
    for file_name in (KPI_FILE, SWEEP_FILE):
        try:
            data = json.loads((folder / file_name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            return None
        if file_name == KPI_FILE:
            return Run(name, data)
        return Run(
            name,
            data,
            "sweep",
            _estimates(data.get("base")),
            _estimates(data.get("difference_compare_minus_base")),
        )
    return None


def compared_variant(run: Run) -> Run | None:
    """The second variant inside a comparison sweep (``--compare-…``), as a run of its own."""
    if run.kind != "sweep" or "compare" not in run.kpis:
        return None
    return Run(f"{run.name} (compare)", run.kpis, "sweep", _estimates(run.kpis["compare"]))


@dataclass(frozen=True)
class Row:
    """One KPI in the comparison."""

    key: str
    area: str
    name: str
    context: tuple[str, ...]
    statistic: str | None
    unit: str
    a: float | int | bool | None
    b: float | int | bool | None
    a_half: float | None = None
    b_half: float | None = None
    change: float | None = None
    change_pct: float | None = None
    change_half: float | None = None
    changed: bool = False
    better: bool | None = None  # for KPIs where lower is better: did it get better? None otherwise


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def comparison(a: Run, b: Run | None, show_all: bool = False) -> list[tuple[str, list[Row]]]:
    """KPI rows grouped by area (catalogue order); with B, only what changed unless ``show_all``."""
    flat_a = a.flat()
    flat_b = b.flat() if b else {}
    paired = a.paired if b is not None and b.name == f"{a.name} (compare)" else {}
    order = {key: index for index, key in enumerate(HEADLINE)}
    groups: dict[str, list[Row]] = {}
    for key in sorted(flat_a, key=lambda k: (order.get(k, len(order)), k)):
        info = describe(key)
        value_a = flat_a.get(key)
        if info is None or isinstance(value_a, str):
            continue
        value_b = flat_b.get(key) if b else None
        number_a, number_b = _number(value_a), _number(value_b)
        change = change_pct = change_half = None
        changed = False
        better = None
        if b is not None and number_a is not None and number_b is not None:
            change = number_b - number_a
            change_pct = change / abs(number_a) * 100 if number_a else None
            if key in paired:
                change, change_half = paired[key]
            elif a.kind == "sweep" and b.kind == "sweep":
                half_a, half_b = a.half_width(key), b.half_width(key)
                if half_a is not None and half_b is not None:
                    change_half = math.hypot(half_a, half_b)
            changed = abs(change) > (change_half if change_half is not None else 1e-9 * max(1.0, abs(number_a)))
            if changed and info.lower_is_better:  # waits, delays, refusals: lower is better
                better = change < 0
        if b is not None and not show_all and not changed and key not in order:
            continue  # the headline rows stay, changed or not: they are what a planner looks for first
        groups.setdefault(info.area, []).append(
            Row(
                key,
                info.area,
                info.name,
                tuple(context_label(word) for word in info.context),
                info.statistic,
                info.unit,
                value_a if not isinstance(value_a, str) else None,
                value_b if not isinstance(value_b, str) else None,
                a.half_width(key),
                b.half_width(key) if b else None,
                change,
                change_pct,
                change_half,
                changed,
                better,
            )
        )
    return [(area, groups[area]) for area in AREAS if area in groups]


def table(a: Run, b: Run | None) -> list[tuple[str, Any, Any]]:
    """KPI rows (path, value in A, value in B), headline rows first (kept for scripts and tests)."""
    flat_a = a.flat()
    flat_b = b.flat() if b else {}
    keys = [k for k in HEADLINE if k in flat_a] + sorted(k for k in flat_a if k not in HEADLINE)
    return [(k, flat_a.get(k), flat_b.get(k)) for k in keys if not isinstance(flat_a.get(k), str)]


def series(run: Run) -> dict[str, Any]:
    """The plotted series of a single run (a sweep has none): yard, refused TEU, border queues, trains."""
    yard = run.kpis.get("yard", {}) if run.kind == "run" else {}
    step_days = float(yard.get("sample_h", 24)) / 24
    teu = yard.get("series_teu", [])
    share = yard.get("series_slot_share", [])
    border = run.kpis.get("border", {}) if run.kind == "run" else {}
    return {
        "name": run.name,
        "yard_days": [round(i * step_days, 3) for i in range(max(len(teu), len(share)))],
        "yard_teu": teu,
        "yard_share": share,
        "yard_limit": yard.get("working_limit_share"),
        "refused_per_day": yard.get("refused_teu_per_day", []),
        "trains_per_week": run.kpis.get("trains", {}).get("per_week", []) if run.kind == "run" else [],
        "border": {
            code: {d: v.get("wait_h", {}).get("mean", 0) for d, v in sides.items() if isinstance(v, dict)}
            for code, sides in border.items()
            if isinstance(sides, dict)
        },
        "border_queues": {
            f"{code} {direction}": side.get("series_queue_trains", [])
            for code, sides in border.items()
            if isinstance(sides, dict)
            for direction, side in sides.items()
            if isinstance(side, dict) and side.get("series_queue_trains")
        },
    }
