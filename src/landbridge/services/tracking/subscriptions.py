"""DCSA event subscriptions: create, read, list and stop them.

Commands (:func:`create_subscription`, :func:`delete_subscription`) work inside the caller's unit
of work and do not commit: the entry point runs them through ``operations.common.execute``, which
commits once. Matching events to subscriptions happens in the projection (``projection.enqueue``).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import utc_now
from landbridge.interchange import dcsa
from landbridge.services import callback_policy
from landbridge.services.tracking.codes import EQUIPMENT_CODES, EVENT_TYPES, TRANSPORT_CODES
from landbridge.services.tracking.projection import project_new_events
from landbridge.services.tracking.visibility import Viewer
from landbridge.store.tracking_tables import EventDeliveryRow, EventSubscriptionRow
from landbridge.store.unit_of_work import UnitOfWork


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
    """Store a subscription (in the caller's transaction); later events that match it are pushed."""
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
    project_new_events(uow)  # events before the subscription are not pushed
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
    return subscription_view(row)


def own_subscription(session: Session, subscription_id: str, viewer: Viewer) -> EventSubscriptionRow:
    """A live subscription the viewer owns (staff: any); 404 otherwise."""
    row = session.get(EventSubscriptionRow, subscription_id)
    if row is None or row.deleted_at is not None or (viewer.party is not None and row.party_code != viewer.party):
        raise NotFound("subscriptionID", f"no subscription {subscription_id}")
    return row


def get_subscription(uow: UnitOfWork, subscription_id: str, viewer: Viewer) -> dict[str, Any]:
    """One live subscription the viewer owns (staff see all)."""
    with uow:
        return subscription_view(own_subscription(uow.session, subscription_id, viewer))


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
    """Stop a subscription (in the caller's transaction); pending deliveries are cancelled, history stays."""
    row = own_subscription(uow.session, subscription_id, viewer)
    row.deleted_at = utc_now()
    for delivery in uow.session.scalars(
        select(EventDeliveryRow).where(EventDeliveryRow.subscription_id == row.id, EventDeliveryRow.status == "pending")
    ):
        delivery.status = "cancelled"
