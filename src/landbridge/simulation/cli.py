"""`landbridge simulate` and `landbridge sweep`: the twin from the command line.

Bad input (an unknown key in --set, a bad value, a bad seed range) ends with one clear line that
names the key, and exit code 2 — never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from landbridge.scenarios import Scenario, ScenarioError, current_scenario, load_scenario
from landbridge.simulation.overrides import (
    OverrideError,
    apply_overrides,
    parse_assignment,
    parse_disruption,
    read_patch,
)
from landbridge.simulation.state import InitialState

if TYPE_CHECKING:  # the engine is imported by the commands that run it (fast start for the rest)
    from landbridge.simulation.sweep import Estimate, Variant
    from landbridge.simulation.trace import TraceRecord

sim_app = typer.Typer(help="Digital twin of the base and its corridor.", no_args_is_help=True)
_console = Console(stderr=True)
_out = Console()

ScenarioOption = Annotated[
    str | None,
    typer.Option(
        "--scenario", help="Bundled scenario name or a YAML file (default: LANDBRIDGE_SCENARIO, else lianyungang)"
    ),
]
SetOption = Annotated[list[str] | None, typer.Option("--set", help="Override: key.path=value (repeatable)")]
PatchOption = Annotated[Path | None, typer.Option("--patch", help="YAML patch file of overrides")]
DisruptionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--disruption",
        help="crossing=khorgos,from=100,to=107 | crane=rmg,count=2,from=10,to=12 | "
        "track=T1,from=…,to=… | berth=L1,from=…,to=…",
    ),
]
DaysOption = Annotated[float, typer.Option("--days", help="Simulated days (from day 0 = 1 January)")]


class StateLoadError(Exception):
    """Today's state could not be read; the message says why and what to do."""


# Set by the entry point (landbridge.cli), which may reach the database; the twin itself never does.
initial_state_loader: Callable[[Scenario, str | None], InitialState] | None = None


def _fail(message: str) -> typer.Exit:
    _console.print(f"[red]error:[/red] {message}", highlight=False)
    return typer.Exit(code=2)


def build_variant(
    scenario_name: str | None, sets: list[str] | None, patch: Path | None, disruptions: list[str] | None
) -> Variant:
    """Scenario (the configured one when None) + overrides + disruptions → a validated variant."""
    scenario = current_scenario() if scenario_name is None else load_scenario(scenario_name)
    assignments: list[tuple[str, Any]] = []
    if patch is not None:
        assignments.extend(read_patch(patch))
    assignments.extend(parse_assignment(text) for text in sets or [])
    scenario, params = apply_overrides(scenario, assignments)
    parsed = tuple(parse_disruption(text, scenario) for text in disruptions or [])
    from landbridge.simulation.sweep import Variant

    return Variant(scenario, params, parsed)


def _variant_or_exit(
    scenario_name: str | None, sets: list[str] | None, patch: Path | None, disruptions: list[str] | None
) -> Variant:
    try:
        return build_variant(scenario_name, sets, patch, disruptions)
    except OverrideError as error:
        raise _fail(f"{error.key}: {error.reason}") from None
    except ScenarioError as error:
        problems = "; ".join(f"{path}: {reason}" for path, reason in error.problems)
        raise _fail(f"scenario {error.source}: {problems}") from None


def write_kpis(kpis: dict[str, Any], path: Path) -> None:
    """Sorted keys, fixed indentation, trailing newline: same KPIs → same bytes."""
    path.write_text(json.dumps(kpis, sort_keys=True, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@sim_app.command("simulate")
def simulate_command(
    scenario: ScenarioOption = None,
    days: DaysOption = 365.0,
    seed: Annotated[int, typer.Option("--seed", help="Random seed")] = 1,
    out: Annotated[Path, typer.Option("--out", help="Output directory for kpis.json and report.html")] = Path(
        "simulation-out"
    ),
    set_: SetOption = None,
    patch: PatchOption = None,
    disruption: DisruptionOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    trace: Annotated[
        Path | None, typer.Option("--trace", help="Also write the flow trace as JSON lines to this file")
    ] = None,
    from_database: Annotated[
        bool,
        typer.Option("--from-database", help="Start from today's yard, trains and vessel visits in the database"),
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="Operations database (default: LANDBRIDGE_DATABASE_URL)")
    ] = None,
) -> None:
    """Simulate the base and corridor; write DIR/kpis.json and DIR/report.html."""
    if days <= 0 or days > 3660:
        raise _fail(f"--days: must be in (0, 3660], got {days:g}")
    if seed < 0:
        raise _fail(f"--seed: must be >= 0, got {seed}")
    if database_url is not None and not from_database:
        raise _fail("--database-url: only used with --from-database")
    variant = _variant_or_exit(scenario, set_, patch, disruption)
    initial_state = None
    if from_database:
        if initial_state_loader is None:
            raise _fail("--from-database: not available from this entry point (use the `landbridge` command)")
        try:
            initial_state = initial_state_loader(variant.scenario, database_url)
        except StateLoadError as error:
            raise _fail(f"--from-database: {error}") from None
        _console.print(
            f"from the database: {len(initial_state.containers)} containers in the yard, "
            f"{len(initial_state.trains)} trains, {len(initial_state.vessels)} vessel calls, "
            f"{initial_state.silo_stock_t:,.0f} t in the silos",
            highlight=False,
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _fail(f"--out: cannot create {out}: {error.strerror}") from None
    trace_file = None
    if trace is not None:
        try:
            trace_file = trace.open("w", encoding="utf-8")
        except OSError as error:
            raise _fail(f"--trace: cannot write {trace}: {error.strerror}") from None
    observer = None
    if trace_file is not None:
        sink = trace_file

        def observer(record: TraceRecord) -> None:
            sink.write(json.dumps(record.as_dict(), sort_keys=True, ensure_ascii=False) + "\n")

    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days"),
        TimeElapsedColumn(),
        console=_console,
        disable=quiet,
        transient=True,
    ) as bar:
        task = bar.add_task("days", total=days)
        from landbridge.simulation.run import simulate

        result = simulate(
            variant.scenario,
            days,
            seed,
            variant.params,
            variant.disruptions,
            initial_state=initial_state,
            progress=lambda day: bar.update(task, completed=day),
            observer=observer,
        )
    if trace_file is not None:
        trace_file.close()
    write_kpis(result.kpis, out / "kpis.json")
    from landbridge.simulation.report import write_report

    write_report(result, out / "report.html")
    calibration = result.kpis["calibration"]
    table = Table(title=f"{variant.scenario.scenario}, seed {seed}, {days:g} days")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for name, value in calibration.items():
        table.add_row(name.replace("_", " "), f"{value:,.2f}")
    table.add_row("events", f"{result.twin.engine.events:,}")
    table.add_row("wall time (s)", f"{result.wall_s:.2f}")
    table.add_row("events / s", f"{result.events_per_s:,.0f}")
    _out.print(table)
    _out.print(f"wrote {out / 'kpis.json'} and {out / 'report.html'}")


_HEADLINE = (
    "calibration.rail_teu_per_year",
    "calibration.trains_per_year",
    "calibration.west_east_teu_ratio",
    "calibration.gate_moves_teu_per_year",
    "trains.departure_delay_h.mean",
    "trains.cancelled_total",
    "trains.rerouted",
    "demand.unmet_teu",
    "demand.teu_left_behind",
    "yard.occupancy_teu.max",
    "yard.ground_slot_share.max",
    "yard.refused_teu",
    "queue_waits_h.gate_lane.mean",
    "border.khorgos.west.all_wait_h.mean",
    "border.khorgos.east.all_wait_h.mean",
    "border.alashankou.west.all_wait_h.mean",
    "wagons.wagons_1435.shortages",
    "grain.received_t",
    "utilisation.berth",
    "utilisation.track",
)


def _cell(estimate: Estimate | None) -> str:
    if estimate is None:
        return "–"
    if estimate.half_width != estimate.half_width:  # NaN: a single replication
        return f"{estimate.mean:,.2f}"
    return f"{estimate.mean:,.2f} ± {estimate.half_width:,.2f}"


@sim_app.command("sweep")
def sweep_command(
    seeds: Annotated[str, typer.Option("--seeds", help="Seeds: 1-100 or 1,2,5-9")] = "1-10",
    scenario: ScenarioOption = None,
    days: DaysOption = 365.0,
    set_: SetOption = None,
    patch: PatchOption = None,
    disruption: DisruptionOption = None,
    compare_set: Annotated[
        list[str] | None,
        typer.Option("--compare-set", help="Override for a second scenario compared with the first (repeatable)"),
    ] = None,
    compare_disruption: Annotated[
        list[str] | None, typer.Option("--compare-disruption", help="Disruption for the second scenario (repeatable)")
    ] = None,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler, e.g. tcp://host:8786")] = None,
    workers: Annotated[int, typer.Option("--workers", help="Local worker processes")] = 2,
    out: Annotated[Path | None, typer.Option("--out", help="Write sweep.json here (a directory)")] = None,
    all_kpis: Annotated[bool, typer.Option("--all", help="Show every KPI, not only the headline ones")] = False,
) -> None:
    """Run replications on Dask and report each KPI's mean and 95% confidence interval."""
    from landbridge.simulation.sweep import parse_seeds, run_sweep

    try:
        seed_list = parse_seeds(seeds)
    except ValueError as error:
        raise _fail(f"--seeds: {error}") from None
    if workers < 1:
        raise _fail(f"--workers: must be >= 1, got {workers}")
    if days <= 0 or days > 3660:
        raise _fail(f"--days: must be in (0, 3660], got {days:g}")
    base = _variant_or_exit(scenario, set_, patch, disruption)
    compare = None
    if compare_set or compare_disruption:
        compare = _variant_or_exit(
            scenario, [*(set_ or []), *(compare_set or [])], patch, [*(disruption or []), *(compare_disruption or [])]
        )
    with Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console,
        transient=True,
    ) as bar:
        task = bar.add_task("runs", total=len(seed_list) * (2 if compare else 1))
        try:
            result = run_sweep(
                base,
                seed_list,
                days,
                compare,
                scheduler,
                workers,
                progress=lambda done, _total: bar.update(task, completed=done),
            )
        except OSError as error:
            raise _fail(f"--scheduler: cannot reach {scheduler}: {error}") from None
    table = Table(title=f"{len(seed_list)} seeds × {days:g} days: mean ± 95% CI")
    table.add_column("KPI", no_wrap=True)
    table.add_column("base", justify="right")
    if result.compare is not None:
        table.add_column("compare", justify="right")
        table.add_column("difference", justify="right")
    keys = sorted(result.base) if all_kpis else [key for key in _HEADLINE if key in result.base]
    for key in keys:
        row = [key, _cell(result.base.get(key))]
        if result.compare is not None and result.difference is not None:
            row += [_cell(result.compare.get(key)), _cell(result.difference.get(key))]
        table.add_row(*row)
    _out.print(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "sweep.json").write_text(json.dumps(result.as_dict(), sort_keys=True, indent=2) + "\n", encoding="utf-8")
        _out.print(f"wrote {out / 'sweep.json'}")
