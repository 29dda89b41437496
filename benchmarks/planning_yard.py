"""Yard benchmarks: restricted block relocation on Caserta–Voß (CV), pre-marshalling on CV and
Bortfeldt–Forster (BF). Every plan goes through the independent checker.

    python benchmarks/planning_yard.py [--time-limit S] [--limit N] [--json OUT]
        [--sets relocation,premarshalling-cv,premarshalling-bf] [--classes 3x3,5x6,BF1]

Per class: instances run, solved to proven optimality, mean/max gap to the per-instance best-known
value (where the shared folder has one), mean objective against the published class average,
mean/max time. Wall-clock figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landbridge.planning.common import write_json
from landbridge.planning.yard.entry import KINDS

HERE = Path(__file__).resolve().parent
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "benchmarks"
SETS = ("relocation", "premarshalling-cv", "premarshalling-bf")
CV_CLASSES = (
    "3x3", "3x4", "3x5", "3x6", "3x7", "3x8", "4x4", "4x5", "4x6", "4x7", "5x4",
    "5x5", "5x6", "5x7", "5x8", "5x9", "5x10", "6x6", "6x10", "10x6", "10x10",
)  # fmt: skip


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _per_instance(path: Path) -> dict[str, float]:
    return {row["instance"]: float(row["objective"]) for row in _csv_rows(path) if row["objective"]}


def _class_average(path: Path) -> dict[str, float]:
    return {row["class"]: float(row["avg_objective"]) for row in _csv_rows(path) if row["avg_objective"]}


def _class_lower_bound(path: Path) -> dict[str, float]:
    return {row["class"]: float(row["avg_lower_bound"]) for row in _csv_rows(path) if row["avg_lower_bound"]}


def _instances(set_name: str, cls: str) -> list[Path]:
    if set_name == "premarshalling-bf":
        files = sorted((SHARED / "bf" / cls).glob("*.bay"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    else:
        files = sorted((SHARED / "cv" / cls).glob("*.dat"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return files


def _classes(set_name: str) -> list[str]:
    if set_name == "premarshalling-bf":
        return [f"BF{k}" for k in range(1, 33) if (SHARED / "bf" / f"BF{k}").is_dir()]
    return [c for c in CV_CLASSES if (SHARED / "cv" / c).is_dir()]


def _references(set_name: str) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    if set_name == "relocation":
        folder, best, klass = SHARED / "cv", "brp_best_known.csv", "brp_class_best.csv"
    elif set_name == "premarshalling-cv":
        folder, best, klass = SHARED / "cv", "cpmp_best_known.csv", "cpmp_class_best.csv"
    else:
        folder, best, klass = SHARED / "bf", "best_known.csv", "class_best.csv"
    return (
        _per_instance(folder / best),
        _class_average(folder / klass),
        _class_lower_bound(folder / klass),
    )


def run_class(set_name: str, cls: str, time_limit_s: float, limit: int | None) -> dict[str, Any]:
    """Solve and check every instance of one class; return its summary and rows."""
    kind = "relocation" if set_name == "relocation" else "premarshalling"
    run, check = KINDS[kind]
    best, class_avg, class_lb = _references(set_name)
    rows: list[dict[str, Any]] = []
    for path in _instances(set_name, cls)[:limit]:
        started = time.perf_counter()
        result = run(path, time_limit_s, 1)
        elapsed = time.perf_counter() - started
        plan = result.to_json()
        violations = check(path, plan) if result.objective is not None else []
        known = best.get(path.stem)
        gap = None
        if known is not None and result.objective is not None:
            gap = 100.0 * (float(result.objective) - known) / known if known else float(result.objective != known)
        rows.append(
            {
                "instance": path.stem,
                "status": result.status.value,
                "objective": result.objective,
                "bound": result.bound,
                "best_known": known,
                "gap_pct": gap,
                "time_s": round(elapsed, 4),
                "violations": violations,
            }
        )
    objectives = [float(r["objective"]) for r in rows if r["objective"] is not None]
    gaps = [r["gap_pct"] for r in rows if r["gap_pct"] is not None]
    times = [r["time_s"] for r in rows]
    bounds = [float(r["bound"]) for r in rows if r["bound"] is not None]
    return {
        "class": cls,
        "instances": len(rows),
        "with_plan": len(objectives),
        "optimal": sum(1 for r in rows if r["status"] == "optimal"),
        "checker_failures": sum(1 for r in rows if r["violations"]),
        "no_plan": sum(1 for r in rows if r["objective"] is None),
        "with_best_known": len(gaps),
        "mean_gap_pct": statistics.fmean(gaps) if gaps else None,
        "max_gap_pct": max(gaps) if gaps else None,
        "mean_objective": statistics.fmean(objectives) if objectives else None,
        "mean_own_bound": statistics.fmean(bounds) if bounds else None,
        "published_avg": class_avg.get(cls),
        "published_avg_lower_bound": class_lb.get(cls),
        "mean_time_s": statistics.fmean(times) if times else None,
        "max_time_s": max(times) if times else None,
        "rows": rows,
    }


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _print(set_name: str, summaries: list[dict[str, Any]], time_limit_s: float) -> None:
    table = Table(title=f"yard · {set_name} · time limit {time_limit_s:g} s per instance")
    for column in (
        "class", "inst", "optimal", "no plan", "chk fail", "w/ best", "mean gap %", "max gap %",
        "mean obj", "pub. avg (all)", "pub. LB avg", "own LB avg", "mean s", "max s",
    ):  # fmt: skip
        table.add_column(column, justify="right")
    for s in summaries:
        table.add_row(
            s["class"], str(s["instances"]), str(s["optimal"]), str(s["no_plan"]), str(s["checker_failures"]),
            str(s["with_best_known"]),
            _fmt(s["mean_gap_pct"]), _fmt(s["max_gap_pct"]), _fmt(s["mean_objective"], 3),
            _fmt(s["published_avg"], 3), _fmt(s["published_avg_lower_bound"], 3), _fmt(s["mean_own_bound"], 3),
            _fmt(s["mean_time_s"], 3), _fmt(s["max_time_s"], 3),
        )  # fmt: skip
    Console(width=170).print(table)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the yard sets; print one table per set; write JSON; return the results."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--limit", type=int, default=None, help="at most N instances per class")
    parser.add_argument("--json", type=Path, default=HERE / "results" / "planning_yard.json")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated subset of {', '.join(SETS)}")
    parser.add_argument("--classes", default=None, help="comma-separated classes (e.g. 3x3,5x6,BF1)")
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"shared benchmark folder not found at {SHARED.resolve()}; nothing to run")
        return {"skipped": "shared benchmarks missing"}
    wanted = set(args.classes.split(",")) if args.classes else None
    results: dict[str, Any] = {"time_limit_s": args.time_limit, "limit": args.limit}
    for set_name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        if set_name not in SETS:
            parser.error(f"--sets: unknown set {set_name!r}")
        summaries = [
            run_class(set_name, cls, args.time_limit, args.limit)
            for cls in _classes(set_name)
            if wanted is None or cls in wanted
        ]
        _print(set_name, summaries, args.time_limit)
        results[set_name] = summaries
    print(f"wrote {write_json(args.json, results)}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
