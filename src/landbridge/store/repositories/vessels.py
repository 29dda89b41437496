"""Vessels (master data), vessel visits and berths."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories.scope import EVERYTHING, Scope, visible_vessel_visits


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

    def all(self, scope: Scope = EVERYTHING) -> list[tables.VesselVisitRow]:
        """The vessel visits the scope may see (a line: those it operates), by ETA."""
        query = visible_vessel_visits(select(tables.VesselVisitRow), scope)
        return list(self._session.scalars(query.order_by(tables.VesselVisitRow.eta)))

    def get_visible(self, reference: str, scope: Scope) -> tables.VesselVisitRow | None:
        """A vessel visit if it exists and the scope may see it."""
        query = select(tables.VesselVisitRow).where(tables.VesselVisitRow.reference == reference)
        return self._session.scalar(visible_vessel_visits(query, scope))

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

    def vessel(self, imo_number: str, lock: bool = False) -> tables.VesselRow | None:
        """A ship's master data by IMO number."""
        query = select(tables.VesselRow).where(tables.VesselRow.imo_number == imo_number)
        return self._session.scalar(query.with_for_update() if lock else query)

    def vessels(self) -> list[tables.VesselRow]:
        """Every known ship by name."""
        return list(self._session.scalars(select(tables.VesselRow).order_by(tables.VesselRow.name)))

    def add_vessel(self, row: tables.VesselRow) -> None:
        """Record a new ship and flush (a second row for one IMO is a unique-key clash)."""
        self._session.add(row)
        self._session.flush()
