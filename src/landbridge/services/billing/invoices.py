"""Billing runs and invoices: drafts per customer and period, finalised with gap-free numbers,
immutable once final (a correction is a credit note), each line pointing at its events.

A run is idempotent: it recomputes every line of the period from the event log and leaves a draft
that already says the same untouched, so running a period twice gives the same invoices. Every run
is compared with the independent checker (:mod:`landbridge.billing.check`) and refused if they
disagree by a cent.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from landbridge.billing.charges import Charge, box_charges, grain_charges, may_charge_from
from landbridge.billing.check import check_period
from landbridge.billing.tariff import Tariff, tariff_document
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType, as_utc, utc_now
from landbridge.domain.invoices import InvoiceStatus
from landbridge.services.actor import Actor
from landbridge.services.billing.facts import box_events, box_facts, grain_events, period_window, waivers
from landbridge.services.billing.tariffs import tariff_in_force
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.store.billing_tables import InvoiceLineRow, InvoiceRow
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.unit_of_work import UnitOfWork

SERIES = {"invoice": "INV", "credit_note": "CN"}

Signature = tuple[str, str, str, str, str, int, int, int, str, str, tuple[int, ...], str]


def _cents(value: Any) -> int:
    return int(value * 100)


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def display_number(row: InvoiceRow) -> str | None:
    """``INV-000042`` (None for a draft)."""
    return None if row.number is None else f"{row.series}-{row.number:06d}"


def _line_row(position: int, line: Charge) -> InvoiceLineRow:
    return InvoiceLineRow(
        position=position,
        container_number=line.container,
        kind=line.kind,
        payer_rule=line.payer_rule,
        tariff_version=line.tariff_version,
        unit=line.unit,
        quantity=line.quantity,
        rate_cents=_cents(line.rate),
        amount_cents=_cents(line.amount),
        first_at=line.first_at,
        last_at=line.last_at,
        event_ids=list(line.event_ids),
        waiver=line.waiver,
    )


def _signature(row: InvoiceLineRow) -> Signature:
    return (
        row.container_number,
        row.kind,
        row.payer_rule,
        row.tariff_version,
        row.unit,
        row.quantity,
        row.rate_cents,
        row.amount_cents,
        as_utc(row.first_at).isoformat(),
        as_utc(row.last_at).isoformat(),
        tuple(row.event_ids),
        row.waiver or "",
    )


def _describe(signature: Signature) -> str:
    return f"{signature[0]} {signature[1]} from {signature[8]} × {signature[5]} = {_money(signature[7])}"


def difference(stored: list[InvoiceLineRow], now: list[InvoiceLineRow]) -> list[str]:
    """What changed between a stored invoice's lines and the lines the events give now."""
    before = Counter(_signature(r) for r in stored)
    after = Counter(_signature(r) for r in now)
    gone = [f"- {_describe(s)}" for s in sorted((before - after).elements())]
    new = [f"+ {_describe(s)}" for s in sorted((after - before).elements())]
    return gone + new


ByPayer = dict[str | None, list[Charge]]


def _period_lines(uow: UnitOfWork, tariff: Tariff, period: str) -> tuple[ByPayer, dict[str, Any]]:
    """Every line of the period by payer, and the checker's input built from the same reads."""
    start, end = period_window(period)
    histories = box_events(uow, end, chargeable_since=start)
    facts = box_facts(uow, histories)
    waived = waivers(uow)
    grain, grain_raw = grain_events(uow, start, end)
    by_payer: dict[str | None, list[Charge]] = defaultdict(list)
    for number in sorted(histories):
        if not may_charge_from(histories[number], start):
            continue
        for line in box_charges(tariff, facts[number], histories[number], (start, end), end, waived):
            by_payer[line.payer].append(line)
    for line in grain_charges(tariff, grain, (start, end)):
        by_payer[line.payer].append(line)
    checker_input = {
        "tariff": tariff_document(tariff),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "horizon": end.isoformat(),
        "boxes": {
            number: {
                "length_ft": f.length_ft,
                "reefer": f.reefer,
                "dangerous": f.dangerous,
                "line": f.line,
                "shipper": f.shipper,
                "consignee": f.consignee,
            }
            for number, f in facts.items()
        },
        "events": [
            {
                "id": e.event_id,
                "container": number,
                "type": e.event_type,
                "occurred_at": e.occurred_at.isoformat(),
                "load_state": e.load_state,
                "caused_by_party": e.caused_by,
                "weighed_at_base": e.weighed_here,
            }
            for number, history in histories.items()
            for e in history
        ],
        "grain_events": grain_raw,
        "waivers": [
            {
                "container": w.container,
                "kind": w.kind,
                "start": None if w.start is None else w.start.isoformat(),
                "end": None if w.end is None else w.end.isoformat(),
            }
            for w in waived
        ],
    }
    return dict(by_payer), checker_input


def _compare_with_checker(by_payer: dict[str | None, list[Charge]], checker_input: dict[str, Any]) -> dict[str, Any]:
    checked = {k: v for k, v in check_period(checker_input)["by_payer"].items() if v}
    ours = {payer or "": sum(_cents(line.amount) for line in lines) for payer, lines in by_payer.items()}
    ours = {k: v for k, v in ours.items() if v}
    if ours != checked:
        parties = sorted(set(ours) | set(checked))
        detail = "; ".join(
            f"{p or '(unassigned)'}: service {_money(ours.get(p, 0))}, checker {_money(checked.get(p, 0))}"
            for p in parties
            if ours.get(p, 0) != checked.get(p, 0)
        )
        raise RuleViolation("period", f"the billing service and the independent checker disagree: {detail}")
    return {"agrees": True, "by_payer": {p or "(unassigned)": _money(c) for p, c in sorted(checked.items())}}


def _period_not_over(period: str) -> tuple[datetime, datetime]:
    start, end = period_window(period)
    if end > utc_now():
        raise RuleViolation("period", f"{period} is not over until {end.isoformat()}; bill a closed month")
    return start, end


def _rows(lines: list[Charge]) -> list[InvoiceLineRow]:
    return [_line_row(position, line) for position, line in enumerate(lines, start=1)]


def _draft(
    uow: UnitOfWork, actor: Actor, tariff: Tariff, party: str, period: str, lines: list[Charge]
) -> tuple[str, InvoiceRow]:
    """Create or refresh the party's draft for the period; the outcome word for the run summary, and the invoice."""
    rows = _rows(lines)
    total = sum(row.amount_cents for row in rows)
    current = uow.billing.open_invoice(party, period)
    if current is None:
        current = InvoiceRow(
            kind="invoice",
            status=InvoiceStatus.DRAFT.value,
            series=SERIES["invoice"],
            party_code=party,
            period=period,
            currency=tariff.currency,
            tariff_code=tariff.code,
            total_cents=total,
            created_at=command_time(),
        )
        uow.billing.add(current)
        outcome, before = "created", None
    else:
        changes = difference(uow.billing.lines(current.id), rows)
        if not changes:
            return ("unchanged" if current.status == InvoiceStatus.DRAFT else "final, unchanged"), current
        if current.status == InvoiceStatus.FINAL:
            return "final, changed since: credit it and run again (" + "; ".join(changes[:5]) + ")", current
        outcome, before = "updated", {"total": _money(current.total_cents)}
        current.total_cents = total
    for row in rows:
        row.invoice_id = current.id
    uow.billing.replace_lines(current.id, rows)
    after = {"party": party, "period": period, "total": _money(total), "lines": len(rows)}
    subject_event(uow, EventType.INVOICE_DRAFTED, "invoice", str(current.id), actor, before, after)
    return outcome, current


def run_period(
    uow: UnitOfWork,
    actor: Actor,
    *,
    period: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Bill a closed month: a draft per paying party (refreshed if the events changed), checked."""
    _period_not_over(period)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        tariff = tariff_in_force(uow).tariff
        by_payer, checker_input = _period_lines(uow, tariff, period)
        checker = _compare_with_checker(by_payer, checker_input)
        results = []
        for party in sorted(p for p in by_payer if p is not None):
            outcome, current = _draft(uow, actor, tariff, party, period, by_payer[party])
            results.append(
                {
                    "id": current.id,
                    "party": party,
                    "status": current.status,
                    "number": display_number(current),
                    "total": _money(current.total_cents),
                    "outcome": outcome,
                }
            )
        unassigned = [
            {"container": line.container, "kind": line.kind, "amount": f"{line.amount:.2f}"}
            for line in by_payer.get(None, [])
            if line.amount
        ]
        return {
            "period": period,
            "tariff": tariff.code,
            "currency": tariff.currency,
            "invoices": results,
            "unassigned": unassigned,
            "checker": checker,
        }

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def invoice_view(uow: UnitOfWork, row: InvoiceRow) -> dict[str, Any]:
    """The JSON answer describing an invoice or credit note with its lines."""
    return {
        "id": row.id,
        "number": display_number(row),
        "kind": row.kind,
        "status": row.status,
        "party": row.party_code,
        "period": row.period,
        "currency": row.currency,
        "tariff": row.tariff_code,
        "total": _money(row.total_cents),
        "credits_invoice": row.credits_invoice_id,
        "reason": row.reason,
        "created_at": as_utc(row.created_at).isoformat(),
        "finalised_at": None if row.finalised_at is None else as_utc(row.finalised_at).isoformat(),
        "finalised_by": row.finalised_by,
        "lines": [
            {
                "container": line.container_number,
                "kind": line.kind,
                "payer_rule": line.payer_rule,
                "tariff_version": line.tariff_version,
                "unit": line.unit,
                "quantity": line.quantity,
                "rate": _money(line.rate_cents),
                "amount": _money(line.amount_cents),
                "first_at": as_utc(line.first_at).isoformat(),
                "last_at": as_utc(line.last_at).isoformat(),
                "event_ids": list(line.event_ids),
                "waiver": line.waiver,
            }
            for line in uow.billing.lines(row.id)
        ],
    }


def invoices(
    uow: UnitOfWork,
    scope: Scope,
    *,
    period: str | None = None,
    party: str | None = None,
    status: InvoiceStatus | None = None,
) -> list[dict[str, Any]]:
    """Invoices and credit notes the caller may see (a party: its own), without their lines."""
    with uow:
        return [
            {k: v for k, v in invoice_view(uow, row).items() if k != "lines"}
            for row in uow.billing.invoices(scope, period, party, status)
        ]


def invoice(uow: UnitOfWork, scope: Scope, invoice_id: int) -> dict[str, Any]:
    """One invoice with its lines."""
    with uow:
        row = uow.billing.invoice(invoice_id, scope)
        if row is None:
            raise NotFound("invoice", f"no invoice {invoice_id}")
        return invoice_view(uow, row)


def finalise(
    uow: UnitOfWork,
    actor: Actor,
    *,
    invoice_id: int,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Number a draft (next number of its series, no gaps) and freeze it; refused with the difference
    when the events no longer give the draft's lines."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = uow.billing.invoice(invoice_id, EVERYTHING, lock=True)
        if row is None:
            raise NotFound("invoice", f"no invoice {invoice_id}")
        if row.status != InvoiceStatus.DRAFT:
            raise Conflict("invoice", f"invoice {invoice_id} is {row.status}; only a draft is finalised")
        tariff = tariff_in_force(uow).tariff
        by_payer, _ = _period_lines(uow, tariff, row.period)
        changes = difference(uow.billing.lines(row.id), _rows(by_payer.get(row.party_code, [])))
        if changes:
            raise Conflict(
                "invoice",
                f"the events changed since the draft ({len(changes)} line(s) differ; run the period again): "
                + "; ".join(changes[:20]),
            )
        row.number = uow.billing.take_number(row.series)
        row.status, row.finalised_at, row.finalised_by = InvoiceStatus.FINAL.value, command_time(), actor.name
        uow.session.flush()
        view = invoice_view(uow, row)
        after = {"number": view["number"], "total": view["total"], "party": row.party_code, "period": row.period}
        subject_event(
            uow,
            EventType.INVOICE_FINALISED,
            "invoice",
            str(row.id),
            actor,
            {"status": InvoiceStatus.DRAFT.value},
            after,
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def credit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    invoice_id: int,
    reason: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Reverse a final invoice with a numbered credit note (its lines negated); the next run drafts anew."""
    if not reason or not reason.strip():
        raise RuleViolation("reason", "a credit note needs a reason")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = uow.billing.invoice(invoice_id, EVERYTHING, lock=True)
        if row is None:
            raise NotFound("invoice", f"no invoice {invoice_id}")
        if row.kind != "invoice" or row.status != InvoiceStatus.FINAL:
            status = f"a {row.status} {row.kind}"
            raise Conflict("invoice", f"invoice {invoice_id} is {status}; only a final invoice is credited")
        note = InvoiceRow(
            kind="credit_note",
            status=InvoiceStatus.FINAL.value,
            series=SERIES["credit_note"],
            number=uow.billing.take_number(SERIES["credit_note"]),
            party_code=row.party_code,
            period=row.period,
            currency=row.currency,
            tariff_code=row.tariff_code,
            total_cents=-row.total_cents,
            credits_invoice_id=row.id,
            reason=reason.strip(),
            created_at=command_time(),
            finalised_at=command_time(),
            finalised_by=actor.name,
        )
        uow.billing.add(note)
        negated = []
        for line in uow.billing.lines(row.id):
            negated.append(
                InvoiceLineRow(
                    invoice_id=note.id,
                    position=line.position,
                    container_number=line.container_number,
                    kind=line.kind,
                    payer_rule=line.payer_rule,
                    tariff_version=line.tariff_version,
                    unit=line.unit,
                    quantity=line.quantity,
                    rate_cents=line.rate_cents,
                    amount_cents=-line.amount_cents,
                    first_at=line.first_at,
                    last_at=line.last_at,
                    event_ids=list(line.event_ids),
                    waiver=line.waiver,
                )
            )
        uow.billing.replace_lines(note.id, negated)
        row.status = InvoiceStatus.CREDITED.value
        uow.session.flush()
        view = invoice_view(uow, note)
        after = {"credit_note": view["number"], "total": view["total"], "reason": note.reason}
        subject_event(
            uow,
            EventType.CREDIT_NOTE_ISSUED,
            "invoice",
            str(row.id),
            actor,
            {"status": InvoiceStatus.FINAL.value},
            after,
        )
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def check_invoice(uow: UnitOfWork, scope: Scope, invoice_id: int) -> dict[str, Any]:
    """The independent checker's total for the invoice's party and period beside the invoice's own."""
    with uow:
        row = uow.billing.invoice(invoice_id, scope)
        if row is None:
            raise NotFound("invoice", f"no invoice {invoice_id}")
        tariff = tariff_in_force(uow).tariff
        _, checker_input = _period_lines(uow, tariff, row.period)
        checked = check_period(checker_input)["by_payer"].get(row.party_code, 0)
        stored = row.total_cents if row.kind == "invoice" else -row.total_cents
        return {
            "invoice": row.id,
            "number": display_number(row),
            "invoice_total": _money(stored),
            "checker_total": _money(checked),
            "agrees": checked == stored,
        }
