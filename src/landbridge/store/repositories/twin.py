"""Read-only snapshot queries for the digital twin's starting state (``simulate --from-database``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.store import tables


class TwinSnapshotRepository:
    """What the twin needs of today's base: boxes, trains and their wagons' boxes, vessel visits, silo stock."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def train_visits(self) -> list[tables.TrainVisitRow]:
        """Every train visit, by reference."""
        return list(self._session.scalars(select(tables.TrainVisitRow).order_by(tables.TrainVisitRow.reference)))

    def boxes_on_trains(self, references: Sequence[str]) -> dict[str, list[str]]:
        """Container numbers on the wagons of each train, sorted."""
        rows = self._session.execute(
            select(tables.WagonRow.train_reference, tables.WagonCellRow.container_number)
            .join(tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id)
            .where(tables.WagonRow.train_reference.in_(list(references)))
        ).all()
        found: dict[str, set[str]] = {}
        for train, number in rows:
            found.setdefault(train, set()).add(number)
        return {train: sorted(numbers) for train, numbers in found.items()}

    def containers_at(self, kinds: Sequence[str]) -> list[tables.ContainerRow]:
        """Containers whose position is one of ``kinds`` (yard, cfs, wagon…), by number."""
        query = select(tables.ContainerRow).where(tables.ContainerRow.position_kind.in_(list(kinds)))
        return list(self._session.scalars(query.order_by(tables.ContainerRow.number)))

    def iso_types(self, numbers: Sequence[str]) -> list[str]:
        """ISO size-type codes of these containers."""
        query = select(tables.ContainerRow.iso_type).where(tables.ContainerRow.number.in_(list(numbers)))
        return list(self._session.scalars(query))

    def consignment_destinations(self) -> dict[str, str]:
        """Destination UN/LOCODE by booking reference."""
        rows = self._session.execute(select(tables.ConsignmentRow.booking_reference, tables.ConsignmentRow.destination))
        return {reference: destination for reference, destination in rows.all()}

    def latest_event_times(self, subject_type: str) -> dict[str, datetime]:
        """When each subject of a type last changed (``occurred_at`` of its latest event)."""
        rows = self._session.execute(
            select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
            .where(tables.EventRow.subject_type == subject_type)
            .group_by(tables.EventRow.subject_id)
        )
        return {subject: moment for subject, moment in rows.all() if moment is not None}

    def vessel_visits(self, statuses: Sequence[str]) -> list[tables.VesselVisitRow]:
        """Vessel visits in these statuses, by reference."""
        query = select(tables.VesselVisitRow).where(tables.VesselVisitRow.status.in_(list(statuses)))
        return list(self._session.scalars(query.order_by(tables.VesselVisitRow.reference)))

    def silo_stock_kg(self) -> int:
        """Grain in silos now."""
        total = self._session.scalar(
            select(func.coalesce(func.sum(tables.GrainLotRow.mass_kg), 0)).where(
                tables.GrainLotRow.silo_code.is_not(None)
            )
        )
        return int(total or 0)
