"""Read access to the seeded master data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.store import tables


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
