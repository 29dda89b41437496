"""DCSA Track & Trace 2.2 under /dcsa/tnt/v2: the event feed and event subscriptions, as the specification says.

* Every query parameter of the specification is implemented, or refused with a DCSA error where it
  cannot apply (filters on voyage numbers, carrier service codes and schedules, which the hub never
  records); a parameter the specification does not define is refused too.
* ``eventCreatedDateTime`` takes the DCSA operators (``eventCreatedDateTime:gte=2026-01-15T10:00:00+08:00``;
  also ``gt``, ``lte``, ``lt``, ``eq``; no operator means ``eq``) and compares instants, whatever the offset.
* Lists are paged with the specification's headers: ``Current-Page``, ``Next-Page``, ``Prev-Page``,
  ``First-Page`` and ``Last-Page`` hold links (the same request with another ``cursor``).
* Every response carries ``API-Version``; every error has DCSA's error body (``httpMethod``,
  ``requestUri``, ``statusCode``, ``statusCodeText``, ``errorDateTime``, ``errors[]``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landbridge.api.deps import Authorized, Principal, UowDep
from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import utc_now
from landbridge.domain.times import parse_time
from landbridge.interchange import dcsa
from landbridge.interchange.dcsa import API_VERSION
from landbridge.services import tracking
from landbridge.services.authz import Action
from landbridge.services.containers import Actor
from landbridge.services.operations.common import execute
from landbridge.services.tracking.filters import EventFilter
from landbridge.services.tracking.queries import OPERATORS, EventQuery, parse_sort
from landbridge.services.tracking.subscriptions import (
    UNSUPPORTED_FILTERS,
    SubscriptionRequest,
    check_codes,
    parse_subscription_sort,
)

PREFIX = "/dcsa/"
CREATED = "eventCreatedDateTime"
INT32_MAX = 2**31 - 1
# Standard Base64 (padded) of 32 to 64 bytes: 10 groups + a 2- or 3-byte tail, 11-20 groups + any tail, or
# 21 groups + a 1-byte tail — so every text the schema allows decodes to an accepted secret.
_B64 = "[A-Za-z0-9+/]"
SECRET_PATTERN = (
    f"^(?:{_B64}{{4}}){{10}}(?:{_B64}{{3}}=|{_B64}{{4}}"
    f"|(?:{_B64}{{4}}){{1,10}}(?:{_B64}{{2}}==|{_B64}{{3}}=|{_B64}{{4}})"
    f"|(?:{_B64}{{4}}){{11}}{_B64}{{2}}==)$"
)
CALLBACK_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"


# ---------------------------------------------------------------- errors, headers, unknown parameters


class DcsaSubError(BaseModel):
    """One problem: ``reason`` is the field at fault (or the kind of failure), ``message`` says what to change."""

    reason: str
    message: str


class DcsaError(BaseModel):
    """DCSA's error body."""

    httpMethod: str
    requestUri: str
    statusCode: int
    statusCodeText: str
    errorDateTime: str
    errors: list[DcsaSubError]


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": DcsaError, "description": text}
    for code, text in (
        (401, "No or unknown bearer token"),
        (403, "The caller's role may not read tracking data"),
        (404, "Unknown, or not the caller's"),
        (409, "Clashed with a concurrent change; retry"),
        (422, "A parameter or field the specification does not define, a bad value, or a filter the hub cannot apply"),
    )
}


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def dcsa_error(request: Request, status_code: int, problems: list[tuple[str, str]]) -> JSONResponse:
    """A DCSA error response: one entry per problem, each naming the field at fault."""
    uri = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = DcsaError(
        httpMethod=request.method,
        requestUri=uri,
        statusCode=status_code,
        statusCodeText=_phrase(status_code),
        errorDateTime=dcsa.created_time(utc_now()),
        errors=[DcsaSubError(reason=field, message=message) for field, message in problems],
    )
    return JSONResponse(status_code=status_code, content=body.model_dump())


def _problems_of_detail(detail: Any) -> list[tuple[str, str]]:
    if isinstance(detail, list):
        problems = []
        for item in detail:
            if isinstance(item, dict):
                location = item.get("loc") or ["request"]
                problems.append((str(location[-1]), str(item.get("msg", ""))))
        return problems or [("request", str(detail))]
    return [("request", str(detail))]


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an operation declares, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


def _unknown_parameters(request: Request, allowed: set[str]) -> list[tuple[str, str]]:
    problems = []
    for name in dict.fromkeys(request.query_params.keys()):
        base, _, operator = name.partition(":")
        if name in allowed or (base == CREATED and CREATED in allowed and operator):
            continue
        problems.append((name, f"not a parameter of this operation; known: {', '.join(sorted(allowed)) or 'none'}"))
    return problems


class DcsaRoute(APIRoute):
    """A /dcsa route: refuses query parameters the operation does not define (DCSA error, 422)."""

    checks_own_query_names = True  # api/query_names.py leaves the check to this class

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler, behind a check of the query parameters' names."""
        original = super().get_route_handler()
        allowed = _query_names(self.dependant)

        async def handler(request: Request) -> Response:
            unknown = _unknown_parameters(request, allowed)
            if unknown:
                return dcsa_error(request, 422, unknown)
            return await original(request)

        return handler


def _dcsa_body(body: bytes, status_code: int, scope: Scope) -> bytes | None:
    """The hub's error body (``{"detail": …}``) rewritten as DCSA's; None when it is not one."""
    try:
        content = json.loads(body)
    except ValueError:
        return None
    if not isinstance(content, dict) or "detail" not in content or "errorDateTime" in content:
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    error = DcsaError(
        httpMethod=scope.get("method", "GET"),
        requestUri=scope.get("path", "") + (f"?{query}" if query else ""),
        statusCode=status_code,
        statusCodeText=_phrase(status_code),
        errorDateTime=dcsa.created_time(utc_now()),
        errors=[
            DcsaSubError(reason=field, message=message) for field, message in _problems_of_detail(content["detail"])
        ],
    )
    return json.dumps(error.model_dump(), separators=(",", ":")).encode()


class DcsaResponses:
    """ASGI middleware for everything under /dcsa: ``API-Version`` on every response, DCSA's body on every error.

    It sits outside the app's own error handling and input guards, so an error answered anywhere —
    a route, a dependency (401/403), request validation, a domain error, a guard refusing input at
    the door, an unknown path or method — reaches a DCSA client in DCSA's shape.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass everything through; hold an error's body to rewrite it."""
        if scope["type"] != "http" or not scope.get("path", "").startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        held: dict[str, Any] = {}
        parts: list[bytes] = []

        async def reply(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["API-Version"] = API_VERSION
                if message["status"] >= 400 and headers.get("content-type", "").startswith("application/json"):
                    held["start"] = message  # sent with the rewritten body
                    return
                await send(message)
                return
            if message["type"] == "http.response.body" and "start" in held:
                parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                start, body = held.pop("start"), b"".join(parts)
                rewritten = _dcsa_body(body, int(start["status"]), scope)
                if rewritten is not None:
                    body = rewritten
                    MutableHeaders(scope=start)["content-length"] = str(len(body))
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        await self.app(scope, receive, reply)


router = APIRouter(prefix=f"{PREFIX}tnt/v2", tags=["dcsa"], route_class=DcsaRoute, responses=ERRORS)

ReaderDep = Annotated[Principal, Depends(Authorized(Action.CONTAINER_READ))]


def get_viewer(principal: ReaderDep) -> tracking.Viewer:
    """The authenticated caller as a tracking viewer: its party scope limits what it sees (shippers)."""
    return tracking.Viewer(principal.actor.name, principal.scope.party)


ViewerDep = Annotated[tracking.Viewer, Depends(get_viewer)]
ApiVersionHeader = Annotated[
    str | None,
    Header(alias="API-Version", description="Optional; the major version the client expects (2). Not checked."),
]


def _actor(viewer: tracking.Viewer) -> Actor:
    """The subscriber as the actor of a subscription command (it writes no domain events)."""
    return Actor(viewer.name, "subscriber", viewer.party)


def _page_link(request: Request, cursor: str | None) -> str:
    """This request's URL with another cursor (None: the first page)."""
    url = request.url.remove_query_params("cursor")
    return str(url if cursor is None else url.include_query_params(cursor=cursor))


def _paging_headers(
    request: Request,
    response: Response,
    next_cursor: str | None,
    prev_cursor: str | None,
    last_cursor: str | None,
    is_first: bool,
) -> None:
    response.headers["Current-Page"] = str(request.url)
    if next_cursor is not None:
        response.headers["Next-Page"] = _page_link(request, next_cursor)
    if prev_cursor is not None:
        response.headers["Prev-Page"] = _page_link(request, prev_cursor)
    if not is_first:
        response.headers["First-Page"] = _page_link(request, None)
    if last_cursor is not None:
        response.headers["Last-Page"] = _page_link(request, last_cursor)


PAGING_HEADERS = {
    "API-Version": {"description": "The API version of the response (2.2.0)", "schema": {"type": "string"}},
    "Current-Page": {"description": "Link to this page", "schema": {"type": "string"}},
    "Next-Page": {"description": "Link to the next page (absent on the last page)", "schema": {"type": "string"}},
    "Prev-Page": {"description": "Link to the previous page (absent on the first)", "schema": {"type": "string"}},
    "First-Page": {"description": "Link to the first page (absent on the first)", "schema": {"type": "string"}},
    "Last-Page": {"description": "Link to the last page (absent on the last)", "schema": {"type": "string"}},
}


# ---------------------------------------------------------------- events


_SORT_FIELD = "(eventCreatedDateTime|eventDateTime)(:(ASC|DESC))?"
# An empty ``sort=`` is the default order (the services read it so); the schema says so too.
_EVENT_SORT = f"^({_SORT_FIELD}(,{_SORT_FIELD})?)?$"
_SUB_SORT = "^(createdDateTime(:(ASC|DESC))?)?$"


def _code_list(name: str, allowed: tuple[str, ...]) -> Any:
    """A comma-separated code list parameter; the pattern documents it, ``_codes`` checks it (naming bad values)."""
    one = "|".join(allowed)
    return Query(
        alias=name,
        description=f"Comma-separated, OR-ed: {', '.join(allowed)}",
        json_schema_extra={"pattern": f"^({one})(,({one}))*$"},
    )


def _codes(raw: str | None, allowed: tuple[str, ...], name: str) -> tuple[str, ...]:
    """A comma-separated code list (OR); values outside the specification's list are refused."""
    if raw is None:
        return ()
    values = tuple(value.strip() for value in raw.split(",") if value.strip())
    if not values:
        raise RuleViolation(name, f"give one or more of {', '.join(allowed)}, comma-separated")
    check_codes(name, values, allowed)
    return values


def _instant(raw: str, name: str) -> datetime:
    # A '+' of the offset arrives as a blank when the caller did not percent-encode it.
    return parse_time(raw.replace(" ", "+"), name)


def _created_bounds(request: Request) -> tuple[tuple[str, datetime], ...]:
    bounds: list[tuple[str, datetime]] = []
    for key, value in request.query_params.multi_items():
        if key == CREATED:
            bounds.append(("eq", _instant(value, key)))
        elif key.startswith(f"{CREATED}:"):
            operator = key.split(":", 1)[1].lower()
            if operator not in OPERATORS:
                raise RuleViolation(key, f"unknown operator {operator!r}; use one of {', '.join(OPERATORS)}")
            bounds.append((operator, _instant(value, key)))
    return tuple(bounds)


def _refuse_unsupported(request: Request) -> None:
    for name, reason in UNSUPPORTED_FILTERS.items():
        if name in request.query_params:
            raise RuleViolation(name, f"cannot filter by {name}: {reason}")


def _one_booking(carrier_booking_reference: str | None, booking_reference: str | None) -> str | None:
    if carrier_booking_reference and booking_reference and carrier_booking_reference != booking_reference:
        raise RuleViolation("bookingReference", "deprecated alias of carrierBookingReference; they differ")
    return carrier_booking_reference or booking_reference


@router.get(
    "/events",
    response_model=list[dict[str, Any]],
    responses={200: {"headers": PAGING_HEADERS, "description": "Events, oldest first unless sorted"}},
)
def get_events(
    request: Request,
    response: Response,
    uow: UowDep,
    viewer: ViewerDep,
    event_type: Annotated[str | None, _code_list("eventType", dcsa.EVENT_TYPES)] = None,
    shipment_event_type_code: Annotated[
        str | None, _code_list("shipmentEventTypeCode", dcsa.SHIPMENT_EVENT_CODES)
    ] = None,
    document_type_code: Annotated[str | None, _code_list("documentTypeCode", dcsa.DOCUMENT_TYPE_CODES)] = None,
    carrier_booking_reference: Annotated[str | None, Query(alias="carrierBookingReference", max_length=35)] = None,
    booking_reference: Annotated[str | None, Query(alias="bookingReference", max_length=35, deprecated=True)] = None,
    transport_document_id: Annotated[str | None, Query(alias="transportDocumentID", deprecated=True)] = None,
    transport_document_reference: Annotated[
        str | None, Query(alias="transportDocumentReference", max_length=20)
    ] = None,
    transport_event_type_code: Annotated[
        str | None, _code_list("transportEventTypeCode", dcsa.TRANSPORT_EVENT_CODES)
    ] = None,
    schedule_id: Annotated[str | None, Query(alias="scheduleID", deprecated=True)] = None,
    transport_call_id: Annotated[str | None, Query(alias="transportCallID", max_length=100)] = None,
    vessel_imo_number: Annotated[str | None, Query(alias="vesselIMONumber", max_length=7)] = None,
    carrier_voyage_number: Annotated[str | None, Query(alias="carrierVoyageNumber", deprecated=True)] = None,
    export_voyage_number: Annotated[str | None, Query(alias="exportVoyageNumber", max_length=50)] = None,
    carrier_service_code: Annotated[str | None, Query(alias="carrierServiceCode", max_length=5)] = None,
    un_location_code: Annotated[str | None, Query(alias="UNLocationCode", max_length=5)] = None,
    equipment_event_type_code: Annotated[
        str | None, _code_list("equipmentEventTypeCode", dcsa.EQUIPMENT_EVENT_CODES)
    ] = None,
    equipment_reference: Annotated[str | None, Query(alias="equipmentReference", max_length=15)] = None,
    event_created_date_time: Annotated[
        str | None,
        Query(alias=CREATED, description="An instant; also eventCreatedDateTime:gte|gt|lte|lt|eq=…"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=INT32_MAX, description="At most 1000 are returned")] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    sort: Annotated[
        str | None,
        Query(
            description="eventCreatedDateTime and/or eventDateTime, each :ASC (default) or :DESC",
            json_schema_extra={"pattern": _EVENT_SORT},
        ),
    ] = None,
    api_version: ApiVersionHeader = None,
) -> list[dict[str, Any]]:
    """DCSA events the caller may see; filters AND-ed, comma lists OR-ed; paged with links in the headers."""
    _refuse_unsupported(request)
    filters = EventFilter(
        event_types=_codes(event_type, dcsa.EVENT_TYPES, "eventType"),
        shipment_event_type_codes=_codes(shipment_event_type_code, dcsa.SHIPMENT_EVENT_CODES, "shipmentEventTypeCode"),
        document_type_codes=_codes(document_type_code, dcsa.DOCUMENT_TYPE_CODES, "documentTypeCode"),
        equipment_event_type_codes=_codes(
            equipment_event_type_code, dcsa.EQUIPMENT_EVENT_CODES, "equipmentEventTypeCode"
        ),
        transport_event_type_codes=_codes(
            transport_event_type_code, dcsa.TRANSPORT_EVENT_CODES, "transportEventTypeCode"
        ),
        carrier_booking_reference=_one_booking(carrier_booking_reference, booking_reference),
        transport_document_reference=transport_document_reference,
        transport_call_id=transport_call_id,
        vessel_imo_number=vessel_imo_number,
        un_location_code=un_location_code,
        equipment_reference=equipment_reference,
    )
    query = EventQuery(
        filters=filters,
        created_bounds=_created_bounds(request),
        limit=min(limit, tracking.MAX_LIMIT),
        cursor=cursor,
        sort=parse_sort(sort),
    )
    tracking.catch_up_for_read(uow)  # answers from what is projected: bounded work per request
    with uow:
        page = tracking.find_page(uow, query, viewer)
    _paging_headers(request, response, page.next_cursor, page.prev_cursor, page.last_cursor, page.is_first)
    return page.events


@router.get(
    "/events/{eventID}",
    response_model=dict[str, Any],
    responses={200: {"headers": {"API-Version": PAGING_HEADERS["API-Version"]}, "description": "The event"}},
    deprecated=True,
)
def get_event(
    event_id: Annotated[str, Path(alias="eventID", max_length=100)],
    uow: UowDep,
    viewer: ViewerDep,
    api_version: ApiVersionHeader = None,
) -> dict[str, Any]:
    """One event by its eventID (deprecated in 2.2, kept for clients that use it)."""
    tracking.catch_up_for_read(uow)  # answers from what is projected: bounded work per request
    with uow:
        return tracking.find_event(uow, event_id, viewer)


# ---------------------------------------------------------------- subscriptions


class SubscriptionFields(BaseModel):
    """DCSA ``subscriptionBody``: the callback and the filters (AND between filters, OR inside a list)."""

    model_config = ConfigDict(extra="forbid")

    callbackUrl: str = Field(max_length=500, pattern=CALLBACK_PATTERN, examples=["https://example.com/dcsa-events"])
    eventType: list[str] = Field(default_factory=list, description="SHIPMENT, TRANSPORT, EQUIPMENT")
    shipmentEventTypeCode: list[str] = Field(default_factory=list)
    documentTypeCode: list[str] = Field(default_factory=list)
    carrierBookingReference: str | None = Field(default=None, max_length=35)
    bookingReference: str | None = Field(default=None, max_length=35, deprecated=True)
    transportDocumentID: str | None = Field(default=None, deprecated=True)
    transportDocumentReference: str | None = Field(default=None, max_length=20)
    transportDocumentTypeCode: list[str] | None = Field(default=None, deprecated=True)
    transportEventTypeCode: list[str] = Field(default_factory=list)
    scheduleID: str | None = Field(default=None, deprecated=True)
    transportCallID: str | None = Field(default=None, max_length=100)
    vesselIMONumber: str | None = Field(default=None, max_length=7)
    carrierVoyageNumber: str | None = Field(default=None, max_length=50, deprecated=True)
    exportVoyageNumber: str | None = Field(default=None, max_length=50)
    carrierServiceCode: str | None = Field(default=None, max_length=5)
    UNLocationCode: str | None = Field(default=None, max_length=5)
    equipmentEventTypeCode: list[str] = Field(default_factory=list)
    equipmentReference: str | None = Field(default=None, max_length=15)

    @field_validator("callbackUrl")
    @classmethod
    def _parsable(cls, value: str) -> str:
        # The long Schemathesis run found "http://[" answered 500: urlsplit raises on a broken IPv6 host.
        try:
            host = urlsplit(value).hostname
        except ValueError as error:
            raise ValueError(f"must be an absolute http(s) URL ({error})") from None
        if not host:
            raise ValueError("must be an absolute http(s) URL with a host")
        return value

    def request(self, secret: str | None) -> SubscriptionRequest:
        """The service's request; refuses the filters the hub cannot apply."""
        given = self.__dict__  # not getattr: reading a deprecated field warns
        for name in UNSUPPORTED_FILTERS:
            if given.get(name) is not None:
                raise RuleViolation(name, f"cannot filter by {name}: {UNSUPPORTED_FILTERS[name]}")
        filters = EventFilter(
            event_types=tuple(self.eventType),
            shipment_event_type_codes=tuple(self.shipmentEventTypeCode),
            document_type_codes=tuple(self.documentTypeCode),
            equipment_event_type_codes=tuple(self.equipmentEventTypeCode),
            transport_event_type_codes=tuple(self.transportEventTypeCode),
            carrier_booking_reference=_one_booking(self.carrierBookingReference, given["bookingReference"]),
            transport_document_reference=self.transportDocumentReference,
            transport_call_id=self.transportCallID,
            vessel_imo_number=self.vesselIMONumber,
            un_location_code=self.UNLocationCode,
            equipment_reference=self.equipmentReference,
        )
        return SubscriptionRequest(self.callbackUrl, filters, secret)


class SubscriptionIn(SubscriptionFields):
    """DCSA ``subscriptionBodyWithSecret``: the filters and the Base64 secret that signs every notification."""

    secret: str = Field(
        description="Base64 of 32–64 random bytes; signs every notification", max_length=88, pattern=SECRET_PATTERN
    )


class SubscriptionPut(SubscriptionFields):
    """DCSA ``subscription`` (PUT): the whole new callback and filters; the secret has its own PUT."""

    subscriptionID: str | None = Field(default=None, max_length=36)
    secret: str | None = Field(default=None, description="Not allowed here: PUT …/secret", max_length=200)
    createdDateTime: str | None = Field(default=None, description="Ignored (read-only)")


class SecretIn(BaseModel):
    """DCSA ``subscriptionID_secret_body``."""

    model_config = ConfigDict(extra="forbid")

    secret: str = Field(description="Base64 of 32–64 random bytes", max_length=88, pattern=SECRET_PATTERN)


class SubscriptionOut(BaseModel):
    """DCSA ``subscription``: its id, callback and filters (never the secret), and when it was made."""

    subscriptionID: str
    callbackUrl: str
    eventType: list[str]
    shipmentEventTypeCode: list[str]
    documentTypeCode: list[str]
    equipmentEventTypeCode: list[str]
    transportEventTypeCode: list[str]
    carrierBookingReference: str | None = None
    transportDocumentReference: str | None = None
    transportCallID: str | None = None
    vesselIMONumber: str | None = None
    UNLocationCode: str | None = None
    equipmentReference: str | None = None
    createdDateTime: str


class DeliveryOut(BaseModel):
    """One notification owed to a subscription (not part of DCSA; for support)."""

    eventID: str
    status: str
    attempts: int
    lastStatusCode: int | None
    lastError: str | None
    nextAttemptDateTime: str
    deliveredDateTime: str | None


SubscriptionId = Annotated[str, Path(alias="subscriptionID", max_length=36)]


@router.get(
    "/event-subscriptions",
    response_model=list[SubscriptionOut],
    response_model_exclude_none=True,
    responses={200: {"headers": PAGING_HEADERS, "description": "The caller's live subscriptions"}},
)
def list_subscriptions(
    request: Request,
    response: Response,
    uow: UowDep,
    viewer: ViewerDep,
    limit: Annotated[int, Query(ge=1, le=INT32_MAX, description="At most 1000 are returned")] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    sort: Annotated[
        str | None,
        Query(description="createdDateTime:ASC or createdDateTime:DESC", json_schema_extra={"pattern": _SUB_SORT}),
    ] = None,
    api_version: ApiVersionHeader = None,
) -> list[dict[str, Any]]:
    """The caller's live subscriptions, one page."""
    descending = parse_subscription_sort(sort)
    page = tracking.list_subscriptions(uow, viewer, min(limit, tracking.MAX_LIMIT), cursor, descending)
    encode = tracking.encode_offset
    _paging_headers(
        request,
        response,
        None if page.next_offset is None else encode(page.next_offset, descending),
        None if page.prev_offset is None else encode(page.prev_offset, descending),
        None if page.last_offset is None else encode(page.last_offset, descending),
        page.offset == 0,
    )
    return page.subscriptions


@router.post(
    "/event-subscriptions",
    status_code=status.HTTP_201_CREATED,
    response_model=SubscriptionOut,
    response_model_exclude_none=True,
)
def create_subscription(
    body: SubscriptionIn, uow: UowDep, viewer: ViewerDep, api_version: ApiVersionHeader = None
) -> dict[str, Any]:
    """Subscribe a callback URL to the events that match the filters (and that the caller may see)."""
    request = body.request(body.secret)
    outcome = execute(uow, _actor(viewer), lambda unit: tracking.create_subscription(unit, request, viewer))
    return dict(outcome.body)


@router.get("/event-subscriptions/{subscriptionID}", response_model=SubscriptionOut, response_model_exclude_none=True)
def get_subscription(
    subscription_id: SubscriptionId, uow: UowDep, viewer: ViewerDep, api_version: ApiVersionHeader = None
) -> dict[str, Any]:
    """One subscription."""
    return tracking.get_subscription(uow, subscription_id, viewer)


@router.put("/event-subscriptions/{subscriptionID}", response_model=SubscriptionOut, response_model_exclude_none=True)
def update_subscription(
    subscription_id: SubscriptionId,
    body: SubscriptionPut,
    uow: UowDep,
    viewer: ViewerDep,
    api_version: ApiVersionHeader = None,
) -> dict[str, Any]:
    """Replace the subscription's callback and filters (the secret is changed through its own PUT)."""
    if body.subscriptionID is not None and body.subscriptionID != subscription_id:
        raise RuleViolation("subscriptionID", "differs from the subscription in the path")
    request = body.request(body.secret)
    outcome = execute(
        uow, _actor(viewer), lambda unit: tracking.update_subscription(unit, subscription_id, request, viewer)
    )
    return dict(outcome.body)


@router.put("/event-subscriptions/{subscriptionID}/secret", status_code=status.HTTP_204_NO_CONTENT)
def put_secret(
    subscription_id: SubscriptionId,
    body: SecretIn,
    uow: UowDep,
    viewer: ViewerDep,
    api_version: ApiVersionHeader = None,
) -> Response:
    """Give the subscription a new secret; notifications are signed with it from now on."""
    execute(uow, _actor(viewer), lambda unit: tracking.set_secret(unit, subscription_id, body.secret, viewer))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/event-subscriptions/{subscriptionID}/deliveries", response_model=list[DeliveryOut])
def get_deliveries(subscription_id: SubscriptionId, uow: UowDep, viewer: ViewerDep) -> list[dict[str, Any]]:
    """Delivery status of every notification owed to the subscription (not part of DCSA; for support)."""
    return tracking.delivery_log(uow, subscription_id, viewer)


@router.delete("/event-subscriptions/{subscriptionID}", status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(
    subscription_id: SubscriptionId, uow: UowDep, viewer: ViewerDep, api_version: ApiVersionHeader = None
) -> Response:
    """Stop a subscription."""
    execute(uow, _actor(viewer), lambda unit: tracking.delete_subscription(unit, subscription_id, viewer))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
