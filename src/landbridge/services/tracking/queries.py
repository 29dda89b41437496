"""Reading the DCSA feed and one container's tracking view, filtered in SQL, scoped to the viewer.

Pages are keyset pages: ordered by the requested sort (default: the order events were projected)
with the row id as the last key, and named by opaque cursors that hold the position of a page's
first or last row — so a page never repeats or skips an event however many arrive meanwhile. A
cursor leads forwards (``Next-Page``), backwards (``Prev-Page``) or to the last page (``Last-Page``).
Every query applies the viewer's scope (:mod:`.visibility`) in the statement itself.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from landbridge.corridor.eta import ArrivalEstimate
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import utc_now
from landbridge.interchange import dcsa
from landbridge.services.tracking.eta import estimate, eta_history
from landbridge.services.tracking.filters import EventFilter, conditions
from landbridge.services.tracking.projection import catch_up_for_read
from landbridge.services.tracking.visibility import STAFF, Viewer, visible, visible_to
from landbridge.store import tables
from landbridge.store.repositories.scope import visible_containers
from landbridge.store.tracking_tables import DcsaEventRow
from landbridge.store.unit_of_work import UnitOfWork

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
SORT_FIELDS: dict[str, Any] = {
    "eventCreatedDateTime": DcsaEventRow.event_created_at,
    "eventDateTime": func.coalesce(DcsaEventRow.event_at, DcsaEventRow.event_created_at),
}
OPERATORS = ("gte", "gt", "lte", "lt", "eq")
_COMPARE: dict[str, Callable[[Any, datetime], ColumnElement[bool]]] = {
    "gte": lambda column, value: column >= value,
    "gt": lambda column, value: column > value,
    "lte": lambda column, value: column <= value,
    "lt": lambda column, value: column < value,
    "eq": lambda column, value: column == value,
}


@dataclass(frozen=True)
class SortKey:
    """One field of ``sort``: its name and direction."""

    name: str
    descending: bool = False


def parse_sort(raw: str | None) -> tuple[SortKey, ...]:
    """``eventCreatedDateTime:DESC,eventDateTime`` → sort keys; unknown fields or directions are refused."""
    if raw is None or not raw.strip():
        return ()
    keys: list[SortKey] = []
    for part in raw.split(","):
        name, _, direction = part.strip().partition(":")
        if name not in SORT_FIELDS:
            raise RuleViolation("sort", f"cannot sort by {name!r}; sortable: {', '.join(SORT_FIELDS)}")
        if direction.upper() not in ("", "ASC", "DESC"):
            raise RuleViolation("sort", f"direction of {name} must be ASC or DESC, got {direction!r}")
        if all(key.name != name for key in keys):  # a field given twice sorts by its first mention
            keys.append(SortKey(name, direction.upper() == "DESC"))
    return tuple(keys)


def sort_text(keys: Sequence[SortKey]) -> str:
    """The canonical form of a sort (what a cursor remembers)."""
    return ",".join(f"{key.name}:{'DESC' if key.descending else 'ASC'}" for key in keys)


@dataclass(frozen=True)
class EventQuery:
    """GET /events: the filters, ``eventCreatedDateTime`` bounds, page size, cursor and sort."""

    filters: EventFilter = field(default_factory=EventFilter)
    created_bounds: tuple[tuple[str, datetime], ...] = ()
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    sort: tuple[SortKey, ...] = ()
    equipment_reference: str | None = None  # shorthand for filters.equipment_reference (container timelines)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after or before a row (its sort values and id), or at the end of the feed."""

    direction: str  # "next", "prev" or "last"
    values: tuple[str, ...] = ()
    row_id: int = 0
    sort: str = ""

    def encode(self) -> str:
        """The opaque text a client sends back as ``cursor``."""
        payload = {"d": self.direction, "v": list(self.values), "id": self.row_id, "s": self.sort}
        return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: Sequence[SortKey] = ()) -> Cursor:
    """The position a cursor names; a malformed one, or one issued for another sort, is the client's error."""
    try:
        padded = text + "=" * (-len(text) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        cursor = Cursor(str(payload["d"]), tuple(str(v) for v in payload["v"]), int(payload["id"]), str(payload["s"]))
        if cursor.direction not in ("next", "prev", "last") or cursor.row_id < 0:
            raise ValueError(cursor)
        if cursor.direction != "last":
            if len(cursor.values) != len(sort):
                raise ValueError(cursor)
            for value in cursor.values:
                datetime.fromisoformat(value)
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError):
        raise RuleViolation("cursor", "not a cursor this server issued") from None
    if cursor.sort != sort_text(sort):
        raise RuleViolation("cursor", f"issued for sort {cursor.sort or '(none)'!r}; send the same sort with it")
    return cursor


def encode_cursor(last_id: int) -> str:
    """The cursor of the page after the row ``last_id`` in the default order."""
    return Cursor("next", (), last_id, "").encode()


@dataclass(frozen=True)
class Page:
    """One page of events and the cursors around it (None where there is no such page)."""

    events: list[dict[str, Any]]
    next_cursor: str | None
    prev_cursor: str | None
    last_cursor: str | None
    is_first: bool


def _order(keys: Sequence[SortKey], reverse: bool) -> list[Any]:
    order = []
    for key in keys:
        column = SORT_FIELDS[key.name]
        order.append(column.asc() if key.descending == reverse else column.desc())
    order.append(DcsaEventRow.id.desc() if reverse else DcsaEventRow.id.asc())
    return order


def _beyond(keys: Sequence[SortKey], cursor: Cursor, forwards: bool) -> ColumnElement[bool]:
    """Rows after (``forwards``) or before the cursor's row in the sort order (lexicographic keyset)."""
    columns = [SORT_FIELDS[key.name] for key in keys] + [DcsaEventRow.id]
    values: list[Any] = [dcsa.as_utc(datetime.fromisoformat(v)) for v in cursor.values] + [cursor.row_id]
    ascending = [not key.descending for key in keys] + [True]
    alternatives = []
    for index, column in enumerate(columns):
        equal = [columns[i] == _bind(values[i]) for i in range(index)]
        later = ascending[index] == forwards
        step = column > _bind(values[index]) if later else column < _bind(values[index])
        alternatives.append(and_(*equal, step))
    return or_(*alternatives)


def _bind(value: Any) -> Any:
    """Times compare as UTC instants (SQLite keeps naive UTC text; a bound value must be in UTC too)."""
    return dcsa.as_utc(value) if isinstance(value, datetime) else value


def _position(row: DcsaEventRow, keys: Sequence[SortKey], direction: str) -> Cursor:
    values = []
    for key in keys:
        moment = row.event_created_at if key.name == "eventCreatedDateTime" else (row.event_at or row.event_created_at)
        values.append(dcsa.as_utc(moment).isoformat())
    return Cursor(direction, tuple(values), row.id, sort_text(keys))


def _filters(query: EventQuery, party: str | None, session: Session) -> list[ColumnElement[bool]]:
    wanted = query.filters
    if query.equipment_reference is not None and wanted.equipment_reference is None:
        wanted = EventFilter(**{**wanted.__dict__, "equipment_reference": query.equipment_reference})
    where = conditions(wanted, party, None if party is None else visible_to(session, party))
    for operator, value in query.created_bounds:
        where.append(_COMPARE[operator](DcsaEventRow.event_created_at, _bind(value)))
    return where


def find_page(uow: UnitOfWork, query: EventQuery, viewer: Viewer) -> Page:
    """One page of the DCSA events matching the query that the viewer may see, and the cursors around it.

    Reads in the caller's unit of work.
    """
    limit = max(1, min(query.limit, MAX_LIMIT))
    keys = query.sort
    cursor = decode_cursor(query.cursor, keys) if query.cursor else None
    statement = select(DcsaEventRow).where(*_filters(query, viewer.party, uow.session))
    backwards = cursor is not None and cursor.direction in ("prev", "last")
    if cursor is not None and cursor.direction != "last":
        statement = statement.where(_beyond(keys, cursor, forwards=cursor.direction == "next"))
    rows = list(uow.session.scalars(statement.order_by(*_order(keys, reverse=backwards)).limit(limit + 1)))
    more = len(rows) > limit
    page = rows[:limit]
    if backwards:
        page.reverse()
    if not page:
        return Page([], None, None, None, cursor is None)
    is_first = cursor is None or (backwards and not more)
    has_next = (more and not backwards) or (cursor is not None and cursor.direction == "prev")
    has_prev = (cursor is not None and cursor.direction == "next") or (backwards and more)
    return Page(
        events=[dict(row.body) for row in page],
        next_cursor=_position(page[-1], keys, "next").encode() if has_next else None,
        prev_cursor=_position(page[0], keys, "prev").encode() if has_prev else None,
        last_cursor=Cursor("last", (), 0, sort_text(keys)).encode() if has_next else None,
        is_first=is_first,
    )


def find_events(uow: UnitOfWork, query: EventQuery, viewer: Viewer) -> tuple[list[dict[str, Any]], str | None]:
    """DCSA events matching the query that the viewer may see, and the next page's cursor."""
    page = find_page(uow, query, viewer)
    return page.events, page.next_cursor


def find_event(uow: UnitOfWork, event_id: str, viewer: Viewer) -> dict[str, Any]:
    """One DCSA event by eventID (404 when unknown or not the viewer's), in the caller's unit of work."""
    statement = select(DcsaEventRow).where(DcsaEventRow.event_id == event_id)
    if viewer.party is not None:
        statement = statement.where(visible(viewer.party))
    row = uow.session.scalar(statement)
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
    # One small batch at most on the request path: behind a bulk load the delivery worker (`landbridge
    # deliver`) works the backlog off; a viewer waiting for 20 batches saw 11 s per request (issue #19).
    catch_up_for_read(uow)
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
