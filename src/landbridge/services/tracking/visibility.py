"""Who sees which DCSA events: hub staff everything, a shipper or forwarder only its own boxes' events.

The rule lives in the queries (SQL clauses built here), never in the routes. A DCSA event is linked
to the containers it concerns (``dcsa_event_equipment``); a party sees the event when one of those
containers belongs to a consignment it ships or receives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.sql import ColumnElement

from landbridge.store import tables
from landbridge.store.tracking_tables import DcsaEventEquipmentRow, DcsaEventRow


@dataclass(frozen=True)
class Viewer:
    """Who reads: hub staff (``party`` None) see everything; a shipper or forwarder only its own boxes."""

    name: str
    party: str | None = None


STAFF = Viewer("system")


def own_bookings(party: str) -> Any:
    """Bookings the party ships or receives (the same rule as the operations repositories' Scope)."""
    return select(tables.ConsignmentRow.booking_reference).where(
        or_(tables.ConsignmentRow.shipper_code == party, tables.ConsignmentRow.consignee_code == party)
    )


def related(party: str | None, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """The DCSA event concerns a container meeting ``conditions`` — and, for a party, one of its own.

    Both must hold for the same container: a shipper filtering by a foreign box must not learn, from
    a shared train's events, that the box was on board.
    """
    clauses = [
        DcsaEventEquipmentRow.dcsa_event_id == DcsaEventRow.id,
        tables.ContainerRow.number == DcsaEventEquipmentRow.equipment_reference,
        *conditions,
    ]
    if party is not None:
        clauses.append(tables.ContainerRow.booking_reference.in_(own_bookings(party)))
    return exists().where(*clauses)


def visible(party: str) -> ColumnElement[bool]:
    """The DCSA event concerns a container of a consignment the party ships or receives."""
    return related(party)


def concerns(reference: str, party: str | None = None) -> ColumnElement[bool]:
    """The DCSA event concerns the container ``reference`` (one of the party's own, for a party)."""
    return related(party, DcsaEventEquipmentRow.equipment_reference == reference)


def booked_under(booking: str, party: str | None = None) -> ColumnElement[bool]:
    """The DCSA event concerns a container booked under ``booking`` (the party's own, for a party)."""
    return related(party, tables.ContainerRow.booking_reference == booking)
