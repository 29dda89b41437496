"""The ``landbridge`` command: serve the app, manage the database, plan and simulate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from landbridge.cli_billing import billing_app
from landbridge.config import get_settings
from landbridge.domain.errors import RuleViolation
from landbridge.domain.times import parse_time, utc_now
from landbridge.edi_cli import csv_app, edi_app, smgs_app
from landbridge.planning.cli import plan_app
from landbridge.simulation import cli as simulation_cli
from landbridge.simulation.cli import simulate_command, sweep_command

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from landbridge.demo.day import DemoSummary
    from landbridge.services.twin_load.player import LoadSummary
    from landbridge.store.unit_of_work import UnitOfWork

app = typer.Typer(
    help="landbridge — the open system for a sea–rail intermodal hub.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema and seed data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(plan_app, name="plan")
app.add_typer(edi_app, name="edi")
app.add_typer(smgs_app, name="smgs")
app.add_typer(csv_app, name="csv")
users_app = typer.Typer(help="API users and their tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(billing_app, name="billing")
app.command("simulate", help="Simulate the base and its corridor; writes kpis.json and report.html.")(simulate_command)
app.command("sweep", help="Run many seeded replications on Dask and report each KPI's mean and 95% CI.")(sweep_command)
console = Console()
err_console = Console(stderr=True)


def _database_url(url: str | None) -> str:
    return url or get_settings().database_url


DbOption = Annotated[
    str | None, typer.Option("--database-url", help="Overrides LANDBRIDGE_DATABASE_URL", show_default=False)
]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development)")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes sharing the port (PostgreSQL; see docs/scale.md). SQLite: keep 1",
        ),
    ] = 1,
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level")] = "info",
    access_log: Annotated[bool, typer.Option("--access-log/--no-access-log", help="Log every request")] = True,
) -> None:
    """Serve the web app and API (http://HOST:PORT/, OpenAPI at /docs)."""
    import uvicorn

    if reload and workers > 1:
        err_console.print("[red]error[/red] --workers: --reload runs one process; drop one of the two")
        raise typer.Exit(1)
    console.print(
        f"landbridge on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)"
        + (f", {workers} workers" if workers > 1 else "")
    )
    uvicorn.run(
        "landbridge.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        reload=reload,
        workers=workers,
        log_level=log_level,
        access_log=access_log,
    )


@db_app.command("upgrade")
def db_upgrade(database_url: DbOption = None) -> None:
    """Apply all migrations to the database."""
    from landbridge.store.migrate import current_revision, upgrade

    url = _database_url(database_url)
    upgrade(url)
    console.print(f"database at revision [bold]{current_revision(url)}[/bold]")


@db_app.command("seed")
def db_seed(
    scenario: Annotated[
        str | None,
        typer.Option(
            "--scenario", help="Scenario file or bundled name (default: LANDBRIDGE_SCENARIO, else lianyungang)"
        ),
    ] = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only seed a database never seeded")] = False,
    database_url: DbOption = None,
) -> None:
    """Seed master data from a scenario; idempotent, and a broken file changes nothing."""
    from landbridge.scenarios.loader import ScenarioError, current_scenario, load_scenario
    from landbridge.services.seeding import is_seeded, seed_scenario
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        loaded = current_scenario() if scenario is None else load_scenario(scenario)
    except ScenarioError as error:
        err_console.print(f"[red]error[/red] scenario {error.source} is not valid; nothing was written:")
        for path, reason in error.problems:
            err_console.print(f"  {path}: {reason}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    uow = UnitOfWork.for_url(_database_url(database_url))
    if if_empty and is_seeded(uow):
        console.print("database already seeded; nothing to do")
        return
    summary = seed_scenario(uow, loaded)
    table = Table(title=f"scenario {summary.scenario} " + ("seeded" if summary.changed else "unchanged"))
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in sorted(summary.counts.items()):
        table.add_row(name, str(count))
    console.print(table)


@db_app.command("demo")
def db_demo(
    seed: Annotated[int, typer.Option("--seed", help="Random seed: the same seed plays the same day")] = 1,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The day's 'now' for planned times (ETA, gate windows), with an offset, e.g. "
            "2026-01-15T08:00:00+08:00, or a date (midnight UTC); years 2000-2099; default: now",
        ),
    ] = None,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing (exit 0) when the database already has operational data")
    ] = False,
    database_url: DbOption = None,
) -> None:
    """Play a demo operating day through the operations services, so every change is an audited event."""
    from landbridge.demo.day import DemoStepFailed, has_operational_data, is_seeded, play_demo_day
    from landbridge.store.unit_of_work import UnitOfWork

    uow = UnitOfWork.for_url(_database_url(database_url))
    if not is_seeded(uow):
        err_console.print("[red]error[/red] the database has no scenario; run `landbridge db seed` first")
        raise typer.Exit(1)
    if has_operational_data(uow):
        if if_empty:
            console.print("database already has operational data; no demo day played")
            return
        err_console.print(
            "[red]error[/red] the database already has operational data (parties, boxes, visits or grain); "
            "the demo day plays only on a freshly seeded database (use --if-empty to skip quietly)"
        )
        raise typer.Exit(1)
    try:
        moment = utc_now() if at is None else parse_time(at + ("T00:00:00+00:00" if len(at) == 10 else ""), "--at")
    except RuleViolation as error:
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        raise typer.Exit(1) from None
    try:
        summary = play_demo_day(uow, seed=seed, at=moment)
    except DemoStepFailed as error:
        err_console.print(f"[red]error[/red] demo day stopped: {error}", highlight=False)
        err_console.print("earlier steps stay recorded as events; start again from an empty database")
        raise typer.Exit(1) from None
    _print_demo_summary(summary)


def _print_demo_summary(summary: DemoSummary) -> None:
    table = Table(title=f"demo day {summary.at:%Y-%m-%d %H:%M %Z} (seed {summary.seed})")
    table.add_column("what")
    table.add_column("how many", justify="right")
    table.add_column("detail")
    places = ", ".join(f"{kind} {count}" for kind, count in sorted(summary.containers_by_place.items()))
    rows = [
        ("parties / consignments", f"{summary.parties} / {summary.consignments}", ""),
        ("containers", str(summary.containers), places),
        (
            "vessel visits",
            str(len(summary.vessel_visits)),
            ", ".join(f"{ref} {status}" for ref, status in summary.vessel_visits.items()),
        ),
        ("trains", str(len(summary.trains)), ", ".join(f"{ref} {status}" for ref, status in summary.trains.items())),
        ("wagons", str(summary.wagons), ""),
        ("yard moves", str(summary.yard_moves), ""),
        ("gate appointments / truck visits", f"{summary.appointments} / {summary.truck_visits}", ""),
        (
            "customs holds open / released",
            f"{len(summary.holds_open)} / {summary.holds_released}",
            ", ".join(summary.holds_open),
        ),
        (
            "grain lots",
            str(summary.grain_lots),
            f"received {summary.grain_received_kg / 1000:,.1f} t, shipped {summary.grain_shipped_kg / 1000:,.1f} t, "
            f"in stock {summary.grain_in_stock_kg / 1000:,.1f} t",
        ),
        ("events recorded", str(summary.events), ""),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if summary.tracked_box is not None:
        console.print(f"follow {summary.tracked_box} on the Container screen: it is on its way with an ETA")


def _postgres_engine(database_url: str | None) -> Engine:
    from landbridge.store.database import engine_for, is_sqlite

    url = _database_url(database_url)
    if is_sqlite(url):
        err_console.print(
            "[red]error[/red] database: partitioning the event table needs PostgreSQL; SQLite keeps one table"
        )
        raise typer.Exit(1)
    return engine_for(url)


@db_app.command("partition-events")
def db_partition_events(
    months_ahead: Annotated[int, typer.Option("--months-ahead", min=1, help="Empty months to create ahead")] = 3,
    database_url: DbOption = None,
) -> None:
    """PostgreSQL: turn the event table into monthly partitions of occurred_at (once; see docs/scale.md)."""
    from landbridge.store.partitioning import partition_events

    engine = _postgres_engine(database_url)
    with console.status("partitioning the event table …"):
        try:
            report = partition_events(engine, months_ahead=months_ahead)
        except RuntimeError as error:
            err_console.print(f"[red]error[/red] events: {error}")
            raise typer.Exit(1) from None
    console.print(f"{report.rows:,} events in {len(report.partitions)} partitions ({report.seconds:.1f} s)")


@db_app.command("event-months")
def db_event_months(
    months_ahead: Annotated[int, typer.Option("--months-ahead", min=1, help="Months to have partitions for")] = 3,
    detach_before: Annotated[
        datetime | None,
        typer.Option("--detach-before", formats=["%Y-%m-%d", "%Y-%m"], help="Detach whole months before this date"),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """PostgreSQL, monthly: create the coming months' event partitions; optionally detach old months to archive."""
    from landbridge.store.partitioning import add_coming_months, detach_months_before

    engine = _postgres_engine(database_url)
    try:
        created = add_coming_months(engine, months_ahead=months_ahead)
    except RuntimeError as error:
        err_console.print(f"[red]error[/red] events: {error}")
        raise typer.Exit(1) from None
    console.print("created: " + (", ".join(created) or "nothing (all there)"))
    if detach_before is not None:
        detached = detach_months_before(engine, detach_before.replace(tzinfo=UTC))
        console.print(
            "detached (archive with pg_dump -t, then DROP TABLE): " + (", ".join(detached) or "nothing"),
            highlight=False,
        )


@db_app.command("archive-events")
def db_archive_events(
    before: Annotated[
        datetime,
        typer.Option("--before", formats=["%Y-%m", "%Y-%m-%d"], help="Archive every whole month before this one"),
    ],
    to: Annotated[Path, typer.Option("--to", help="Directory for the monthly dumps (events_YYYY_MM.dump)")],
    database_url: DbOption = None,
) -> None:
    """PostgreSQL: snapshot the state at the boundary, then move older months to dump files (detach, dump, drop)."""
    from sqlalchemy.exc import DBAPIError

    from landbridge.store.partitioning import (
        ArchiveError,
        archive_months_before,
        attach_detached_months_before,
        month_start,
    )

    url = _database_url(database_url)
    engine = _postgres_engine(url)
    boundary = month_start(before.replace(tzinfo=UTC))
    try:
        attached = attach_detached_months_before(engine, boundary)  # the snapshot folds their events too
    except DBAPIError as error:
        err_console.print(f"[red]error[/red] events: a detached month could not be attached again: {error.orig}")
        raise typer.Exit(1) from None
    if attached:
        console.print("attached again for the snapshot: " + ", ".join(attached), highlight=False)
    _snapshot(url, boundary)  # before anything is dropped: db check replays from it afterwards
    with console.status("archiving months of the event log …"):
        try:
            archived = archive_months_before(engine, url, boundary, to, snapshot_at=boundary)
        except (RuntimeError, ArchiveError) as error:
            err_console.print(f"[red]error[/red] events: {error}", highlight=False)
            raise typer.Exit(1) from None
    if not archived:
        console.print(f"nothing to archive before {before:%Y-%m}")
    for month in archived:
        console.print(f"{month.partition}: {month.rows:,} events → {month.path} ({month.size_bytes / 2**20:.1f} MiB)")


def _snapshot(url: str, boundary: datetime) -> None:
    """Take (or find matching) the state snapshot at ``boundary``; a refusal ends the command (exit 1)."""
    from landbridge.domain.errors import DomainError
    from landbridge.services.state_snapshots import take_snapshot
    from landbridge.store.unit_of_work import UnitOfWork

    with console.status(f"folding the event log to {boundary:%Y-%m-%d %H:%M}Z (state snapshot) …"):
        try:
            summary = take_snapshot(UnitOfWork.for_url(url), boundary)
        except DomainError as error:
            err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
            raise typer.Exit(1) from None
    start = f"the snapshot at {summary.based_on:%Y-%m-%d}" if summary.based_on else "the first event"
    verb = "already there, matches the log" if summary.already_there else "written"
    console.print(
        f"state snapshot at {summary.boundary_at:%Y-%m-%d %H:%M}Z {verb}: {summary.boxes:,} boxes, "
        f"{summary.lots:,} grain lots, {summary.events_folded:,} events folded (last id {summary.last_event_id}; "
        f"{summary.events_this_fold:,} from {start}), checksum {summary.checksum[:16]}…, "
        f"{summary.cpu_s:.1f} CPU-s",
        highlight=False,
    )


@db_app.command("snapshot")
def db_snapshot(
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at", formats=["%Y-%m-%d", "%Y-%m"], help="Fold the log to this instant (UTC midnight); omit to list"
        ),
    ] = None,
    database_url: DbOption = None,
) -> None:
    """The state the event log folds to at a boundary, kept so db check can replay from it after archiving."""
    url = _database_url(database_url)
    if at is not None:
        _snapshot(url, at.replace(tzinfo=UTC))
        return
    from landbridge.store.unit_of_work import UnitOfWork

    uow = UnitOfWork.for_reading(url)
    with uow:
        snapshots, archived = uow.snapshots.all(), uow.snapshots.archived_months()
        table = Table(title="state snapshots")
        for column in ("boundary (UTC)", "boxes", "grain lots", "events folded", "last event id", "checksum"):
            table.add_column(column, justify="left" if column in ("boundary (UTC)", "checksum") else "right")
        for row in snapshots:
            table.add_row(
                f"{row.boundary_at:%Y-%m-%d %H:%M}",
                f"{row.boxes:,}",
                f"{row.lots:,}",
                f"{row.events_folded:,}",
                str(row.last_event_id),
                row.checksum[:16] + "…",
            )
        console.print(table if snapshots else "no state snapshots")
        for month in archived:
            console.print(
                f"archived {month.partition}: {month.rows:,} events in {month.dump_file}"
                + (f" (snapshot at {month.snapshot_boundary_at:%Y-%m-%d})" if month.snapshot_boundary_at else ""),
                highlight=False,
            )


@db_app.command("load-twin")
def db_load_twin(
    days: Annotated[
        float, typer.Option("--days", min=0.5, help="Simulated days to play (after the twin's warm-up)")
    ] = 7,
    seed: Annotated[int, typer.Option("--seed", help="The twin's seed: the same seed loads the same year")] = 1,
    warmup_days: Annotated[
        float | None,
        typer.Option("--warmup-days", min=0, help="Days the twin runs before day 0 (default: the twin's 30; 0: empty)"),
    ] = None,
    trace: Annotated[
        Path | None, typer.Option("--trace", help="Play a saved trace (JSON lines) instead of running the twin")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Run the twin and play its flows through the operations services, dated by the simulated clock."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from landbridge.scenarios.loader import current_scenario
    from landbridge.services.twin_load.load import LoadRefused, load_twin

    url = _database_url(database_url)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        twin_task = progress.add_task("twin", total=days, detail="")
        play_task = progress.add_task("records", total=None, detail="", start=False)

        def on_twin_day(day: float) -> None:
            progress.update(twin_task, completed=max(0.0, day), detail=f"day {day:.0f}")

        def on_play(done: int, total: int, at: datetime, commands: int) -> None:
            progress.start_task(play_task)
            progress.update(
                play_task, completed=done, total=total, detail=f"{at:%Y-%m-%d %H:%M}Z, {commands:,} commands"
            )

        try:
            summary = load_twin(
                url,
                current_scenario(),
                days=days,
                seed=seed,
                trace=trace,
                warmup_days=warmup_days,
                on_twin_day=on_twin_day,
                on_play=on_play,
            )
        except LoadRefused as error:
            err_console.print(f"[red]error[/red] {error}", highlight=False)
            raise typer.Exit(1) from None
    _print_load_summary(summary)


def _print_load_summary(summary: LoadSummary) -> None:
    table = Table(title=f"twin loaded: {summary.days:g} days, seed {summary.seed}")
    table.add_column("command")
    table.add_column("issued", justify="right")
    for name, count in sorted(summary.commands.items()):
        table.add_row(name, f"{count:,}")
    table.add_row("[bold]all commands[/bold]", f"[bold]{summary.total_commands:,}[/bold]")
    console.print(table)
    console.print(
        f"{summary.records:,} twin records; {summary.rehandles:,} rehandles; "
        f"{summary.overrides:,} trucks let in by override (window full); "
        f"{summary.wall_s:,.0f} s ({summary.twin_s:,.0f} s twin), {summary.commands_per_s:,.0f} commands/s"
    )
    for what, count in sorted(summary.skipped.items()):
        console.print(f"not played as such: {what}: {count:,}", highlight=False)
    if summary.refused:
        for what, count in sorted(summary.refused.items()):
            err_console.print(f"refused: {what}: {count:,}", highlight=False)
        for line in summary.first_refusals:
            err_console.print(f"  {line}", highlight=False)
        raise typer.Exit(1)


@db_app.command("check")
def db_check(database_url: DbOption = None) -> None:
    """Check the hub's invariants on the whole database (one place per box, capacities, conservation, replay)."""
    from landbridge.services.invariants import check_invariants
    from landbridge.store.unit_of_work import UnitOfWork

    with console.status("checking the invariants …"):
        reports = check_invariants(UnitOfWork.for_url(_database_url(database_url)))
    table = Table(title="invariants")
    table.add_column("invariant")
    table.add_column("objects checked", justify="right")
    table.add_column("result")
    for report in reports:
        verdict = "holds" if report.holds else f"[red]{len(report.problems)} problems[/red]"
        table.add_row(report.name, f"{report.checked:,}", verdict)
    console.print(table)
    for report in reports:
        if report.detail:
            console.print(report.detail, highlight=False)
    broken = [report for report in reports if not report.holds]
    for report in broken:
        for problem in report.problems:
            err_console.print(f"{report.name}: {problem}", markup=False, highlight=False)
    if broken:
        raise typer.Exit(1)


@app.command("deliver")
def deliver(
    interval: Annotated[float, typer.Option("--interval", help="Seconds between passes")] = 5.0,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
    backlog: Annotated[
        bool,
        typer.Option("--backlog", help="First project the whole event log backlog (after a bulk load), with progress"),
    ] = False,
    database_url: DbOption = None,
) -> None:
    """Deliver DCSA event notifications to subscribers (signed callbacks, retried with back-off)."""
    from landbridge.services.tracking import process_outbox, run_delivery_worker
    from landbridge.store.unit_of_work import UnitOfWork

    uow = UnitOfWork.for_url(_database_url(database_url))
    if backlog:
        _project_backlog(uow)
    if once:
        report = process_outbox(uow)
        console.print(
            f"projected {report.projected} events; delivered {report.delivered}, "
            f"retrying {report.retrying}, failed {report.failed}"
        )
        return
    console.print(f"delivering DCSA notifications every {interval:g} s (Ctrl+C to stop)")
    run_delivery_worker(uow, interval_s=interval)


def _project_backlog(uow: UnitOfWork) -> None:
    """Project the event log's backlog into the DCSA feed with a progress bar (log events, CPU per event)."""
    import time

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from landbridge.services.tracking.projection import position, work_off_backlog

    start, newest = position(uow)
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    columns = (TextColumn("projecting the DCSA feed"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), TimeRemainingColumn(), console=console) as bar:
        task = bar.add_task("log events", total=max(newest - start, 0))
        added = work_off_backlog(uow, progress=lambda last: bar.update(task, completed=last - start))
    last, _ = position(uow)
    events = last - start
    cpu_s = time.process_time() - cpu_started
    per_event = f"{1000 * cpu_s / events:.2f} ms CPU per log event" if events else "nothing to project"
    console.print(
        f"projected {events:,} log events into {added:,} DCSA events in {time.perf_counter() - wall_started:.1f} s "
        f"({cpu_s:.1f} CPU-s in this process; {per_event})"
    )


@app.command("check-scenario")
def check_scenario(path: Annotated[Path, typer.Argument(help="Scenario YAML file")]) -> None:
    """Validate a scenario file without touching any database."""
    from landbridge.scenarios.loader import ScenarioError, load_scenario

    try:
        loaded = load_scenario(path)
    except ScenarioError as error:
        for problem_path, reason in error.problems:
            err_console.print(f"{problem_path}: {reason}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"{path}: scenario {loaded.scenario} is valid")


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Option("--name", help="User name (recorded as the actor of its commands)")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="planner, yard_operator, gate_clerk, rail_operator, "
            "customs_officer, shipping_line, shipper, auditor or admin",
        ),
    ],
    party: Annotated[str | None, typer.Option("--party", help="Party a shipper or shipping line acts for")] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="Days the token is valid (1-366; default LANDBRIDGE_TOKEN_DAYS, 90)")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Create an API user and print its bearer token (shown once; only its hash is stored; it expires)."""
    from landbridge.domain.errors import DomainError
    from landbridge.services.authz import create_user
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        token = create_user(
            UnitOfWork.for_url(_database_url(database_url)), name=name, role=role, party=party, valid_for_days=days
        )
    except DomainError as error:
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        raise typer.Exit(1) from None
    typer.echo(token)


def _twin_initial_state(scenario: Any, database_url: str | None) -> Any:
    """Today's base for ``simulate --from-database`` (read-only)."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from landbridge.services.twin_state import initial_state_from_database
    from landbridge.store.unit_of_work import UnitOfWork

    url = _database_url(database_url)
    try:
        return initial_state_from_database(UnitOfWork.for_url(url), scenario, datetime.now(UTC))
    except SQLAlchemyError as error:
        if _missing_schema(error):
            raise simulation_cli.StateLoadError(
                f"{url} has no landbridge tables; run `landbridge db upgrade`"
            ) from None
        raise simulation_cli.StateLoadError(f"cannot read {url}: {type(error).__name__}") from None


simulation_cli.initial_state_loader = _twin_initial_state


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token stops working now")],
    database_url: DbOption = None,
) -> None:
    """Revoke a user's token: the API and the dashboard refuse it from the next request on."""
    from landbridge.domain.errors import DomainError
    from landbridge.services.authz import revoke_user
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        revoke_user(UnitOfWork.for_url(_database_url(database_url)), name)
    except DomainError as error:
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        raise typer.Exit(1) from None
    console.print(f"user {name} revoked")


def _missing_schema(error: Exception) -> bool:
    text = str(error).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def main() -> None:
    """Console entry point: a database without the schema gets an instruction, not a traceback."""
    from sqlalchemy.exc import DBAPIError

    try:
        app(standalone_mode=True)
    except DBAPIError as error:
        if not _missing_schema(error):
            raise
        err_console.print(
            "[red]error[/red] database: the landbridge tables are missing; run `landbridge db upgrade` first"
        )
        raise SystemExit(1) from None


if __name__ == "__main__":  # pragma: no cover
    main()
