"""Rail: trains with wagon-by-wagon loads and their mass and axle checks, and the departures board."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
from landbridge.domain.rail import TrainStatus
from landbridge.domain.units import Direction
from landbridge.scenarios import current_scenario
from landbridge.scenarios.model import WEEKDAYS
from landbridge.store import tables
from landbridge.web.readmodels.common import TRAIN_SUBJECT, hub_zone, utc

LOADING_STATUSES = (TrainStatus.ANNOUNCED.value, TrainStatus.LOADING.value)
TRANSIT_STATUSES = (TrainStatus.DEPARTED.value, TrainStatus.AT_BORDER.value, TrainStatus.GAUGE_CHANGED.value)


@dataclass
class WagonLoad:
    """One wagon with what is on it and whether it passes the mass and axle-load limits."""

    position: int
    number: str
    wagon_type: str
    containers: list[str]
    cargo_kg: int
    tare_kg: int
    payload_kg: int
    axles: int
    axle_limit_kg: float
    held: list[str] = field(default_factory=list)  # boxes on the wagon with an open hold (the train may not leave)

    @property
    def gross_kg(self) -> int:
        """Wagon plus cargo."""
        return self.tare_kg + self.cargo_kg

    @property
    def axle_load_kg(self) -> float:
        """Mean load per axle."""
        return self.gross_kg / self.axles if self.axles else math.inf

    @property
    def mass_ok(self) -> bool:
        """Cargo within the wagon's payload."""
        return self.cargo_kg <= self.payload_kg

    @property
    def axle_ok(self) -> bool:
        """Axle load within the line's limit for this gauge."""
        return self.axle_load_kg <= self.axle_limit_kg


BASE_PLACE = "Lianyungang"
"""The base as a place on a route (translated in the catalogs; the corridor map names it so too)."""


@dataclass
class TrainView:
    """A train visit with its route, wagons and movement times."""

    reference: str
    direction: str
    route_code: str
    destination: str
    """Where the train goes: the route's end for a westbound train, the base for an eastbound one."""
    crossing_code: str | None
    gauge_mm: int
    track_code: str | None
    status: str
    wagons: list[WagonLoad]
    departed_at: datetime | None = None
    location: str | None = None
    kind: str = "service"
    origin: str = BASE_PLACE
    """Where the train comes from: the base for a westbound train, the route's end for an eastbound one."""

    @property
    def returning(self) -> bool:
        """Empty 1520 mm wagons on their way back to the border station."""
        return self.kind == "empty_return"

    @property
    def cargo_kg(self) -> int:
        """Cargo on the whole train."""
        return sum(w.cargo_kg for w in self.wagons)

    @property
    def boxes(self) -> int:
        """Containers on the train."""
        return sum(len(w.containers) for w in self.wagons)

    @property
    def all_ok(self) -> bool:
        """Every wagon within its limits."""
        return all(w.mass_ok and w.axle_ok for w in self.wagons)

    @property
    def held_boxes(self) -> list[str]:
        """Boxes aboard with an open hold: any one of them keeps the train from departing."""
        return [number for w in self.wagons for number in w.held]


def scenario_axle_limits_kg() -> dict[int, float]:
    """The strictest axle load per gauge over the scenario's train types (for a database seeded without them)."""
    limits: dict[int, float] = {}
    for kind in current_scenario().train_types:
        load_kg = kind.axle_load_t * 1000
        limits[kind.gauge_mm] = min(limits.get(kind.gauge_mm, load_kg), load_kg)
    return limits


def axle_limits_kg(train_types: dict[str, tables.TrainTypeRow]) -> dict[int, float]:
    """The strictest axle load per gauge over the seeded train types (the scenario's if none are seeded)."""
    limits: dict[int, float] = {}
    for kind in train_types.values():
        limits[kind.gauge_mm] = min(limits.get(kind.gauge_mm, float(kind.axle_load_kg)), float(kind.axle_load_kg))
    return limits or scenario_axle_limits_kg()


def _axle_limit(
    visit: tables.TrainVisitRow, train_types: dict[str, tables.TrainTypeRow], limits: dict[int, float]
) -> float:
    """The visit's own train type decides; without one, the strictest limit for its gauge."""
    kind = train_types.get(visit.train_type_code or "")
    if kind is not None:
        return float(kind.axle_load_kg)
    return limits.get(visit.gauge_mm, math.inf)  # no train type of this gauge anywhere: nothing to check against


def _held(session: Session, numbers: list[str]) -> set[str]:
    """Those of ``numbers`` with an open hold of any kind."""
    if not numbers:
        return set()
    return set(
        session.scalars(
            select(tables.CustomsHoldRow.container_number).where(
                tables.CustomsHoldRow.container_number.in_(numbers), tables.CustomsHoldRow.released_at.is_(None)
            )
        )
    )


def trains(
    session: Session, statuses: tuple[str, ...] | None = None, direction: Direction | None = None
) -> list[TrainView]:
    """Train visits (optionally of some statuses, one direction) with wagon-by-wagon loads."""
    query = select(tables.TrainVisitRow).order_by(tables.TrainVisitRow.reference)
    if statuses is not None:
        query = query.where(tables.TrainVisitRow.status.in_(statuses))
    if direction is not None:
        query = query.where(tables.TrainVisitRow.direction == direction.value)
    visits = session.scalars(query).all()
    if not visits:
        return []
    routes = {r.code: r for r in session.scalars(select(tables.RouteRow))}
    wagon_types = {w.code: w for w in session.scalars(select(tables.WagonTypeRow))}
    refs = [v.reference for v in visits]
    wagons = session.scalars(
        select(tables.WagonRow)
        .where(tables.WagonRow.train_reference.in_(refs))
        .order_by(tables.WagonRow.position_in_train)
    ).all()
    on_wagon: dict[int, list[tables.ContainerRow]] = defaultdict(list)
    for wagon_id, box in session.execute(
        select(tables.WagonCellRow.wagon_id, tables.ContainerRow)
        .join(tables.ContainerRow, tables.ContainerRow.number == tables.WagonCellRow.container_number)
        .where(tables.WagonCellRow.wagon_id.in_([w.id for w in wagons]))
        .order_by(tables.WagonCellRow.slot, tables.WagonCellRow.half)
    ):
        if box not in on_wagon[wagon_id]:  # a 40 ft box fills both halves of a slot
            on_wagon[wagon_id].append(box)
    held = _held(session, [box.number for boxes in on_wagon.values() for box in boxes])
    train_types = {t.code: t for t in session.scalars(select(tables.TrainTypeRow))}
    limits = axle_limits_kg(train_types)
    departed: dict[str, datetime] = {}
    last_place: dict[str, str | None] = {}
    for event in session.execute(
        select(
            tables.EventRow.subject_id,
            tables.EventRow.event_type,
            tables.EventRow.occurred_at,
            tables.EventRow.location,
        )
        .where(tables.EventRow.subject_type == TRAIN_SUBJECT, tables.EventRow.subject_id.in_(refs))
        .order_by(tables.EventRow.id)
    ):
        if event.event_type == EventType.TRAIN_DEPARTED.value and (stamp := utc(event.occurred_at)) is not None:
            departed[event.subject_id] = stamp
        last_place[event.subject_id] = event.location
    views = []
    for visit in visits:
        loads = []
        for wagon in (w for w in wagons if w.train_reference == visit.reference):
            kind = wagon_types.get(wagon.wagon_type_code)
            boxes = on_wagon.get(wagon.id, [])
            loads.append(
                WagonLoad(
                    position=wagon.position_in_train,
                    number=wagon.number,
                    wagon_type=wagon.wagon_type_code,
                    containers=[b.number for b in boxes],
                    cargo_kg=sum(b.gross_mass_kg or 0 for b in boxes),
                    tare_kg=kind.tare_kg if kind else 0,
                    payload_kg=kind.payload_kg if kind else 0,
                    axles=kind.axles if kind else 4,
                    axle_limit_kg=_axle_limit(visit, train_types, limits),
                    held=[b.number for b in boxes if b.number in held],
                )
            )
        route = routes.get(visit.route_code)
        far_end = route.destination if route else visit.route_code
        eastbound = visit.direction == Direction.EAST.value
        views.append(
            TrainView(
                reference=visit.reference,
                direction=visit.direction,
                route_code=visit.route_code,
                destination=BASE_PLACE if eastbound else far_end,
                origin=far_end if eastbound else BASE_PLACE,
                crossing_code=route.crossing_code if route else None,
                gauge_mm=visit.gauge_mm,
                track_code=visit.track_code,
                status=visit.status,
                wagons=loads,
                departed_at=departed.get(visit.reference),
                location=last_place.get(visit.reference),
                kind=visit.kind,
            )
        )
    return views


def at_base(session: Session) -> list[TrainView]:
    """Trains at the base: announced or loading, and eastbound ones that arrived and are being unloaded
    (a cancelled or released train has left its track)."""
    arrived = trains(session, (TrainStatus.ARRIVED.value,), Direction.EAST)
    found = trains(session, LOADING_STATUSES) + [train for train in arrived if not train.returning]
    return sorted(found, key=lambda train: train.reference)


@dataclass(frozen=True)
class Departure:
    """A timetabled departure, with the train visit serving it when one is known."""

    when: datetime
    destination: str
    route_code: str
    direction: str
    train: str | None
    status: str


def departures(session: Session, now: datetime, count: int = 10) -> list[Departure]:
    """The next westbound departures from the scenario's timetable, joined to trains on the tracks."""
    scenario = current_scenario()
    local_now = now.astimezone(hub_zone())
    routes = {r.code: r.destination for r in scenario.routes}
    waiting: dict[str, list[tables.TrainVisitRow]] = defaultdict(list)
    for visit in session.scalars(
        select(tables.TrainVisitRow)
        .where(
            tables.TrainVisitRow.status.in_(LOADING_STATUSES),
            tables.TrainVisitRow.direction == Direction.WEST.value,
        )
        .order_by(tables.TrainVisitRow.reference)
    ):
        waiting[visit.route_code].append(visit)
    found: list[tuple[datetime, str, str]] = []
    for slot in scenario.timetable:
        if slot.direction != Direction.WEST.value:
            continue
        hour, minute = (int(part) for part in slot.time.split(":"))
        for ahead in range(0, 15):
            day = local_now + timedelta(days=ahead)
            if WEEKDAYS[day.weekday()] not in slot.days:
                continue
            # Fortnightly trains run on even ISO weeks: a fixed, visible rule rather than a guess.
            if slot.every_weeks > 1 and day.isocalendar().week % slot.every_weeks:
                continue
            when = day.replace(hour=hour, minute=minute, second=0, microsecond=0)
            if when >= local_now:
                found.append((when, slot.route, slot.direction))
    found.sort()
    board = []
    for when, route, direction in found[:count]:
        serving: tables.TrainVisitRow | None = waiting[route].pop(0) if waiting[route] else None
        board.append(
            Departure(
                when,
                routes.get(route, route),
                route,
                direction,
                serving.reference if serving else None,
                serving.status if serving else "scheduled",
            )
        )
    return board


def track_codes(session: Session) -> list[str]:
    """Loading-track codes in order."""
    return list(session.scalars(select(tables.TrackRow.code).order_by(tables.TrackRow.code)))
