"""DCSA Track & Trace 2.2: the event feed and event subscriptions, under /dcsa/tnt/v2.

Query operators follow DCSA: ``eventCreatedDateTime:gte=2026-01-15T10:00:00+08:00`` (also ``gt``,
``lte``, ``lt``, ``eq``); list filters are comma-separated and OR-ed. The next page is named by the
``Next-Page-Cursor`` header.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field

from landbridge.api.deps import Authorized, Principal, UowDep
from landbridge.domain.errors import RuleViolation
from landbridge.interchange.dcsa import API_VERSION
from landbridge.services import tracking
from landbridge.services.authz import Action
from landbridge.services.containers import Actor
from landbridge.services.operations.common import execute

router = APIRouter(prefix="/dcsa/tnt/v2", tags=["dcsa"])

_OPERATORS = ("gte", "gt", "lte", "lt", "eq")


ReaderDep = Annotated[Principal, Depends(Authorized(Action.CONTAINER_READ))]


def get_viewer(principal: ReaderDep) -> tracking.Viewer:
    """The authenticated caller as a tracking viewer: its party scope limits what it sees (shippers)."""
    return tracking.Viewer(principal.actor.name, principal.scope.party)


ViewerDep = Annotated[tracking.Viewer, Depends(get_viewer)]


def _actor(viewer: tracking.Viewer) -> Actor:
    """The subscriber as the actor of a subscription command (it writes no domain events)."""
    return Actor(viewer.name, "subscriber", viewer.party)


def _codes(raw: str | None, allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    if not raw:
        return ()
    values = tuple(value.strip() for value in raw.split(",") if value.strip())
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise RuleViolation(name, f"unknown value(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return values


def _instant(raw: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise RuleViolation(name, f"{raw!r} is not an RFC 3339 date-time") from None
    if moment.tzinfo is None:
        raise RuleViolation(name, "needs an offset (RFC 3339), e.g. 2026-01-15T10:00:00+08:00")
    return moment


def _created_bounds(request: Request) -> tuple[tuple[str, datetime], ...]:
    bounds: list[tuple[str, datetime]] = []
    for key, value in request.query_params.multi_items():
        if key == "eventCreatedDateTime":
            bounds.append(("eq", _instant(value, key)))
        elif key.startswith("eventCreatedDateTime:"):
            operator = key.split(":", 1)[1].lower()
            if operator not in _OPERATORS:
                raise RuleViolation(key, f"unknown operator {operator!r}; use one of {', '.join(_OPERATORS)}")
            bounds.append((operator, _instant(value, key)))
    return tuple(bounds)


@router.get(
    "/events",
    response_model=list[dict[str, Any]],
    responses={
        200: {"headers": {"Next-Page-Cursor": {"description": "cursor of the next page"}}},
        422: {"description": "Unknown filter value or malformed cursor"},
    },
)
def get_events(
    request: Request,
    response: Response,
    uow: UowDep,
    viewer: ViewerDep,
    event_type: Annotated[str | None, Query(alias="eventType", description="EQUIPMENT,TRANSPORT")] = None,
    equipment_event_type_code: Annotated[str | None, Query(alias="equipmentEventTypeCode")] = None,
    transport_event_type_code: Annotated[str | None, Query(alias="transportEventTypeCode")] = None,
    equipment_reference: Annotated[str | None, Query(alias="equipmentReference", max_length=15)] = None,
    carrier_booking_reference: Annotated[str | None, Query(alias="carrierBookingReference", max_length=35)] = None,
    un_location_code: Annotated[str | None, Query(alias="UNLocationCode", max_length=5)] = None,
    limit: Annotated[int, Query(ge=1, le=tracking.MAX_LIMIT)] = tracking.DEFAULT_LIMIT,
    cursor: str | None = None,
) -> list[dict[str, Any]]:
    """DCSA events, oldest first; filters AND-ed, comma lists OR-ed; only events the caller may see."""
    query = tracking.EventQuery(
        event_types=_codes(event_type, tracking.EVENT_TYPES, "eventType"),
        equipment_event_type_codes=_codes(
            equipment_event_type_code, tracking.EQUIPMENT_CODES, "equipmentEventTypeCode"
        ),
        transport_event_type_codes=_codes(
            transport_event_type_code, tracking.TRANSPORT_CODES, "transportEventTypeCode"
        ),
        equipment_reference=equipment_reference,
        carrier_booking_reference=carrier_booking_reference,
        un_location_code=un_location_code,
        created_bounds=_created_bounds(request),
        limit=limit,
        cursor=cursor,
    )
    tracking.catch_up(uow)
    with uow:
        events, next_cursor = tracking.find_events(uow, query, viewer)
    response.headers["API-Version"] = API_VERSION
    if next_cursor is not None:
        response.headers["Next-Page-Cursor"] = next_cursor
    return events


@router.get("/events/{event_id}", response_model=dict[str, Any], responses={404: {"description": "Unknown"}})
def get_event(event_id: str, uow: UowDep, viewer: ViewerDep) -> dict[str, Any]:
    """One event by its eventID."""
    tracking.catch_up(uow)
    with uow:
        return tracking.find_event(uow, event_id, viewer)


class SubscriptionIn(BaseModel):
    """DCSA ``SubscriptionBodyWithSecret``: callback, Base64 secret, and optional filters."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    callback_url: str = Field(alias="callbackUrl", max_length=500, examples=["https://example.com/dcsa-events"])
    secret: str = Field(description="Base64 of 32–64 random bytes; signs every notification", max_length=200)
    event_type: list[str] = Field(default_factory=list, alias="eventType")
    equipment_event_type_code: list[str] = Field(default_factory=list, alias="equipmentEventTypeCode")
    transport_event_type_code: list[str] = Field(default_factory=list, alias="transportEventTypeCode")
    equipment_reference: str | None = Field(default=None, alias="equipmentReference", max_length=15)
    carrier_booking_reference: str | None = Field(default=None, alias="carrierBookingReference", max_length=35)


@router.post(
    "/event-subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=dict[str, Any],
    responses={422: {"description": "Bad callback URL, secret or filter"}},
)
def create_subscription(body: SubscriptionIn, uow: UowDep, viewer: ViewerDep, response: Response) -> dict[str, Any]:
    """Subscribe a callback URL to the events that match the filters (and that the caller may see)."""
    response.headers["API-Version"] = API_VERSION
    request = tracking.NewSubscription(
        callback_url=body.callback_url,
        secret_b64=body.secret,
        event_types=tuple(body.event_type),
        equipment_event_type_codes=tuple(body.equipment_event_type_code),
        transport_event_type_codes=tuple(body.transport_event_type_code),
        equipment_reference=body.equipment_reference,
        carrier_booking_reference=body.carrier_booking_reference,
    )
    outcome = execute(uow, _actor(viewer), lambda unit: tracking.create_subscription(unit, request, viewer))
    return dict(outcome.body)


@router.get("/event-subscriptions", response_model=list[dict[str, Any]])
def list_subscriptions(uow: UowDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    """The caller's live subscriptions."""
    return tracking.list_subscriptions(uow, viewer)


@router.get(
    "/event-subscriptions/{subscription_id}", response_model=dict[str, Any], responses={404: {"description": "Unknown"}}
)
def get_subscription(subscription_id: str, uow: UowDep, viewer: ViewerDep) -> dict[str, Any]:
    """One subscription."""
    return tracking.get_subscription(uow, subscription_id, viewer)


@router.get(
    "/event-subscriptions/{subscription_id}/deliveries",
    response_model=list[dict[str, Any]],
    responses={404: {"description": "Unknown"}},
)
def get_deliveries(subscription_id: str, uow: UowDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    """Delivery status of every notification owed to the subscription (not part of DCSA; for support)."""
    return tracking.delivery_log(uow, subscription_id, viewer)


@router.delete(
    "/event-subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "Unknown"}},
)
def delete_subscription(subscription_id: str, uow: UowDep, viewer: ViewerDep) -> Response:
    """Stop a subscription."""
    execute(uow, _actor(viewer), lambda unit: tracking.delete_subscription(unit, subscription_id, viewer))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
