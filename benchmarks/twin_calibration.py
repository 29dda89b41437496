"""The default scenario against its published figures, with every mechanism of the twin switched on.

    .venv/bin/python benchmarks/twin_calibration.py [--seeds 10] [--days 365] [--workers 1]

Prints mean ± 95 % CI over the seeds of rail TEU, trains, west:east and gate TEU a year, the
published figure and the deviation, and writes ``benchmarks/results/twin_calibration.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from landbridge.scenarios import load_scenario
from landbridge.simulation.sweep import Variant, run_sweep

RESULTS = Path(__file__).parent / "results" / "twin_calibration.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    scenario = load_scenario()
    targets = scenario.calibration_targets
    started = time.perf_counter()
    result = run_sweep(Variant(scenario), list(range(1, args.seeds + 1)), args.days, workers=args.workers)
    wall_s = time.perf_counter() - started
    trains_mid = (targets.trains_per_year_min + targets.trains_per_year_max) / 2
    rows = [
        ("rail TEU / year", "calibration.rail_teu_per_year", targets.rail_teu_per_year, "B13"),
        ("trains / year", "calibration.trains_per_year", targets.trains_per_year_min, "B13 at 100 TEU/train (T1)"),
        ("west : east TEU", "calibration.west_east_teu_ratio", targets.west_east_teu_ratio, "B16"),
        ("gate moves TEU / year", "calibration.gate_moves_teu_per_year", targets.gate_moves_teu_per_year, "B18"),
    ]
    table = Table(title=f"default scenario, {args.seeds} seeds × {args.days:g} days (mean ± 95% CI)")
    for column in ("figure", "twin", "published", "deviation", "within ±10%"):
        table.add_column(column, justify="right")
    out: dict[str, object] = {"seeds": args.seeds, "days": args.days, "wall_s": wall_s, "figures": {}}
    figures: dict[str, object] = {}
    for label, key, target, source in rows:
        estimate = result.base[key]
        deviation = estimate.mean / target - 1
        table.add_row(
            label,
            f"{estimate.mean:,.2f} ± {estimate.half_width:,.2f}",
            f"{target:,.2f} ({source})",
            f"{deviation:+.1%}",
            "yes" if abs(deviation) <= 0.10 else "NO",
        )
        figures[key] = {
            "mean": estimate.mean,
            "ci95_half_width": estimate.half_width,
            "published": target,
            "deviation": deviation,
        }
    trains = result.base["calibration.trains_per_year"].mean
    figures["trains_within_published_range"] = targets.trains_per_year_min <= trains <= targets.trains_per_year_max
    figures["trains_range_mid"] = trains_mid
    out["figures"] = figures
    for key in (
        "trains.departure_delay_h.mean",
        "trains.cancelled_total",
        "demand.unmet_teu",
        "demand.teu_left_behind",
        "yard.ground_slot_share.max",
        "border.khorgos.west.all_wait_h.mean",
        "border.khorgos.east.all_wait_h.mean",
        "border.alashankou.west.all_wait_h.mean",
        "wagons.wagons_1435.utilisation",
    ):
        if key in result.base:
            estimate = result.base[key]
            table.add_row(key, f"{estimate.mean:,.3f} ± {estimate.half_width:,.3f}", "", "", "")
            figures[key] = {"mean": estimate.mean, "ci95_half_width": estimate.half_width}
    console = Console(width=150)
    console.print(table)
    console.print(f"wall {wall_s:.1f} s on {args.workers} worker(s)")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
