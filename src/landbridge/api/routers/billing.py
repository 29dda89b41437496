"""Billing: tariffs, a box's charges, guarantees and waivers, billing runs, invoices (JSON, CSV, HTML, PDF)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Path, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_billing import (
    AccountOut,
    CreditIn,
    GuaranteeIn,
    GuaranteeOut,
    InvoiceCheckOut,
    InvoiceOut,
    InvoiceSummaryOut,
    RunIn,
    RunOut,
    TariffOut,
    WaiverIn,
    WaiverOut,
)
from landbridge.api.schemas_ops import ERRORS, CommandIn, respond
from landbridge.api.types import Instant
from landbridge.billing.render import PdfFontMissing, invoice_csv, invoice_html, invoice_pdf
from landbridge.domain.invoices import InvoiceStatus
from landbridge.scenarios import current_scenario
from landbridge.services.authz import Action
from landbridge.services.billing import accounts, invoices, tariffs

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])
Reader = Annotated[Principal, Depends(Authorized(Action.BILLING_READ))]
Clerk = Annotated[Principal, Depends(Authorized(Action.BILLING_WRITE))]
TariffAdmin = Annotated[Principal, Depends(Authorized(Action.TARIFF_WRITE))]
# An invoice id is a database integer: a larger one is refused by the schema, not by the database.
InvoiceId = Annotated[int, Path(ge=1, le=2**31 - 1, description="the invoice's id")]


def _file(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "The rendered invoice", "content": {media_type: {}}}, **ERRORS}


@router.get("/tariffs", response_model=list[TariffOut], responses=ERRORS)
def list_tariffs(uow: UowDep, who: Reader) -> list[dict[str, Any]]:
    """The tariffs in force (the scenario's default until an admin publishes one)."""
    return tariffs.tariffs(uow)


@router.get("/tariffs/{code}", response_model=TariffOut, responses=ERRORS)
def get_tariff(code: str, uow: UowDep, who: Reader) -> dict[str, Any]:
    """One tariff's newest revision."""
    return tariffs.tariff(uow, code)


@router.put("/tariffs/{code}", response_model=TariffOut, responses=ERRORS)
def put_tariff(
    code: str,
    uow: UowDep,
    who: TariffAdmin,
    key: IdempotencyDep,
    document: Annotated[dict[str, Any], Body(description="the whole tariff document (docs/billing.md)")],
) -> JSONResponse:
    """Publish a new revision of a tariff (admin). Refused (422, naming the field) for overlapping
    validity, a negative rate, a tier gap, a rate with more than two decimals or a missing move."""
    return respond(tariffs.publish_tariff(uow, who.actor, code=code, document=document, idempotency=key))


@router.get("/containers/{number}", response_model=AccountOut, responses=ERRORS)
def account(
    number: str,
    uow: UowDep,
    who: Reader,
    at: Annotated[Instant | None, Query(description="up to this moment (default now), with offset")] = None,
) -> dict[str, Any]:
    """A box's charges so far, its guarantees and waivers, what it owes and whether a pick-up is blocked."""
    return accounts.container_account(uow, who.scope, number, at)


@router.post("/guarantees", status_code=201, response_model=GuaranteeOut, responses=ERRORS)
def guarantee(body: GuaranteeIn, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """Record that a box's storage/reefer charges are paid or guaranteed through a moment (audited)."""
    return respond(
        accounts.record_guarantee(
            uow,
            who.actor,
            container=body.container,
            kind=body.kind,
            through=body.through,
            party=body.party,
            reference=body.reference,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/waivers", status_code=201, response_model=WaiverOut, responses=ERRORS)
def waiver(body: WaiverIn, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """Waive charges of one kind on a box (within start–end) with a reason (422 without one; audited)."""
    return respond(
        accounts.grant_waiver(
            uow,
            who.actor,
            container=body.container,
            kind=body.kind,
            reason=body.reason,
            start=body.start,
            end=body.end,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/runs", response_model=RunOut, responses=ERRORS)
def run(body: RunIn, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """Bill a closed month: a draft per paying party; running it again gives the same invoices.

    Refused (422 at ``period``) for a month not yet over, or if the independent checker disagrees.
    """
    return respond(
        invoices.run_period(uow, who.actor, period=body.period, occurred_at=body.occurred_at, idempotency=key)
    )


@router.get("/invoices", response_model=list[InvoiceSummaryOut], responses=ERRORS)
def list_invoices(
    uow: UowDep,
    who: Reader,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")] = None,
    party: str | None = None,
    status: Annotated[InvoiceStatus | None, Query(description="draft, final or credited")] = None,
) -> list[dict[str, Any]]:
    """Invoices and credit notes (a shipper or line sees its own)."""
    return invoices.invoices(uow, who.scope, period=period, party=party, status=status)


@router.get("/invoices/{invoice_id}", response_model=InvoiceOut, responses=ERRORS)
def get_invoice(invoice_id: InvoiceId, uow: UowDep, who: Reader) -> dict[str, Any]:
    """One invoice with its lines (each names the events that caused it)."""
    return invoices.invoice(uow, who.scope, invoice_id)


@router.get("/invoices/{invoice_id}/csv", response_class=Response, responses=_file("text/csv"))
def invoice_as_csv(invoice_id: InvoiceId, uow: UowDep, who: Reader) -> Response:
    """The invoice as CSV (one row per line, then the total)."""
    view = invoices.invoice(uow, who.scope, invoice_id)
    name = f"{view['number'] or 'draft-' + str(invoice_id)}.csv"
    return Response(
        invoice_csv(view),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/invoices/{invoice_id}/html", response_class=HTMLResponse, responses=_file("text/html"))
def invoice_as_html(invoice_id: InvoiceId, uow: UowDep, who: Reader) -> HTMLResponse:
    """The invoice as the HTML the PDF is drawn from."""
    return HTMLResponse(invoice_html(invoices.invoice(uow, who.scope, invoice_id), current_scenario().base.name))


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses=_file("application/pdf"))
def invoice_as_pdf(invoice_id: InvoiceId, uow: UowDep, who: Reader) -> Response:
    """The invoice as PDF (A4)."""
    view = invoices.invoice(uow, who.scope, invoice_id)
    name = f"{view['number'] or 'draft-' + str(invoice_id)}.pdf"
    try:
        pdf = invoice_pdf(view, current_scenario().base.name)
    except PdfFontMissing as error:  # the server lacks a Debian font package: say which
        raise HTTPException(status_code=503, detail=str(error)) from None
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/invoices/{invoice_id}/check", response_model=InvoiceCheckOut, responses=ERRORS)
def check(invoice_id: InvoiceId, uow: UowDep, who: Reader) -> dict[str, Any]:
    """The independent checker's total for the invoice's party and period beside the invoice's."""
    return invoices.check_invoice(uow, who.scope, invoice_id)


@router.post("/invoices/{invoice_id}/finalise", response_model=InvoiceOut, responses=ERRORS)
def finalise(
    invoice_id: InvoiceId, uow: UowDep, who: Clerk, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """Number the draft (no gaps per series) and freeze it. Refused (409) with the difference when the
    events changed since the draft."""
    occurred_at = None if body is None else body.occurred_at
    return respond(invoices.finalise(uow, who.actor, invoice_id=invoice_id, occurred_at=occurred_at, idempotency=key))


@router.post("/invoices/{invoice_id}/credit", status_code=201, response_model=InvoiceOut, responses=ERRORS)
def credit(invoice_id: InvoiceId, body: CreditIn, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """Reverse a final invoice with a numbered credit note; the next run drafts the period anew."""
    return respond(
        invoices.credit(
            uow, who.actor, invoice_id=invoice_id, reason=body.reason, occurred_at=body.occurred_at, idempotency=key
        )
    )
