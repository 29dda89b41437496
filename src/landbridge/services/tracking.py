"""Tracking: the DCSA Track & Trace feed, event subscriptions with signed callbacks, and the ETA.

How it fits together:

* **Projection.** ``project_new_events`` reads the append-only event log past a stored high-water
  mark, maps each event with :mod:`landbridge.interchange.dcsa`, stores the DCSA events with the
  containers they concern, and enqueues one delivery per matching subscription — all in one
  transaction, so an event is projected and enqueued exactly once. On PostgreSQL event ids can
  commit out of order; a gap younger than ``settle_s`` stops the projection until the missing id
  commits (or is old enough to be a rolled-back transaction's id).
* **Queries** filter in SQL and page by an opaque cursor (the last DCSA row id).
* **Delivery** (``process_outbox``): claim due deliveries, POST them with a
  ``Notification-Signature: sha256=<hex HMAC-SHA256 of the body>`` header, and record the outcome;
  failures retry with exponential backoff up to ``max_attempts``, then stay ``failed``.
* **Visibility.** A viewer with a party (a shipper or forwarder) sees only events that concern a
  container of a consignment it ships or receives; the rule is in the queries, not the routes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from landbridge.corridor.eta import ArrivalEstimate, TrainProgress, estimate_arrival, transit_model
from landbridge.corridor.network import LOCODES, Crossing, Route, TransitDays, km_to_crossing
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import Event, EventType, utc_now
from landbridge.interchange import dcsa
from landbridge.services import callback_policy, pinned_http
from landbridge.store import tables
from landbridge.store.repositories import event_from_row
from landbridge.store.tracking_tables import (
    DcsaEventEquipmentRow,
    DcsaEventRow,
    EtaEstimateRow,
    EventDeliveryRow,
    EventSubscriptionRow,
    TrackingProjectionRow,
)
from landbridge.store.unit_of_work import UnitOfWork

PROJECTION = "dcsa"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SIGNATURE_HEADER = "Notification-Signature"
EVENT_TYPES = ("EQUIPMENT", "TRANSPORT", "SHIPMENT")
EQUIPMENT_CODES = ("LOAD", "DISC", "GTIN", "GTOT", "STUF", "STRP", "PICK", "DROP", "INSP", "RSEA", "RMVD")
TRANSPORT_CODES = ("ARRI", "DEPA")


@dataclass(frozen=True)
class Viewer:
    """Who reads: hub staff (``party`` None) see everything; a shipper or forwarder only its own boxes."""

    name: str
    party: str | None = None


STAFF = Viewer("system")


# ---------------------------------------------------------------- projection


def _mapping_context(session: Session) -> dcsa.MappingContext:
    """Places events may name: the seeded crossings and route destinations."""
    places: dict[str, dcsa.Place] = {}
    for crossing in session.scalars(select(tables.CrossingRow)):
        places[crossing.code] = dcsa.Place(crossing.name, None, crossing.lat, crossing.lon)
    for route in session.scalars(select(tables.RouteRow)):
        place = dcsa.Place(route.destination, None, route.lat, route.lon)
        places[route.code] = place
        places[route.destination.lower()] = place
    for code, place in list(places.items()):
        if code in LOCODES:
            places[code] = dcsa.Place(place.name, LOCODES[code], place.lat_deg, place.lon_deg)
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
            event.event_type in _ETA_TRIGGERS
            and mapped.sequence == 0
            and mapped.body.get("transportCall", {}).get("modeOfTransport") == "RAIL"
        ):
            _record_estimates(session, row, related)
    return stored


def _retarget(mapped: dcsa.DcsaEvent, reference: str | None) -> dcsa.DcsaEvent:
    body = dict(mapped.body)
    if reference and "transportCall" in body:
        body["transportCall"] = {**body["transportCall"], "transportCallReference": reference}
    return replace(mapped, transport_reference=reference, body=body)


def project_new_events(session: Session, now: datetime | None = None, settle_s: float = 5.0, batch: int = 500) -> int:
    """Project events past the high-water mark into the DCSA tables and the outbox; returns DCSA rows added."""
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
            _enqueue(session, stored, now)
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


def catch_up(uow: UnitOfWork, now: datetime | None = None, batch: int = 500, max_batches: int = 20) -> int:
    """Bring the projection up to date, one transaction per batch (a concurrent projector wins ties).

    Stops when nothing is left, when a fresh id gap makes it wait, or after ``max_batches`` (a read
    never waits on a huge backlog; the delivery worker works it off).
    """
    added = 0
    for _ in range(max_batches):
        with uow:
            if not _behind(uow.session):
                break  # the usual case for a read: no lock on the high-water mark needed
            start = _high_water(uow.session)
            try:
                added += project_new_events(uow.session, now, batch=batch)
                moved = _high_water(uow.session) > start
                uow.commit()
            except IntegrityError:  # another request projected the same events first
                uow.rollback()
                break
        if not moved:
            break
    return added


# ---------------------------------------------------------------- queries


def _own_bookings(party: str) -> Any:
    """Bookings the party ships or receives (the same rule as the operations repositories' Scope)."""
    return select(tables.ConsignmentRow.booking_reference).where(
        or_(tables.ConsignmentRow.shipper_code == party, tables.ConsignmentRow.consignee_code == party)
    )


def _related(party: str | None, *conditions: ColumnElement[bool]) -> ColumnElement[bool]:
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
        clauses.append(tables.ContainerRow.booking_reference.in_(_own_bookings(party)))
    return exists().where(*clauses)


def _visible(party: str) -> ColumnElement[bool]:
    """The DCSA event concerns a container of a consignment the party ships or receives."""
    return _related(party)


def _concerns(reference: str, party: str | None = None) -> ColumnElement[bool]:
    return _related(party, DcsaEventEquipmentRow.equipment_reference == reference)


def _booked_under(booking: str, party: str | None = None) -> ColumnElement[bool]:
    return _related(party, tables.ContainerRow.booking_reference == booking)


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
        conditions.append(_concerns(query.equipment_reference, party))
    if query.carrier_booking_reference:
        conditions.append(_booked_under(query.carrier_booking_reference, party))
    for operator, value in query.created_bounds:
        conditions.append(_COMPARE[operator](DcsaEventRow.event_created_at, value))
    return conditions


def find_events(session: Session, query: EventQuery, viewer: Viewer) -> tuple[list[dict[str, Any]], str | None]:
    """DCSA events matching the query that the viewer may see, oldest first, and the next page's cursor."""
    limit = max(1, min(query.limit, MAX_LIMIT))
    statement = select(DcsaEventRow).where(*_filters(query, viewer.party))
    if query.un_location_code:
        statement = statement.where(
            DcsaEventRow.body["eventLocation"]["UNLocationCode"].as_string() == query.un_location_code
        )
    if viewer.party is not None:
        statement = statement.where(_visible(viewer.party))
    if query.cursor:
        statement = statement.where(DcsaEventRow.id > decode_cursor(query.cursor))
    rows = session.scalars(statement.order_by(DcsaEventRow.id).limit(limit + 1)).all()
    page = rows[:limit]
    next_cursor = encode_cursor(page[-1].id) if len(rows) > limit else None
    return [dict(row.body) for row in page], next_cursor


def find_event(session: Session, event_id: str, viewer: Viewer) -> dict[str, Any]:
    """One DCSA event by eventID (404 when unknown or not the viewer's)."""
    statement = select(DcsaEventRow).where(DcsaEventRow.event_id == event_id)
    if viewer.party is not None:
        statement = statement.where(_visible(viewer.party))
    row = session.scalar(statement)
    if row is None:
        raise NotFound("eventID", f"no event {event_id}")
    return dict(row.body)


# ---------------------------------------------------------------- subscriptions


@dataclass(frozen=True)
class NewSubscription:
    """A subscription request (DCSA ``SubscriptionBodyWithSecret``)."""

    callback_url: str
    secret_b64: str
    event_types: tuple[str, ...] = ()
    equipment_event_type_codes: tuple[str, ...] = ()
    transport_event_type_codes: tuple[str, ...] = ()
    equipment_reference: str | None = None
    carrier_booking_reference: str | None = None


def _check_callback(url: str) -> None:
    reason = callback_policy.refusal_at_subscription(url)
    if reason is not None:
        raise RuleViolation("callbackUrl", reason)


def _decode_secret(secret_b64: str) -> bytes:
    try:
        secret = base64.b64decode(secret_b64, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation("secret", "must be Base64") from None
    if not 32 <= len(secret) <= 64:
        raise RuleViolation("secret", f"must decode to 32–64 bytes, got {len(secret)}")
    return secret


def subscription_view(row: EventSubscriptionRow) -> dict[str, Any]:
    """The DCSA ``Subscription`` body (the secret is never echoed)."""
    view: dict[str, Any] = {
        "subscriptionID": row.id,
        "callbackUrl": row.callback_url,
        "eventType": list(row.event_types),
        "equipmentEventTypeCode": list(row.equipment_event_type_codes),
        "transportEventTypeCode": list(row.transport_event_type_codes),
        "createdDateTime": dcsa.rfc3339(row.created_at, milliseconds=True),
    }
    if row.equipment_reference:
        view["equipmentReference"] = row.equipment_reference
    if row.carrier_booking_reference:
        view["carrierBookingReference"] = row.carrier_booking_reference
    return view


def create_subscription(uow: UnitOfWork, request: NewSubscription, viewer: Viewer) -> dict[str, Any]:
    """Store a subscription; events from now on that match it (and the viewer may see) are pushed."""
    _check_callback(request.callback_url)
    _decode_secret(request.secret_b64)
    for name, values, allowed in (
        ("eventType", request.event_types, EVENT_TYPES),
        ("equipmentEventTypeCode", request.equipment_event_type_codes, EQUIPMENT_CODES),
        ("transportEventTypeCode", request.transport_event_type_codes, TRANSPORT_CODES),
    ):
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise RuleViolation(name, f"unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    with uow:
        project_new_events(uow.session)  # events before the subscription are not pushed
        row = EventSubscriptionRow(
            id=str(uuid.uuid4()),
            callback_url=request.callback_url,
            secret_b64=request.secret_b64,
            owner=viewer.name,
            party_code=viewer.party,
            event_types=list(request.event_types),
            equipment_event_type_codes=list(request.equipment_event_type_codes),
            transport_event_type_codes=list(request.transport_event_type_codes),
            equipment_reference=request.equipment_reference,
            carrier_booking_reference=request.carrier_booking_reference,
            created_at=utc_now(),
            deleted_at=None,
        )
        uow.session.add(row)
        uow.session.flush()
        view = subscription_view(row)
        uow.commit()
    return view


def _own_subscription(session: Session, subscription_id: str, viewer: Viewer) -> EventSubscriptionRow:
    row = session.get(EventSubscriptionRow, subscription_id)
    if row is None or row.deleted_at is not None or (viewer.party is not None and row.party_code != viewer.party):
        raise NotFound("subscriptionID", f"no subscription {subscription_id}")
    return row


def get_subscription(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> dict[str, Any]:
    """One live subscription the viewer owns (staff see all)."""
    with uow:
        return subscription_view(_own_subscription(uow.session, subscription_id, viewer))


def list_subscriptions(uow: UnitOfWork, viewer: Viewer) -> list[dict[str, Any]]:
    """The viewer's live subscriptions."""
    with uow:
        statement = select(EventSubscriptionRow).where(EventSubscriptionRow.deleted_at.is_(None))
        if viewer.party is not None:
            statement = statement.where(EventSubscriptionRow.party_code == viewer.party)
        return [
            subscription_view(row) for row in uow.session.scalars(statement.order_by(EventSubscriptionRow.created_at))
        ]


def delete_subscription(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> None:
    """Stop a subscription; pending deliveries are abandoned, the delivery history stays."""
    with uow:
        row = _own_subscription(uow.session, subscription_id, viewer)
        now = utc_now()
        row.deleted_at = now
        for delivery in uow.session.scalars(
            select(EventDeliveryRow).where(
                EventDeliveryRow.subscription_id == row.id, EventDeliveryRow.status == "pending"
            )
        ):
            delivery.status = "cancelled"
        uow.commit()


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
        conditions.append(_concerns(subscription.equipment_reference, subscription.party_code))
    if subscription.carrier_booking_reference:
        conditions.append(_booked_under(subscription.carrier_booking_reference, subscription.party_code))
    if subscription.party_code is not None:
        conditions.append(_visible(subscription.party_code))
    if len(conditions) == 1:
        return True
    return session.scalar(select(DcsaEventRow.id).where(*conditions)) is not None


def _enqueue(session: Session, stored: DcsaEventRow, now: datetime) -> None:
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


# ---------------------------------------------------------------- delivery


def sign(body: bytes, secret_b64: str) -> str:
    """The ``Notification-Signature`` value: ``sha256=`` + hex HMAC-SHA256 of the exact body bytes."""
    digest = hmac.new(base64.b64decode(secret_b64), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


Sender = Callable[[str, bytes, dict[str, str]], int]


def http_sender(url: str, body: bytes, headers: dict[str, str], timeout_s: float = 5.0) -> int:
    """POST the body; returns the status code (raises OSError when nothing answered or the host is refused).

    The host is resolved and checked once and the request goes to that address (no second DNS
    lookup, no proxy, no redirects followed): see ``callback_policy.delivery_address``.
    """
    address = callback_policy.delivery_address(url)
    return pinned_http.post_to_address(url, address, body, headers, timeout_s)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: attempt n waits base·2^(n−1), capped; after max_attempts the delivery fails."""

    max_attempts: int = 6
    base_delay_s: float = 30.0
    max_delay_s: float = 6 * 3600.0
    lease_s: float = 120.0

    def delay(self, attempts: int) -> timedelta:
        """Wait before the next attempt after ``attempts`` failures."""
        return timedelta(seconds=min(self.base_delay_s * 2 ** (attempts - 1), self.max_delay_s))


@dataclass
class OutboxReport:
    """What one worker pass did."""

    projected: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    outcomes: list[tuple[int, str, int | None]] = field(default_factory=list)


def _retryable(status: int | None) -> bool:
    return status is None or status >= 500 or status in (408, 425, 429)


def process_outbox(
    database_url: str,
    now: datetime | None = None,
    sender: Sender = http_sender,
    policy: RetryPolicy | None = None,
    batch: int = 50,
) -> OutboxReport:
    """One worker pass: project new events, then deliver what is due, each outcome in its own transaction.

    No transaction is open while a callback is in flight: a slow subscriber cannot hold locks.
    """
    policy = policy or RetryPolicy()
    now = now or utc_now()
    report = OutboxReport(projected=catch_up(UnitOfWork.for_url(database_url), now))
    claimed: list[tuple[int, str, str, bytes]] = []
    with UnitOfWork.for_url(database_url) as uow:
        due = uow.session.scalars(
            select(EventDeliveryRow)
            .where(EventDeliveryRow.status == "pending", EventDeliveryRow.next_attempt_at <= now)
            .order_by(EventDeliveryRow.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        for delivery in due:
            subscription = uow.session.get(EventSubscriptionRow, delivery.subscription_id)
            event = uow.session.get(DcsaEventRow, delivery.dcsa_event_id)
            if subscription is None or event is None:
                continue
            delivery.next_attempt_at = now + timedelta(seconds=policy.lease_s)  # claimed: others skip it
            body = json.dumps([event.body], separators=(",", ":"), sort_keys=True).encode()
            claimed.append((delivery.id, subscription.callback_url, subscription.secret_b64, body))
        uow.commit()
    for delivery_id, url, secret_b64, body in claimed:
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, secret_b64),
            "API-Version": dcsa.API_VERSION,
        }
        status: int | None
        error: str | None = None
        try:
            status = sender(url, body, headers)
        except OSError as failure:
            status, error = None, f"{type(failure).__name__}: {failure}"[:300]
        outcome = _record(database_url, delivery_id, status, error, now, policy)
        report.outcomes.append((delivery_id, outcome, status))
        if outcome == "delivered":
            report.delivered += 1
        elif outcome == "failed":
            report.failed += 1
        else:
            report.retrying += 1
    return report


def _record(
    database_url: str, delivery_id: int, status: int | None, error: str | None, now: datetime, policy: RetryPolicy
) -> str:
    with UnitOfWork.for_url(database_url) as uow:
        delivery = uow.session.get(EventDeliveryRow, delivery_id)
        assert delivery is not None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.last_status_code = status
        delivery.last_error = error if error else (None if status and 200 <= status < 300 else f"HTTP {status}")
        if status is not None and 200 <= status < 300:
            delivery.status, delivery.delivered_at = "delivered", now
        elif not _retryable(status) or delivery.attempts >= policy.max_attempts:
            delivery.status = "failed"
        else:
            delivery.next_attempt_at = now + policy.delay(delivery.attempts)
        outcome = delivery.status if delivery.status != "pending" else "retrying"
        uow.commit()
    return outcome


def run_delivery_worker(
    database_url: str,
    interval_s: float = 5.0,
    passes: int | None = None,
    sender: Sender = http_sender,
    policy: RetryPolicy | None = None,
) -> None:
    """Run ``process_outbox`` every ``interval_s`` (forever, or ``passes`` times): the process next to the API."""
    done = 0
    while passes is None or done < passes:
        process_outbox(database_url, sender=sender, policy=policy)
        done += 1
        if passes is None or done < passes:
            time.sleep(interval_s)


def delivery_log(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> list[dict[str, Any]]:
    """Every delivery owed to one subscription, with its status and attempts."""
    with uow:
        _own_subscription(uow.session, subscription_id, viewer)
        rows = uow.session.execute(
            select(EventDeliveryRow, DcsaEventRow.event_id)
            .join(DcsaEventRow, DcsaEventRow.id == EventDeliveryRow.dcsa_event_id)
            .where(EventDeliveryRow.subscription_id == subscription_id)
            .order_by(EventDeliveryRow.id)
        ).all()
        return [
            {
                "eventID": event_id,
                "status": row.status,
                "attempts": row.attempts,
                "lastStatusCode": row.last_status_code,
                "lastError": row.last_error,
                "nextAttemptDateTime": dcsa.rfc3339(row.next_attempt_at, milliseconds=True),
                "deliveredDateTime": dcsa.rfc3339(row.delivered_at, milliseconds=True) if row.delivered_at else None,
            }
            for row, event_id in rows
        ]


# ---------------------------------------------------------------- container tracking and ETA


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


def _route_from_rows(session: Session, route_code: str) -> Route | None:
    route = session.get(tables.RouteRow, route_code)
    if route is None:
        return None
    crossing_row = session.get(tables.CrossingRow, route.crossing_code)
    if crossing_row is None:
        return None
    km, source = km_to_crossing(
        crossing_row.code, crossing_row.lat, crossing_row.lon, [(route.km, route.lat, route.lon)]
    )
    return Route(
        code=route.code,
        destination=route.destination,
        country=route.country,
        km=route.km,
        transit=TransitDays(route.transit_days_p10, route.transit_days, route.transit_days_p90),
        crossing=Crossing(
            crossing_row.code,
            crossing_row.name,
            crossing_row.train_handling_h,
            crossing_row.lat,
            crossing_row.lon,
            km,
            source,
        ),
        lat_deg=route.lat,
        lon_deg=route.lon,
    )


def _loaded_at_base(session: Session, number: str, until_id: int | None) -> tables.EventRow | None:
    """The container's latest wagon load at the base: where its current rail journey starts."""
    query = select(tables.EventRow).where(
        tables.EventRow.subject_type == "container",
        tables.EventRow.subject_id == number,
        tables.EventRow.event_type == EventType.CONTAINER_LOADED_WAGON.value,
    )
    if until_id is not None:
        query = query.where(tables.EventRow.id <= until_id)
    return session.scalars(query.order_by(tables.EventRow.id.desc()).limit(1)).first()


_MILESTONES = (
    EventType.TRAIN_DEPARTED.value,
    EventType.TRAIN_AT_BORDER.value,
    EventType.CONTAINER_GAUGE_TRANSFER.value,
    EventType.TRAIN_ARRIVED.value,
)


def _progress(
    session: Session, number: str, loaded: tables.EventRow, train: str, until_id: int | None
) -> TrainProgress:
    """The journey's first departure, border arrival, gauge change and arrival since the wagon load.

    Operations record train movements per container too; the train visit's own events count as well.
    The first of each is kept: after the gauge change the 1520 mm train departs the border again,
    which is not the journey's departure.
    """
    query = select(tables.EventRow).where(
        tables.EventRow.id > loaded.id,
        tables.EventRow.event_type.in_(_MILESTONES),
        or_(
            and_(tables.EventRow.subject_type == "container", tables.EventRow.subject_id == number),
            and_(tables.EventRow.subject_type.in_(("train", "train_visit")), tables.EventRow.subject_id == train),
        ),
    )
    if until_id is not None:
        query = query.where(tables.EventRow.id <= until_id)
    rows = session.scalars(query.order_by(tables.EventRow.id)).all()
    milestones: dict[str, datetime] = {}
    for row in rows:
        milestones.setdefault(row.event_type, dcsa.as_utc(row.occurred_at))
    return TrainProgress(
        departed_at=milestones.get(EventType.TRAIN_DEPARTED.value),
        border_arrived_at=milestones.get(EventType.TRAIN_AT_BORDER.value),
        gauge_changed_at=milestones.get(EventType.CONTAINER_GAUGE_TRANSFER.value),
        arrived_at=milestones.get(EventType.TRAIN_ARRIVED.value),
    )


@dataclass(frozen=True)
class _Estimate:
    train: str | None
    route: Route | None
    eta: ArrivalEstimate | None
    reason: str | None


def _estimate(session: Session, number: str, as_of: datetime, until_id: int | None = None) -> _Estimate:
    """The container's journey (train, route) and its arrival estimate from events up to ``until_id``."""
    loaded = _loaded_at_base(session, number, until_id)
    train = None if loaded is None else dcsa.transport_reference(event_from_row(loaded))
    if loaded is None or train is None:
        return _Estimate(None, None, None, "not on a train")
    visit = session.get(tables.TrainVisitRow, train)
    route = _route_from_rows(session, visit.route_code) if visit is not None else None
    if route is None:
        return _Estimate(train, None, None, f"train {train} has no known route")
    progress = _progress(session, number, loaded, train, until_id)
    return _Estimate(train, route, estimate_arrival(transit_model(route), progress, as_of), None)


_ETA_TRIGGERS = frozenset(
    {EventType.TRAIN_DEPARTED, EventType.TRAIN_AT_BORDER, EventType.TRAIN_ARRIVED, EventType.CONTAINER_GAUGE_TRANSFER}
)


def _record_estimates(session: Session, row: tables.EventRow, numbers: Sequence[str]) -> None:
    """Keep the estimate each milestone produced, so a shipper can see how the ETA moved."""
    as_of = dcsa.as_utc(row.occurred_at)
    for number in sorted(set(numbers)):
        found = _estimate(session, number, as_of, until_id=row.id)
        if found.eta is None or found.route is None or found.train is None:
            continue
        eta = found.eta
        session.add(
            EtaEstimateRow(
                container_number=number,
                source_event_id=row.id,
                train_reference=found.train,
                route_code=found.route.code,
                stage=eta.stage.value,
                as_of=as_of,
                p10=eta.p10,
                p50=eta.p50,
                p90=eta.p90,
                overdue=eta.overdue,
            )
        )


def eta_history(session: Session, number: str) -> list[dict[str, Any]]:
    """The estimates made at each milestone of the box's journeys, oldest first."""
    rows = session.scalars(
        select(EtaEstimateRow).where(EtaEstimateRow.container_number == number).order_by(EtaEstimateRow.id)
    ).all()
    return [
        {
            "as_of": dcsa.rfc3339(r.as_of),
            "stage": r.stage,
            "train": r.train_reference,
            "route": r.route_code,
            "p10": dcsa.rfc3339(r.p10),
            "p50": dcsa.rfc3339(r.p50),
            "p90": dcsa.rfc3339(r.p90),
            "spread_h": round((dcsa.as_utc(r.p90) - dcsa.as_utc(r.p10)).total_seconds() / 3600, 1),
            "overdue": r.overdue,
        }
        for r in rows
    ]


def track_container(uow: UnitOfWork, number: str, viewer: Viewer, as_of: datetime | None = None) -> ContainerTracking:
    """Position, DCSA timeline and arrival estimate of one container the viewer may see."""
    as_of = as_of or utc_now()
    catch_up(uow)
    with uow:
        session = uow.session
        statement = select(tables.ContainerRow).where(tables.ContainerRow.number == number)
        if viewer.party is not None:
            statement = statement.where(tables.ContainerRow.booking_reference.in_(_own_bookings(viewer.party)))
        container = session.scalar(statement)
        if container is None:
            raise NotFound("container_number", f"no container {number}")
        timeline, _ = find_events(session, EventQuery(equipment_reference=number, limit=MAX_LIMIT), STAFF)
        found = _estimate(session, number, as_of)
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
