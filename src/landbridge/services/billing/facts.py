"""The facts charges are computed from, read from the store: box facts, box events, waivers, periods."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from landbridge.billing.charges import BoxEvent, BoxFacts, GrainEvent, Waiver
from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import as_utc
from landbridge.domain.iso_types import size_type, teu_of_length
from landbridge.scenarios import current_scenario
from landbridge.store.unit_of_work import UnitOfWork

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def hub_zone() -> ZoneInfo:
    """The base's time zone (periods are calendar months in hub time)."""
    return ZoneInfo(current_scenario().base.time_zone)


def period_window(period: str, field: str = "period") -> tuple[datetime, datetime]:
    """``YYYY-MM`` → [first instant, first instant of the next month) in hub time, as aware UTC."""
    match = PERIOD.match(period)
    if match is None:
        raise RuleViolation(field, f"{period!r} is not a month; give YYYY-MM, e.g. 2026-11")
    year, month = int(match[1]), int(match[2])
    zone = hub_zone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return as_utc(start), as_utc(end)


def box_events(
    uow: UnitOfWork,
    before: datetime,
    numbers: Iterable[str] | None = None,
    *,
    chargeable_since: datetime | None = None,
) -> dict[str, list[BoxEvent]]:
    """Billing-relevant events of each box (all boxes, these, or those that may owe something since
    ``chargeable_since``) that happened before ``before``; each box's history is complete."""
    history: dict[str, list[BoxEvent]] = defaultdict(list)
    for row in uow.billing.container_events(before, numbers, chargeable_since=chargeable_since):
        after = row.after if isinstance(row.after, dict) else {}
        load_state = after.get("load_state")
        caused_by = after.get("caused_by_party")
        history[row.subject_id].append(
            BoxEvent(
                row.id,
                row.event_type,
                as_utc(row.occurred_at),
                None if load_state is None else str(load_state),
                caused_by=None if caused_by is None else str(caused_by),
                weighed_here=after.get("weighed_at_base") is True,
            )
        )
    return dict(history)


def grain_events(uow: UnitOfWork, start: datetime, end: datetime) -> tuple[list[GrainEvent], list[dict[str, Any]]]:
    """Charged grain movements in [start, end), and the same events raw for the independent checker.

    The mass is the event's own: ``received_kg``, ``shipped_kg``, or ``moved_kg`` on the *source* lot's
    transfer event (a partial transfer also writes an event on the new lot: the same move, not charged
    twice).
    """
    charged: list[GrainEvent] = []
    raw: list[dict[str, Any]] = []
    for row in uow.billing.grain_events(start, end):
        after = row.after if isinstance(row.after, dict) else {}
        occurred = as_utc(row.occurred_at)
        raw.append(
            {
                "id": row.id,
                "lot": row.subject_id,
                "type": row.event_type,
                "occurred_at": occurred.isoformat(),
                "after": after,
            }
        )
        if row.event_type == "grain.transferred":
            mass = after.get("moved_kg") if "to_silo" in after else None
        else:
            mass = after.get("received_kg" if row.event_type == "grain.received" else "shipped_kg")
        if isinstance(mass, int) and mass > 0:
            owner = after.get("owner_code")
            lot = row.subject_id
            charged.append(
                GrainEvent(row.id, row.event_type, occurred, lot, None if owner is None else str(owner), mass)
            )
    return charged, raw


def box_facts(uow: UnitOfWork, numbers: Iterable[str]) -> dict[str, BoxFacts]:
    """Size, reefer, IMDG goods and the parties of each box (line by owner code, shipper, consignee)."""
    wanted = sorted(set(numbers))
    rows = uow.billing.containers(wanted)
    dangerous = uow.billing.dangerous(wanted)
    owners = uow.billing.owner_parties()
    bookings = uow.billing.consignments({r.booking_reference for r in rows.values() if r.booking_reference})
    facts: dict[str, BoxFacts] = {}
    for number, row in rows.items():
        iso = size_type(row.iso_type)
        consignment = bookings.get(row.booking_reference or "")
        facts[number] = BoxFacts(
            number=number,
            length_ft=iso.length_ft,
            teu=teu_of_length(iso.length_ft),
            reefer=iso.is_reefer,
            dangerous=number in dangerous,
            line=owners.get(number[:3]),
            shipper=None if consignment is None else consignment.shipper_code,
            consignee=None if consignment is None else consignment.consignee_code,
        )
    return facts


def waivers(uow: UnitOfWork, numbers: Iterable[str] | None = None) -> list[Waiver]:
    """Recorded waivers as the pure computation takes them."""
    return [
        Waiver(
            container=row.container_number,
            kind=row.kind,
            reason=row.reason,
            start=None if row.start is None else as_utc(row.start),
            end=None if row.end is None else as_utc(row.end),
        )
        for row in uow.billing.waivers(numbers)
    ]
