"""Read-only queries behind the dashboard screens, straight on the SQLAlchemy tables.

The screens only look, never change, so they skip the domain round trip and read rows into plain
dataclasses; who-sees-what for shippers is applied here, in the query, not in the templates.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from landbridge.domain.times import as_utc, utc_now
from landbridge.scenarios import load_scenario
from landbridge.store import tables

YARD_EVENTS = ("container.placed", "container.discharged", "container.gate_in", "container.unloaded_wagon")
LOADING_STATUSES = ("announced", "loading")
TRANSIT_STATUSES = ("departed", "at_border", "gauge_changed")
TRAIN_SUBJECT = "train_visit"
"""Subject type of a train's own events as the rail service writes them (``services/operations/rail.py``)."""


def utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC (None stays None)."""
    return None if value is None else as_utc(value)


def now_utc() -> datetime:
    """The current instant, timezone-aware."""
    return utc_now()


# ---------------------------------------------------------------- overview


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
            .where(tables.VesselVisitRow.status == "berthed")
            .order_by(tables.VesselVisitRow.berth_code)
        )
    ]
    trains_loading = (
        session.scalar(
            select(func.count()).select_from(tables.TrainVisitRow).where(tables.TrainVisitRow.status == "loading")
        )
        or 0
    )
    day_start = now.astimezone(timezone(timedelta(hours=8))).replace(hour=0, minute=0, second=0, microsecond=0)
    departed_today = (
        session.scalar(
            select(func.count(func.distinct(tables.EventRow.subject_id))).where(
                tables.EventRow.event_type == "train.departed",
                tables.EventRow.subject_type == TRAIN_SUBJECT,  # not the per-container copies of the event
                # Compared in UTC: SQLite stores the instants as UTC text, so a +08:00 bound compares wrongly.
                tables.EventRow.occurred_at >= day_start.astimezone(UTC),
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
    if o.yard_share >= 0.85:
        found.append(("yard_full", f"{o.yard_share:.0%}"))
    for hold in holds:
        if hold.placed_at is not None and now - hold.placed_at > timedelta(hours=48):
            found.append(("old_hold", hold.container_number))
    for train in trains(session):
        for wagon in train.wagons:
            if not wagon.mass_ok or not wagon.axle_ok:
                found.append(("overweight", f"{train.reference} / {wagon.number}"))
    return found


# ---------------------------------------------------------------- berths


@dataclass
class BerthCall:
    """One vessel call: its plan (ETB–ETD) and what happened (berthed–departed events)."""

    reference: str
    vessel_name: str
    berth_code: str | None
    status: str
    eta: datetime | None
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None


def berth_calls(session: Session) -> list[BerthCall]:
    """Vessel calls with their planned and actual berth windows."""
    happened: dict[tuple[str, str], datetime] = {}
    for event in session.execute(
        select(tables.EventRow.subject_id, tables.EventRow.event_type, tables.EventRow.occurred_at).where(
            tables.EventRow.event_type.in_(("vessel.berthed", "vessel.departed"))
        )
    ):
        stamp = utc(event.occurred_at)
        if stamp is not None:
            happened[(event.subject_id, event.event_type)] = stamp
    calls = []
    for visit in session.scalars(select(tables.VesselVisitRow).order_by(tables.VesselVisitRow.eta)):
        calls.append(
            BerthCall(
                reference=visit.reference,
                vessel_name=visit.vessel_name,
                berth_code=visit.berth_code,
                status=visit.status,
                eta=utc(visit.eta),
                planned_start=utc(visit.etb) or utc(visit.eta),
                planned_end=utc(visit.etd),
                actual_start=happened.get((visit.reference, "vessel.berthed")),
                actual_end=happened.get((visit.reference, "vessel.departed")),
            )
        )
    return calls


# ---------------------------------------------------------------- yard


@dataclass
class StackBox:
    """A container in a yard stack."""

    tier: int
    number: str
    iso_type: str
    load_state: str
    gross_mass_kg: int | None
    dwell_days: float | None


@dataclass
class Stack:
    """One ground slot (bay, row) of a block with its tiers."""

    bay: int
    row: int
    tiers: int
    max_tiers: int
    mean_dwell_days: float | None

    @property
    def share(self) -> float:
        """How full the stack is, 0..1."""
        return min(1.0, self.tiers / self.max_tiers) if self.max_tiers else 0.0


@dataclass
class BlockView:
    """A yard block with its occupied stacks."""

    code: str
    bays: int
    rows: int
    max_tiers: int
    reefer_plugs: int
    dangerous_goods: bool
    stacks: dict[tuple[int, int], Stack]
    occupied: int  # boxes in the block (a 40 ft box counts once, as in /api/v1/yard/blocks)

    @property
    def capacity(self) -> int:
        """Full-box slots in the block."""
        return self.bays * self.rows * self.max_tiers

    @property
    def share(self) -> float:
        """Occupied share of the block."""
        return self.occupied / self.capacity if self.capacity else 0.0


def _yard_since(session: Session, numbers: list[str]) -> dict[str, datetime]:
    """When each container last came into the yard (for its dwell time)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
        .where(
            tables.EventRow.subject_type == "container",
            tables.EventRow.subject_id.in_(numbers),
            tables.EventRow.event_type.in_(YARD_EVENTS),
        )
        .group_by(tables.EventRow.subject_id)
    ).all()
    return {str(number): stamp for number, at in rows if (stamp := utc(at)) is not None}


def _cells(session: Session, block: str | None = None) -> list[tuple[str, int, int, int, str]]:
    """(block, bay, row, tier, container) of every physical cell in use.

    A 40 ft box covers two 20 ft bays (``yard_cells``); a box stored without cell rows counts at its
    addressed slot, so the picture is right for both ways of writing the yard.
    """
    cell_query = select(
        tables.YardCellRow.block,
        tables.YardCellRow.bay,
        tables.YardCellRow.row,
        tables.YardCellRow.tier,
        tables.YardCellRow.container_number,
    )
    slot_query = select(
        tables.YardSlotRow.block,
        tables.YardSlotRow.bay,
        tables.YardSlotRow.row,
        tables.YardSlotRow.tier,
        tables.YardSlotRow.container_number,
    )
    if block is not None:
        cell_query = cell_query.where(tables.YardCellRow.block == block)
        slot_query = slot_query.where(tables.YardSlotRow.block == block)
    cells = [(str(b), int(bay), int(r), int(t), str(n)) for b, bay, r, t, n in session.execute(cell_query)]
    with_cells = {cell[4] for cell in cells}
    cells += [
        (str(b), int(bay), int(r), int(t), str(n))
        for b, bay, r, t, n in session.execute(slot_query)
        if n not in with_cells
    ]
    return cells


def yard_blocks(session: Session, now: datetime) -> list[BlockView]:
    """Every block with the tiers in use and the mean dwell of each occupied stack."""
    cells = _cells(session)
    since = _yard_since(session, sorted({cell[4] for cell in cells}))
    per_stack: dict[tuple[str, int, int], dict[int, float | None]] = defaultdict(dict)
    for block, bay, yard_row, tier, number in cells:
        entered = since.get(number)
        per_stack[(block, bay, yard_row)][tier] = None if entered is None else (now - entered).total_seconds() / 86400
    boxes = {
        str(code): int(count)
        for code, count in session.execute(
            select(tables.YardSlotRow.block, func.count()).group_by(tables.YardSlotRow.block)
        )
    }
    blocks = []
    for row in session.scalars(select(tables.YardBlockRow).order_by(tables.YardBlockRow.code)):
        stacks = {}
        for (block, bay, yard_row), tiers in per_stack.items():
            if block != row.code:
                continue
            known = [d for d in tiers.values() if d is not None]
            stacks[(bay, yard_row)] = Stack(
                bay, yard_row, len(tiers), row.max_tiers_full, sum(known) / len(known) if known else None
            )
        blocks.append(
            BlockView(
                row.code,
                row.bays,
                row.rows,
                row.max_tiers_full,
                row.reefer_plugs,
                row.dangerous_goods,
                stacks,
                boxes.get(row.code, 0),
            )
        )
    return blocks


def stack_boxes(session: Session, block: str, bay: int, row: int, now: datetime) -> list[StackBox]:
    """The containers covering one stack (ground position), top tier first."""
    in_stack = {
        tier: number
        for b, cell_bay, cell_row, tier, number in _cells(session, block)
        if cell_bay == bay and cell_row == row
    }
    containers = {
        c.number: c
        for c in session.scalars(
            select(tables.ContainerRow).where(tables.ContainerRow.number.in_(list(in_stack.values())))
        )
    }
    since = _yard_since(session, list(in_stack.values()))
    boxes = []
    for tier in sorted(in_stack, reverse=True):
        container = containers[in_stack[tier]]
        entered = since.get(container.number)
        boxes.append(
            StackBox(
                tier,
                container.number,
                container.iso_type,
                container.load_state,
                container.gross_mass_kg,
                None if entered is None else (now - entered).total_seconds() / 86400,
            )
        )
    return boxes


# ---------------------------------------------------------------- rail


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


@dataclass
class TrainView:
    """A train visit with its route, wagons and movement times."""

    reference: str
    direction: str
    route_code: str
    destination: str
    crossing_code: str | None
    gauge_mm: int
    track_code: str | None
    status: str
    wagons: list[WagonLoad]
    departed_at: datetime | None = None
    location: str | None = None

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


# Axle-load limits by gauge (kg) of the Lianyungang scenario, for a database seeded without train types.
DEFAULT_AXLE_LIMIT_KG = {1435: 18_000.0, 1520: 23_500.0}


def axle_limits_kg(train_types: dict[str, tables.TrainTypeRow]) -> dict[int, float]:
    """The strictest axle load per gauge over the seeded train types (the base's figures if none)."""
    limits: dict[int, float] = {}
    for kind in train_types.values():
        limits[kind.gauge_mm] = min(limits.get(kind.gauge_mm, float(kind.axle_load_kg)), float(kind.axle_load_kg))
    return limits or DEFAULT_AXLE_LIMIT_KG


def _axle_limit(
    visit: tables.TrainVisitRow, train_types: dict[str, tables.TrainTypeRow], limits: dict[int, float]
) -> float:
    """The visit's own train type decides; without one, the strictest limit for its gauge."""
    kind = train_types.get(visit.train_type_code or "")
    if kind is not None:
        return float(kind.axle_load_kg)
    return limits.get(visit.gauge_mm, DEFAULT_AXLE_LIMIT_KG.get(visit.gauge_mm, 22_500.0))


def trains(session: Session, statuses: tuple[str, ...] | None = None) -> list[TrainView]:
    """Train visits (optionally of some statuses) with wagon-by-wagon loads."""
    query = select(tables.TrainVisitRow).order_by(tables.TrainVisitRow.reference)
    if statuses is not None:
        query = query.where(tables.TrainVisitRow.status.in_(statuses))
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
        if event.event_type == "train.departed" and (stamp := utc(event.occurred_at)) is not None:
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
                )
            )
        route = routes.get(visit.route_code)
        views.append(
            TrainView(
                reference=visit.reference,
                direction=visit.direction,
                route_code=visit.route_code,
                destination=route.destination if route else visit.route_code,
                crossing_code=route.crossing_code if route else None,
                gauge_mm=visit.gauge_mm,
                track_code=visit.track_code,
                status=visit.status,
                wagons=loads,
                departed_at=departed.get(visit.reference),
                location=last_place.get(visit.reference),
            )
        )
    return views


@dataclass(frozen=True)
class Departure:
    """A timetabled departure, with the train visit serving it when one is known."""

    when: datetime
    destination: str
    route_code: str
    direction: str
    train: str | None
    status: str


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def departures(session: Session, now: datetime, count: int = 10) -> list[Departure]:
    """The next westbound departures from the scenario's timetable, joined to trains on the tracks."""
    scenario = load_scenario()
    hub = timezone(timedelta(hours=8))
    local_now = now.astimezone(hub)
    routes = {r.code: r.destination for r in scenario.routes}
    waiting: dict[str, list[tables.TrainVisitRow]] = defaultdict(list)
    for visit in session.scalars(
        select(tables.TrainVisitRow)
        .where(tables.TrainVisitRow.status.in_(LOADING_STATUSES), tables.TrainVisitRow.direction == "west")
        .order_by(tables.TrainVisitRow.reference)
    ):
        waiting[visit.route_code].append(visit)
    found: list[tuple[datetime, str, str]] = []
    for slot in scenario.timetable:
        if slot.direction != "west":
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


# ---------------------------------------------------------------- grain


@dataclass
class OwnerBalance:
    """One owner's grain ledger: what came in, what went out, what is left."""

    code: str
    name: str
    received_kg: int = 0
    shipped_kg: int = 0
    in_stock_kg: int = 0

    @property
    def gap_kg(self) -> int:
        """Received minus shipped minus stock: zero when every kilogram is accounted for."""
        return self.received_kg - self.shipped_kg - self.in_stock_kg


@dataclass
class GrainView:
    """Silos, lots, owners and the mass balance of the grain terminal."""

    silos: list[dict[str, Any]]
    lots: list[dict[str, Any]]
    owners: list[OwnerBalance]
    capacity_kg: int

    @property
    def received_kg(self) -> int:
        """Received over all owners."""
        return sum(o.received_kg for o in self.owners)

    @property
    def shipped_kg(self) -> int:
        """Shipped (by vessel or in containers) over all owners."""
        return sum(o.shipped_kg for o in self.owners)

    @property
    def stock_kg(self) -> int:
        """In the silos now."""
        return sum(o.in_stock_kg for o in self.owners)

    @property
    def balance_gap_kg(self) -> int:
        """The terminal's unaccounted mass (zero when the ledger and the lots agree)."""
        return sum(o.gap_kg for o in self.owners)


def grain(session: Session) -> GrainView:
    """The grain terminal: lots and silos, and per owner the ledger of ``grain_movements``.

    Transfers between silos move grain without changing an owner's balance, so only ``received``
    and ``shipped`` movements count — the same rule as ``/api/v1/grain/balance``.
    """
    parties = {p.code: p.name for p in session.scalars(select(tables.PartyRow))}
    owners: dict[str, OwnerBalance] = {}

    def owner(code: str) -> OwnerBalance:
        return owners.setdefault(code, OwnerBalance(code, parties.get(code, code)))

    stock: dict[str, int] = defaultdict(int)
    lots = []
    for lot in session.scalars(select(tables.GrainLotRow).order_by(tables.GrainLotRow.reference)):
        lots.append(
            {
                "reference": lot.reference,
                "owner": parties.get(lot.owner_code, lot.owner_code),
                "owner_code": lot.owner_code,
                "crop": lot.crop,
                "grain_class": lot.grain_class,
                "mass_kg": lot.mass_kg,
                "moisture_pct": lot.moisture_pct,
                "silo": lot.silo_code,
            }
        )
        owner(lot.owner_code).in_stock_kg += lot.mass_kg
        if lot.silo_code:
            stock[lot.silo_code] += lot.mass_kg
    movements = tables.GrainMovementRow
    for code, kind, total in session.execute(
        select(movements.owner_code, movements.kind, func.sum(movements.mass_kg))
        .where(movements.kind.in_(("received", "shipped")))
        .group_by(movements.owner_code, movements.kind)
    ):
        if kind == "received":
            owner(code).received_kg += int(total or 0)
        else:
            owner(code).shipped_kg += int(total or 0)
    silos: list[dict[str, Any]] = [
        {
            "code": s.code,
            "capacity_kg": s.capacity_kg,
            "stock_kg": stock.get(s.code, 0),
            "share": stock.get(s.code, 0) / s.capacity_kg if s.capacity_kg else 0.0,
        }
        for s in session.scalars(select(tables.SiloRow).order_by(tables.SiloRow.code))
    ]
    return GrainView(
        silos=silos,
        lots=lots,
        owners=sorted(owners.values(), key=lambda o: -o.in_stock_kg),
        capacity_kg=sum(int(s["capacity_kg"]) for s in silos),
    )


# ---------------------------------------------------------------- containers, customs


@dataclass
class HoldView:
    """An open customs hold."""

    container_number: str
    reason: str
    placed_by: str
    placed_at: datetime | None


def shipper_of(session: Session, number: str) -> str | None:
    """The shipper party code of a container's booking (None when it has no booking)."""
    return session.scalar(
        select(tables.ConsignmentRow.shipper_code)
        .join(tables.ContainerRow, tables.ContainerRow.booking_reference == tables.ConsignmentRow.booking_reference)
        .where(tables.ContainerRow.number == number)
    )


def party_bookings(party: str) -> Select[str]:
    """Bookings a party may follow: it ships or receives them (the API's rule, ``_visible_containers``)."""
    return select(tables.ConsignmentRow.booking_reference).where(
        or_(tables.ConsignmentRow.shipper_code == party, tables.ConsignmentRow.consignee_code == party)
    )


def open_holds(session: Session, party: str | None) -> list[HoldView]:
    """Holds still in force, oldest first; a shipper sees only holds on its own boxes."""
    query = select(tables.CustomsHoldRow).where(tables.CustomsHoldRow.released_at.is_(None))
    if party is not None:
        query = query.join(
            tables.ContainerRow, tables.ContainerRow.number == tables.CustomsHoldRow.container_number
        ).where(tables.ContainerRow.booking_reference.in_(party_bookings(party)))
    return [
        HoldView(h.container_number, h.reason, h.placed_by, utc(h.placed_at))
        for h in session.scalars(query.order_by(tables.CustomsHoldRow.placed_at))
    ]


@dataclass
class ContainerView:
    """A container as its shipper or an operator sees it."""

    number: str
    iso_type: str
    load_state: str
    gross_mass_kg: int | None
    booking_reference: str | None
    shipper_code: str | None
    destination: str | None
    position_kind: str
    position_reference: str | None
    events: list[dict[str, Any]]
    holds: list[HoldView]


TRAIN_MILESTONES = ("train.departed", "train.at_border", "train.arrived")


def _journey_events(session: Session, number: str) -> list[dict[str, Any]]:
    """Departures, border arrivals and arrivals of the trains the box was loaded on, after each load.

    A shipper follows the box, but the box moves with its train: without these the timeline would
    stop at "loaded on wagon" while the train is already at Khorgos.
    """
    found: list[dict[str, Any]] = []
    loads = session.execute(
        select(tables.EventRow.id, tables.EventRow.after).where(
            tables.EventRow.subject_type == "container",
            tables.EventRow.subject_id == number,
            tables.EventRow.event_type == "container.loaded_wagon",
        )
    ).all()
    for load_id, after in loads:
        train = (after or {}).get("train") if isinstance(after, dict) else None
        if not isinstance(train, str):
            continue
        for e in session.scalars(
            select(tables.EventRow)
            .where(
                tables.EventRow.subject_type == TRAIN_SUBJECT,
                tables.EventRow.subject_id == train,
                tables.EventRow.event_type.in_(TRAIN_MILESTONES),
                tables.EventRow.id > load_id,
            )
            .order_by(tables.EventRow.id)
        ):
            found.append(
                {
                    "type": e.event_type,
                    "at": utc(e.occurred_at),
                    "location": e.location,
                    "subject": "train",
                    "train": train,
                }
            )
    return found


def container(session: Session, number: str, party: str | None) -> ContainerView | None:
    """The container with its event timeline, or None when unknown — or not this party's.

    Both cases return None on purpose: a shipper must not learn that someone else's box exists.
    """
    query = select(tables.ContainerRow).where(tables.ContainerRow.number == number)
    if party is not None:
        query = query.where(tables.ContainerRow.booking_reference.in_(party_bookings(party)))
    row = session.scalar(query)
    if row is None:
        return None
    owner = shipper_of(session, number)
    consignment = (
        session.scalar(
            select(tables.ConsignmentRow).where(tables.ConsignmentRow.booking_reference == row.booking_reference)
        )
        if row.booking_reference
        else None
    )
    events = [
        {"type": e.event_type, "at": utc(e.occurred_at), "location": e.location, "subject": "container"}
        for e in session.scalars(
            select(tables.EventRow)
            .where(tables.EventRow.subject_type == "container", tables.EventRow.subject_id == number)
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
    ]
    events = sorted(events + _journey_events(session, number), key=lambda e: (e["at"] is None, e["at"]))
    holds = [h for h in open_holds(session, None) if h.container_number == number]
    return ContainerView(
        row.number,
        row.iso_type,
        row.load_state,
        row.gross_mass_kg,
        row.booking_reference,
        owner,
        consignment.destination if consignment else None,
        row.position_kind,
        row.position_reference,
        events,
        holds,
    )


# ---------------------------------------------------------------- corridor


@dataclass
class CorridorView:
    """Crossings with their queues, routes as lines, and trains on the way."""

    crossings: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    trains: list[dict[str, Any]]


# Lianyungang port (approximate position of the base; the scenario names it by UN/LOCODE only).
ORIGIN_LAT_LON = (34.74, 119.45)


def corridor(session: Session, now: datetime) -> CorridorView:
    """Where the trains are: a position interpolated by elapsed share of the route's median transit."""
    crossings = {c.code: c for c in session.scalars(select(tables.CrossingRow).order_by(tables.CrossingRow.code))}
    routes = session.scalars(select(tables.RouteRow).order_by(tables.RouteRow.km)).all()
    moving = trains(session, TRANSIT_STATUSES)
    queues: dict[str, int] = defaultdict(int)
    for train in moving:
        if train.status == "at_border" and train.crossing_code:
            queues[train.crossing_code] += 1
    route_by_code = {r.code: r for r in routes}
    markers = []
    for train in moving:
        route = route_by_code.get(train.route_code)
        if route is None:
            continue
        crossing = crossings.get(route.crossing_code)
        path = [ORIGIN_LAT_LON] + ([(crossing.lat, crossing.lon)] if crossing else []) + [(route.lat, route.lon)]
        if train.status == "at_border" and crossing is not None:
            lat, lon = crossing.lat, crossing.lon
        else:
            elapsed_days = ((now - train.departed_at).total_seconds() / 86400) if train.departed_at else 0.0
            lat, lon = along(path, min(1.0, max(0.0, elapsed_days / route.transit_days)))
        markers.append(
            {
                "reference": train.reference,
                "destination": train.destination,
                "status": train.status,
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "boxes": train.boxes,
            }
        )
    return CorridorView(
        crossings=[
            {
                "code": c.code,
                "name": c.name,
                "lat": c.lat,
                "lon": c.lon,
                "queue": queues.get(c.code, 0),
                "handling_h": c.train_handling_h,
                "trains_per_day": c.trains_per_day,
            }
            for c in crossings.values()
        ],
        routes=[
            {
                "code": r.code,
                "destination": r.destination,
                "country": r.country,
                "km": r.km,
                "crossing": r.crossing_code,
                "path": [[ORIGIN_LAT_LON[1], ORIGIN_LAT_LON[0]]]
                + (
                    [[crossings[r.crossing_code].lon, crossings[r.crossing_code].lat]]
                    if r.crossing_code in crossings
                    else []
                )
                + [[r.lon, r.lat]],
            }
            for r in routes
        ],
        trains=markers,
    )


def along(path: list[tuple[float, float]], share: float) -> tuple[float, float]:
    """The point at ``share`` (0..1) of a polyline's length (plain lat/lon distance is enough here)."""
    legs = [math.dist(a, b) for a, b in itertools.pairwise(path)]
    total = sum(legs)
    if total == 0:
        return path[0]
    target = share * total
    for (a, b), leg in zip(itertools.pairwise(path), legs, strict=True):
        if target <= leg and leg > 0:
            t = target / leg
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        target -= leg
    return path[-1]


def _rows(session: Session, row_type: type[tables.Base], order_by: Any) -> list[dict[str, Any]]:
    """Every row of a master-data table as a plain dict."""
    return [
        {column.key: getattr(row, column.key) for column in row.__table__.columns}
        for row in session.scalars(select(row_type).order_by(order_by))
    ]


def base_facts(session: Session) -> dict[str, Any]:
    """The seeded layout of the base: blocks, berths, crossings, routes."""
    occupied = dict(
        session.execute(select(tables.YardSlotRow.block, func.count()).group_by(tables.YardSlotRow.block)).all()
    )
    blocks = []
    for row in _rows(session, tables.YardBlockRow, tables.YardBlockRow.code):
        ground = row["bays"] * row["rows"]
        capacity = ground * row["max_tiers_full"]
        used = int(occupied.get(row["code"], 0))
        blocks.append(
            {
                **row,
                "ground_slots": ground,
                "capacity": capacity,
                "occupied": used,
                "pct": round(100 * used / capacity, 1) if capacity else 0.0,
            }
        )
    return {
        "blocks": blocks,
        "ground_slots": sum(block["ground_slots"] for block in blocks),
        "berths": _rows(session, tables.BerthRow, tables.BerthRow.code),
        "crossings": _rows(session, tables.CrossingRow, tables.CrossingRow.code),
        "routes": _rows(session, tables.RouteRow, tables.RouteRow.km),
    }


def berth_codes(session: Session) -> list[str]:
    """Berth codes in order (the Gantt's lanes)."""
    return list(session.scalars(select(tables.BerthRow.code).order_by(tables.BerthRow.code)))


def track_codes(session: Session) -> list[str]:
    """Loading-track codes in order."""
    return list(session.scalars(select(tables.TrackRow.code).order_by(tables.TrackRow.code)))
