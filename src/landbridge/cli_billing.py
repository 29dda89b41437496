"""``landbridge billing …``: bill a month, finalise an invoice, export it as CSV or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from landbridge.config import get_settings

billing_app = typer.Typer(help="Billing: monthly runs and invoices (docs/billing.md).", no_args_is_help=True)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    str | None, typer.Option("--database-url", help="Overrides LANDBRIDGE_DATABASE_URL", show_default=False)
]
CLI_ACTOR = "landbridge-billing"


def _uow(url: str | None) -> Any:
    from landbridge.store.unit_of_work import UnitOfWork

    return UnitOfWork.for_url(url or get_settings().database_url)


def _actor() -> Any:
    from landbridge.services.actor import Actor

    return Actor(CLI_ACTOR, "admin", source="cli")


def _fail(error: Exception) -> typer.Exit:
    from landbridge.domain.errors import DomainError

    if isinstance(error, DomainError):
        err_console.print(f"[red]error[/red] {error.field}: {error.reason}", highlight=False)
        return typer.Exit(1)
    raise error


@billing_app.command("run")
def run(
    period: Annotated[str, typer.Option("--period", help="The month to bill, YYYY-MM (hub time), e.g. 2026-11")],
    database_url: DbOption = None,
) -> None:
    """Bill a closed month: one draft invoice per paying party; running it again changes nothing."""
    from landbridge.services.billing.invoices import run_period

    try:
        with console.status(f"billing {period} from the event log and checking it independently…"):
            body = run_period(_uow(database_url), _actor(), period=period).body
    except Exception as error:
        raise _fail(error) from None
    table = Table(title=f"Billing run {body['period']} — tariff {body['tariff']} ({body['currency']})")
    for column in ("invoice", "party", "status", "number", "total", "outcome"):
        table.add_column(column, justify="right" if column == "total" else "left")
    for invoice in body["invoices"]:
        table.add_row(
            str(invoice["id"]),
            invoice["party"],
            invoice["status"],
            invoice["number"] or "",
            invoice["total"],
            invoice["outcome"],
        )
    console.print(table)
    verdict = "agrees" if body["checker"]["agrees"] else "DISAGREES"
    console.print(f"independent checker: {verdict}; unassigned charge lines: {len(body['unassigned'])}")


@billing_app.command("finalise")
def finalise(
    invoice_id: Annotated[int, typer.Argument(help="The draft's id")],
    database_url: DbOption = None,
) -> None:
    """Number a draft and freeze it (refused with the difference when its events changed)."""
    from landbridge.services.billing.invoices import finalise as finalise_invoice

    try:
        body = finalise_invoice(_uow(database_url), _actor(), invoice_id=invoice_id).body
    except Exception as error:
        raise _fail(error) from None
    console.print(f"{body['number']} {body['party']} {body['period']} {body['currency']} {body['total']}")


@billing_app.command("export")
def export(
    invoice_id: Annotated[int, typer.Argument(help="The invoice's id")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write; .pdf or .csv")],
    database_url: DbOption = None,
) -> None:
    """Write an invoice as PDF or CSV."""
    from landbridge.billing.render import PdfFontMissing, invoice_csv, invoice_pdf
    from landbridge.scenarios import current_scenario
    from landbridge.services.billing.invoices import invoice
    from landbridge.store.repositories import EVERYTHING

    if output.suffix not in (".pdf", ".csv"):
        err_console.print("[red]error[/red] output: give a file ending in .pdf or .csv", highlight=False)
        raise typer.Exit(1)
    try:
        view = invoice(_uow(database_url), EVERYTHING, invoice_id)
    except Exception as error:
        raise _fail(error) from None
    if output.suffix == ".pdf":
        try:
            pdf = invoice_pdf(view, current_scenario().base.name)
        except PdfFontMissing as error:
            err_console.print(f"[red]error[/red] output: {error}", highlight=False)
            raise typer.Exit(1) from None
        output.write_bytes(pdf)
    else:
        output.write_text(invoice_csv(view), encoding="utf-8")
    console.print(f"wrote {output}")
