"""The projection: the append-only event log → DCSA events, their containers and documents, and the outbox.

``project_new_events`` reads the event log past a stored high-water mark, maps each event with
:mod:`landbridge.interchange.dcsa`, stores the DCSA events with the containers and documents they
concern, keeps the ETA a rail milestone produced, and enqueues one delivery per matching
subscription — all in the caller's transaction, so an event is projected and enqueued exactly once.
On PostgreSQL event ids can commit out of order; a gap younger than ``settle_s`` stops the
projection until the missing id commits (or is old enough to be a rolled-back transaction's id).

When the stored projection is older than :data:`VERSION` (the shape of the events changed), the
log is projected again from the start: existing DCSA rows keep their ids, eventIDs and deliveries
and get the new body; events that map to something new are added, and not pushed to subscribers
(they were recorded before any subscription could ask for them).

``catch_up`` is the projection's runner: one unit of work per batch, each committed by
``operations.common.execute`` (a read never waits behind a huge backlog in one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from landbridge.corridor.network import locodes
from landbridge.domain.errors import Conflict
from landbridge.domain.events import EventType, utc_now
from landbridge.interchange import dcsa
from landbridge.scenarios import current_scenario
from landbridge.services.containers import Actor
from landbridge.services.operations.common import execute
from landbridge.services.tracking.eta import ETA_TRIGGERS, record_estimates
from landbridge.services.tracking.filters import subscription_conditions
from landbridge.store import tables
from landbridge.store.repositories import event_from_row
from landbridge.store.tracking_tables import (
    DcsaEventDocumentRow,
    DcsaEventEquipmentRow,
    DcsaEventRow,
    EventDeliveryRow,
    EventSubscriptionRow,
    TrackingProjectionRow,
)
from landbridge.store.unit_of_work import UnitOfWork

PROJECTION = "dcsa"
VERSION = 2
"""1: the first feed (not 2.2-valid); 2: DCSA Track & Trace 2.2 as specified (migration 0040)."""
PROJECTOR = Actor("tracking-projection", "system")
WIDE_GAUGE_COUNTRY = "KZ"
"""The 1520 mm side of the scenario's crossings (Khorgos/Altynkol, Alashankou/Dostyk) is in Kazakhstan."""


def _sides(name: str) -> tuple[str, str]:
    """'Khorgos / Altynkol' → ('Khorgos', 'Altynkol'): the Chinese (1435 mm) and Kazakh (1520 mm) stations."""
    parts = [part.strip() for part in name.split("/") if part.strip()]
    return (parts[0], parts[-1]) if parts else (name, name)


def mapping_context(session: Session) -> dcsa.MappingContext:
    """The places events may name: the hub, both sides of each seeded crossing, the route destinations."""
    scenario = current_scenario()
    known = locodes(scenario)  # UN/LOCODEs are scenario facts
    base = scenario.base
    hub = dcsa.Place(dcsa.HUB.name, base.locode, base.lat, base.lon, base.time_zone, "POTE")
    places: dict[str, dcsa.Place] = {}
    wide: dict[str, dcsa.Place] = {}
    for crossing in session.scalars(select(tables.CrossingRow)):
        near, far = _sides(crossing.name)
        places[crossing.code.lower()] = dcsa.Place(
            near, known.get(crossing.code), crossing.lat, crossing.lon, base.time_zone, "BOCR"
        )
        wide[crossing.code.lower()] = dcsa.Place(
            far, None, crossing.lat, crossing.lon, dcsa.zone_of_country(WIDE_GAUGE_COUNTRY), "BOCR"
        )
    for route in session.scalars(select(tables.RouteRow)):
        place = dcsa.Place(
            route.destination,
            known.get(route.code),
            route.lat,
            route.lon,
            dcsa.zone_of_country(route.country),
            "INTE",
        )
        places[route.code.lower()] = place
        places[route.destination.lower()] = place
    return dcsa.MappingContext(hub=hub, places=places, wide_gauge_sides=wide)


@dataclass
class _Lookups:
    """What one batch has already read about containers and visits."""

    context: dcsa.MappingContext
    transports: dict[str, dcsa.Transport | None] = field(default_factory=dict)

    def transport(self, session: Session, reference: str | None) -> dcsa.Transport | None:
        if not reference:
            return None
        if reference not in self.transports:
            self.transports[reference] = _transport(session, reference)
        return self.transports[reference]


def _transport(session: Session, reference: str) -> dcsa.Transport:
    train = session.get(tables.TrainVisitRow, reference)
    if train is not None:
        route = session.get(tables.RouteRow, train.route_code)
        return dcsa.Transport(reference, "RAIL", train.gauge_mm, None if route is None else route.crossing_code)
    vessel = session.get(tables.VesselVisitRow, reference)
    if vessel is not None:
        return dcsa.Transport(reference, "VESSEL", vessel_name=vessel.vessel_name, vessel_imo=vessel.imo_number)
    if session.get(tables.TruckVisitRow, reference) is not None:
        return dcsa.Transport(reference, "TRUCK")
    return dcsa.Transport(reference, "")  # a visit we hold no record of: named, mode from the event


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


def _transports_of(session: Session, row: tables.EventRow, lookups: _Lookups) -> tuple[dcsa.Transport | None, ...]:
    """The visits of the event's DCSA events: the 1435 and 1520 mm trains of a gauge change, else one."""
    event = event_from_row(row)
    if event.event_type is EventType.CONTAINER_GAUGE_TRANSFER:
        old, new = dcsa.gauge_transfer_trains(event)
        return lookups.transport(session, old), lookups.transport(session, new)
    return (lookups.transport(session, dcsa.transport_reference(event)),)


def _write(
    session: Session, mapped: dcsa.DcsaEvent, existing: DcsaEventRow | None, related: Sequence[str], created: datetime
) -> DcsaEventRow:
    row = existing or DcsaEventRow(
        event_id=mapped.event_id, source_event_id=mapped.source_event_id, sequence=mapped.sequence
    )
    row.event_type = mapped.event_type
    row.type_code = mapped.type_code
    row.equipment_reference = mapped.equipment_reference
    row.transport_reference = mapped.transport_reference
    row.event_created_at = created
    row.event_at = mapped.event_at
    row.body = mapped.body
    row.transport_call_id = mapped.transport_call_id
    row.un_location_code = mapped.un_location_code
    row.document_type_code = mapped.document_type_code
    row.vessel_imo = mapped.vessel_imo
    if existing is None:
        session.add(row)
        session.flush()
        for reference in sorted(set(related) - {""}):
            session.add(DcsaEventEquipmentRow(dcsa_event_id=row.id, equipment_reference=reference))
    else:
        session.execute(delete(DcsaEventDocumentRow).where(DcsaEventDocumentRow.dcsa_event_id == row.id))
    for document_type, reference in sorted(set(mapped.documents)):
        session.add(DcsaEventDocumentRow(dcsa_event_id=row.id, document_type=document_type, reference=reference))
    return row


def _related(session: Session, mapped: dcsa.DcsaEvent, after: dict[str, object] | None) -> list[str]:
    """The containers a DCSA event concerns: every box aboard for a train or ship movement (or a train's
    waybill), the boxes a shipment event names, else its own box."""
    if mapped.event_type == "SHIPMENT" and (mapped.containers or not mapped.transport_reference):
        return list(mapped.containers)
    if mapped.event_type == "EQUIPMENT":
        return [mapped.equipment_reference] if mapped.equipment_reference else []
    related = list(containers_aboard(session, mapped.transport_reference or ""))
    listed = (after or {}).get("containers")
    if isinstance(listed, list) and mapped.event_type == "TRANSPORT":
        related += [str(number) for number in listed]
    return related


def _project_one(
    session: Session, row: tables.EventRow, lookups: _Lookups, existing: dict[tuple[int, int], DcsaEventRow]
) -> list[DcsaEventRow]:
    """Map one logged event and store its DCSA events; returns the rows that are new (to be pushed)."""
    if row.event_type not in _MAPPED:
        return []
    event = event_from_row(row)
    recorded = dcsa.as_utc(row.recorded_at)
    # The feed shows milliseconds; store exactly what is shown so eventCreatedDateTime filters agree with it.
    recorded = recorded.replace(microsecond=recorded.microsecond // 1000 * 1000)
    source = dcsa.SourceEvent(row.id, event, recorded)
    equipment = _equipment(session, event.subject_id) if event.subject_type == "container" else None
    added: list[DcsaEventRow] = []
    for mapped in dcsa.to_dcsa(source, equipment, lookups.context, _transports_of(session, row, lookups)):
        before = existing.get((row.id, mapped.sequence))
        related = [] if before is not None else _related(session, mapped, event.after)
        stored = _write(session, mapped, before, related, recorded)
        if before is None:
            added.append(stored)
        if (
            before is None
            and event.event_type in ETA_TRIGGERS
            and mapped.sequence == 0
            and mapped.body.get("transportCall", {}).get("modeOfTransport") == "RAIL"
        ):
            record_estimates(session, row, related)
    return added


_MAPPED = dcsa.MAPPED_EVENT_TYPES


def _cursor(session: Session, now: datetime) -> TrackingProjectionRow:
    """The high-water mark, locked; a projection of an older shape starts again from the first event."""
    cursor = session.scalar(
        select(TrackingProjectionRow).where(TrackingProjectionRow.name == PROJECTION).with_for_update()
    )
    if cursor is None:
        cursor = TrackingProjectionRow(name=PROJECTION, last_event_id=0, updated_at=now, version=VERSION)
        session.add(cursor)
        session.flush()
    elif (cursor.version or 1) < VERSION:
        cursor.last_event_id, cursor.version = 0, VERSION
    return cursor


def project_new_events(uow: UnitOfWork, now: datetime | None = None, settle_s: float = 5.0, batch: int = 500) -> int:
    """Project events past the high-water mark into the DCSA tables and the outbox; returns DCSA rows added.

    Works in the caller's transaction and does not commit.
    """
    session = uow.session
    now = now or utc_now()
    cursor = _cursor(session, now)
    rows = session.scalars(
        select(tables.EventRow)
        .where(tables.EventRow.id > cursor.last_event_id)
        .order_by(tables.EventRow.id)
        .limit(batch)
    ).all()
    lookups = _Lookups(mapping_context(session) if rows else dcsa.MappingContext())
    existing: dict[tuple[int, int], DcsaEventRow] = {}
    if rows:
        for stored_row in session.scalars(
            select(DcsaEventRow).where(DcsaEventRow.source_event_id.between(rows[0].id, rows[-1].id))
        ):
            existing[(stored_row.source_event_id, stored_row.sequence)] = stored_row
    added = 0
    expected = cursor.last_event_id + 1
    subscriptions = _live_subscriptions(session) if rows else []
    # No autoflush: each new DCSA row is flushed once, when it is written (its id is needed), and the
    # reads in between do not depend on the child rows still pending. A flush before every lookup
    # was a third of the projection's CPU on a loaded base (issue #19).
    with session.no_autoflush:
        for row in rows:
            if row.id != expected and dcsa.as_utc(row.recorded_at) > now - timedelta(seconds=settle_s):
                break  # an earlier id may still commit: wait for it
            for stored in _project_one(session, row, lookups, existing):
                enqueue(session, stored, dcsa.as_utc(row.recorded_at), now, subscriptions)
                added += 1
            cursor.last_event_id = row.id
            expected = row.id + 1
    cursor.updated_at = now
    session.flush()
    return added


def _behind(session: Session) -> bool:
    """Whether the event log has ids past the projection's high-water mark (or the projection is outdated)."""
    projection = session.execute(
        select(TrackingProjectionRow.last_event_id, TrackingProjectionRow.version).where(
            TrackingProjectionRow.name == PROJECTION
        )
    ).first()
    newest = session.scalar(select(func.max(tables.EventRow.id)))
    if projection is not None and (projection.version or 1) < VERSION:
        return True
    return newest is not None and (projection is None or newest > projection.last_event_id)


def _high_water(session: Session) -> tuple[int, int]:
    projection = session.execute(
        select(TrackingProjectionRow.last_event_id, TrackingProjectionRow.version).where(
            TrackingProjectionRow.name == PROJECTION
        )
    ).first()
    return (0, 0) if projection is None else (int(projection.version or 1), int(projection.last_event_id))


def _project_batch(uow: UnitOfWork, now: datetime | None, batch: int) -> tuple[int, bool]:
    """One batch: DCSA rows added, and whether the high-water mark moved."""
    if not _behind(uow.session):
        return 0, False  # the usual case for a read: no lock on the high-water mark needed
    start = _high_water(uow.session)
    added = project_new_events(uow, now, batch=batch)
    return added, _high_water(uow.session) != start


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


READ_BATCH = 200
"""Log events a read may project on its request path (≈ 2 ms of CPU each, so well under the 300 ms page target)."""


def catch_up_for_read(uow: UnitOfWork, now: datetime | None = None) -> int:
    """The bounded share of projection a read does before it answers: at most one batch of :data:`READ_BATCH`.

    A read answers from what is projected. Behind a bulk load (a year played by ``db load-twin``, an
    EDI import) the backlog is the delivery worker's (``landbridge deliver``): a feed request that
    caught the whole log up first took minutes on a year (issue #19). Each read still advances the
    projection a little, so a feed nobody else projects keeps moving.

    The read itself runs on a unit of work for reading (an API ``GET``): whether the projection is
    behind is asked there, without any lock; only then does one short writing transaction project
    the batch (``uow.writing()``), so a feed request that finds nothing to do never takes SQLite's
    write lock.
    """
    if uow.read_only:
        with uow:
            if not _behind(uow.session):
                return 0
    return catch_up(uow.writing(), now, batch=READ_BATCH, max_batches=1)


def _live_subscriptions(session: Session) -> list[EventSubscriptionRow]:
    return list(session.scalars(select(EventSubscriptionRow).where(EventSubscriptionRow.deleted_at.is_(None))))


def enqueue(
    session: Session,
    stored: DcsaEventRow,
    recorded_at: datetime,
    now: datetime,
    subscriptions: Sequence[EventSubscriptionRow] | None = None,
) -> None:
    """One pending delivery of the stored event per live subscription it matches.

    An event recorded before a subscription was made is not pushed to it (a projection rebuilt
    after an upgrade must not replay history to every subscriber). ``subscriptions``: the live ones,
    read once per batch by the caller (read here when not given).
    """
    if subscriptions is None:
        subscriptions = _live_subscriptions(session)
    if subscriptions:
        session.flush()  # the filters read the event's equipment and document rows
    for subscription in subscriptions:
        if recorded_at < dcsa.as_utc(subscription.created_at):
            continue
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


def _matches(session: Session, subscription: EventSubscriptionRow, stored: DcsaEventRow) -> bool:
    conditions: list[ColumnElement[bool]] = [DcsaEventRow.id == stored.id, *subscription_conditions(subscription)]
    return session.scalar(select(DcsaEventRow.id).where(*conditions)) is not None
