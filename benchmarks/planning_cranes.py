"""Quay crane scheduling benchmark on the QCSPgen sample instances (Meisel & Bierwirth 2011).

Every schedule goes through the independent checker; a schedule that fails it counts as unsolved.
Gaps are to the best-known makespan in ``qcsp/best_known.csv`` (negative = better than best-known).

    python benchmarks/planning_cranes.py [--time-limit 10] [--limit N] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from landbridge.planning.cranes.entry import KINDS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "benchmarks"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "planning_cranes.json"


def _best_known(csv_path: Path) -> dict[str, float]:
    if not csv_path.is_file():
        return {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: float(row["objective"]) for row in csv.DictReader(handle) if row.get("objective")}


def _class_of(name: str) -> str:
    """QCSPgen settings without the trailing instance number, shortened to tasks/bays/cranes."""
    parts = name.split("_")
    return "_".join(p for p in parts if p[:1] in {"n", "b", "q"} and p[1:].isdigit())


def run_instances(
    paths: list[Path], best_known: dict[str, float], time_limit_s: float, seed: int
) -> list[dict[str, Any]]:
    """Solve and check every instance; one result row each."""
    run, check = KINDS["cranes"]
    rows: list[dict[str, Any]] = []
    for path in paths:
        began = time.monotonic()
        result = run(path, time_limit_s, seed)
        elapsed = time.monotonic() - began
        violations = check(path, result.to_json()) if result.objective is not None else ["no plan"]
        bk = best_known.get(path.stem)
        gap = None
        if result.objective is not None and bk:
            gap = 100.0 * (result.objective - bk) / bk
        rows.append(
            {
                "instance": path.stem,
                "class": _class_of(path.stem),
                "status": result.status.value,
                "objective": result.objective,
                "bound": result.bound,
                "best_known": bk,
                "gap_best_known_pct": gap,
                "time_s": round(elapsed, 3),
                "valid": not violations,
                "violations": violations[:5],
            }
        )
        print(
            f"cranes {path.stem}: {result.status.value} {result.objective} bound {result.bound} bk {bk} "
            f"{elapsed:.1f}s valid={not violations}",
            file=sys.stderr,
            flush=True,
        )
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and gap/time statistics."""
    solved = [r for r in rows if r["valid"]]
    gaps = [r["gap_best_known_pct"] for r in solved if r["gap_best_known_pct"] is not None]
    times = [r["time_s"] for r in rows]
    return {
        "instances": len(rows),
        "solved": len(solved),
        "with_best_known": sum(1 for r in rows if r["best_known"] is not None),
        "within_1pct": sum(1 for g in gaps if g <= 1.0 + 1e-9),
        "at_best_known": sum(1 for g in gaps if g <= 1e-9),
        "beat_best_known": [
            r["instance"] for r in solved if r["gap_best_known_pct"] is not None and r["gap_best_known_pct"] < -1e-9
        ],
        "proven_optimal": sum(1 for r in solved if r["status"] == "optimal"),
        "mean_gap_best_known_pct": statistics.fmean(gaps) if gaps else None,
        "max_gap_best_known_pct": max(gaps) if gaps else None,
        "mean_time_s": statistics.fmean(times) if times else None,
        "max_time_s": max(times) if times else None,
    }


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the QCSP set; returns (and writes) per-instance rows and the summary."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--limit", type=int, default=None, help="at most N instances")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    console = Console(width=160)
    results: dict[str, Any] = {"time_limit_s": args.time_limit, "seed": args.seed, "sets": {}}
    folder = SHARED / "qcsp"
    if not (folder / "instances").is_dir():
        console.print(f"[yellow]skipped[/yellow]: no shared benchmarks at {SHARED.resolve()}")
        return results
    paths = sorted((folder / "instances").glob("*.txt"))[: args.limit]
    rows = run_instances(paths, _best_known(folder / "best_known.csv"), args.time_limit, args.seed)
    table = Table(title="Quay crane scheduling (QCSPgen samples, Meisel & Bierwirth)")
    for column in ("instance", "status", "makespan", "bound", "best-known", "gap %", "time s", "checker"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(
            r["instance"],
            r["status"],
            str(r["objective"]),
            str(r["bound"]),
            _fmt(r["best_known"], 0),
            _fmt(r["gap_best_known_pct"]),
            _fmt(r["time_s"], 1),
            "ok" if r["valid"] else "FAIL",
        )
    summary = summarise(rows)
    table.add_section()
    table.add_row(
        f"total {summary['instances']} (solved {summary['solved']}, ≤1%: {summary['within_1pct']}, "
        f"proven {summary['proven_optimal']})",
        "",
        "",
        "",
        "",
        f"{_fmt(summary['mean_gap_best_known_pct'])}/{_fmt(summary['max_gap_best_known_pct'])}",
        f"{_fmt(summary['mean_time_s'], 1)}/{_fmt(summary['max_time_s'], 1)}",
        "",
    )
    console.print(table)
    results["sets"]["qcsp"] = {"rows": rows, "summary": summary}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"wrote {args.json}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
