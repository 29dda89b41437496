"""The projection: the append-only event log → DCSA events, their containers, and the outbox.

``project_new_events`` reads the event log past a stored high-water mark, maps each event with
:mod:`landbridge.interchange.dcsa`, stores the DCSA events with the containers they concern, keeps
the ETA a rail milestone produced, and enqueues one delivery per matching subscription — all in the
caller's transaction, so an event is projected and enqueued exactly once. On PostgreSQL event ids
can commit out of order; a gap younger than ``settle_s`` stops the projection until the missing id
commits (or is old enough to be a rolled-back transaction's id).

``catch_up`` is the projection's runner: one unit of work per batch, each committed by
``operations.common.execute`` (a read never waits behind a huge backlog in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from landbridge.corridor.network import locodes
from landbridge.domain.errors import Conflict
from landbridge.domain.events import Event, EventType, utc_now
from landbridge.interchange import dcsa
from landbridge.scenarios import current_scenario
from landbridge.services.containers import Actor
from landbridge.services.operations.common import execute
from landbridge.services.tracking.eta import ETA_TRIGGERS, record_estimates
from landbridge.services.tracking.visibility import booked_under, concerns, visible
from landbridge.store import tables
from landbridge.store.repositories import event_from_row
from landbridge.store.tracking_tables import (
    DcsaEventEquipmentRow,
    DcsaEventRow,
    EventDeliveryRow,
    EventSubscriptionRow,
    TrackingProjectionRow,
)
from landbridge.store.unit_of_work import UnitOfWork

PROJECTION = "dcsa"
PROJECTOR = Actor("tracking-projection", "system")


def _mapping_context(session: Session) -> dcsa.MappingContext:
    """Places events may name: the seeded crossings and route destinations."""
    places: dict[str, dcsa.Place] = {}
    for crossing in session.scalars(select(tables.CrossingRow)):
        places[crossing.code] = dcsa.Place(crossing.name, None, crossing.lat, crossing.lon)
    for route in session.scalars(select(tables.RouteRow)):
        place = dcsa.Place(route.destination, None, route.lat, route.lon)
        places[route.code] = place
        places[route.destination.lower()] = place
    known = locodes(current_scenario())
    for code, place in list(places.items()):
        if code in known:
            places[code] = dcsa.Place(place.name, known[code], place.lat_deg, place.lon_deg)
    return dcsa.MappingContext(places=places)


def _equipment(session: Session, number: str) -> dcsa.Equipment:
    row = session.get(tables.ContainerRow, number)
    if row is None:
        return dcsa.Equipment(reference=number)
    return dcsa.Equipment(
        reference=number, iso_code=row.iso_type, laden=row.load_state == "full", booking_reference=row.booking_reference
    )


def containers_aboard(session: Session, transport_reference: str, before_dcsa_id: int | None = None) -> list[str]:
    """Containers on a train or ship: those whose latest LOAD/DISC with it was a LOAD."""
    query = (
        select(DcsaEventRow.equipment_reference, DcsaEventRow.type_code)
        .where(
            DcsaEventRow.transport_reference == transport_reference,
            DcsaEventRow.event_type == "EQUIPMENT",
            DcsaEventRow.type_code.in_(("LOAD", "DISC")),
        )
        .order_by(DcsaEventRow.id)
    )
    if before_dcsa_id is not None:
        query = query.where(DcsaEventRow.id < before_dcsa_id)
    state: dict[str, str] = {}
    for reference, code in session.execute(query):
        state[str(reference)] = str(code)
    return sorted(reference for reference, code in state.items() if code == "LOAD")


def _gauge_references(event: Event) -> tuple[str | None, str | None]:
    """A gauge change may name the 1435 train before and the 1520 train after; else one train for both."""
    named = (event.after or {}).get("from_train")
    old = named if isinstance(named, str) and named else dcsa.transport_reference(replace(event, after=None))
    new = dcsa.transport_reference(replace(event, before=None))
    return old or new, new or old


def _store(
    session: Session, mapped: dcsa.DcsaEvent, related: Sequence[str], type_code: str, created_at: datetime
) -> DcsaEventRow:
    row = DcsaEventRow(
        event_id=mapped.event_id,
        source_event_id=mapped.source_event_id,
        sequence=mapped.sequence,
        event_type=mapped.event_type,
        type_code=type_code,
        equipment_reference=mapped.equipment_reference,
        transport_reference=mapped.transport_reference,
        event_created_at=created_at,
        body=mapped.body,
    )
    session.add(row)
    session.flush()
    for reference in sorted(set(related)):
        session.add(DcsaEventEquipmentRow(dcsa_event_id=row.id, equipment_reference=reference))
    return row


def _project_one(session: Session, row: tables.EventRow, context: dcsa.MappingContext) -> list[DcsaEventRow]:
    if row.event_type not in {t.value for t in dcsa.MAPPED_EVENT_TYPES}:
        return []
    event = event_from_row(row)
    recorded = dcsa.as_utc(row.recorded_at)
    # The feed shows milliseconds; store exactly what is shown so eventCreatedDateTime filters agree with it.
    recorded = recorded.replace(microsecond=recorded.microsecond // 1000 * 1000)
    source = dcsa.SourceEvent(row.id, event, recorded)
    equipment = _equipment(session, event.subject_id) if event.subject_type == "container" else None
    stored: list[DcsaEventRow] = []
    for mapped in dcsa.to_dcsa(source, equipment, context):
        type_code = str(mapped.body.get("equipmentEventTypeCode") or mapped.body.get("transportEventTypeCode"))
        if mapped.event_type == "TRANSPORT":
            related: list[str] = list(containers_aboard(session, mapped.transport_reference or ""))
            listed = (event.after or {}).get("containers")
            if isinstance(listed, list):
                related += [str(number) for number in listed]
        else:
            if event.event_type is EventType.CONTAINER_GAUGE_TRANSFER:
                old, new = _gauge_references(event)
                mapped = _retarget(mapped, old if mapped.sequence == 0 else new)
            related = [mapped.equipment_reference or ""]
        stored.append(_store(session, mapped, related, type_code, source.recorded_at))
        if (
            event.event_type in ETA_TRIGGERS
            and mapped.sequence == 0
            and mapped.body.get("transportCall", {}).get("modeOfTransport") == "RAIL"
        ):
            record_estimates(session, row, related)
    return stored


def _retarget(mapped: dcsa.DcsaEvent, reference: str | None) -> dcsa.DcsaEvent:
    body = dict(mapped.body)
    if reference and "transportCall" in body:
        body["transportCall"] = {**body["transportCall"], "transportCallReference": reference}
    return replace(mapped, transport_reference=reference, body=body)


def project_new_events(uow: UnitOfWork, now: datetime | None = None, settle_s: float = 5.0, batch: int = 500) -> int:
    """Project events past the high-water mark into the DCSA tables and the outbox; returns DCSA rows added.

    Works in the caller's transaction and does not commit.
    """
    session = uow.session
    now = now or utc_now()
    cursor = session.scalar(
        select(TrackingProjectionRow).where(TrackingProjectionRow.name == PROJECTION).with_for_update()
    )
    if cursor is None:
        cursor = TrackingProjectionRow(name=PROJECTION, last_event_id=0, updated_at=now)
        session.add(cursor)
        session.flush()
    rows = session.scalars(
        select(tables.EventRow)
        .where(tables.EventRow.id > cursor.last_event_id)
        .order_by(tables.EventRow.id)
        .limit(batch)
    ).all()
    context = _mapping_context(session) if rows else dcsa.MappingContext()
    added = 0
    expected = cursor.last_event_id + 1
    for row in rows:
        if row.id != expected and dcsa.as_utc(row.recorded_at) > now - timedelta(seconds=settle_s):
            break  # an earlier id may still commit: wait for it
        for stored in _project_one(session, row, context):
            enqueue(session, stored, now)
            added += 1
        cursor.last_event_id = row.id
        expected = row.id + 1
    cursor.updated_at = now
    session.flush()
    return added


def _behind(session: Session) -> bool:
    """Whether the event log has ids past the projection's high-water mark."""
    last = session.scalar(select(TrackingProjectionRow.last_event_id).where(TrackingProjectionRow.name == PROJECTION))
    newest = session.scalar(select(func.max(tables.EventRow.id)))
    return newest is not None and (last is None or newest > last)


def _high_water(session: Session) -> int:
    return int(
        session.scalar(select(TrackingProjectionRow.last_event_id).where(TrackingProjectionRow.name == PROJECTION)) or 0
    )


def _project_batch(uow: UnitOfWork, now: datetime | None, batch: int) -> tuple[int, bool]:
    """One batch: DCSA rows added, and whether the high-water mark moved."""
    if not _behind(uow.session):
        return 0, False  # the usual case for a read: no lock on the high-water mark needed
    start = _high_water(uow.session)
    added = project_new_events(uow, now, batch=batch)
    return added, _high_water(uow.session) > start


def catch_up(uow: UnitOfWork, now: datetime | None = None, batch: int = 500, max_batches: int = 20) -> int:
    """Bring the projection up to date, one transaction per batch (a concurrent projector wins ties).

    Stops when nothing is left, when a fresh id gap makes it wait, or after ``max_batches`` (a read
    never waits on a huge backlog; the delivery worker works it off).
    """
    added = 0
    for _ in range(max_batches):
        try:
            outcome = execute(uow, PROJECTOR, lambda unit: _project_batch(unit, now, batch))
        except Conflict:  # another request projected the same events first
            break
        batch_added, moved = outcome.body
        added += batch_added
        if not moved:
            break
    return added


def _matches(session: Session, subscription: EventSubscriptionRow, stored: DcsaEventRow) -> bool:
    if subscription.event_types and stored.event_type not in subscription.event_types:
        return False
    if (
        stored.event_type == "EQUIPMENT"
        and subscription.equipment_event_type_codes
        and stored.type_code not in subscription.equipment_event_type_codes
    ):
        return False
    if (
        stored.event_type == "TRANSPORT"
        and subscription.transport_event_type_codes
        and stored.type_code not in subscription.transport_event_type_codes
    ):
        return False
    conditions: list[ColumnElement[bool]] = [DcsaEventRow.id == stored.id]
    if subscription.equipment_reference:
        conditions.append(concerns(subscription.equipment_reference, subscription.party_code))
    if subscription.carrier_booking_reference:
        conditions.append(booked_under(subscription.carrier_booking_reference, subscription.party_code))
    if subscription.party_code is not None:
        conditions.append(visible(subscription.party_code))
    if len(conditions) == 1:
        return True
    return session.scalar(select(DcsaEventRow.id).where(*conditions)) is not None


def enqueue(session: Session, stored: DcsaEventRow, now: datetime) -> None:
    """One pending delivery of the stored event per live subscription it matches."""
    subscriptions = session.scalars(select(EventSubscriptionRow).where(EventSubscriptionRow.deleted_at.is_(None))).all()
    for subscription in subscriptions:
        if _matches(session, subscription, stored):
            session.add(
                EventDeliveryRow(
                    subscription_id=subscription.id,
                    dcsa_event_id=stored.id,
                    status="pending",
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
