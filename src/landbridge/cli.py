"""The ``landbridge`` command: serve the app, manage the database, plan and simulate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from landbridge.config import get_settings
from landbridge.edi_cli import csv_app, edi_app, smgs_app
from landbridge.planning.cli import plan_app
from landbridge.simulation import cli as simulation_cli
from landbridge.simulation.cli import simulate_command, sweep_command

if TYPE_CHECKING:
    from landbridge.demo.day import DemoSummary

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
) -> None:
    """Serve the web app and API (http://HOST:PORT/, OpenAPI at /docs)."""
    import uvicorn

    console.print(f"landbridge on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run("landbridge.api.app:create_app", factory=True, host=host, port=port, reload=reload)


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
        datetime | None,
        typer.Option(
            "--at",
            help="The day's 'now' for planned times (ETA, gate windows); default: now",
            formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d"],
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
    moment = datetime.now(UTC) if at is None else (at if at.tzinfo is not None else at.replace(tzinfo=UTC))
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


@app.command("deliver")
def deliver(
    interval: Annotated[float, typer.Option("--interval", help="Seconds between passes")] = 5.0,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
    database_url: DbOption = None,
) -> None:
    """Deliver DCSA event notifications to subscribers (signed callbacks, retried with back-off)."""
    from landbridge.services.tracking import process_outbox, run_delivery_worker
    from landbridge.store.unit_of_work import UnitOfWork

    uow = UnitOfWork.for_url(_database_url(database_url))
    if once:
        report = process_outbox(uow)
        console.print(
            f"projected {report.projected} events; delivered {report.delivered}, "
            f"retrying {report.retrying}, failed {report.failed}"
        )
        return
    console.print(f"delivering DCSA notifications every {interval:g} s (Ctrl+C to stop)")
    run_delivery_worker(uow, interval_s=interval)


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
    database_url: DbOption = None,
) -> None:
    """Create an API user and print its bearer token (shown once; only its hash is stored)."""
    from landbridge.domain.errors import DomainError
    from landbridge.services.authz import create_user
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        token = create_user(UnitOfWork.for_url(_database_url(database_url)), name=name, role=role, party=party)
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
