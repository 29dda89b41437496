"""Sweep scaling: the same replications on a LocalCluster of 1 worker and of 2 workers.

    .venv/bin/python benchmarks/sweep_scaling.py [--replications 100] [--days 365] [--rounds 4]

Both configurations run the same seeds; the speed-up is wall(1 worker) / wall(2 workers), cluster
start-up included (it is part of what a user waits for). On a shared machine the load drifts, so the
seeds are split into ``--rounds`` chunks run alternately on 1 and 2 workers (1, 2, 1, 2, …): both
configurations see the same mix of quiet and busy minutes. The load average before each chunk is
recorded.
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
from landbridge.simulation.sweep import Estimate, Variant, run_sweep

RESULTS = Path(__file__).parent / "results" / "sweep_scaling.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    console = Console(width=150)
    variant = Variant(load_scenario())
    seeds = list(range(1, args.replications + 1))
    chunks = [seeds[index :: args.rounds] for index in range(args.rounds)]
    walls = {1: 0.0, 2: 0.0}
    loads: dict[int, list[float]] = {1: [], 2: []}
    rail: dict[int, list[float]] = {1: [], 2: []}
    for number, chunk in enumerate(chunks, start=1):
        for workers in (1, 2):
            loads[workers].append(os.getloadavg()[0])
            started = time.perf_counter()
            result = run_sweep(variant, chunk, args.days, workers=workers)
            wall_s = time.perf_counter() - started
            walls[workers] += wall_s
            key = "calibration.rail_teu_per_year"
            rail[workers].extend([result.base[key].mean] * len(chunk))  # chunk means, weighted by size
            console.print(
                f"round {number}/{args.rounds}: {len(chunk)} replications on {workers} worker(s) {wall_s:.1f} s"
            )
    rows = {}
    for workers in (1, 2):
        estimate = Estimate.of(rail[workers])
        rows[workers] = {
            "wall_s": walls[workers],
            "replications_per_s": len(seeds) / walls[workers],
            "rail_teu_mean": estimate.mean,
            "load_average_before_chunks": loads[workers],
        }
    speedup = rows[1]["wall_s"] / rows[2]["wall_s"]
    table = Table(title=f"{args.replications} replications × {args.days:g} days on a Dask LocalCluster")
    for column in ("workers", "wall s", "replications/s", "rail TEU/yr mean", "load average before chunks"):
        table.add_column(column, justify="right")
    for workers, row in rows.items():
        table.add_row(
            str(workers),
            f"{row['wall_s']:.1f}",
            f"{row['replications_per_s']:.3f}",
            f"{row['rail_teu_mean']:,.0f}",
            " ".join(f"{value:.1f}" for value in loads[workers]),
        )
    console.print(table)
    console.print(f"speed-up 2 vs 1 worker: {speedup:.2f}× (cores visible: {os.cpu_count()})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "replications": args.replications,
                "days": args.days,
                "rounds": args.rounds,
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
