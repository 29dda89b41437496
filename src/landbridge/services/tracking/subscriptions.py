"""DCSA event subscriptions: create, read, list, change, re-key and stop them.

Commands (:func:`create_subscription`, :func:`update_subscription`, :func:`set_secret`,
:func:`delete_subscription`) work inside the caller's unit of work and do not commit: the entry
point runs them through ``operations.common.execute``, which commits once. Matching events to
subscriptions happens in the projection (``projection.enqueue``) with the same filters as GET /events.

Every 2.2 filter is stored and applied, except those on data the hub never records (voyage numbers,
carrier service codes, schedules, transport document ids and types): a subscription naming one is
refused, rather than accepted and then silently never notified.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import utc_now
from landbridge.interchange import dcsa
from landbridge.services import callback_policy
from landbridge.services.tracking.filters import EventFilter, subscription_filter
from landbridge.services.tracking.projection import project_new_events
from landbridge.services.tracking.visibility import Viewer
from landbridge.store.tracking_tables import EventDeliveryRow, EventSubscriptionRow
from landbridge.store.unit_of_work import UnitOfWork

# Filters of the 2.2 subscription body on data the hub does not record, and why.
UNSUPPORTED_FILTERS = {
    "carrierVoyageNumber": "the hub records no carrier voyage numbers (deprecated in 2.2 as well)",
    "exportVoyageNumber": "the hub records no voyage numbers; filter by vesselIMONumber or transportCallID",
    "carrierServiceCode": "the hub records no carrier service codes; filter by vesselIMONumber or transportCallID",
    "scheduleID": "deprecated in 2.2 (added by mistake); the hub keeps no schedules",
    "transportDocumentID": "deprecated in 2.2; the hub names transport documents by transportDocumentReference",
    "transportDocumentTypeCode": "deprecated in 2.2 ('not to be used any more')",
}
_CODE_LISTS = (
    ("eventType", "event_types", dcsa.EVENT_TYPES),
    ("shipmentEventTypeCode", "shipment_event_type_codes", dcsa.SHIPMENT_EVENT_CODES),
    ("documentTypeCode", "document_type_codes", dcsa.DOCUMENT_TYPE_CODES),
    ("equipmentEventTypeCode", "equipment_event_type_codes", dcsa.EQUIPMENT_EVENT_CODES),
    ("transportEventTypeCode", "transport_event_type_codes", dcsa.TRANSPORT_EVENT_CODES),
)


@dataclass(frozen=True)
class SubscriptionRequest:
    """The body of POST (with ``secret_b64``) or PUT (without) of a subscription."""

    callback_url: str
    filters: EventFilter
    secret_b64: str | None = None


@dataclass(frozen=True)
class NewSubscription:
    """The first subscription request's shape (callback, secret, the filters it had); kept for callers."""

    callback_url: str
    secret_b64: str
    event_types: tuple[str, ...] = ()
    equipment_event_type_codes: tuple[str, ...] = ()
    transport_event_type_codes: tuple[str, ...] = ()
    equipment_reference: str | None = None
    carrier_booking_reference: str | None = None

    def request(self) -> SubscriptionRequest:
        """The same request in the full 2.2 shape."""
        return SubscriptionRequest(
            self.callback_url,
            EventFilter(
                event_types=self.event_types,
                equipment_event_type_codes=self.equipment_event_type_codes,
                transport_event_type_codes=self.transport_event_type_codes,
                equipment_reference=self.equipment_reference,
                carrier_booking_reference=self.carrier_booking_reference,
            ),
            self.secret_b64,
        )


def check_codes(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    """Refuse a code-list filter value the specification does not define, naming the filter."""
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise RuleViolation(name, f"unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")


def _check_callback(url: str) -> None:
    reason = callback_policy.refusal_at_subscription(url)
    if reason is not None:
        raise RuleViolation("callbackUrl", reason)


def decode_secret(secret_b64: str) -> bytes:
    """The secret's bytes; it must be Base64 of 32–64 bytes (an HMAC-SHA256 key of real strength)."""
    try:
        secret = base64.b64decode(secret_b64, validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation("secret", "must be Base64") from None
    if not 32 <= len(secret) <= 64:
        raise RuleViolation("secret", f"must decode to 32–64 bytes, got {len(secret)}")
    return secret


def _check(request: SubscriptionRequest) -> None:
    _check_callback(request.callback_url)
    for name, attribute, allowed in _CODE_LISTS:
        check_codes(name, getattr(request.filters, attribute), allowed)
    if request.secret_b64 is not None:
        decode_secret(request.secret_b64)


def subscription_view(row: EventSubscriptionRow) -> dict[str, Any]:
    """The DCSA ``subscription`` body (the secret is never echoed)."""
    filters = subscription_filter(row)
    view: dict[str, Any] = {"subscriptionID": row.id, "callbackUrl": row.callback_url}
    for name, attribute, _ in _CODE_LISTS:
        view[name] = list(getattr(filters, attribute))
    for name, value in (
        ("carrierBookingReference", filters.carrier_booking_reference),
        ("transportDocumentReference", filters.transport_document_reference),
        ("transportCallID", filters.transport_call_id),
        ("vesselIMONumber", filters.vessel_imo_number),
        ("UNLocationCode", filters.un_location_code),
        ("equipmentReference", filters.equipment_reference),
    ):
        if value is not None:
            view[name] = value
    view["createdDateTime"] = dcsa.created_time(row.created_at)
    return view


def _apply(row: EventSubscriptionRow, request: SubscriptionRequest) -> None:
    filters = request.filters
    row.callback_url = request.callback_url
    row.event_types = list(filters.event_types)
    row.shipment_event_type_codes = list(filters.shipment_event_type_codes)
    row.document_type_codes = list(filters.document_type_codes)
    row.equipment_event_type_codes = list(filters.equipment_event_type_codes)
    row.transport_event_type_codes = list(filters.transport_event_type_codes)
    row.carrier_booking_reference = filters.carrier_booking_reference
    row.transport_document_reference = filters.transport_document_reference
    row.transport_call_id = filters.transport_call_id
    row.vessel_imo_number = filters.vessel_imo_number
    row.un_location_code = filters.un_location_code
    row.equipment_reference = filters.equipment_reference


def create_subscription(
    uow: UnitOfWork, request: SubscriptionRequest | NewSubscription, viewer: Viewer
) -> dict[str, Any]:
    """Store a subscription (in the caller's transaction); later events that match it are pushed."""
    if isinstance(request, NewSubscription):
        request = request.request()
    _check(request)
    if request.secret_b64 is None:
        raise RuleViolation("secret", "a new subscription needs a secret")
    project_new_events(uow)  # events before the subscription are not pushed
    row = EventSubscriptionRow(
        id=str(uuid.uuid4()),
        secret_b64=request.secret_b64,
        owner=viewer.name,
        party_code=viewer.party,
        created_at=utc_now(),
        deleted_at=None,
    )
    _apply(row, request)
    uow.session.add(row)
    uow.session.flush()
    return subscription_view(row)


def own_subscription(session: Session, subscription_id: str, viewer: Viewer) -> EventSubscriptionRow:
    """A live subscription the viewer owns (staff: any); 404 otherwise."""
    row = session.get(EventSubscriptionRow, subscription_id)
    if row is None or row.deleted_at is not None or (viewer.party is not None and row.party_code != viewer.party):
        raise NotFound("subscriptionID", f"no subscription {subscription_id}")
    return row


def update_subscription(
    uow: UnitOfWork, subscription_id: str, request: SubscriptionRequest, viewer: Viewer
) -> dict[str, Any]:
    """Replace a subscription's callback and filters (PUT; the secret is changed only through its own PUT)."""
    if request.secret_b64 is not None:
        raise RuleViolation("secret", "change the secret with PUT /event-subscriptions/{subscriptionID}/secret")
    _check(request)
    row = own_subscription(uow.session, subscription_id, viewer)
    _apply(row, request)
    uow.session.flush()
    return subscription_view(row)


def set_secret(uow: UnitOfWork, subscription_id: str, secret_b64: str, viewer: Viewer) -> None:
    """Give a subscription a new secret: notifications signed from now on use it."""
    decode_secret(secret_b64)
    own_subscription(uow.session, subscription_id, viewer).secret_b64 = secret_b64


def get_subscription(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> dict[str, Any]:
    """One live subscription the viewer owns (staff see all)."""
    with uow:
        return subscription_view(own_subscription(uow.session, subscription_id, viewer))


@dataclass(frozen=True)
class SubscriptionPage:
    """One page of subscriptions and the offsets of the pages around it (None where there is none)."""

    subscriptions: list[dict[str, Any]]
    offset: int
    next_offset: int | None
    prev_offset: int | None
    last_offset: int | None


def encode_offset(offset: int, descending: bool) -> str:
    """The cursor of a subscription page."""
    text = json.dumps({"o": offset, "desc": descending}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode_offset(cursor: str, descending: bool) -> int:
    """The offset a subscription cursor names (refused when malformed or for the other sort direction)."""
    try:
        payload = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        offset, issued_descending = int(payload["o"]), bool(payload["desc"])
        if offset < 0:
            raise ValueError(offset)
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise RuleViolation("cursor", "not a cursor this server issued") from None
    if issued_descending != descending:
        raise RuleViolation("cursor", "issued for another sort; send the same sort with it")
    return offset


def parse_subscription_sort(raw: str | None) -> bool:
    """Whether subscriptions are listed newest first; they sort only by ``createdDateTime``."""
    if raw is None or not raw.strip():
        return False
    name, _, direction = raw.strip().partition(":")
    if name != "createdDateTime" or direction.upper() not in ("", "ASC", "DESC"):
        raise RuleViolation("sort", "subscriptions sort by createdDateTime[:ASC|:DESC] only")
    return direction.upper() == "DESC"


def list_subscriptions(
    uow: UnitOfWork, viewer: Viewer, limit: int = 100, cursor: str | None = None, descending: bool = False
) -> SubscriptionPage:
    """The viewer's live subscriptions, oldest first (or newest first), one page."""
    offset = decode_offset(cursor, descending) if cursor else 0
    with uow:
        statement = select(EventSubscriptionRow).where(EventSubscriptionRow.deleted_at.is_(None))
        if viewer.party is not None:
            statement = statement.where(EventSubscriptionRow.party_code == viewer.party)
        created = EventSubscriptionRow.created_at.desc() if descending else EventSubscriptionRow.created_at.asc()
        rows = list(
            uow.session.scalars(statement.order_by(created, EventSubscriptionRow.id).offset(offset).limit(limit + 1))
        )
        total = offset + len(rows) if len(rows) <= limit else None
        if total is None:
            count_statement = statement.with_only_columns(EventSubscriptionRow.id)
            total = len(list(uow.session.scalars(count_statement)))
        views = [subscription_view(row) for row in rows[:limit]]
    more = len(rows) > limit
    last = max(0, (total - 1) // limit * limit) if total else 0
    return SubscriptionPage(
        views,
        offset,
        offset + limit if more else None,
        max(0, offset - limit) if offset > 0 else None,
        last if more else None,
    )


def delete_subscription(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> None:
    """Stop a subscription (in the caller's transaction); pending deliveries are cancelled, history stays."""
    row = own_subscription(uow.session, subscription_id, viewer)
    row.deleted_at = utc_now()
    for delivery in uow.session.scalars(
        select(EventDeliveryRow).where(EventDeliveryRow.subscription_id == row.id, EventDeliveryRow.status == "pending")
    ):
        delivery.status = "cancelled"
