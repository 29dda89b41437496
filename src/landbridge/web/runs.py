"""Twin runs on disk: every folder holding a ``kpis.json`` written by ``landbridge simulate --out DIR``.

The dashboard reads the files as they are (no database) so any run a planner made on a laptop can be
dropped into the runs folder and compared with another.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

KPI_FILE = "kpis.json"
# The rows the KPI table shows first, in this order; everything else numeric follows.
HEADLINE = (
    "teu.rail.total",
    "teu.rail.west",
    "teu.rail.east",
    "trains.total",
    "trains.west",
    "trains.east",
    "ship_calls.container",
    "ship_calls.grain",
    "teu.gate.total",
    "yard.peak_share_of_capacity",
    "yard.occupancy_teu.mean",
    "trains.departure_delay_h.mean",
    "trains.transit_days_west.p50",
    "grain.received_t",
    "grain.shipped_t",
    "late_boxes",
)


@dataclass(frozen=True)
class Run:
    """One run folder and its KPIs."""

    name: str
    kpis: dict[str, Any]

    def flat(self) -> dict[str, float | int | str | bool | None]:
        """Every scalar KPI by dotted path (series are plotted, not tabulated)."""
        out: dict[str, float | int | str | bool | None] = {}

        def walk(tree: Any, prefix: str) -> None:
            if isinstance(tree, dict):
                for key, value in tree.items():
                    walk(value, f"{prefix}.{key}" if prefix else str(key))
            elif not isinstance(tree, list):
                out[prefix] = tree

        walk(self.kpis, "")
        return out


def runs_dir(configured: str | os.PathLike[str] | None) -> Path:
    """Where the runs live: the app's setting, else ``LANDBRIDGE_RUNS_DIR``, else ./runs."""
    return Path(configured or os.environ.get("LANDBRIDGE_RUNS_DIR", "runs"))


def list_runs(root: Path) -> list[str]:
    """Names (relative folder paths) of the runs under ``root``, sorted."""
    if not root.is_dir():
        return []
    return sorted(
        str(path.parent.relative_to(root))
        for path in root.glob(f"**/{KPI_FILE}")
        if len(path.relative_to(root).parts) <= 3
    )


def load_run(root: Path, name: str) -> Run | None:
    """One run by name; None when missing, outside the root, or unreadable."""
    folder = (root / name).resolve()
    if root.resolve() not in (folder, *folder.parents):
        return None  # a crafted name must not read files outside the runs folder
    try:
        data = json.loads((folder / KPI_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return Run(name, data) if isinstance(data, dict) else None


def table(a: Run, b: Run | None) -> list[tuple[str, Any, Any]]:
    """KPI rows (path, value in A, value in B): headline rows first, then the rest alphabetically."""
    flat_a = a.flat()
    flat_b = b.flat() if b else {}
    keys = [k for k in HEADLINE if k in flat_a] + sorted(k for k in flat_a if k not in HEADLINE)
    return [(k, flat_a.get(k), flat_b.get(k)) for k in keys if not isinstance(flat_a.get(k), str)]


def series(run: Run) -> dict[str, Any]:
    """The plotted series of a run: yard TEU over time and trains per week."""
    yard = run.kpis.get("yard", {})
    step_days = float(yard.get("sample_h", 24)) / 24
    teu = yard.get("series_teu", [])
    return {
        "name": run.name,
        "yard_days": [round(i * step_days, 3) for i in range(len(teu))],
        "yard_teu": teu,
        "trains_per_week": run.kpis.get("trains", {}).get("per_week", []),
        "border": {
            code: {d: v.get("wait_h", {}).get("mean", 0) for d, v in sides.items()}
            for code, sides in run.kpis.get("border", {}).items()
        },
    }
