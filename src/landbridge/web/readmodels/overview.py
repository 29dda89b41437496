"""Overview: the headline figures of the base and the alerts that need a person now (also the SSE tiles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
from landbridge.domain.rail import TrainStatus
from landbridge.domain.visits import VesselVisitStatus
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.repositories.scope import visible_containers, visible_grain, visible_vessel_visits
from landbridge.web.readmodels.cargo import HoldView, count_open_holds, open_holds
from landbridge.web.readmodels.common import TRAIN_SUBJECT, hub_day_start, utc
from landbridge.web.readmodels.rail import LOADING_STATUSES, TRANSIT_STATUSES, trains
from landbridge.web.readmodels.yard import occupied_positions

YARD_FULL_SHARE = 0.85  # alert threshold: above it, housekeeping and rehandles climb (assumed)
OLD_HOLD = timedelta(hours=48)  # a hold older than this needs chasing (assumed)
OLD_HOLD_ALERTS = 50
"""The oldest holds named as alerts; the tile counts them all and the Customs screen lists them (issue #19:
a year of holds was read whole to be counted)."""


@dataclass
class Overview:
    """The headline figures of the base, for the tiles the viewer may see (``tiles``); the rest stay zero."""

    tiles: frozenset[str]
    ships_at_berth: list[dict[str, Any]] = field(default_factory=list)
    trains_loading: int = 0
    trains_departed_today: int = 0
    yard_occupied: int = 0  # 20 ft positions × tiers in use: a 40 ft box counts two
    yard_capacity: int = 0
    silo_stock_kg: int = 0
    silo_capacity_kg: int = 0
    open_holds: int = 0
    containers: int = 0
    alerts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def yard_share(self) -> float:
        """Occupied share of the full-box stacking capacity."""
        return self.yard_occupied / self.yard_capacity if self.yard_capacity else 0.0


ALL_TILES = frozenset({"ships", "trains", "yard", "silo", "holds", "containers"})


def yard_capacity(session: Session) -> int:
    """Positions for full boxes over all blocks (20 ft bays × rows × tiers)."""
    blocks = session.scalars(select(tables.YardBlockRow)).all()
    return sum(b.bays * b.rows * b.max_tiers_full for b in blocks)


def overview(session: Session, now: datetime, tiles: frozenset[str] = ALL_TILES, scope: Scope = EVERYTHING) -> Overview:
    """Figures for the Overview screen and its live tile strip: only ``tiles``, counted within ``scope``."""
    result = Overview(tiles=tiles)
    if "ships" in tiles:
        result.ships_at_berth = [
            {"reference": v.reference, "vessel_name": v.vessel_name, "berth_code": v.berth_code, "etd": utc(v.etd)}
            for v in session.scalars(
                visible_vessel_visits(
                    select(tables.VesselVisitRow).where(
                        tables.VesselVisitRow.status == VesselVisitStatus.BERTHED.value
                    ),
                    scope,
                ).order_by(tables.VesselVisitRow.berth_code)
            )
        ]
    if "trains" in tiles:
        result.trains_loading = _count(
            select(func.count())
            .select_from(tables.TrainVisitRow)
            .where(tables.TrainVisitRow.status == TrainStatus.LOADING.value),
            session,
        )
        result.trains_departed_today = _count(
            select(func.count(func.distinct(tables.EventRow.subject_id))).where(
                tables.EventRow.event_type == EventType.TRAIN_DEPARTED.value,
                tables.EventRow.subject_type == TRAIN_SUBJECT,  # not the per-container copies of the event
                tables.EventRow.occurred_at >= hub_day_start(now),
            ),
            session,
        )
    if "yard" in tiles:
        result.yard_occupied = sum(occupied_positions(session).values())
        result.yard_capacity = yard_capacity(session)
    if "silo" in tiles:
        result.silo_stock_kg = _count(
            visible_grain(
                select(func.coalesce(func.sum(tables.GrainLotRow.mass_kg), 0)).where(
                    tables.GrainLotRow.silo_code.is_not(None)
                ),
                tables.GrainLotRow.owner_code,
                scope,
            ),
            session,
        )
        result.silo_capacity_kg = _count(select(func.coalesce(func.sum(tables.SiloRow.capacity_kg), 0)), session)
    holds: list[HoldView] = []
    if "holds" in tiles:
        result.open_holds = count_open_holds(session, scope)
        if result.open_holds:
            holds = open_holds(session, scope, limit=OLD_HOLD_ALERTS, placed_before=now - OLD_HOLD)
    if "containers" in tiles:
        result.containers = _count(
            visible_containers(select(func.count()).select_from(tables.ContainerRow), scope), session
        )
    result.alerts = alerts(session, result, holds, now)
    return result


def _count(query: Select[Any], session: Session) -> int:
    return int(session.scalar(query) or 0)


def alerts(session: Session, o: Overview, holds: list[HoldView], now: datetime) -> list[tuple[str, str]]:
    """What needs a person now: (kind, subject) pairs; the template words them in the page language."""
    found: list[tuple[str, str]] = []
    if "yard" in o.tiles and o.yard_share >= YARD_FULL_SHARE:
        found.append(("yard_full", f"{o.yard_share:.0%}"))
    for hold in holds:  # the oldest open holds placed more than OLD_HOLD ago
        if hold.placed_at is not None and now - hold.placed_at > OLD_HOLD:
            found.append(("old_hold", hold.container_number))
    # Trains at the base or on the corridor: an arrived or released train needs nobody now (and reading every
    # train of the year for its wagons made the Overview the slowest screen of a loaded base, issue #19).
    for train in trains(session, LOADING_STATUSES + TRANSIT_STATUSES) if "trains" in o.tiles else []:
        for wagon in train.wagons:
            if not wagon.mass_ok or not wagon.axle_ok:
                found.append(("overweight", f"{train.reference} / {wagon.number}"))
        if train.status in LOADING_STATUSES:  # a held box aboard keeps the train from departing (see Holds)
            found.extend(("held_on_train", f"{train.reference} / {number}") for number in train.held_boxes)
    return found
