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

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from landbridge.corridor.eta import ArrivalEstimate, TrainProgress, estimate_arrival, transit_model
from landbridge.corridor.network import Route, network_from_scenario
from landbridge.domain.events import EventType
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


def record_estimates(session: Session, row: tables.EventRow, numbers: Sequence[str]) -> None:
    """Keep the estimate each milestone produced, so a shipper can see how the ETA moved."""
    as_of = dcsa.as_utc(row.occurred_at)
    for number in sorted(set(numbers)):
        found = estimate(session, number, as_of, until_id=row.id)
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
