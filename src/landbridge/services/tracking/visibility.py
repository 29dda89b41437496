"""Who sees which DCSA events: hub staff everything, a party only the events of boxes it may see.

The rule lives in the queries (SQL clauses built here), never in the routes. A DCSA event is linked
to the containers it concerns (``dcsa_event_equipment``); a party sees the event when it may see one
of those containers by the store's one visibility rule (``store/repositories/scope.py``: boxes it
ships or receives, or owns by ISO 6346 owner code).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists
from sqlalchemy.sql import ColumnElement

from landbridge.store import tables
from landbridge.store.repositories.scope import Scope, container_visible
from landbridge.store.tracking_tables import DcsaEventEquipmentRow, DcsaEventRow


@dataclass(frozen=True)
class Viewer:
    """Who reads: hub staff (``party`` None) see everything; a shipper or forwarder only its own boxes."""

    name: str
    party: str | None = None

    @property
    def scope(self) -> Scope:
        """The store's scope of this viewer (the one visibility rule)."""
        return Scope(self.party)


STAFF = Viewer("system")


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
        clauses.append(container_visible(Scope(party)))
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
