"""Who sees which DCSA events: hub staff everything, a party only the events of boxes and bookings it may see.

The rule lives in the queries (SQL clauses built here), never in the routes. A DCSA event is linked
to the containers it concerns (``dcsa_event_equipment``: the box itself, or every box aboard a train
or ship) and to the documents it concerns (``dcsa_event_documents``: its booking, a customs hold). A
party sees the event when it may see one of those containers by the store's one visibility rule
(``store/repositories/scope.py``: boxes it ships or receives, or owns by ISO 6346 owner code), or
when the event concerns a booking it ships or receives (a booking confirmed before any box was
assigned to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from landbridge.store import tables
from landbridge.store.repositories.scope import Scope, container_visible, party_bookings
from landbridge.store.tracking_tables import DcsaEventDocumentRow, DcsaEventEquipmentRow, DcsaEventRow


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


def own_bookings(party: str) -> Any:
    """Bookings the party ships or receives (the store's rule)."""
    return party_bookings(party)


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


def documented(document_type: str, reference: str | None, party: str | None) -> ColumnElement[bool]:
    """The DCSA event concerns a document of the type (with that reference); for a party, a booking of its own.

    Only a booking is checked against the party here: whether the party may see an event about
    another document (a hold, a transport document) is the event's own visibility (:func:`visible`),
    which every query applies.
    """
    clauses: list[ColumnElement[bool]] = [
        DcsaEventDocumentRow.dcsa_event_id == DcsaEventRow.id,
        DcsaEventDocumentRow.document_type == document_type,
    ]
    if reference is not None:
        clauses.append(DcsaEventDocumentRow.reference == reference)
    if party is not None and document_type == "BKG":
        clauses.append(DcsaEventDocumentRow.reference.in_(own_bookings(party)))
    return exists().where(*clauses)


def visible(party: str) -> ColumnElement[bool]:
    """The DCSA event concerns a container or a booking of a consignment the party ships or receives."""
    return or_(related(party), documented("BKG", None, party))


SMALL_PARTY_BOXES = 5_000
"""Up to this many boxes a party's feed is read from its own boxes' events (see :func:`visible_to`)."""


def visible_from_own_boxes(party: str) -> ColumnElement[bool]:
    """The same rule as :func:`visible`, driven from the party's boxes and bookings instead of the feed.

    ``visible`` asks, for each feed row in order, whether one of its boxes is the party's: cheap for a
    party that owns much of the feed (the first page fills after a few hundred rows), but a party
    that sees little makes the database walk the whole feed — 2.4 s for an empty page on a year.
    Listing the party's own event ids first answers such a party in milliseconds, and costs seconds
    for a party that sees most of the year, hence :func:`visible_to` chooses.
    """
    boxes = (
        select(DcsaEventEquipmentRow.dcsa_event_id)
        .join(tables.ContainerRow, tables.ContainerRow.number == DcsaEventEquipmentRow.equipment_reference)
        .where(container_visible(Scope(party)))
    )
    bookings = select(DcsaEventDocumentRow.dcsa_event_id).where(
        DcsaEventDocumentRow.document_type == "BKG", DcsaEventDocumentRow.reference.in_(own_bookings(party))
    )
    return DcsaEventRow.id.in_(union_all(boxes, bookings))


def visible_to(session: Session, party: str) -> ColumnElement[bool]:
    """:func:`visible` in the form the database answers fastest for this party's number of boxes."""
    some = select(tables.ContainerRow.number).where(container_visible(Scope(party))).limit(SMALL_PARTY_BOXES + 1)
    boxes = session.scalar(select(func.count()).select_from(some.subquery())) or 0
    return visible_from_own_boxes(party) if boxes <= SMALL_PARTY_BOXES else visible(party)


def concerns(reference: str, party: str | None = None) -> ColumnElement[bool]:
    """The DCSA event concerns the container ``reference`` (one of the party's own, for a party)."""
    return related(party, DcsaEventEquipmentRow.equipment_reference == reference)


def booked_under(booking: str, party: str | None = None) -> ColumnElement[bool]:
    """The DCSA event concerns the booking, or a container booked under it (the party's own, for a party)."""
    return or_(related(party, tables.ContainerRow.booking_reference == booking), documented("BKG", booking, party))
