"""Reading the DCSA feed and one container's tracking view, filtered in SQL, scoped to the viewer.

Event pages are ordered by the projection's row id and named by an opaque cursor (the last row id
of the page). Every query applies the viewer's scope (:mod:`.visibility`) in the statement itself.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from landbridge.corridor.eta import ArrivalEstimate
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import utc_now
from landbridge.interchange import dcsa
from landbridge.services.tracking.eta import estimate, eta_history
from landbridge.services.tracking.projection import catch_up
from landbridge.services.tracking.visibility import STAFF, Viewer, booked_under, concerns, visible
from landbridge.store import tables
from landbridge.store.repositories.scope import visible_containers
from landbridge.store.tracking_tables import DcsaEventRow
from landbridge.store.unit_of_work import UnitOfWork

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


@dataclass(frozen=True)
class EventQuery:
    """The DCSA GET /events filters we support (AND between filters, OR inside a list)."""

    event_types: tuple[str, ...] = ()
    equipment_event_type_codes: tuple[str, ...] = ()
    transport_event_type_codes: tuple[str, ...] = ()
    equipment_reference: str | None = None
    carrier_booking_reference: str | None = None
    un_location_code: str | None = None
    created_bounds: tuple[tuple[str, datetime], ...] = ()
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


_COMPARE: dict[str, Callable[[Any, datetime], ColumnElement[bool]]] = {
    "gte": lambda column, value: column >= value,
    "gt": lambda column, value: column > value,
    "lte": lambda column, value: column <= value,
    "lt": lambda column, value: column < value,
    "eq": lambda column, value: column == value,
}


def encode_cursor(last_id: int) -> str:
    """An opaque page cursor."""
    return base64.urlsafe_b64encode(json.dumps({"after": last_id}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The row id a cursor points after; a malformed cursor is the client's error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))["after"]
        if not isinstance(value, int) or value < 0:
            raise ValueError(value)
        return value
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        raise RuleViolation("cursor", "not a cursor this server issued") from None


def _filters(query: EventQuery, party: str | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.event_types:
        conditions.append(DcsaEventRow.event_type.in_(query.event_types))
    codes: list[ColumnElement[bool]] = []
    if query.equipment_event_type_codes:
        codes.append(
            and_(DcsaEventRow.event_type == "EQUIPMENT", DcsaEventRow.type_code.in_(query.equipment_event_type_codes))
        )
    if query.transport_event_type_codes:
        codes.append(
            and_(DcsaEventRow.event_type == "TRANSPORT", DcsaEventRow.type_code.in_(query.transport_event_type_codes))
        )
    if codes:
        conditions.append(or_(*codes) if len(codes) > 1 else codes[0])
    if query.equipment_reference:
        conditions.append(concerns(query.equipment_reference, party))
    if query.carrier_booking_reference:
        conditions.append(booked_under(query.carrier_booking_reference, party))
    for operator, value in query.created_bounds:
        conditions.append(_COMPARE[operator](DcsaEventRow.event_created_at, value))
    return conditions


def find_events(uow: UnitOfWork, query: EventQuery, viewer: Viewer) -> tuple[list[dict[str, Any]], str | None]:
    """DCSA events matching the query that the viewer may see, oldest first, and the next page's cursor.

    Reads in the caller's unit of work.
    """
    session = uow.session
    limit = max(1, min(query.limit, MAX_LIMIT))
    statement = select(DcsaEventRow).where(*_filters(query, viewer.party))
    if query.un_location_code:
        statement = statement.where(
            DcsaEventRow.body["eventLocation"]["UNLocationCode"].as_string() == query.un_location_code
        )
    if viewer.party is not None:
        statement = statement.where(visible(viewer.party))
    if query.cursor:
        statement = statement.where(DcsaEventRow.id > decode_cursor(query.cursor))
    rows = session.scalars(statement.order_by(DcsaEventRow.id).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
    return [dict(row.body) for row in page], next_cursor


def find_event(uow: UnitOfWork, event_id: str, viewer: Viewer) -> dict[str, Any]:
    """One DCSA event by eventID (404 when unknown or not the viewer's), in the caller's unit of work."""
    session = uow.session
    statement = select(DcsaEventRow).where(DcsaEventRow.event_id == event_id)
    if viewer.party is not None:
        statement = statement.where(visible(viewer.party))
    row = session.scalar(statement)
    if row is None:
        raise NotFound("eventID", f"no event {event_id}")
    return dict(row.body)


@dataclass(frozen=True)
class ContainerTracking:
    """What a shipper sees about one box: where it is, what happened, when it should arrive."""

    number: str
    iso_type: str
    load_state: str
    booking_reference: str | None
    position_kind: str
    position_reference: str | None
    last_event: dict[str, Any] | None
    timeline: list[dict[str, Any]]
    train_reference: str | None
    route_code: str | None
    destination: str | None
    eta: ArrivalEstimate | None
    eta_unavailable_reason: str | None
    eta_history: list[dict[str, Any]]
    customs_holds: list[dict[str, Any]]


def track_container(uow: UnitOfWork, number: str, viewer: Viewer, as_of: datetime | None = None) -> ContainerTracking:
    """Position, DCSA timeline and arrival estimate of one container the viewer may see."""
    as_of = as_of or utc_now()
    catch_up(uow)
    with uow:
        session = uow.session
        statement = select(tables.ContainerRow).where(tables.ContainerRow.number == number)
        container = session.scalar(visible_containers(statement, viewer.scope))
        if container is None:
            raise NotFound("container_number", f"no container {number}")
        timeline, _ = find_events(uow, EventQuery(equipment_reference=number, limit=MAX_LIMIT), STAFF)
        found = estimate(session, number, as_of)
        return ContainerTracking(
            number=container.number,
            iso_type=container.iso_type,
            load_state=container.load_state,
            booking_reference=container.booking_reference,
            position_kind=container.position_kind,
            position_reference=container.position_reference,
            last_event=timeline[-1] if timeline else None,
            timeline=timeline,
            train_reference=found.train,
            route_code=None if found.route is None else found.route.code,
            destination=None if found.route is None else found.route.destination,
            eta=found.eta,
            eta_unavailable_reason=found.reason,
            eta_history=eta_history(session, number),
            customs_holds=_holds(session, number),
        )


def _holds(session: Session, number: str) -> list[dict[str, Any]]:
    """Customs holds on the box, open ones first: the usual answer to "why is my box not moving"."""
    rows = session.scalars(
        select(tables.CustomsHoldRow)
        .where(tables.CustomsHoldRow.container_number == number)
        .order_by(tables.CustomsHoldRow.id)
    ).all()
    holds = [
        {
            "reason": r.reason,
            "open": r.released_at is None,
            "placed_at": dcsa.rfc3339(r.placed_at),
            "released_at": dcsa.rfc3339(r.released_at) if r.released_at else None,
        }
        for r in rows
    ]
    return sorted(holds, key=lambda hold: not hold["open"])
