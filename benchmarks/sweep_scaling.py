"""Sweep scaling: the same replications on a LocalCluster of 1 worker and of 2 workers.

    .venv/bin/python benchmarks/sweep_scaling.py [--replications 100] [--days 365]

Both runs use the same seeds; the speed-up is wall(1 worker) / wall(2 workers), cluster start-up
included (it is part of what a user waits for).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from landbridge.scenarios import load_scenario
from landbridge.simulation.sweep import Variant, run_sweep

RESULTS = Path(__file__).parent / "results" / "sweep_scaling.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--days", type=float, default=365.0)
    args = parser.parse_args()
    console = Console()
    variant = Variant(load_scenario())
    seeds = list(range(1, args.replications + 1))
    rows = {}
    for workers in (1, 2):
        load = os.getloadavg()
        started = time.perf_counter()
        result = run_sweep(variant, seeds, args.days, workers=workers)
        wall_s = time.perf_counter() - started
        rail = result.base["calibration.rail_teu_per_year"]
        rows[workers] = {
            "wall_s": wall_s,
            "replications_per_s": len(seeds) / wall_s,
            "rail_teu_mean": rail.mean,
            "rail_teu_ci95": rail.half_width,
            "load_average_before": load[0],
        }
        console.print(f"{workers} worker(s): {wall_s:.1f} s")
    speedup = rows[1]["wall_s"] / rows[2]["wall_s"]
    table = Table(title=f"{args.replications} replications × {args.days:g} days on a Dask LocalCluster")
    for column in ("workers", "wall s", "replications/s", "rail TEU/yr mean ± CI", "load before"):
        table.add_column(column, justify="right")
    for workers, row in rows.items():
        table.add_row(
            str(workers),
            f"{row['wall_s']:.1f}",
            f"{row['replications_per_s']:.2f}",
            f"{row['rail_teu_mean']:,.0f} ± {row['rail_teu_ci95']:,.0f}",
            f"{row['load_average_before']:.2f}",
        )
    console.print(table)
    console.print(f"speed-up 2 vs 1 worker: {speedup:.2f}× (cores visible: {os.cpu_count()})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "replications": args.replications,
                "days": args.days,
                "cpu_count": os.cpu_count(),
                "runs": {str(k): v for k, v in rows.items()},
                "speedup_2_vs_1": speedup,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    console.print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
