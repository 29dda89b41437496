"""The event-log reads the management reports start from, and the few facts they need."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables


class ReportRepository:
    """Events of given types in a time range, box sizes, and train visits' routes."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def events(self, types: Iterable[str], start: datetime | None, end: datetime) -> list[tables.EventRow]:
        """Events of ``types`` that happened in [start, end) (from the beginning when start is None), in order."""
        query = (
            select(tables.EventRow)
            .where(tables.EventRow.event_type.in_(list(types)), tables.EventRow.occurred_at < end)
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
        if start is not None:
            query = query.where(tables.EventRow.occurred_at >= start)
        return list(self._session.scalars(query))

    def iso_types(self, numbers: Iterable[str]) -> dict[str, str]:
        """ISO size-type code of each box."""
        query = select(tables.ContainerRow.number, tables.ContainerRow.iso_type).where(
            tables.ContainerRow.number.in_(list(numbers))
        )
        return {number: iso for number, iso in self._session.execute(query)}

    def train_routes(self) -> dict[str, tuple[str, str]]:
        """Train visit reference → (route code, direction)."""
        query = select(tables.TrainVisitRow.reference, tables.TrainVisitRow.route_code, tables.TrainVisitRow.direction)
        return {reference: (route, direction) for reference, route, direction in self._session.execute(query)}

    def machine_kinds(self) -> dict[str, str]:
        """Machine code → its kind (quay_crane, rail_mounted_gantry, …)."""
        query = select(tables.EquipmentRow.code, tables.EquipmentRow.kind)
        return {code: kind for code, kind in self._session.execute(query)}
