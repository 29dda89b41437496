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
err_console = Console(stderr=True, soft_wrap=True)  # one line per problem, never wrapped

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


def _starts_an_interchange(path: Path) -> bool:
    """Whether the file starts like an interchange (nothing is imported or logged from one that does not)."""
    from landbridge.interchange.edifact.syntax import INTERCHANGE_PEEK_CHARS, starts_an_interchange

    with open(path, encoding="utf-8", errors="replace") as handle:
        return starts_an_interchange(handle.read(INTERCHANGE_PEEK_CHARS))


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
    not_edifact = [str(path) for path in files if not _starts_an_interchange(path)]
    if not_edifact:
        for name in not_edifact:
            err_console.print(
                f"[red]error[/red] {name}: holds no EDIFACT interchange: it must start with a UNA or UNB segment",
                highlight=False,
            )
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
    message_type: Annotated[
        str, typer.Option("--type", help="COARRI (discharge and loading reports) or BAPLIE (what is on board now)")
    ],
    visit: Annotated[str, typer.Option("--visit", help="Vessel visit reference")],
    partner: Annotated[str, typer.Option("--partner", help="Trading partner code")] = "COSCO",
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of standard output")] = None,
    queue: Annotated[bool, typer.Option("--queue", help="Also put it in the outbox for delivery")] = False,
    database_url: DbOption = None,
) -> None:
    """Export a message built from what was recorded (COARRI: the call's discharge and loading reports;
    BAPLIE: the arrival bay plan less the boxes discharged, plus the boxes loaded at their MOVINS cells)."""
    from landbridge.domain.errors import DomainError
    from landbridge.services.interchange.exports import export_baplie, export_coarri
    from landbridge.services.interchange.partners import partner as find_partner
    from landbridge.store.unit_of_work import UnitOfWork

    exporters = {"COARRI": export_coarri, "BAPLIE": export_baplie}
    exporter = exporters.get(message_type.upper())
    if exporter is None:
        err_console.print(f"[red]error[/red] --type: {message_type!r} is not exported by visit (COARRI, BAPLIE)")
        raise typer.Exit(2)
    uow = UnitOfWork.for_url(_url(database_url))
    try:
        text = exporter(uow, find_partner(uow, partner), visit, queue=queue)
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
    """Queue CODECO for new gate/rail moves and COARRI for departed calls; deliver the outbox, retrying failures."""
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


smgs_app = typer.Typer(help="SMGS and CIM/SMGS consignment notes.", no_args_is_help=True)
csv_app = typer.Typer(help="CSV container lists, bookings, discharge and load lists.", no_args_is_help=True)


@smgs_app.command("import")
def smgs_import(
    file: Annotated[Path, typer.Argument(help="A consignment note as JSON")],
    database_url: DbOption = None,
) -> None:
    """Keep a consignment note given as JSON (each bad box named)."""
    from pydantic import ValidationError

    from landbridge.domain.errors import DomainError
    from landbridge.interchange.smgs import ConsignmentNote
    from landbridge.services.interchange.waybills import save_note
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        note = ConsignmentNote.from_json(file.read_bytes())
        save_note(UnitOfWork.for_url(_url(database_url)), _actor("cli"), note)
    except ValidationError as error:
        for fault in error.errors():
            location = ".".join(str(part) for part in fault["loc"]) or "note"
            err_console.print(f"{file}: {location}: {fault['msg']}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    except DomainError as error:
        err_console.print(f"{file}: {error.field}: {error.reason}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    console.print(f"kept {note.regime.value} note {note.number}")


@smgs_app.command("export")
def smgs_export(
    number: Annotated[str, typer.Argument(help="Consignment note number")],
    format: Annotated[str, typer.Option("--format", help="json, html or pdf")] = "json",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output)")] = None,
    database_url: DbOption = None,
) -> None:
    """Write a kept note as JSON, printable HTML or PDF."""
    from landbridge.domain.errors import DomainError
    from landbridge.interchange.smgs_render import to_html, to_pdf
    from landbridge.services.interchange.waybills import note
    from landbridge.store.unit_of_work import UnitOfWork

    if format not in ("json", "html", "pdf"):
        err_console.print(f"[red]error[/red] --format: {format!r} is not json, html or pdf")
        raise typer.Exit(2)
    try:
        found = note(UnitOfWork.for_url(_url(database_url)), number)
    except DomainError as error:
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        raise typer.Exit(1) from None
    if format == "pdf":
        if out is None:
            err_console.print("[red]error[/red] --out: a PDF needs a file")
            raise typer.Exit(2)
        out.write_bytes(to_pdf(found))
        console.print(f"wrote {out}")
        return
    text = found.to_json() if format == "json" else to_html(found)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")


@csv_app.command("import")
def csv_import_command(
    kind: Annotated[str, typer.Argument(help="containers, bookings, discharge or load")],
    file: Annotated[Path, typer.Argument(help="CSV file with a header line")],
    visit: Annotated[str | None, typer.Option("--visit", help="Vessel visit (discharge and load lists)")] = None,
    database_url: DbOption = None,
) -> None:
    """Apply a CSV list whole, or report every bad line and column and apply nothing."""
    from landbridge.interchange.csv_lists import ListKind
    from landbridge.services.interchange.csv_import import import_csv
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        list_kind = ListKind(kind)
    except ValueError:
        err_console.print(f"[red]error[/red] kind: {kind!r} is not one of {', '.join(k.value for k in ListKind)}")
        raise typer.Exit(2) from None
    report = import_csv(
        UnitOfWork.for_url(_url(database_url)),
        _actor("cli"),
        file.read_text(encoding="utf-8-sig", errors="replace"),
        list_kind,
        visit=visit,
        source_name=file.name,
    )
    if not report.applied:
        for problem in report.problems:
            err_console.print(f"{file}: {problem.describe()}", markup=False, highlight=False)
        err_console.print(f"nothing applied ({len(report.problems)} problem(s))")
        raise typer.Exit(1)
    console.print(f"applied {report.summary.get('applied', 0)} row(s) of {file}")


@csv_app.command("export")
def csv_export_command(
    kind: Annotated[str, typer.Argument(help="containers, bookings, discharge or load")],
    visit: Annotated[str | None, typer.Option("--visit", help="Vessel visit (discharge and load lists)")] = None,
    database_url: DbOption = None,
) -> None:
    """Write a list as CSV (the columns the import reads)."""
    from landbridge.domain.errors import DomainError
    from landbridge.interchange.csv_lists import ListKind
    from landbridge.services.interchange.csv_import import export_csv
    from landbridge.store.unit_of_work import UnitOfWork

    try:
        typer.echo(export_csv(UnitOfWork.for_url(_url(database_url)), ListKind(kind), visit=visit), nl=False)
    except ValueError:
        err_console.print(f"[red]error[/red] kind: {kind!r} is not one of containers, bookings, discharge, load")
        raise typer.Exit(2) from None
    except DomainError as error:
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        raise typer.Exit(1) from None


if __name__ == "__main__":  # `python -m landbridge.edi_cli import FILE` starts faster than the whole CLI
    edi_app()
