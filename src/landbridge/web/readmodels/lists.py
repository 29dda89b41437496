"""Lists of the hub's objects with filters and paging, the same rows on screen and in the CSV export.

Each list names the read action of the role policy it needs and applies the store's one visibility
rule (``store/repositories/scope.py``) in its query, so a shipper's container list is "my
containers" and a shipping line's ship-call list is the calls it operates — the rows the API's
repositories would return to the same caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import Session

from landbridge.domain.containers import PositionKind
from landbridge.domain.events import EventType, as_utc
from landbridge.domain.gate import AppointmentStatus
from landbridge.domain.holds import HoldKind
from landbridge.domain.rail import TrainStatus
from landbridge.domain.units import PartyRole
from landbridge.domain.visits import TruckVisitStatus, VesselVisitStatus
from landbridge.services.authz import Action, Role
from landbridge.store import tables
from landbridge.store.interchange_tables import EdiInterchangeRow
from landbridge.store.repositories import Scope
from landbridge.store.repositories.scope import (
    about_visible_container,
    visible_containers,
    visible_holds,
    visible_vessel_visits,
)
from landbridge.web.readmodels.common import CONTAINER_SUBJECT, TRAIN_SUBJECT, hub_zone, utc


def _(message: str) -> str:
    """Mark a message for extraction; it is translated when rendered."""
    return message


PAGE_SIZE = 50
MAX_EXPORT_ROWS = 100_000


@dataclass(frozen=True)
class Column:
    """A column: the row key, its heading, and whether its values are words to translate."""

    key: str
    label: str
    words: bool = False
    json: bool = False  # a before/after snapshot, shown as compact JSON


@dataclass(frozen=True)
class Filter:
    """A filter field: ``text`` matches the start of the column (case-insensitive), ``choice`` one value,
    ``exact`` the whole value, ``from``/``to`` a time range (hub time unless an offset is typed), and
    ``subject`` the events about one object (``subject`` is its subject type)."""

    name: str
    label: str
    column: Any
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()
    subject: str = ""


@dataclass(frozen=True)
class ListSpec:
    """One list: its query over what the scope may see, its filters, columns and order."""

    name: str
    label: str
    action: Action
    base: Callable[[Scope], Select[Any]]
    columns: tuple[Column, ...]
    filters: tuple[Filter, ...]
    order: tuple[Any, ...]
    row: Callable[[Any], dict[str, Any]]
    link: str | None = None  # a path template for the first column ("/container/{}")
    counted: bool = True  # False: no total (the event log is too long to count on every page view)


def _choices(*values: str) -> tuple[tuple[str, str], ...]:
    return tuple((value, value) for value in values)


def _values(kind: type[StrEnum]) -> tuple[tuple[str, str], ...]:
    return _choices(*(member.value for member in kind))


def _containers(scope: Scope) -> Select[Any]:
    return visible_containers(select(tables.ContainerRow), scope)


def _container_row(row: tables.ContainerRow) -> dict[str, Any]:
    return {
        "number": row.number,
        "iso_type": row.iso_type,
        "load_state": row.load_state,
        "gross_mass_kg": row.gross_mass_kg,
        "position_kind": row.position_kind,
        "position_reference": row.position_reference,
        "booking_reference": row.booking_reference,
    }


def _holds(scope: Scope) -> Select[Any]:
    return visible_holds(select(tables.CustomsHoldRow), scope)


def _hold_row(row: tables.CustomsHoldRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "container": row.container_number,
        "kind": row.kind,
        "owner": row.owner,
        "reason": row.reason,
        "placed_by": row.placed_by,
        "placed_at": utc(row.placed_at),
        "released_at": utc(row.released_at),
        "released_by": row.released_by,
        "open": row.released_at is None,
    }


def _visits(scope: Scope) -> Select[Any]:
    return visible_vessel_visits(select(tables.VesselVisitRow), scope)


def _visit_row(row: tables.VesselVisitRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "vessel_name": row.vessel_name,
        "imo_number": row.imo_number,
        "operator_code": row.operator_code,
        "eta": utc(row.eta),
        "etb": utc(row.etb),
        "etd": utc(row.etd),
        "berth_code": row.berth_code,
        "status": row.status,
    }


def _trains(_scope: Scope) -> Select[Any]:
    return select(tables.TrainVisitRow)


def _train_row(row: tables.TrainVisitRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "kind": row.kind,
        "direction": row.direction,
        "route_code": row.route_code,
        "gauge_mm": row.gauge_mm,
        "track_code": row.track_code,
        "status": row.status,
    }


def _trucks(_scope: Scope) -> Select[Any]:
    return select(tables.TruckVisitRow)


def _truck_row(row: tables.TruckVisitRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "plate": row.plate,
        "status": row.status,
        "arrived_at": utc(row.arrived_at),
        "left_at": utc(row.left_at),
        "appointment_reference": row.appointment_reference,
        "drop_off": " ".join(row.drop_off or []),
        "pick_up": " ".join(row.pick_up or []),
        "delivery_order": row.delivery_order_reference,
        "override_reason": row.override_reason,
    }


def _appointments(_scope: Scope) -> Select[Any]:
    return select(tables.GateAppointmentRow)


def _appointment_row(row: tables.GateAppointmentRow) -> dict[str, Any]:
    return {
        "reference": row.reference,
        "hour_start": utc(row.hour_start),
        "plate": row.plate,
        "kind": row.kind,
        "container": row.container_number,
        "booking_reference": row.booking_reference,
        "party_code": row.party_code,
        "status": row.status,
    }


def _parties(_scope: Scope) -> Select[Any]:
    return select(tables.PartyRow)


def _party_row(row: tables.PartyRow) -> dict[str, Any]:
    return {"code": row.code, "name": row.name, "role": row.role, "country": row.country}


def _events(scope: Scope) -> Select[Any]:
    """Every event for hub staff; for a shipper or line the events of the boxes it may see, nothing else."""
    query = select(tables.EventRow)
    if scope.party is None:
        return query
    return query.where(
        tables.EventRow.subject_type == CONTAINER_SUBJECT,
        about_visible_container(tables.EventRow.subject_id, scope),
    )


def _event_row(row: tables.EventRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "occurred_at": utc(row.occurred_at),
        "recorded_at": utc(row.recorded_at),
        "event_type": row.event_type,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "container": row.subject_id if row.subject_type == CONTAINER_SUBJECT else None,
        "actor": row.actor,
        "role": row.role,
        "location": row.location,
        "before": row.before,
        "after": row.after,
        "source_reference": row.source_reference,
    }


def _interchanges(_scope: Scope) -> Select[Any]:
    return select(EdiInterchangeRow)  # edi.read is a staff read: party-scoped roles do not hold it


def _first_problem(report: dict[str, Any] | None) -> str | None:
    """The first error of an interchange's report (its own, else its first message's): what to fix first."""
    report = report or {}
    problems = [p for p in report.get("problems", []) if p.get("severity") == "error"]
    for message in report.get("messages", []):
        problems.extend(p for p in message.get("problems", []) if p.get("severity") == "error")
    return str(problems[0].get("text")) if problems else None


def _interchange_row(row: EdiInterchangeRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "processed_at": utc(row.processed_at),
        "direction": row.direction,
        "partner": row.partner_code,
        "sender": row.sender,
        "recipient": row.recipient,
        "control_reference": row.control_reference,
        "message_types": row.message_types,
        "applied": f"{row.accepted_count}/{row.message_count}",
        "status": row.status,
        "source_name": row.source_name,
        "first_problem": _first_problem(row.report),
    }


X = EdiInterchangeRow  # the interchange log
INTERCHANGE_STATUSES = (
    "accepted",
    "partially_accepted",
    "rejected",
    "duplicate",
    "held",
    "queued",
    "delivered",
    "failed",
    "acknowledged",
    "rejected_by_partner",
)
C, H, V, T = tables.ContainerRow, tables.CustomsHoldRow, tables.VesselVisitRow, tables.TrainVisitRow
K, A, P, E = tables.TruckVisitRow, tables.GateAppointmentRow, tables.PartyRow, tables.EventRow
VESSEL_SUBJECT = "vessel_visit"
OPEN_FILTER = "open"

LISTS: tuple[ListSpec, ...] = (
    ListSpec(
        "containers",
        _("Containers"),
        Action.CONTAINER_READ,
        _containers,
        (
            Column("number", _("Container")),
            Column("iso_type", _("ISO type")),
            Column("load_state", _("Full or empty"), words=True),
            Column("gross_mass_kg", _("Gross mass (kg)")),
            Column("position_kind", _("Where"), words=True),
            Column("position_reference", _("Place")),
            Column("booking_reference", _("Booking")),
        ),
        (
            Filter("number", _("Container"), C.number),
            Filter("position_kind", _("Where"), C.position_kind, "choice", _values(PositionKind)),
            Filter("load_state", _("Full or empty"), C.load_state, "choice", _choices("full", "empty")),
            Filter("booking_reference", _("Booking"), C.booking_reference),
        ),
        (C.number,),
        _container_row,
        "/container/{}",
    ),
    ListSpec(
        "holds",
        _("Holds"),
        Action.HOLD_READ,
        _holds,
        (
            Column("id", _("Hold")),
            Column("container", _("Container")),
            Column("kind", _("Kind of hold"), words=True),
            Column("reason", _("Reason")),
            Column("placed_by", _("Placed by")),
            Column("placed_at", _("Since")),
            Column("released_at", _("Released")),
            Column("released_by", _("Released by")),
        ),
        (
            Filter("container", _("Container"), H.container_number),
            Filter("kind", _("Kind of hold"), H.kind, "choice", _values(HoldKind)),
            Filter(OPEN_FILTER, _("In force"), H.released_at, "choice", (("yes", _("yes")), ("no", _("no")))),
        ),
        (H.placed_at, H.id),
        _hold_row,
    ),
    ListSpec(
        "vessel-visits",
        _("Vessel visits"),
        Action.VESSEL_READ,
        _visits,
        (
            Column("reference", _("Vessel visit")),
            Column("vessel_name", _("Vessel name")),
            Column("imo_number", _("IMO number")),
            Column("operator_code", _("Operator (party code)")),
            Column("eta", _("ETA")),
            Column("etb", _("ETB")),
            Column("etd", _("ETD")),
            Column("berth_code", _("Berth")),
            Column("status", _("Status"), words=True),
        ),
        (
            Filter("reference", _("Vessel visit"), V.reference),
            Filter("vessel_name", _("Vessel name"), V.vessel_name),
            Filter("status", _("Status"), V.status, "choice", _values(VesselVisitStatus)),
        ),
        (V.eta, V.reference),
        _visit_row,
    ),
    ListSpec(
        "train-visits",
        _("Train visits"),
        Action.RAIL_READ,
        _trains,
        (
            Column("reference", _("Train visit")),
            Column("kind", _("Kind"), words=True),
            Column("direction", _("Direction"), words=True),
            Column("route_code", _("Route")),
            Column("gauge_mm", _("Gauge (mm)")),
            Column("track_code", _("Track")),
            Column("status", _("Status"), words=True),
        ),
        (
            Filter("reference", _("Train visit"), T.reference),
            Filter("route_code", _("Route"), T.route_code),
            Filter("status", _("Status"), T.status, "choice", _values(TrainStatus)),
        ),
        (T.reference,),
        _train_row,
    ),
    ListSpec(
        "trucks",
        _("Trucks"),
        Action.GATE_READ,
        _trucks,
        (
            Column("reference", _("Truck visit")),
            Column("plate", _("Truck plate")),
            Column("status", _("Status"), words=True),
            Column("arrived_at", _("In")),
            Column("left_at", _("Out")),
            Column("appointment_reference", _("Appointment")),
            Column("drop_off", _("Drop-off containers")),
            Column("pick_up", _("Pick-up containers")),
            Column("delivery_order", _("Delivery order")),
            Column("override_reason", _("Override reason")),
        ),
        (
            Filter("plate", _("Truck plate"), K.plate),
            Filter("status", _("Status"), K.status, "choice", _values(TruckVisitStatus)),
        ),
        (K.arrived_at.desc(), K.reference),
        _truck_row,
    ),
    ListSpec(
        "appointments",
        _("Appointments"),
        Action.GATE_READ,
        _appointments,
        (
            Column("reference", _("Appointment")),
            Column("hour_start", _("Hour")),
            Column("plate", _("Truck plate")),
            Column("kind", _("Kind"), words=True),
            Column("container", _("Container")),
            Column("booking_reference", _("Booking")),
            Column("party_code", _("Party")),
            Column("status", _("Status"), words=True),
        ),
        (
            Filter("plate", _("Truck plate"), A.plate),
            Filter("kind", _("Kind"), A.kind, "choice", _choices("pick_up", "drop_off")),
            Filter("status", _("Status"), A.status, "choice", _values(AppointmentStatus)),
        ),
        (A.hour_start, A.reference),
        _appointment_row,
    ),
    ListSpec(
        "parties",
        _("Parties"),
        Action.PARTY_READ,
        _parties,
        (
            Column("code", _("Party")),
            Column("name", _("Name")),
            Column("role", _("Role"), words=True),
            Column("country", _("Country")),
        ),
        (
            Filter("code", _("Party"), P.code),
            Filter("name", _("Name"), P.name),
            Filter("role", _("Role"), P.role, "choice", _values(PartyRole)),
        ),
        (P.code,),
        _party_row,
    ),
)
INTERCHANGES = ListSpec(
    "interchanges",
    _("Interchanges"),
    Action.EDI_READ,
    _interchanges,
    (
        Column("id", _("Number")),
        Column("processed_at", _("When")),
        Column("direction", _("Direction")),
        Column("partner", _("Partner")),
        Column("sender", _("Sender")),
        Column("recipient", _("Recipient")),
        Column("control_reference", _("Reference")),
        Column("message_types", _("Messages")),
        Column("applied", _("Applied")),
        Column("status", _("Status"), words=True),
        Column("source_name", _("File")),
        Column("first_problem", _("First problem")),
    ),
    (
        Filter("direction", _("Direction"), X.direction, "choice", (("in", _("received")), ("out", _("sent")))),
        Filter("status", _("Status"), X.status, "choice", _choices(*INTERCHANGE_STATUSES)),
        Filter("partner", _("Partner"), X.partner_code),
        Filter("sender", _("Sender"), X.sender),
        Filter("reference", _("Reference"), X.control_reference),
        Filter("message_type", _("Messages"), X.message_types),
        Filter("from", _("From"), X.processed_at, "from"),
        Filter("to", _("Until"), X.processed_at, "to"),
    ),
    (X.id.desc(),),
    _interchange_row,
)
EVENTS = ListSpec(
    "events",
    _("Audit trail"),
    Action.AUDIT_READ,
    lambda scope: _events(scope),
    (
        Column("occurred_at", _("When it happened")),
        Column("event_type", _("Event"), words=True),
        Column("subject_type", _("Subject"), words=True),
        Column("subject_id", _("Reference")),
        Column("actor", _("Who")),
        Column("role", _("Role"), words=True),
        Column("location", _("Place")),
        Column("before", _("Before"), json=True),
        Column("after", _("After"), json=True),
        Column("source_reference", _("Source")),
        Column("recorded_at", _("Recorded")),
    ),
    (
        Filter("container", _("Container"), E.subject_id, "subject", subject=CONTAINER_SUBJECT),
        Filter("train", _("Train visit"), E.subject_id, "subject", subject=TRAIN_SUBJECT),
        Filter("vessel", _("Vessel visit"), E.subject_id, "subject", subject=VESSEL_SUBJECT),
        Filter("actor", _("Who"), E.actor),
        Filter("role", _("Role"), E.role, "choice", _values(Role)),
        Filter("event_type", _("Event"), E.event_type, "choice", _values(EventType)),
        Filter("from", _("From"), E.occurred_at, "from"),
        Filter("to", _("Until"), E.occurred_at, "to"),
    ),
    (E.id.desc(),),  # newest written first, on the primary key (an occurred_at order would sort the whole log)
    lambda row: _event_row(row),
    counted=False,
)
LISTS = (*LISTS, INTERCHANGES, EVENTS)
BY_NAME: dict[str, ListSpec] = {spec.name: spec for spec in LISTS}


class BadFilter(ValueError):
    """A filter value that cannot be understood (a time that is not one)."""


def _condition(spec: Filter, value: str) -> ColumnElement[bool] | None:
    if spec.kind in ("from", "to"):
        if not value.strip():
            return None
        try:
            moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            raise BadFilter(spec.name) from None
        moment = as_utc(moment if moment.tzinfo is not None else moment.replace(tzinfo=hub_zone()))
        bound: ColumnElement[bool] = spec.column >= moment if spec.kind == "from" else spec.column < moment
        return bound
    if spec.kind == "subject":
        wanted = "".join(value.split()).upper()
        return (tables.EventRow.subject_type == spec.subject) & (spec.column == wanted) if wanted else None
    if spec.kind == "exact":
        return spec.column == value.strip() if value.strip() else None
    if spec.name == OPEN_FILTER:
        return spec.column.is_(None) if value == "yes" else spec.column.is_not(None) if value == "no" else None
    if spec.kind == "choice":
        return spec.column == value if value in {v for v, _label in spec.choices} else None
    wanted = "".join(value.split()) if spec.name in ("number", "container") else value.strip()
    if not wanted:
        return None
    pattern = wanted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(spec.column.like(pattern, escape="\\"), func.upper(spec.column).like(pattern.upper(), escape="\\"))


def filtered(spec: ListSpec, scope: Scope, given: Mapping[str, str]) -> Select[Any]:
    """The list's query for the scope with the given filters applied (unknown or empty filters ignored)."""
    query = spec.base(scope)
    for option in spec.filters:
        try:
            condition = _condition(option, given.get(option.name, ""))
        except BadFilter:
            continue  # shown beside the filter (bad_filters); the rest still applies
        if condition is not None:
            query = query.where(condition)
    return query


def bad_filters(spec: ListSpec, given: Mapping[str, str]) -> set[str]:
    """The filters whose value could not be understood (and were left out)."""
    bad = set()
    for option in spec.filters:
        try:
            _condition(option, given.get(option.name, ""))
        except BadFilter:
            bad.add(option.name)
    return bad


@dataclass(frozen=True)
class ListPage:
    """One page of a list: its rows, where it starts, and how many rows match in all."""

    rows: list[dict[str, Any]]
    page: int
    pages: int
    total: int | None  # None for a list that is not counted
    first: int
    more: bool = False  # a further page exists


def page_of(session: Session, spec: ListSpec, scope: Scope, given: Mapping[str, str], page: int) -> ListPage:
    """The rows of one page (pages count from 1; a page past the end shows the last)."""
    query = filtered(spec, scope, given)
    if not spec.counted:
        page = max(1, page)
        offset = (page - 1) * PAGE_SIZE
        found = session.scalars(query.order_by(*spec.order).offset(offset).limit(PAGE_SIZE + 1)).all()
        more = len(found) > PAGE_SIZE
        shown = [spec.row(row) for row in found[:PAGE_SIZE]]
        return ListPage(shown, page, page + 1 if more else page, None, offset + 1 if shown else 0, more)
    total = int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    offset = (page - 1) * PAGE_SIZE
    rows = session.scalars(query.order_by(*spec.order).offset(offset).limit(PAGE_SIZE)).all()
    return ListPage([spec.row(row) for row in rows], page, pages, total, offset + 1 if total else 0, page < pages)


def all_rows(session: Session, spec: ListSpec, scope: Scope, given: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """Every matching row in the list's order (for the CSV export), read in chunks."""
    query = filtered(spec, scope, given).order_by(*spec.order).limit(MAX_EXPORT_ROWS)
    for row in session.scalars(query.execution_options(yield_per=1000)):
        yield spec.row(row)


def csv_text(value: Any, when: Callable[[datetime], str]) -> str:
    """A cell of the export: times in hub time with their offset; text a spreadsheet would run as a formula quoted."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
