"""What a 7-day Khorgos closure does to the base: paired comparison over seeds (common random numbers).

    .venv/bin/python benchmarks/twin_closure.py [--seeds 10] [--days 365] [--from-day 100] [--workers 2]
                                                [--no-reroute]

Runs the default scenario with and without ``crossing=khorgos,from=D,to=D+7`` on the same seeds and
prints, for the base-side KPIs a rail planner checks, the mean of each variant and the paired
difference with its 95 % confidence interval. Writes ``benchmarks/results/twin_closure.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from landbridge.scenarios import load_scenario
from landbridge.simulation.overrides import apply_overrides, parse_disruption
from landbridge.simulation.sweep import Variant, run_sweep

RESULTS = Path(__file__).parent / "results"
KEYS = (
    "trains.rerouted",
    "trains.rerouted_extra_km",
    "trains.departure_delay_h.mean",
    "trains.departure_delay_h.max",
    "trains.held_at_base_h.max",
    "trains.formation_wait_h.max",
    "trains.cancelled_total",
    "trains.west",
    "teu.rail.west",
    "teu.rail.east",
    "yard.occupancy_teu.max",
    "yard.ground_slot_share.max",
    "yard.refused_teu",
    "yard.sea_diverted_teu",
    "demand.unmet_teu",
    "demand.teu_left_behind",
    "wagons.wagons_1435.shortages",
    "wagons.wagons_1520_khorgos.shortages",
    "border.khorgos.west.wait_h.max",
    "border.khorgos.east.wait_h.max",
    "border.khorgos.west.background_held_upstream",
    "border.alashankou.west.trains",
    "border.alashankou.west.wait_h.mean",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--from-day", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-reroute", action="store_true", help="dispatcher never reroutes (threshold = ∞)")
    args = parser.parse_args()
    scenario = load_scenario()
    scenario, params = apply_overrides(scenario, [("twin.reroute_threshold_h", 1e9)] if args.no_reroute else [])
    spec = f"crossing=khorgos,from={args.from_day:g},to={args.from_day + 7:g}"
    closure = parse_disruption(spec, scenario)
    seeds = list(range(1, args.seeds + 1))
    result = run_sweep(
        Variant(scenario, params), seeds, args.days, Variant(scenario, params, (closure,)), workers=args.workers
    )
    assert result.compare is not None and result.difference is not None
    title = f"{spec}{' (no rerouting)' if args.no_reroute else ''}: {args.seeds} seeds × {args.days:g} days"
    table = Table(title=title)
    for column in ("KPI", "open", "closed", "difference (95% CI)"):
        table.add_column(column, justify="right")
    out: dict[str, object] = {"disruption": spec, "no_reroute": args.no_reroute, "seeds": args.seeds, "kpis": {}}
    kpis: dict[str, object] = {}
    for key in KEYS:
        if key not in result.base or key not in result.difference:
            continue
        base, closed, diff = result.base[key], result.compare[key], result.difference[key]
        table.add_row(key, f"{base.mean:,.1f}", f"{closed.mean:,.1f}", f"{diff.mean:+,.1f} ± {diff.half_width:,.1f}")
        kpis[key] = {"open": base.as_dict(), "closed": closed.as_dict(), "difference": diff.as_dict()}
    out["kpis"] = kpis
    console = Console(width=150)
    console.print(table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"twin_closure{'_no_reroute' if args.no_reroute else ''}.json"
    path.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console.print(f"wrote {path}")


if __name__ == "__main__":
    main()
