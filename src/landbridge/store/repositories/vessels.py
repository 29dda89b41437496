"""Vessel visits and berths."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables


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
