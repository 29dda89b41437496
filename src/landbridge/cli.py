"""The ``landbridge`` command: serve the app, manage the database, plan and simulate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from landbridge.config import get_settings
from landbridge.planning.cli import plan_app
from landbridge.simulation.cli import simulate_command, sweep_command

app = typer.Typer(
    help="landbridge — the open system for a sea–rail intermodal hub.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema and seed data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(plan_app, name="plan")
users_app = typer.Typer(help="API users and their tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.command("simulate", help="Simulate the base and its corridor; writes kpis.json and report.html.")(
    simulate_command
)
app.command("sweep", help="Run many seeded replications on Dask and report each KPI's mean and 95% CI.")(
    sweep_command
)
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
        str | None, typer.Option("--scenario", help="Scenario file or bundled name (default: lianyungang)")
    ] = None,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Only seed a database never seeded")] = False,
    database_url: DbOption = None,
) -> None:
    """Seed master data from a scenario; idempotent, and a broken file changes nothing."""
    from landbridge.scenarios.loader import ScenarioError, load_scenario
    from landbridge.services.seeding import is_seeded, seed_scenario
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        loaded = load_scenario(scenario)
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


@app.command("deliver")
def deliver(
    interval: Annotated[float, typer.Option("--interval", help="Seconds between passes")] = 5.0,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
    database_url: DbOption = None,
) -> None:
    """Deliver DCSA event notifications to subscribers (signed callbacks, retried with back-off)."""
    from landbridge.services.tracking import process_outbox, run_delivery_worker

    url = _database_url(database_url)
    if once:
        report = process_outbox(url)
        console.print(
            f"projected {report.projected} events; delivered {report.delivered}, "
            f"retrying {report.retrying}, failed {report.failed}"
        )
        return
    console.print(f"delivering DCSA notifications every {interval:g} s (Ctrl+C to stop)")
    run_delivery_worker(url, interval_s=interval)


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
    role: Annotated[str, typer.Option("--role", help="planner, yard_operator, gate_clerk, rail_operator, "
                                      "customs_officer, shipping_line, shipper, auditor or admin")],
    party: Annotated[str | None, typer.Option("--party", help="Party code a shipper acts for")] = None,
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
