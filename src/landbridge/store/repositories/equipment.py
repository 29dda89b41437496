"""Machines of the base (the ``equipment`` table)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables


class EquipmentRepository:
    """The fleet: every machine, one machine (locked for a change), the machine a driver drives."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def machines(self, kind: str | None = None, status: str | None = None) -> list[tables.EquipmentRow]:
        """Every machine (optionally of one kind or status), by code."""
        query = select(tables.EquipmentRow).order_by(tables.EquipmentRow.code)
        if kind is not None:
            query = query.where(tables.EquipmentRow.kind == kind)
        if status is not None:
            query = query.where(tables.EquipmentRow.status == status)
        return list(self._session.scalars(query))

    def machine(self, code: str, *, lock: bool = False) -> tables.EquipmentRow | None:
        """One machine by code; ``lock`` holds its row for this transaction."""
        query = select(tables.EquipmentRow).where(tables.EquipmentRow.code == code)
        if lock:
            query = query.with_for_update()
        return self._session.scalar(query)

    def driven_by(self, driver: str) -> list[tables.EquipmentRow]:
        """The machines a user is signed on to."""
        return list(
            self._session.scalars(
                select(tables.EquipmentRow)
                .where(tables.EquipmentRow.driver == driver)
                .order_by(tables.EquipmentRow.code)
            )
        )
