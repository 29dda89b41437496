"""Train load planning benchmark on the committed, generated instances (no public set exists).

    python benchmarks/planning_trains.py [--time-limit S] [--limit N] [--json OUT] [--seed K]

Instances: benchmarks/instances/trains/ (written by ``python -m landbridge.planning.trains.generator``).
Sets: ``load-s`` (10–12 wagons), ``load-m`` (30 wagons), ``transfer`` (gauge change to 1520 mm).
With no published values, "best-known" is the solver's own proven bound: gap = (bound − objective)
/ bound, a maximisation. Every plan goes through the independent checker.
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
from landbridge.planning.trains.entry import KINDS

HERE = Path(__file__).resolve().parent
INSTANCES = HERE / "instances" / "trains"


def _set_of(name: str) -> str:
    return "transfer" if name.startswith("transfer") else name.rsplit("-", 1)[0]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Solve and check every committed train instance; print a table per set; write JSON."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--limit", type=int, default=None, help="at most N instances per set")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=HERE / "results" / "planning_trains.json")
    args = parser.parse_args(argv)
    run, check = KINDS["train"]
    by_set: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(INSTANCES.glob("*.json")):
        rows = by_set.setdefault(_set_of(path.stem), [])
        if args.limit is not None and len(rows) >= args.limit:
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        started = time.perf_counter()
        result = run(path, args.time_limit, args.seed)
        elapsed = time.perf_counter() - started
        plan = result.to_json()
        violations = check(path, plan) if result.objective is not None else ["no plan"]
        gap = None
        if result.objective is not None and result.bound:
            gap = 100.0 * (float(result.bound) - float(result.objective)) / float(result.bound)
        rows.append(
            {
                "instance": path.stem,
                "containers": len(data["containers"]),
                "wagons": len(data["wagons"]),
                "objective_kind": data.get("objective", "teu"),
                "status": result.status.value,
                "objective": result.objective,
                "bound": result.bound,
                "gap_pct": gap,
                "yard_relocations": plan.get("yard_relocations"),
                "wagons_used": plan.get("wagons_used"),
                "secondary_status": plan.get("secondary_status"),
                "train_cargo_mass_kg": plan.get("train_cargo_mass_kg"),
                "time_s": round(elapsed, 3),
                "violations": violations,
            }
        )
    console = Console(width=170)
    results: dict[str, Any] = {"time_limit_s": args.time_limit, "seed": args.seed, "sets": {}}
    for set_name, rows in by_set.items():
        table = Table(title=f"trains · {set_name} · time limit {args.time_limit:g} s")
        for column in ("instance", "boxes", "wagons", "obj kind", "status", "objective", "bound", "gap %",
                       "yard reloc.", "wagons used", "cargo t", "time s", "checker"):  # fmt: skip
            table.add_column(column, justify="right")
        for r in rows:
            mass = r["train_cargo_mass_kg"]
            table.add_row(
                r["instance"], str(r["containers"]), str(r["wagons"]), r["objective_kind"], r["status"],
                str(r["objective"]), str(r["bound"]), "–" if r["gap_pct"] is None else f"{r['gap_pct']:.2f}",
                str(r["yard_relocations"]), str(r["wagons_used"]), "–" if mass is None else f"{mass / 1000:.1f}",
                f"{r['time_s']:.2f}", "ok" if not r["violations"] else "; ".join(r["violations"])[:40],
            )  # fmt: skip
        gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
        times = [r["time_s"] for r in rows]
        summary = {
            "instances": len(rows),
            "solved_optimal": sum(1 for r in rows if r["status"] == "optimal"),
            "checker_failures": sum(1 for r in rows if r["violations"]),
            "mean_gap_pct": statistics.fmean(gaps) if gaps else None,
            "max_gap_pct": max(gaps) if gaps else None,
            "mean_time_s": statistics.fmean(times) if times else None,
            "max_time_s": max(times) if times else None,
        }
        table.caption = (
            f"{summary['instances']} instances, {summary['solved_optimal']} optimal, gap to bound mean "
            f"{summary['mean_gap_pct'] or 0:.2f}% max {summary['max_gap_pct'] or 0:.2f}%, time mean "
            f"{summary['mean_time_s'] or 0:.2f}s max {summary['max_time_s'] or 0:.2f}s"
        )
        console.print(table)
        results["sets"][set_name] = {**summary, "rows": rows}
    print(f"wrote {write_json(args.json, results)}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
