"""Cargo: one container as its shipper or an operator sees it (position, timeline, holds), and open holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.repositories.scope import visible_containers, visible_holds
from landbridge.web.readmodels.common import CONTAINER_SUBJECT, TRAIN_SUBJECT, utc


@dataclass
class HoldView:
    """An open customs hold."""

    container_number: str
    reason: str
    placed_by: str
    placed_at: datetime | None


def shipper_of(session: Session, number: str) -> str | None:
    """The shipper party code of a container's booking (None when it has no booking)."""
    return session.scalar(
        select(tables.ConsignmentRow.shipper_code)
        .join(tables.ContainerRow, tables.ContainerRow.booking_reference == tables.ConsignmentRow.booking_reference)
        .where(tables.ContainerRow.number == number)
    )


def _open_holds_query(scope: Scope, container: str | None = None) -> Any:
    query = select(tables.CustomsHoldRow).where(tables.CustomsHoldRow.released_at.is_(None))
    if container is not None:
        query = query.where(tables.CustomsHoldRow.container_number == container)
    return visible_holds(query, scope)


def open_holds(
    session: Session,
    scope: Scope = EVERYTHING,
    *,
    container: str | None = None,
    limit: int | None = None,
    placed_before: datetime | None = None,
) -> list[HoldView]:
    """Holds still in force, oldest first, on the boxes the scope may see (one box's, the oldest ``limit``,
    those placed before an instant)."""
    query = _open_holds_query(scope, container).order_by(tables.CustomsHoldRow.placed_at, tables.CustomsHoldRow.id)
    if placed_before is not None:
        query = query.where(tables.CustomsHoldRow.placed_at < placed_before)
    if limit is not None:
        query = query.limit(limit)
    return [HoldView(h.container_number, h.reason, h.placed_by, utc(h.placed_at)) for h in session.scalars(query)]


def count_open_holds(session: Session, scope: Scope = EVERYTHING) -> int:
    """How many holds are in force on the boxes the scope may see."""
    counted = select(func.count()).select_from(_open_holds_query(scope).subquery())
    return int(session.scalar(counted) or 0)


@dataclass
class ContainerView:
    """A container as its shipper or an operator sees it."""

    number: str
    iso_type: str
    load_state: str
    gross_mass_kg: int | None
    booking_reference: str | None
    shipper_code: str | None
    destination: str | None
    position_kind: str
    position_reference: str | None
    events: list[dict[str, Any]]
    holds: list[HoldView]


TRAIN_MILESTONES = (EventType.TRAIN_DEPARTED.value, EventType.TRAIN_AT_BORDER.value, EventType.TRAIN_ARRIVED.value)


def _journey_events(session: Session, number: str) -> list[dict[str, Any]]:
    """Departures, border arrivals and arrivals of the trains the box was loaded on, after each load.

    A shipper follows the box, but the box moves with its train: without these the timeline would
    stop at "loaded on wagon" while the train is already at Khorgos.
    """
    found: list[dict[str, Any]] = []
    loads = session.execute(
        select(tables.EventRow.id, tables.EventRow.after).where(
            tables.EventRow.subject_type == CONTAINER_SUBJECT,
            tables.EventRow.subject_id == number,
            tables.EventRow.event_type == EventType.CONTAINER_LOADED_WAGON.value,
        )
    ).all()
    for load_id, after in loads:
        train = (after or {}).get("train") if isinstance(after, dict) else None
        if not isinstance(train, str):
            continue
        for e in session.execute(
            select(tables.EventRow.event_type, tables.EventRow.occurred_at, tables.EventRow.location)
            .where(
                tables.EventRow.subject_type == TRAIN_SUBJECT,
                tables.EventRow.subject_id == train,
                tables.EventRow.event_type.in_(TRAIN_MILESTONES),
                tables.EventRow.id > load_id,
            )
            .order_by(tables.EventRow.id)
        ):
            found.append(
                {
                    "type": e.event_type,
                    "at": utc(e.occurred_at),
                    "location": e.location,
                    "subject": "train",
                    "train": train,
                }
            )
    return found


def container(session: Session, number: str, scope: Scope = EVERYTHING) -> ContainerView | None:
    """The container with its event timeline, or None when unknown — or not one the scope may see.

    Both cases return None on purpose: a shipper must not learn that someone else's box exists.
    """
    row = session.scalar(
        visible_containers(select(tables.ContainerRow).where(tables.ContainerRow.number == number), scope)
    )
    if row is None:
        return None
    owner = shipper_of(session, number)
    consignment = (
        session.scalar(
            select(tables.ConsignmentRow).where(tables.ConsignmentRow.booking_reference == row.booking_reference)
        )
        if row.booking_reference
        else None
    )
    # Three columns, not whole rows: a busy box has hundreds of events, and decoding each one's JSON
    # before/after (which the page does not show) was most of the page's CPU (issue #19).
    events = [
        {"type": event_type, "at": utc(occurred_at), "location": location, "subject": CONTAINER_SUBJECT}
        for event_type, occurred_at, location in session.execute(
            select(tables.EventRow.event_type, tables.EventRow.occurred_at, tables.EventRow.location)
            .where(tables.EventRow.subject_type == CONTAINER_SUBJECT, tables.EventRow.subject_id == number)
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
    ]
    events = sorted(events + _journey_events(session, number), key=lambda e: (e["at"] is None, e["at"]))
    holds = open_holds(session, container=number)  # this box's only, not every open hold of the hub
    return ContainerView(
        row.number,
        row.iso_type,
        row.load_state,
        row.gross_mass_kg,
        row.booking_reference,
        owner,
        consignment.destination if consignment else None,
        row.position_kind,
        row.position_reference,
        events,
        holds,
    )
