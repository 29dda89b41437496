"""Overview: the headline figures of the base and the alerts that need a person now (also the SSE tiles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
from landbridge.domain.rail import TrainStatus
from landbridge.domain.visits import VesselVisitStatus
from landbridge.store import tables
from landbridge.web.readmodels.cargo import HoldView, open_holds
from landbridge.web.readmodels.common import TRAIN_SUBJECT, hub_day_start, utc
from landbridge.web.readmodels.rail import trains

YARD_FULL_SHARE = 0.85  # alert threshold: above it, housekeeping and rehandles climb (assumed)
OLD_HOLD = timedelta(hours=48)  # a hold older than this needs chasing (assumed)


@dataclass
class Overview:
    """The headline figures of the base."""

    ships_at_berth: list[dict[str, Any]]
    trains_loading: int
    trains_departed_today: int
    yard_occupied: int
    yard_capacity: int
    silo_stock_kg: int
    silo_capacity_kg: int
    open_holds: int
    containers: int
    alerts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def yard_share(self) -> float:
        """Occupied share of the full-box stacking capacity."""
        return self.yard_occupied / self.yard_capacity if self.yard_capacity else 0.0


def yard_capacity(session: Session) -> int:
    """Slots for full boxes over all blocks (bays × rows × tiers)."""
    blocks = session.scalars(select(tables.YardBlockRow)).all()
    return sum(b.bays * b.rows * b.max_tiers_full for b in blocks)


def overview(session: Session, now: datetime) -> Overview:
    """Figures for the Overview screen and its live tile strip."""
    ships = [
        {"reference": v.reference, "vessel_name": v.vessel_name, "berth_code": v.berth_code, "etd": utc(v.etd)}
        for v in session.scalars(
            select(tables.VesselVisitRow)
            .where(tables.VesselVisitRow.status == VesselVisitStatus.BERTHED.value)
            .order_by(tables.VesselVisitRow.berth_code)
        )
    ]
    trains_loading = (
        session.scalar(
            select(func.count())
            .select_from(tables.TrainVisitRow)
            .where(tables.TrainVisitRow.status == TrainStatus.LOADING.value)
        )
        or 0
    )
    departed_today = (
        session.scalar(
            select(func.count(func.distinct(tables.EventRow.subject_id))).where(
                tables.EventRow.event_type == EventType.TRAIN_DEPARTED.value,
                tables.EventRow.subject_type == TRAIN_SUBJECT,  # not the per-container copies of the event
                tables.EventRow.occurred_at >= hub_day_start(now),
            )
        )
        or 0
    )
    occupied = session.scalar(select(func.count()).select_from(tables.YardSlotRow)) or 0
    capacity = yard_capacity(session)
    stock = (
        session.scalar(
            select(func.coalesce(func.sum(tables.GrainLotRow.mass_kg), 0)).where(
                tables.GrainLotRow.silo_code.is_not(None)
            )
        )
        or 0
    )
    silo_capacity = session.scalar(select(func.coalesce(func.sum(tables.SiloRow.capacity_kg), 0))) or 0
    holds = open_holds(session, None)
    result = Overview(
        ships_at_berth=ships,
        trains_loading=int(trains_loading),
        trains_departed_today=int(departed_today),
        yard_occupied=int(occupied),
        yard_capacity=capacity,
        silo_stock_kg=int(stock),
        silo_capacity_kg=int(silo_capacity),
        open_holds=len(holds),
        containers=int(session.scalar(select(func.count()).select_from(tables.ContainerRow)) or 0),
    )
    result.alerts = alerts(session, result, holds, now)
    return result


def alerts(session: Session, o: Overview, holds: list[HoldView], now: datetime) -> list[tuple[str, str]]:
    """What needs a person now: (kind, subject) pairs; the template words them in the page language."""
    found: list[tuple[str, str]] = []
    if o.yard_share >= YARD_FULL_SHARE:
        found.append(("yard_full", f"{o.yard_share:.0%}"))
    for hold in holds:
        if hold.placed_at is not None and now - hold.placed_at > OLD_HOLD:
            found.append(("old_hold", hold.container_number))
    for train in trains(session):
        for wagon in train.wagons:
            if not wagon.mass_ok or not wagon.axle_ok:
                found.append(("overweight", f"{train.reference} / {wagon.number}"))
    return found
