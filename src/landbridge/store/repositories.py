"""Repositories: load and save domain objects; the only code that knows the table layout.

The event log offers ``append`` and reads only: there is no update or delete path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.domain.containers import Container, LoadState, Position, PositionKind
from landbridge.domain.events import Event, EventType, utc_now
from landbridge.domain.identifiers import ContainerNumber
from landbridge.store import tables


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
