"""Berth allocation benchmark: the 90 Lalla-Ruiz DBAP instances and the Ernst et al. tidal set.

Every plan goes through the independent checker; a plan that fails it counts as unsolved. Gaps are to
the best-known value where ``dbap/best_known.csv`` has one, and to the solver's own proven lower
bound everywhere (the gap to bound is 0 exactly when the plan is proven optimal).

    python benchmarks/planning_berth.py [--time-limit 10] [--limit N] [--tidal-limit 40] [--json OUT]
                                        [--instances f60x7-01,f55x5-03 | @FILE] [--workers 1|2]

Best-known values: ``../shared/benchmarks/dbap/best_known.csv`` (published with the set) first, then
``benchmarks/instances/dbap/reference_optima.csv`` — optima we proved ourselves with long runs of the
exact method (LP bound plus exact restricted MIP, see docs/planning-berth-cranes.md). Each row says
which source its best-known came from.
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

from landbridge.planning.berth import solve as berth_solve
from landbridge.planning.berth.entry import KINDS

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared" / "benchmarks"
DEFAULT_JSON = REPO / "benchmarks" / "results" / "planning_berth.json"
REFERENCE_OPTIMA = REPO / "benchmarks" / "instances" / "dbap" / "reference_optima.csv"


def _spread(paths: list[Path], limit: int | None) -> list[Path]:
    """At most ``limit`` instances, spread evenly over the sorted list so every class is sampled."""
    if limit is None or limit >= len(paths):
        return paths
    if limit <= 0:
        return []
    step = len(paths) / limit
    return [paths[int(k * step)] for k in range(limit)]


def _best_known(csv_path: Path) -> dict[str, float]:
    if not csv_path.is_file():
        return {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return {row["instance"]: float(row["objective"]) for row in csv.DictReader(handle) if row.get("objective")}


def _reference_optima(csv_path: Path) -> dict[str, float]:
    """Our own proven optima; rows not proven (``proven`` false) are left out."""
    if not csv_path.is_file():
        return {}
    with csv_path.open(encoding="utf-8", newline="") as handle:
        return {
            row["instance"]: float(row["objective"])
            for row in csv.DictReader(handle)
            if row.get("objective") and row.get("proven", "").lower() == "true"
        }


def _select(paths: list[Path], spec: str | None) -> list[Path]:
    """Instances named on the command line (comma list, or @FILE with names separated by blanks)."""
    if not spec:
        return paths
    text = Path(spec[1:]).read_text(encoding="utf-8") if spec.startswith("@") else spec.replace(",", " ")
    wanted = set(text.split())
    return [p for p in paths if p.stem in wanted]


def run_set(
    kind: str,
    paths: list[Path],
    best_known: dict[str, float],
    time_limit_s: float,
    seed: int,
    sources: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Solve and check every instance; one result row each."""
    run, check = KINDS[kind]
    rows: list[dict[str, Any]] = []
    for path in paths:
        began = time.monotonic()
        result = run(path, time_limit_s, seed)
        elapsed = time.monotonic() - began
        plan = result.to_json()
        if result.objective is not None:
            violations = check(path, plan)
        else:
            violations = ["no plan (proven infeasible)" if result.status.value == "infeasible" else "no plan"]
        row: dict[str, Any] = {
            "instance": path.stem,
            "class": path.stem.rsplit("-", 1)[0] if kind == "berth" else path.stem.rsplit("_", 1)[0],
            "status": result.status.value,
            "objective": result.objective,
            "bound": result.bound,
            "best_known": best_known.get(path.stem),
            "best_known_source": (sources or {}).get(path.stem),
            "time_s": round(elapsed, 3),
            "valid": not violations,
            "violations": violations[:5],
        }
        rows.append(row)
        print(
            f"{kind} {path.stem}: {row['status']} {row['objective']} bound {row['bound']} "
            f"bk {row['best_known']} {elapsed:.1f}s valid={row['valid']}",
            file=sys.stderr,
            flush=True,
        )
    return rows


def _pct(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference <= 0:
        return None
    return 100.0 * (value - reference) / reference


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts and gap/time statistics for one group of rows."""
    solved = [r for r in rows if r["valid"]]
    bk_gaps = [g for r in solved if (g := _pct(r["objective"], r["best_known"])) is not None]
    lb_gaps = [g for r in solved if (g := _pct(r["objective"], r["bound"])) is not None]
    times = [r["time_s"] for r in rows]
    return {
        "instances": len(rows),
        "solved": len(solved),
        "with_best_known": sum(1 for r in rows if r["best_known"] is not None),
        "with_published_best_known": sum(1 for r in rows if r.get("best_known_source") == "published"),
        "at_best_known": sum(
            1 for r in solved if r["best_known"] is not None and r["objective"] <= r["best_known"] + 1e-6
        ),
        "beat_best_known": [
            r["instance"] for r in solved if r["best_known"] is not None and r["objective"] < r["best_known"] - 1e-6
        ],
        "proven_optimal": sum(1 for r in solved if r["status"] == "optimal"),
        # A file proven to have no plan is answered, not unsolved (some tidal files are infeasible).
        "proven_infeasible": sum(1 for r in rows if r["status"] == "infeasible"),
        "mean_gap_best_known_pct": statistics.fmean(bk_gaps) if bk_gaps else None,
        "max_gap_best_known_pct": max(bk_gaps) if bk_gaps else None,
        "mean_gap_bound_pct": statistics.fmean(lb_gaps) if lb_gaps else None,
        "max_gap_bound_pct": max(lb_gaps) if lb_gaps else None,
        "mean_time_s": statistics.fmean(times) if times else None,
        "max_time_s": max(times) if times else None,
    }


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def print_table(title: str, rows: list[dict[str, Any]], console: Console) -> dict[str, Any]:
    """One table row per instance class plus a total row; returns the per-class and total summaries."""
    table = Table(title=title)
    for column in (
        "class",
        "inst",
        "solved",
        "infeasible",
        "with BK (published)",
        "at BK",
        "proven opt",
        "gap BK mean/max %",
        "gap bound mean/max %",
        "time mean/max s",
    ):
        table.add_column(column, justify="right")
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row["class"], []).append(row)
    summaries = {name: summarise(group) for name, group in groups.items()}
    summaries["total"] = summarise(rows)
    for name, s in summaries.items():
        table.add_row(
            name,
            str(s["instances"]),
            str(s["solved"]),
            str(s["proven_infeasible"]),
            f"{s['with_best_known']} ({s['with_published_best_known']})",
            str(s["at_best_known"]),
            str(s["proven_optimal"]),
            f"{_fmt(s['mean_gap_best_known_pct'])}/{_fmt(s['max_gap_best_known_pct'])}",
            f"{_fmt(s['mean_gap_bound_pct'])}/{_fmt(s['max_gap_bound_pct'])}",
            f"{_fmt(s['mean_time_s'], 1)}/{_fmt(s['max_time_s'], 1)}",
        )
    console.print(table)
    return summaries


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the berth sets; returns (and writes) the per-instance rows and summaries."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per instance")
    parser.add_argument("--limit", type=int, default=None, help="at most N DBAP instances (spread over classes)")
    parser.add_argument(
        "--tidal-limit",
        type=int,
        default=None,
        help="at most N tidal instances (default: --limit, else one per class = 40)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instances", default=None, help="only these DBAP instances: comma list, or @FILE of names")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        choices=(1, 2),
        help="processes for the DBAP solver (default: the solver's own, 2)",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON)
    args = parser.parse_args(argv)
    console = Console(width=160)
    results: dict[str, Any] = {"time_limit_s": args.time_limit, "seed": args.seed, "workers": args.workers, "sets": {}}
    dbap_dir, tidal_dir = SHARED / "dbap", SHARED / "ernst-tidal"
    if not dbap_dir.is_dir():
        console.print(f"[yellow]skipped[/yellow]: no shared benchmarks at {SHARED.resolve()}")
        return results
    if args.workers is not None:
        berth_solve.SEARCH_WORKERS = args.workers
    dbap = _spread(_select(sorted(dbap_dir.glob("*.txt")), args.instances), args.limit)
    published = _best_known(dbap_dir / "best_known.csv")
    reference = _reference_optima(REFERENCE_OPTIMA)
    best_known = {**reference, **published}
    sources = {name: ("published" if name in published else "landbridge reference") for name in best_known}
    rows = run_set("berth", dbap, best_known, args.time_limit, args.seed, sources)
    results["sets"]["dbap"] = {"rows": rows, "summary": print_table("DBAP (Lalla-Ruiz)", rows, console)}
    if tidal_dir.is_dir():
        tidal_all = sorted(tidal_dir.glob("*.csv"))
        tidal_limit = args.tidal_limit if args.tidal_limit is not None else (args.limit or 40)
        # One instance per class by default: the _1 file of each of the 40 classes.
        firsts = [p for p in tidal_all if p.stem.endswith("_1")]
        tidal = _spread(firsts, tidal_limit) if tidal_limit <= len(firsts) else _spread(tidal_all, tidal_limit)
        rows = run_set("berth-tidal", tidal, {}, args.time_limit, args.seed)
        results["sets"]["ernst-tidal"] = {
            "rows": rows,
            "summary": print_table("Tidal continuous quay (Ernst et al.)", rows, console),
        }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    console.print(f"wrote {args.json}")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
