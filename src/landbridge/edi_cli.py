"""``landbridge edi …``, ``landbridge smgs …`` and ``landbridge csv …``: interchange from the command line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from landbridge.config import get_settings

edi_app = typer.Typer(help="EDIFACT interchange: import, export, partners, delivery.", no_args_is_help=True)
partners_app = typer.Typer(help="Trading partners and their agreements.", no_args_is_help=True)
edi_app.add_typer(partners_app, name="partners")
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--database-url", help="Overrides LANDBRIDGE_DATABASE_URL", show_default=False)
]
EDI_ACTOR = "edi"


def _url(database_url: str | None) -> str:
    return database_url or get_settings().database_url


def _actor(name: str):  # type: ignore[no-untyped-def]
    from landbridge.services.containers import Actor

    return Actor(name=name, role="admin", source="cli:edi import")


class _CountingReader(io.TextIOBase):
    """A text stream that tells a progress bar how many characters were read."""

    def __init__(self, inner: io.TextIOBase, advance) -> None:  # type: ignore[no-untyped-def]
        self._inner = inner
        self._advance = advance

    def read(self, size: int | None = -1) -> str:
        chunk = self._inner.read(size)
        self._advance(len(chunk))
        return chunk


@edi_app.command("import")
def edi_import(
    files: Annotated[list[Path], typer.Argument(help="EDIFACT files (several interchanges per file are fine)")],
    actor: Annotated[str, typer.Option("--actor", help="Name recorded on the events")] = EDI_ACTOR,
    contrl_dir: Annotated[
        Path | None, typer.Option("--contrl-dir", help="Write each interchange's CONTRL answer into this folder")
    ] = None,
    database_url: DbOption = None,
) -> None:
    """Import interchanges: duplicates change nothing; each message is applied whole or rejected."""
    from landbridge.services.interchange.importer import import_edifact
    from landbridge.store.unit_of_work import UnitOfWork

    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        for name in missing:
            err_console.print(f"[red]error[/red] {name}: no such file", highlight=False)
        raise typer.Exit(2)
    uow = UnitOfWork.for_url(_url(database_url))
    totals = {"accepted": 0, "partially_accepted": 0, "rejected": 0, "duplicate": 0, "held": 0}
    problems: list[str] = []
    messages = 0
    if contrl_dir is not None:
        contrl_dir.mkdir(parents=True, exist_ok=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        for path in files:
            task = progress.add_task(path.name, total=path.stat().st_size)
            with open(path, encoding="utf-8", errors="replace", newline="") as handle:
                stream = _CountingReader(handle, lambda n, task=task: progress.advance(task, n))
                for outcome in import_edifact(uow, stream, _actor(actor), source_name=path.name):
                    totals[outcome.status] = totals.get(outcome.status, 0) + 1
                    messages += len(outcome.messages)
                    label = f"{path.name} {outcome.sender or '?'} #{outcome.control_reference}"
                    for problem in outcome.problems:
                        if problem.severity == "error":
                            problems.append(f"{label}: {problem.describe()}")
                    for message in outcome.messages:
                        for problem in message.problems:
                            if problem.severity == "error":
                                problems.append(f"{label} message {message.reference}: {problem.describe()}")
                    if contrl_dir is not None and outcome.contrl:
                        (contrl_dir / f"CONTRL-{outcome.control_reference.replace('/', '_')}.edi").write_text(
                            outcome.contrl
                        )
            progress.update(task, completed=path.stat().st_size)
    table = Table(title=f"{sum(totals.values())} interchange(s), {messages} message(s)")
    table.add_column("status")
    table.add_column("interchanges", justify="right")
    for status, count in totals.items():
        if count:
            table.add_row(status, str(count))
    console.print(table)
    for line in problems:
        err_console.print(line, markup=False, highlight=False)
    if totals["rejected"] or totals["partially_accepted"] or totals["held"]:
        raise typer.Exit(1)


@edi_app.command("export")
def edi_export(
    message_type: Annotated[str, typer.Option("--type", help="COARRI (more types: see docs/interchange.md)")],
    visit: Annotated[str, typer.Option("--visit", help="Vessel visit reference")],
    partner: Annotated[str, typer.Option("--partner", help="Trading partner code")] = "COSCO",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of standard output")] = None,
    queue: Annotated[bool, typer.Option("--queue", help="Also put it in the outbox for delivery")] = False,
    database_url: DbOption = None,
) -> None:
    """Export a message built from what was recorded (COARRI: the call's discharge and loading reports)."""
    from landbridge.domain.errors import DomainError
    from landbridge.services.interchange.exports import export_coarri
    from landbridge.services.interchange.partners import partner as find_partner
    from landbridge.store.unit_of_work import UnitOfWork

    if message_type.upper() != "COARRI":
        err_console.print(f"[red]error[/red] --type: {message_type!r} cannot be exported by visit; use COARRI")
        raise typer.Exit(2)
    uow = UnitOfWork.for_url(_url(database_url))
    try:
        text = export_coarri(uow, find_partner(uow, partner), visit, queue=queue)
    except DomainError as error:
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        raise typer.Exit(1) from None
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text)
        console.print(f"wrote {out}")


@edi_app.command("deliver")
def edi_deliver(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between passes")] = 10.0,
    database_url: DbOption = None,
) -> None:
    """Queue CODECO for new gate/rail moves and deliver the outbox (folder or HTTP), retrying failures."""
    import time

    from landbridge.services.interchange.exports import produce_codeco
    from landbridge.services.interchange.outbox import deliver_due
    from landbridge.store.unit_of_work import UnitOfWork

    uow = UnitOfWork.for_url(_url(database_url))
    while True:
        queued = produce_codeco(uow)
        results = deliver_due(uow)
        delivered = sum(1 for result in results if result.delivered)
        console.print(f"queued CODECO {sum(queued.values())}; delivered {delivered}, failed {len(results) - delivered}")
        for result in results:
            if not result.delivered:
                err_console.print(f"{result.partner} {result.control_reference}: {result.error}", markup=False)
        if once:
            return
        time.sleep(interval)


@edi_app.command("list")
def edi_list(
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first")] = 20,
    database_url: DbOption = None,
) -> None:
    """Interchanges received and sent, newest first, with their status."""
    from landbridge.services.interchange.queries import interchanges
    from landbridge.store.unit_of_work import UnitOfWork

    table = Table(title="interchanges")
    for column in ("id", "dir", "partner", "reference", "types", "messages", "status", "at"):
        table.add_column(column)
    for row in interchanges(UnitOfWork.for_url(_url(database_url)), limit=limit):
        table.add_row(
            str(row["id"]),
            row["direction"],
            row["partner"] or row["sender"],
            row["control_reference"],
            row["message_types"],
            f"{row['accepted_count']}/{row['message_count']}",
            row["status"],
            row["processed_at"],
        )
    console.print(table)


@partners_app.command("seed")
def partners_seed(database_url: DbOption = None) -> None:
    """Create the Lianyungang base's usual partners (COSCO, SITC, KTZ Express, the depot, a grain shipper)."""
    from landbridge.services.interchange.defaults import seed_partners
    from landbridge.store.unit_of_work import UnitOfWork

    for partner in seed_partners(UnitOfWork.for_url(_url(database_url))):
        console.print(f"{partner.code}: UNB id {partner.unb_id}, sends {', '.join(sorted(partner.inbound))}")


@partners_app.command("list")
def partners_list(database_url: DbOption = None) -> None:
    """Every partner and its agreement."""
    from landbridge.services.interchange.partners import partners
    from landbridge.store.unit_of_work import UnitOfWork

    table = Table(title="trading partners")
    for column in ("code", "UNB id", "zone", "sends us", "we send", "tolerates", "delivery"):
        table.add_column(column)
    for partner in partners(UnitOfWork.for_url(_url(database_url))):
        table.add_row(
            partner.code,
            partner.unb_id,
            partner.time_zone,
            ", ".join(sorted(partner.inbound)),
            ", ".join(sorted(partner.outbound)),
            ", ".join(sorted(partner.tolerances)),
            f"{partner.delivery_kind} {partner.delivery_target or ''}".strip(),
        )
    console.print(table)
