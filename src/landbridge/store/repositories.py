"""Repositories: load and save domain objects; the only code that knows the table layout.

The event log offers ``append`` and reads only: there is no update or delete path.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from landbridge.domain.containers import Container, LoadState, Position, PositionKind
from landbridge.domain.events import Event, EventType, utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.store import tables


@dataclass(frozen=True)
class Scope:
    """Which objects a query may return: all (hub staff) or those of one party (shipper/forwarder).

    Object-level access lives here, in the queries, so no route can forget it: a foreign object is
    simply not found and never listed.
    """

    party: str | None = None

    @property
    def everything(self) -> bool:
        """No party restriction."""
        return self.party is None


EVERYTHING = Scope()


def _visible_containers(query: Select[Any], scope: Scope) -> Select[Any]:
    if scope.everything:
        return query
    own_bookings = select(tables.ConsignmentRow.booking_reference).where(
        or_(tables.ConsignmentRow.shipper_code == scope.party, tables.ConsignmentRow.consignee_code == scope.party)
    )
    return query.where(tables.ContainerRow.booking_reference.in_(own_bookings))


def container_from_row(row: tables.ContainerRow) -> Container:
    """Rebuild the domain object from its row."""
    return Container(
        number=ContainerNumber(row.number),
        iso_type=row.iso_type,
        load_state=LoadState(row.load_state),
        gross_mass_kg=row.gross_mass_kg,
        seals=list(row.seals or []),
        reefer_setpoint_c=row.reefer_setpoint_c,
        booking_reference=row.booking_reference,
        position=Position(PositionKind(row.position_kind), row.position_reference),
    )


class ContainerRepository:
    """Containers by number."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, number: str) -> Container | None:
        """The container, or None when unknown."""
        row = self._session.get(tables.ContainerRow, number)
        return None if row is None else container_from_row(row)

    def exists(self, number: str) -> bool:
        """Whether the number is registered."""
        return self._session.get(tables.ContainerRow, number) is not None

    def add(self, container: Container) -> None:
        """Register a new container."""
        self._session.add(
            tables.ContainerRow(
                number=str(container.number),
                iso_type=container.iso_type,
                load_state=container.load_state.value,
                gross_mass_kg=container.gross_mass_kg,
                seals=list(container.seals),
                reefer_setpoint_c=container.reefer_setpoint_c,
                booking_reference=container.booking_reference,
                position_kind=container.position.kind.value,
                position_reference=container.position.reference,
                version=1,
            )
        )
        self._session.flush()

    def count(self) -> int:
        """How many containers the hub knows."""
        return int(self._session.scalar(select(func.count()).select_from(tables.ContainerRow)) or 0)

    def get_visible(self, number: str, scope: Scope) -> Container | None:
        """The container if it exists and the scope may see it."""
        row = self._session.scalar(
            _visible_containers(select(tables.ContainerRow).where(tables.ContainerRow.number == number), scope)
        )
        return None if row is None else container_from_row(row)

    def list_visible(
        self, scope: Scope, position_kind: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Container]:
        """Containers the scope may see, by number."""
        query = _visible_containers(select(tables.ContainerRow), scope)
        if position_kind is not None:
            query = query.where(tables.ContainerRow.position_kind == position_kind)
        rows = self._session.scalars(query.order_by(tables.ContainerRow.number).limit(limit).offset(offset)).all()
        return [container_from_row(row) for row in rows]

    def row_for_update(self, number: str) -> tables.ContainerRow | None:
        """The container's row, locked until commit on PostgreSQL (SQLite already serialises writers)."""
        return self._session.scalar(
            select(tables.ContainerRow).where(tables.ContainerRow.number == number).with_for_update()
        )

    def rows(self, numbers: Iterable[str]) -> dict[str, tables.ContainerRow]:
        """Rows of several containers by number."""
        wanted = list(numbers)
        if not wanted:
            return {}
        found = self._session.scalars(select(tables.ContainerRow).where(tables.ContainerRow.number.in_(wanted)))
        return {row.number: row for row in found}

    def all_rows(self) -> list[tables.ContainerRow]:
        """Every container row (for invariant checks and replay comparisons)."""
        return list(self._session.scalars(select(tables.ContainerRow).order_by(tables.ContainerRow.number)))

    def in_position(self, kind: str, reference: str | None = None) -> list[tables.ContainerRow]:
        """Containers at one kind of place (optionally one reference, e.g. a vessel visit)."""
        query = select(tables.ContainerRow).where(tables.ContainerRow.position_kind == kind)
        if reference is not None:
            query = query.where(tables.ContainerRow.position_reference == reference)
        return list(self._session.scalars(query.order_by(tables.ContainerRow.number)))

    def dangerous_classes(self, numbers: Iterable[str]) -> dict[str, set[str]]:
        """IMDG classes of the goods stuffed in each container (containers without DG are absent)."""
        wanted = list(numbers)
        if not wanted:
            return {}
        rows = self._session.execute(
            select(tables.GoodsLineRow.container_number, tables.GoodsLineRow.imdg_class).where(
                tables.GoodsLineRow.container_number.in_(wanted), tables.GoodsLineRow.imdg_class.is_not(None)
            )
        ).all()
        result: dict[str, set[str]] = {}
        for number, imdg_class in rows:
            result.setdefault(str(number), set()).add(str(imdg_class))
        return result

    def in_yard_by_block(self) -> dict[str, int]:
        """Occupied slots per yard block."""
        rows = self._session.execute(
            select(tables.YardSlotRow.block, func.count()).group_by(tables.YardSlotRow.block)
        ).all()
        return {str(block): int(count) for block, count in rows}


class ReferenceRepository:
    """Read access to the seeded master data (berths, blocks, tracks, routes, silos…)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self, row_type: type[tables.Base], order_by: Any) -> list[dict[str, Any]]:
        """Every row of a master-data table, ordered, as plain dicts (usable after the session ends)."""
        rows: Sequence[Any] = self._session.scalars(select(row_type).order_by(order_by)).all()
        return [{column.key: getattr(row, column.key) for column in row.__table__.columns} for row in rows]

    def silo_stock_kg(self) -> dict[str, int]:
        """Grain mass per silo."""
        rows = self._session.execute(
            select(tables.GrainLotRow.silo_code, func.sum(tables.GrainLotRow.mass_kg))
            .where(tables.GrainLotRow.silo_code.is_not(None))
            .group_by(tables.GrainLotRow.silo_code)
        ).all()
        return {str(code): int(total) for code, total in rows}

    def open_holds(self) -> int:
        """Customs holds still in force."""
        return int(
            self._session.scalar(
                select(func.count())
                .select_from(tables.CustomsHoldRow)
                .where(tables.CustomsHoldRow.released_at.is_(None))
            )
            or 0
        )


def event_from_row(row: tables.EventRow) -> Event:
    """Rebuild an event from its row."""
    return Event(
        event_type=EventType(row.event_type),
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        actor=row.actor,
        role=row.role,
        occurred_at=row.occurred_at,
        location=row.location,
        before=row.before,
        after=row.after,
        source_reference=row.source_reference,
    )


class EventLog:
    """The append-only audit trail."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, event: Event) -> None:
        """Add an event to the current transaction."""
        self._session.add(
            tables.EventRow(
                event_type=event.event_type.value,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                actor=event.actor,
                role=event.role,
                occurred_at=event.occurred_at,
                recorded_at=utc_now(),
                location=event.location,
                before=event.before,
                after=event.after,
                source_reference=event.source_reference,
            )
        )

    def for_subject(self, subject_type: str, subject_id: str) -> list[Event]:
        """Every event about one object, oldest first."""
        rows = self._session.scalars(
            select(tables.EventRow)
            .where(tables.EventRow.subject_type == subject_type, tables.EventRow.subject_id == subject_id)
            .order_by(tables.EventRow.id)
        ).all()
        return [event_from_row(row) for row in rows]

    def count(self) -> int:
        """Number of events recorded."""
        return int(self._session.scalar(select(func.count()).select_from(tables.EventRow)) or 0)


class YardRepository:
    """Yard blocks, the addressed slot of each stored container and the cells it covers."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def block(self, code: str, lock: bool = False) -> tables.YardBlockRow | None:
        """A block; ``lock`` serialises every yard change in that block on PostgreSQL."""
        query = select(tables.YardBlockRow).where(tables.YardBlockRow.code == code)
        return self._session.scalar(query.with_for_update() if lock else query)

    def blocks(self) -> list[tables.YardBlockRow]:
        """Every block, by code."""
        return list(self._session.scalars(select(tables.YardBlockRow).order_by(tables.YardBlockRow.code)))

    def slots_in_block(self, code: str) -> list[tables.YardSlotRow]:
        """Addressed slots of the containers stored in a block."""
        return list(self._session.scalars(select(tables.YardSlotRow).where(tables.YardSlotRow.block == code)))

    def all_slots(self) -> list[tables.YardSlotRow]:
        """Addressed slots of every stored container."""
        return list(self._session.scalars(select(tables.YardSlotRow).order_by(tables.YardSlotRow.id)))

    def cells_in_block(self, code: str) -> list[tables.YardCellRow]:
        """Occupied cells of a block."""
        return list(self._session.scalars(select(tables.YardCellRow).where(tables.YardCellRow.block == code)))

    def occupants(self, block: str, cells: Iterable[tuple[int, int, int]]) -> set[str]:
        """Containers filling any of the (bay, row, tier) cells of a block."""
        wanted = list(cells)
        if not wanted:
            return set()
        conditions = [
            (tables.YardCellRow.bay == bay) & (tables.YardCellRow.row == row) & (tables.YardCellRow.tier == tier)
            for bay, row, tier in wanted
        ]
        found = self._session.scalars(
            select(tables.YardCellRow.container_number).where(tables.YardCellRow.block == block, or_(*conditions))
        )
        return set(found)

    def all_cells(self) -> list[tables.YardCellRow]:
        """Every occupied cell of the yard."""
        return list(self._session.scalars(select(tables.YardCellRow).order_by(tables.YardCellRow.id)))

    def slot_of(self, number: str) -> tables.YardSlotRow | None:
        """The addressed slot of a stored container."""
        return self._session.scalar(select(tables.YardSlotRow).where(tables.YardSlotRow.container_number == number))

    def occupy(self, number: str, block: str, bay: int, row: int, tier: int, cells: list[tuple[int, int, int]]) -> None:
        """Store a container at its slot, covering ``cells`` (bay, row, tier); flushes so constraints fire now."""
        self._session.add(tables.YardSlotRow(block=block, bay=bay, row=row, tier=tier, container_number=number))
        for cell_bay, cell_row, cell_tier in cells:
            self._session.add(
                tables.YardCellRow(block=block, bay=cell_bay, row=cell_row, tier=cell_tier, container_number=number)
            )
        self._session.flush()

    def vacate(self, number: str) -> None:
        """Take a container out of the yard."""
        self._session.execute(delete(tables.YardCellRow).where(tables.YardCellRow.container_number == number))
        self._session.execute(delete(tables.YardSlotRow).where(tables.YardSlotRow.container_number == number))
        self._session.flush()


class RailRepository:
    """Train visits, their wagons, wagon and train types, and the wagon cells containers fill."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def train(self, reference: str, lock: bool = False) -> tables.TrainVisitRow | None:
        """A train visit; ``lock`` serialises loading of that train on PostgreSQL."""
        query = select(tables.TrainVisitRow).where(tables.TrainVisitRow.reference == reference)
        return self._session.scalar(query.with_for_update() if lock else query)

    def trains(self) -> list[tables.TrainVisitRow]:
        """Every train visit."""
        return list(self._session.scalars(select(tables.TrainVisitRow).order_by(tables.TrainVisitRow.reference)))

    def add(self, row: tables.Base) -> None:
        """Add a new row (train visit or wagon) and flush."""
        self._session.add(row)
        self._session.flush()

    def wagon_types(self) -> dict[str, tables.WagonTypeRow]:
        """Seeded wagon types by code."""
        return {row.code: row for row in self._session.scalars(select(tables.WagonTypeRow))}

    def train_type(self, code: str) -> tables.TrainTypeRow | None:
        """A seeded train type."""
        return self._session.get(tables.TrainTypeRow, code)

    def route(self, code: str) -> tables.RouteRow | None:
        """A seeded route."""
        return self._session.get(tables.RouteRow, code)

    def track(self, code: str) -> tables.TrackRow | None:
        """A loading track."""
        return self._session.get(tables.TrackRow, code)

    def track_in_use(self, code: str, except_train: str) -> str | None:
        """The reference of another train on the track that has not left, if any."""
        return self._session.scalar(
            select(tables.TrainVisitRow.reference).where(
                tables.TrainVisitRow.track_code == code,
                tables.TrainVisitRow.reference != except_train,
                tables.TrainVisitRow.status.in_(("announced", "loading")),
            )
        )

    def wagons(self, train: str) -> list[tables.WagonRow]:
        """Wagons of a train in order."""
        return list(
            self._session.scalars(
                select(tables.WagonRow)
                .where(tables.WagonRow.train_reference == train)
                .order_by(tables.WagonRow.position_in_train)
            )
        )

    def cells_of_train(self, train: str) -> list[tuple[tables.WagonCellRow, tables.WagonRow]]:
        """Filled wagon cells of a train with their wagons."""
        rows = self._session.execute(
            select(tables.WagonCellRow, tables.WagonRow)
            .join(tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id)
            .where(tables.WagonRow.train_reference == train)
        ).all()
        return [(cell, wagon) for cell, wagon in rows]

    def all_cells(self) -> list[tuple[tables.WagonCellRow, tables.WagonRow]]:
        """Every filled wagon cell with its wagon."""
        rows = self._session.execute(
            select(tables.WagonCellRow, tables.WagonRow).join(
                tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id
            )
        ).all()
        return [(cell, wagon) for cell, wagon in rows]

    def cells_of(self, number: str) -> list[tables.WagonCellRow]:
        """Wagon cells a container fills."""
        return list(
            self._session.scalars(select(tables.WagonCellRow).where(tables.WagonCellRow.container_number == number))
        )

    def occupy(self, number: str, wagon_id: int, slot: int, halves: list[int]) -> None:
        """Put a container on a wagon slot; flushes so the unique constraint fires now."""
        for half in halves:
            self._session.add(tables.WagonCellRow(wagon_id=wagon_id, slot=slot, half=half, container_number=number))
        self._session.flush()

    def vacate(self, number: str) -> None:
        """Take a container off its wagon."""
        self._session.execute(delete(tables.WagonCellRow).where(tables.WagonCellRow.container_number == number))
        self._session.flush()


class CustomsRepository:
    """Customs holds."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: tables.CustomsHoldRow) -> None:
        """Place a hold."""
        self._session.add(row)
        self._session.flush()

    def get(self, hold_id: int, lock: bool = False) -> tables.CustomsHoldRow | None:
        """One hold by id."""
        query = select(tables.CustomsHoldRow).where(tables.CustomsHoldRow.id == hold_id)
        return self._session.scalar(query.with_for_update() if lock else query)

    def for_container(self, number: str) -> list[tables.CustomsHoldRow]:
        """Every hold ever placed on a container, oldest first."""
        return list(
            self._session.scalars(
                select(tables.CustomsHoldRow)
                .where(tables.CustomsHoldRow.container_number == number)
                .order_by(tables.CustomsHoldRow.id)
            )
        )

    def open_on(self, numbers: Iterable[str]) -> list[tables.CustomsHoldRow]:
        """Holds still in force on any of the containers."""
        wanted = list(numbers)
        if not wanted:
            return []
        return list(
            self._session.scalars(
                select(tables.CustomsHoldRow).where(
                    tables.CustomsHoldRow.container_number.in_(wanted), tables.CustomsHoldRow.released_at.is_(None)
                )
            )
        )


class PartyRepository:
    """Parties, consignments and their goods lines."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def party(self, code: str) -> tables.PartyRow | None:
        """A party by code."""
        return self._session.scalar(select(tables.PartyRow).where(tables.PartyRow.code == code))

    def consignment(self, booking_reference: str) -> tables.ConsignmentRow | None:
        """A consignment by booking reference."""
        return self._session.scalar(
            select(tables.ConsignmentRow).where(tables.ConsignmentRow.booking_reference == booking_reference)
        )

    def goods_line(self, line_id: int, lock: bool = False) -> tables.GoodsLineRow | None:
        """A goods line by id."""
        query = select(tables.GoodsLineRow).where(tables.GoodsLineRow.id == line_id)
        return self._session.scalar(query.with_for_update() if lock else query)

    def goods_lines(self, consignment_id: int) -> list[tables.GoodsLineRow]:
        """Goods lines of a consignment."""
        return list(
            self._session.scalars(
                select(tables.GoodsLineRow)
                .where(tables.GoodsLineRow.consignment_id == consignment_id)
                .order_by(tables.GoodsLineRow.id)
            )
        )

    def lines_in(self, number: str) -> list[tables.GoodsLineRow]:
        """Goods lines stuffed in a container."""
        return list(
            self._session.scalars(select(tables.GoodsLineRow).where(tables.GoodsLineRow.container_number == number))
        )

    def add(self, row: tables.Base) -> None:
        """Add a party, consignment or goods line and flush."""
        self._session.add(row)
        self._session.flush()


class VesselRepository:
    """Vessel visits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, reference: str, lock: bool = False, shared: bool = False) -> tables.VesselVisitRow | None:
        """A vessel visit; ``lock`` for a status change, ``shared`` for work that needs the status to hold."""
        query = select(tables.VesselVisitRow).where(tables.VesselVisitRow.reference == reference)
        if lock or shared:
            query = query.with_for_update(read=not lock)
        return self._session.scalar(query)

    def all(self) -> list[tables.VesselVisitRow]:
        """Every vessel visit by ETA."""
        return list(self._session.scalars(select(tables.VesselVisitRow).order_by(tables.VesselVisitRow.eta)))

    def berthed_at(self, berth: str) -> tables.VesselVisitRow | None:
        """The visit now alongside a berth."""
        return self._session.scalar(
            select(tables.VesselVisitRow).where(
                tables.VesselVisitRow.berth_code == berth, tables.VesselVisitRow.status == "berthed"
            )
        )

    def berth(self, code: str, lock: bool = False) -> tables.BerthRow | None:
        """A berth; ``lock`` serialises berthing at it on PostgreSQL."""
        query = select(tables.BerthRow).where(tables.BerthRow.code == code)
        return self._session.scalar(query.with_for_update() if lock else query)

    def add(self, row: tables.VesselVisitRow) -> None:
        """Announce a visit and flush."""
        self._session.add(row)
        self._session.flush()


class GrainRepository:
    """Silos, lots and the grain ledger; scoped by owner for shippers."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def silo(self, code: str, lock: bool = False) -> tables.SiloRow | None:
        """A silo; ``lock`` serialises filling it on PostgreSQL."""
        query = select(tables.SiloRow).where(tables.SiloRow.code == code)
        return self._session.scalar(query.with_for_update() if lock else query)

    def silos(self) -> list[tables.SiloRow]:
        """Every silo."""
        return list(self._session.scalars(select(tables.SiloRow).order_by(tables.SiloRow.code)))

    def lots_in(self, silo: str) -> list[tables.GrainLotRow]:
        """Lots with grain in a silo."""
        return list(
            self._session.scalars(
                select(tables.GrainLotRow).where(tables.GrainLotRow.silo_code == silo, tables.GrainLotRow.mass_kg > 0)
            )
        )

    def lot(self, reference: str, scope: Scope = EVERYTHING, lock: bool = False) -> tables.GrainLotRow | None:
        """A lot the scope may see."""
        query = select(tables.GrainLotRow).where(tables.GrainLotRow.reference == reference)
        if not scope.everything:
            query = query.where(tables.GrainLotRow.owner_code == scope.party)
        return self._session.scalar(query.with_for_update() if lock else query)

    def lots(self, scope: Scope = EVERYTHING) -> list[tables.GrainLotRow]:
        """Lots the scope may see."""
        query = select(tables.GrainLotRow).order_by(tables.GrainLotRow.reference)
        if not scope.everything:
            query = query.where(tables.GrainLotRow.owner_code == scope.party)
        return list(self._session.scalars(query))

    def add(self, row: tables.Base) -> None:
        """Add a lot or a ledger movement and flush."""
        self._session.add(row)
        self._session.flush()

    def ledger(self, scope: Scope = EVERYTHING) -> dict[str, dict[str, int]]:
        """Per owner: kg received, shipped and in stock (the mass balance)."""
        query = select(
            tables.GrainMovementRow.owner_code, tables.GrainMovementRow.kind, func.sum(tables.GrainMovementRow.mass_kg)
        ).group_by(tables.GrainMovementRow.owner_code, tables.GrainMovementRow.kind)
        stock_query = select(tables.GrainLotRow.owner_code, func.sum(tables.GrainLotRow.mass_kg)).group_by(
            tables.GrainLotRow.owner_code
        )
        if not scope.everything:
            query = query.where(tables.GrainMovementRow.owner_code == scope.party)
            stock_query = stock_query.where(tables.GrainLotRow.owner_code == scope.party)
        result: dict[str, dict[str, int]] = {}
        for owner, kind, total in self._session.execute(query).all():
            entry = result.setdefault(str(owner), {"received_kg": 0, "shipped_kg": 0, "in_stock_kg": 0})
            if kind in ("received", "shipped"):
                entry[f"{kind}_kg"] += int(total)
        for owner, total in self._session.execute(stock_query).all():
            entry = result.setdefault(str(owner), {"received_kg": 0, "shipped_kg": 0, "in_stock_kg": 0})
            entry["in_stock_kg"] = int(total or 0)
        return result


class GateRepository:
    """Appointment hours, appointments and truck visits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def hour(self, hour_start: datetime, lock: bool = False) -> tables.GateHourRow | None:
        """An appointment hour; ``lock`` serialises booking it on PostgreSQL."""
        query = select(tables.GateHourRow).where(tables.GateHourRow.hour_start == hour_start)
        return self._session.scalar(query.with_for_update() if lock else query)

    def ensure_hour(self, hour_start: datetime, capacity: int) -> None:
        """Create the hour with the default capacity unless it exists (a concurrent creator may win)."""
        if self.hour(hour_start) is not None:
            return
        try:
            with self._session.begin_nested():
                self._session.add(tables.GateHourRow(hour_start=hour_start, capacity=capacity, booked=0))
        except IntegrityError:
            pass  # a concurrent booking created the hour first; its row is as good as ours

    def appointment(self, reference: str, lock: bool = False) -> tables.GateAppointmentRow | None:
        """An appointment by reference."""
        query = select(tables.GateAppointmentRow).where(tables.GateAppointmentRow.reference == reference)
        return self._session.scalar(query.with_for_update() if lock else query)

    def appointments_in(self, hour_start: datetime) -> list[tables.GateAppointmentRow]:
        """Appointments booked into one window."""
        return list(
            self._session.scalars(
                select(tables.GateAppointmentRow)
                .where(tables.GateAppointmentRow.hour_start == hour_start)
                .order_by(tables.GateAppointmentRow.reference)
            )
        )

    def truck(self, reference: str, lock: bool = False) -> tables.TruckVisitRow | None:
        """A truck visit by reference."""
        query = select(tables.TruckVisitRow).where(tables.TruckVisitRow.reference == reference)
        return self._session.scalar(query.with_for_update() if lock else query)

    def add(self, row: tables.Base) -> None:
        """Add an hour, appointment or truck visit and flush."""
        self._session.add(row)
        self._session.flush()


class UserRepository:
    """API users; only the SHA-256 of a token is stored."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_token_sha256(self, digest: str) -> tables.ApiUserRow | None:
        """The user holding the token with this digest."""
        return self._session.scalar(select(tables.ApiUserRow).where(tables.ApiUserRow.token_sha256 == digest))

    def by_name(self, name: str) -> tables.ApiUserRow | None:
        """A user by name."""
        return self._session.scalar(select(tables.ApiUserRow).where(tables.ApiUserRow.name == name))

    def add(self, row: tables.ApiUserRow) -> None:
        """Create a user and flush."""
        self._session.add(row)
        self._session.flush()


class IdempotencyRepository:
    """Answers already given to POSTs carrying an ``Idempotency-Key``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, actor: str, key: str) -> tables.IdempotencyKeyRow | None:
        """The stored answer for this caller's key."""
        return self._session.get(tables.IdempotencyKeyRow, (actor, key))

    def add(self, row: tables.IdempotencyKeyRow) -> None:
        """Store an answer (in the command's own transaction) and flush."""
        self._session.add(row)
        self._session.flush()


def all_events(session: Session) -> list[tables.EventRow]:
    """The whole event log in order (replay)."""
    return list(session.scalars(select(tables.EventRow).order_by(tables.EventRow.id)))


def stream_events(session: Session, batch: int = 5000) -> Iterator[Row[tuple[str, str, dict[str, Any] | None]]]:
    """Subject and ``after`` of every event in order, fetched ``batch`` rows at a time (replay of a year)."""
    query = select(tables.EventRow.subject_type, tables.EventRow.subject_id, tables.EventRow.after).order_by(
        tables.EventRow.id
    )
    yield from session.execute(query.execution_options(yield_per=batch))
