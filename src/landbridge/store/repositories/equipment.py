"""Machines of the base (the ``equipment`` table)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Row, Select, bindparam, select, update
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

    def fleet(self) -> list[Row[Any]]:
        """Every machine as a plain row of its columns, by code (a confirmation reads the whole fleet;
        plain rows cost a fraction of ORM objects). Change them with ``move_to``, not by assignment."""
        return list(self._session.execute(_fleet_statement()))

    def move_to(self, code: str, position: str, x_m: float, y_m: float) -> None:
        """Record where a machine last worked (one UPDATE, no ORM load)."""
        self._session.execute(_move_statement(), {"machine": code, "position": position, "x_m": x_m, "y_m": y_m})

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


@cache
def _fleet_statement() -> Select[Any]:
    return select(*tables.EquipmentRow.__table__.columns).order_by(tables.EquipmentRow.code)


@cache
def _move_statement() -> Any:
    """``move_to``'s UPDATE on the table itself (no ORM bookkeeping), built once."""
    table: Any = tables.EquipmentRow.__table__
    return (
        update(table)
        .where(table.c.code == bindparam("machine"))
        .values(position=bindparam("position"), x_m=bindparam("x_m"), y_m=bindparam("y_m"))
    )
