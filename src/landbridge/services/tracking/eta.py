"""The corridor ETA of a container: its journey from the events, and the estimate at each milestone.

The estimate itself (a shifted-lognormal transit model conditioned on progress) is
:mod:`landbridge.corridor.eta`; this module finds the journey in the event log — the latest wagon
load at the base, the train's route, the first departure, border arrival, gauge change and arrival
since — and keeps the estimate each milestone produced, so a shipper sees how the ETA moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select
from sqlalchemy.orm import Session

from landbridge.corridor.eta import ArrivalEstimate, TrainProgress, estimate_arrival, transit_model
from landbridge.corridor.network import Route, network_from_scenario
from landbridge.domain.events import Event, EventType
from landbridge.interchange import dcsa
from landbridge.scenarios import current_scenario
from landbridge.store import tables
from landbridge.store.repositories import event_from_row
from landbridge.store.tracking_tables import EtaEstimateRow


def corridor_route(route_code: str) -> Route | None:
    """The corridor route of a train visit: the scenario's network, the same one the twin and ETA use."""
    return network_from_scenario(current_scenario()).routes.get(route_code)


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
class Estimate:
    """A container's journey (train, route) and its arrival estimate, or why there is none."""

    train: str | None
    route: Route | None
    eta: ArrivalEstimate | None
    reason: str | None


def estimate(session: Session, number: str, as_of: datetime, until_id: int | None = None) -> Estimate:
    """The container's journey (train, route) and its arrival estimate from events up to ``until_id``."""
    loaded = _loaded_at_base(session, number, until_id)
    train = None if loaded is None else dcsa.transport_reference(event_from_row(loaded))
    if loaded is None or train is None:
        return Estimate(None, None, None, "not on a train")
    visit = session.get(tables.TrainVisitRow, train)
    route = corridor_route(visit.route_code) if visit is not None else None
    if route is None:
        return Estimate(train, None, None, f"train {train} has no known route")
    progress = _progress(session, number, loaded, train, until_id)
    return Estimate(train, route, estimate_arrival(transit_model(route), progress, as_of), None)


ETA_TRIGGERS = frozenset(
    {EventType.TRAIN_DEPARTED, EventType.TRAIN_AT_BORDER, EventType.TRAIN_ARRIVED, EventType.CONTAINER_GAUGE_TRANSFER}
)


@dataclass(frozen=True)
class EstimateRequest:
    """A milestone that asks for estimates: its log event, when it happened, the boxes on the train."""

    event_id: int
    as_of: datetime
    numbers: tuple[str, ...]


def record_estimates(session: Session, row: tables.EventRow, numbers: Sequence[str]) -> None:
    """Keep the estimate each milestone produced, so a shipper can see how the ETA moved."""
    record_estimates_for(session, [EstimateRequest(row.id, dcsa.as_utc(row.occurred_at), tuple(numbers))])


_LOG_COLUMNS = (
    tables.EventRow.id,
    tables.EventRow.event_type,
    tables.EventRow.subject_type,
    tables.EventRow.subject_id,
    tables.EventRow.occurred_at,
    tables.EventRow.before,
    tables.EventRow.after,
)


def record_estimates_for(session: Session, requests: Sequence[EstimateRequest]) -> None:
    """The estimates of a batch's milestones: each from the log up to its own event, read in a few statements.

    Same rows as :func:`estimate` per box and milestone (the latest wagon load up to the milestone,
    the journey's first departure, border arrival, gauge change and arrival since), but the wagon
    loads and milestones of every box in the batch are read at once, and boxes of one train with the
    same progress share one draw of the transit model (it is a pure function of route, progress
    and time) — a departure of a 50-box train was 100 statements and 50 draws (issue #19).
    """
    requests = [request for request in requests if request.numbers]
    if not requests:
        return
    last_id = max(request.event_id for request in requests)
    loads = _wagon_loads(session, sorted({n for request in requests for n in request.numbers}), last_id)
    journeys: dict[tuple[int, str], tuple[int, str]] = {}  # (request event, box) → (load event id, train)
    for request in requests:
        for number in set(request.numbers):
            load = _latest_before(loads.get(number, []), request.event_id)
            if load is not None and load[1] is not None:
                journeys[(request.event_id, number)] = (load[0], load[1])
    if not journeys:
        return
    trains = sorted({train for _, train in journeys.values()})
    routes = _routes_of(session, trains)
    first_load = min(load_id for load_id, _ in journeys.values())
    milestones = _milestones(session, sorted({n for _, n in journeys}), trains, first_load, last_id)
    drawn: dict[tuple[str, TrainProgress, datetime], ArrivalEstimate] = {}
    rows: list[dict[str, Any]] = []
    for request in requests:
        for number in sorted(set(request.numbers)):
            journey = journeys.get((request.event_id, number))
            if journey is None:
                continue
            load_id, train = journey
            route = routes.get(train)
            if route is None:
                continue
            progress = _progress_of(milestones, number, train, load_id, request.event_id)
            key = (route.code, progress, request.as_of)
            if key not in drawn:
                drawn[key] = estimate_arrival(transit_model(route), progress, request.as_of)
            eta = drawn[key]
            rows.append(
                {
                    "container_number": number,
                    "source_event_id": request.event_id,
                    "train_reference": train,
                    "route_code": route.code,
                    "stage": eta.stage.value,
                    "as_of": request.as_of,
                    "p10": eta.p10,
                    "p50": eta.p50,
                    "p90": eta.p90,
                    "overdue": eta.overdue,
                }
            )
    if rows:
        session.execute(insert(EtaEstimateRow), rows)


_CHUNK = 1000


def _wagon_loads(session: Session, numbers: list[str], last_id: int) -> dict[str, list[tuple[int, str | None]]]:
    """Each box's wagon loads at the base up to ``last_id``, oldest first: (event id, train)."""
    loads: dict[str, list[tuple[int, str | None]]] = {}
    for start in range(0, len(numbers), _CHUNK):
        query = (
            select(*_LOG_COLUMNS)
            .where(
                tables.EventRow.subject_type == "container",
                tables.EventRow.subject_id.in_(numbers[start : start + _CHUNK]),
                tables.EventRow.event_type == EventType.CONTAINER_LOADED_WAGON.value,
                tables.EventRow.id <= last_id,
            )
            .order_by(tables.EventRow.id)
        )
        for row in session.execute(query):
            loads.setdefault(row.subject_id, []).append((int(row.id), dcsa.transport_reference(_event(row))))
    return loads


def _event(row: Any) -> Event:
    return Event(
        event_type=EventType(row.event_type),
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        actor="",
        role="",
        occurred_at=row.occurred_at,
        before=row.before,
        after=row.after,
    )


def _latest_before(loads: list[tuple[int, str | None]], until_id: int) -> tuple[int, str | None] | None:
    found = None
    for load in loads:
        if load[0] > until_id:
            break
        found = load
    return found


def _routes_of(session: Session, trains: list[str]) -> dict[str, Route]:
    routes: dict[str, Route] = {}
    for start in range(0, len(trains), _CHUNK):
        query = select(tables.TrainVisitRow.reference, tables.TrainVisitRow.route_code).where(
            tables.TrainVisitRow.reference.in_(trains[start : start + _CHUNK])
        )
        for reference, route_code in session.execute(query):
            route = corridor_route(route_code)
            if route is not None:
                routes[reference] = route
    return routes


_Milestone = tuple[int, str, datetime]  # event id, event type, occurred_at


def _milestones(
    session: Session, numbers: list[str], trains: list[str], after_id: int, last_id: int
) -> dict[tuple[str, str], list[_Milestone]]:
    """Journey milestones in (after_id, last_id], by ("container", box) and ("train", train), oldest first."""
    found: dict[tuple[str, str], list[_Milestone]] = {}
    subjects = [("container", numbers, ("container",)), ("train", trains, ("train", "train_visit"))]
    for key, references, subject_types in subjects:
        for start in range(0, len(references), _CHUNK):
            query = select(
                tables.EventRow.id, tables.EventRow.event_type, tables.EventRow.subject_id, tables.EventRow.occurred_at
            ).where(
                tables.EventRow.id > after_id,
                tables.EventRow.id <= last_id,
                tables.EventRow.event_type.in_(_MILESTONES),
                tables.EventRow.subject_type.in_(subject_types),
                tables.EventRow.subject_id.in_(references[start : start + _CHUNK]),
            )
            for row in session.execute(query):
                found.setdefault((key, row.subject_id), []).append(
                    (int(row.id), str(row.event_type), dcsa.as_utc(row.occurred_at))
                )
    for events in found.values():
        events.sort()
    return found


def _progress_of(
    milestones: dict[tuple[str, str], list[_Milestone]], number: str, train: str, load_id: int, until_id: int
) -> TrainProgress:
    """The first of each milestone of the box or its train after its wagon load, up to the milestone asking."""
    events = sorted(
        event
        for event in (*milestones.get(("container", number), []), *milestones.get(("train", train), []))
        if load_id < event[0] <= until_id
    )
    first: dict[str, datetime] = {}
    for _, event_type, occurred_at in events:
        first.setdefault(event_type, occurred_at)
    return TrainProgress(
        departed_at=first.get(EventType.TRAIN_DEPARTED.value),
        border_arrived_at=first.get(EventType.TRAIN_AT_BORDER.value),
        gauge_changed_at=first.get(EventType.CONTAINER_GAUGE_TRANSFER.value),
        arrived_at=first.get(EventType.TRAIN_ARRIVED.value),
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
