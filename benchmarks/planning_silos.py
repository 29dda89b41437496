"""Silo allocation benchmark on the committed instances (no public set exists).

    python benchmarks/planning_silos.py [--time-limit S] [--limit N] [--json OUT] [--seed K]

Instances: benchmarks/instances/silos/ — two hand-made elevators and six generated days on the
Miaoling complex (40 silos and 24 star bins; ``python -m landbridge.planning.silos.generator``).
The objective is the number of transfers ((stored lot, receiving silo) pairs, buffer hops
included); the bound is the solver's own. Every plan goes through the independent checker.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landbridge.planning.common import write_json
from landbridge.planning.silos.entry import KINDS

HERE = Path(__file__).resolve().parent
INSTANCES = HERE / "instances" / "silos"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Solve and check every committed silo instance; print one table; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--limit", type=int, default=None, help="at most N instances")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "planning_silos.json")
    args = parser.parse_args(argv)
    run, check = KINDS["silo"]
    rows: list[dict[str, Any]] = []
    for path in sorted(INSTANCES.glob("*.json"))[: args.limit]:
        data = json.loads(path.read_text(encoding="utf-8"))
        capacity_kg = sum(silo["capacity_kg"] for silo in data["silos"])
        started = time.perf_counter()
        result = run(path, args.time_limit, args.seed)
        elapsed = time.perf_counter() - started
        plan = result.to_json()
        violations = check(path, plan) if result.objective is not None else ["no plan"]
        rows.append(
            {
                "instance": path.stem,
                "silos": len(data["silos"]),
                "lots": len(data["lots"]),
                "fill_pct": 100.0 * sum(lot["mass_kg"] for lot in data["lots"]) / capacity_kg,
                "status": result.status.value,
                "transfers": result.objective,
                "bound": result.bound,
                "buffer_hops": plan.get("buffer_hops"),
                "portions": plan.get("portions"),
                "silos_in_use": plan.get("silos_in_use"),
                "time_s": round(elapsed, 3),
                "violations": violations,
            }
        )
    table = Table(title=f"silos · time limit {args.time_limit:g} s")
    for column in ("instance", "silos", "lots", "fill %", "status", "transfers", "bound", "hops", "portions",
                   "in use", "time s", "checker"):  # fmt: skip
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            r["instance"], str(r["silos"]), str(r["lots"]), f"{r['fill_pct']:.0f}", r["status"], str(r["transfers"]),
            str(r["bound"]), str(r["buffer_hops"]), str(r["portions"]), str(r["silos_in_use"]), f"{r['time_s']:.2f}",
            "ok" if not r["violations"] else "; ".join(r["violations"])[:40],
        )  # fmt: skip
    times = [r["time_s"] for r in rows]
    summary = {
        "instances": len(rows),
        "with_plan": sum(1 for r in rows if r["transfers"] is not None),
        "optimal": sum(1 for r in rows if r["status"] == "optimal"),
        "checker_failures": sum(1 for r in rows if r["violations"] and r["transfers"] is not None),
        "mean_time_s": statistics.fmean(times) if times else None,
        "max_time_s": max(times) if times else None,
    }
    table.caption = (
        f"{summary['instances']} instances, {summary['with_plan']} with a plan, {summary['optimal']} optimal "
        f"(transfers), {summary['checker_failures']} checker failures, time mean {summary['mean_time_s'] or 0:.2f}s "
        f"max {summary['max_time_s'] or 0:.2f}s"
    )
    Console(width=150).print(table)
    results = {"time_limit_s": args.time_limit, "seed": args.seed, **summary, "rows": rows}
    print(f"wrote {write_json(args.json, results)}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
