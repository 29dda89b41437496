"""A box's account: its charges so far, guarantees ("paid / guaranteed through"), waivers, and the
gate check that refuses a pick-up while time-based charges are owed and not covered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from landbridge.billing.charges import Charge, box_charges, owed_days
from landbridge.billing.tariff import MoveKind, TimeKind
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType, as_utc, utc_now
from landbridge.services.actor import Actor
from landbridge.services.billing.facts import box_events, box_facts, waivers
from landbridge.services.billing.tariffs import tariff_in_force
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, parse_container, subject_event
from landbridge.store.billing_tables import GuaranteeRow, WaiverRow
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork

GUARANTEE_KINDS = ("paid", "guaranteed")
WAIVABLE = tuple(k.value for k in MoveKind) + tuple(k.value for k in TimeKind) + ("dg_surcharge", "all")
EARLIEST = datetime(2000, 1, 1, tzinfo=utc_now().tzinfo)


def charge_view(line: Charge) -> dict[str, Any]:
    """The JSON form of one charge line (amounts as decimal strings in the tariff's currency)."""
    return {
        "container": line.container,
        "kind": line.kind,
        "payer": line.payer,
        "payer_rule": line.payer_rule,
        "tariff_version": line.tariff_version,
        "unit": line.unit,
        "quantity": line.quantity,
        "rate": f"{line.rate:.2f}",
        "amount": f"{line.amount:.2f}",
        "first_at": line.first_at.isoformat(),
        "last_at": line.last_at.isoformat(),
        "event_ids": list(line.event_ids),
        "waiver": line.waiver,
    }


def covered_through(uow: UnitOfWork, number: str) -> datetime | None:
    """The latest "paid / guaranteed through" moment recorded for a box."""
    throughs = [as_utc(row.through) for row in uow.billing.guarantees([number])]
    return max(throughs, default=None)


def owed(uow: UnitOfWork, number: str, at: datetime) -> Decimal:
    """Time-based charges the box's current stay owes at ``at``, not covered by a guarantee or waiver."""
    facts = box_facts(uow, [number]).get(number)
    if facts is None:
        return Decimal(0)
    history = box_events(uow, at, [number]).get(number, [])
    return owed_days(
        tariff_in_force(uow).tariff, facts, history, at, covered_through(uow, number), waivers(uow, [number])
    )


def check_pick_up(uow: UnitOfWork, numbers: Sequence[str], at: datetime, field: str = "pick_up") -> None:
    """(in-tx) Refuse a pick-up while a box owes time-based charges (when the tariff says so)."""
    in_force = tariff_in_force(uow).tariff
    if not in_force.block_pick_up_when_owed:
        return
    for index, number in enumerate(numbers):
        amount = owed(uow, number, at)
        if amount > 0:
            raise RuleViolation(
                f"{field}[{index}]",
                f"{number} owes {amount:.2f} {in_force.currency} in storage/reefer charges; record a payment or "
                "guarantee (POST /api/v1/billing/guarantees) or a waiver first",
            )


def container_account(uow: UnitOfWork, scope: Scope, number: str, at: datetime | None = None) -> dict[str, Any]:
    """A box's charges from its first event up to ``at`` (default now), guarantees, waivers and what it owes."""
    moment = as_utc(at) if at is not None else utc_now()
    parsed = str(parse_container(number))
    with uow:
        if uow.containers.get_visible(parsed, scope) is None:
            raise NotFound("container", f"no container {parsed}")
        in_force = tariff_in_force(uow).tariff
        facts = box_facts(uow, [parsed])[parsed]
        history = box_events(uow, moment, [parsed]).get(parsed, [])
        lines = box_charges(in_force, facts, history, (EARLIEST, moment), moment, waivers(uow, [parsed]))
        through = covered_through(uow, parsed)
        return {
            "container": parsed,
            "at": moment.isoformat(),
            "currency": in_force.currency,
            "charges": [charge_view(line) for line in lines],
            "total": f"{sum((line.amount for line in lines), Decimal(0)):.2f}",
            "owed": f"{owed(uow, parsed, moment):.2f}",
            "covered_through": None if through is None else through.isoformat(),
            "guarantees": [
                {
                    "kind": g.kind,
                    "through": as_utc(g.through).isoformat(),
                    "party": g.party_code,
                    "reference": g.reference,
                    "recorded_by": g.recorded_by,
                }
                for g in uow.billing.guarantees([parsed])
            ],
            "waivers": [
                {
                    "kind": w.kind,
                    "reason": w.reason,
                    "start": None if w.start is None else as_utc(w.start).isoformat(),
                    "end": None if w.end is None else as_utc(w.end).isoformat(),
                    "granted_by": w.granted_by,
                }
                for w in uow.billing.waivers([parsed])
            ],
            "pick_up_blocked": in_force.block_pick_up_when_owed and owed(uow, parsed, moment) > 0,
        }


def record_guarantee(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    kind: str,
    through: datetime,
    party: str | None = None,
    reference: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Record that a box's time-based charges are paid or guaranteed through ``through``; audited."""
    if kind not in GUARANTEE_KINDS:
        raise RuleViolation("kind", f"kind must be one of {', '.join(GUARANTEE_KINDS)}")
    if through.tzinfo is None or through.utcoffset() is None:
        raise RuleViolation("through", "give the time with its UTC offset, e.g. 2026-12-10T00:00:00+08:00")
    until = as_utc(through)
    number = str(parse_container(container))

    def work(uow: UnitOfWork) -> dict[str, Any]:
        if uow.containers.rows([number]).get(number) is None:
            raise NotFound("container", f"no container {number}")
        if party is not None and uow.parties.party(party) is None:
            raise NotFound("party", f"no party {party!r}")
        row = GuaranteeRow(
            container_number=number,
            kind=kind,
            through=until,
            party_code=party,
            reference=reference,
            recorded_by=actor.name,
            recorded_at=command_time(),
        )
        uow.billing.add(row)
        view = {
            "id": row.id,
            "container": number,
            "kind": kind,
            "through": until.isoformat(),
            "party": party,
            "reference": reference,
            "recorded_by": actor.name,
        }
        subject_event(uow, EventType.GUARANTEE_RECORDED, "billing_guarantee", str(row.id), actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def grant_waiver(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    kind: str,
    reason: str,
    start: datetime | None = None,
    end: datetime | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Waive charges of ``kind`` on a box within [start, end) with a reason; audited."""
    if not reason or not reason.strip():
        raise RuleViolation("reason", "a waiver needs a reason")
    if kind not in WAIVABLE:
        raise RuleViolation("kind", f"kind must be one of {', '.join(WAIVABLE)}")
    for name, value in (("start", start), ("end", end)):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise RuleViolation(name, "give the time with its UTC offset")
    if start is not None and end is not None and end <= start:
        raise RuleViolation("end", "must be after start")
    number = str(parse_container(container))

    def work(uow: UnitOfWork) -> dict[str, Any]:
        if uow.containers.rows([number]).get(number) is None:
            raise NotFound("container", f"no container {number}")
        row = WaiverRow(
            container_number=number,
            kind=kind,
            reason=reason.strip(),
            start=None if start is None else as_utc(start),
            end=None if end is None else as_utc(end),
            granted_by=actor.name,
            granted_at=command_time(),
        )
        uow.billing.add(row)
        view = {
            "id": row.id,
            "container": number,
            "kind": kind,
            "reason": row.reason,
            "start": None if start is None else as_utc(start).isoformat(),
            "end": None if end is None else as_utc(end).isoformat(),
            "granted_by": actor.name,
        }
        subject_event(uow, EventType.WAIVER_GRANTED, "billing_waiver", str(row.id), actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)
