"""Silos, grain lots and the grain ledger; scoped by owner for shippers."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories.scope import EVERYTHING, Scope, visible_grain


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
        lot = select(tables.GrainLotRow).where(tables.GrainLotRow.reference == reference)
        query = visible_grain(lot, tables.GrainLotRow.owner_code, scope)
        return self._session.scalar(query.with_for_update() if lock else query)

    def lots(
        self, scope: Scope = EVERYTHING, *, after: str | None = None, limit: int | None = None
    ) -> list[tables.GrainLotRow]:
        """Lots the scope may see by reference (``limit`` of them after the reference ``after``: a keyset page)."""
        query = visible_grain(select(tables.GrainLotRow), tables.GrainLotRow.owner_code, scope)
        if after is not None:
            query = query.where(tables.GrainLotRow.reference > after)
        query = query.order_by(tables.GrainLotRow.reference)
        return list(self._session.scalars(query if limit is None else query.limit(limit)))

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
        query = visible_grain(query, tables.GrainMovementRow.owner_code, scope)
        stock_query = visible_grain(stock_query, tables.GrainLotRow.owner_code, scope)
        result: dict[str, dict[str, int]] = {}
        for owner, kind, total in self._session.execute(query).all():
            entry = result.setdefault(str(owner), {"received_kg": 0, "shipped_kg": 0, "in_stock_kg": 0})
            if kind in ("received", "shipped"):
                entry[f"{kind}_kg"] += int(total)
        for owner, total in self._session.execute(stock_query).all():
            entry = result.setdefault(str(owner), {"received_kg": 0, "shipped_kg": 0, "in_stock_kg": 0})
            entry["in_stock_kg"] = int(total or 0)
        return result
