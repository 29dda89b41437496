"""Holds of every kind (the table keeps its first name, customs_holds)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories.scope import Scope, visible_holds


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

    def listed(
        self, scope: Scope, *, open_only: bool | None = None, kind: str | None = None, container: str | None = None
    ) -> list[tables.CustomsHoldRow]:
        """Holds the scope may see (a shipper: those on its own boxes), oldest first."""
        query = visible_holds(select(tables.CustomsHoldRow), scope)
        if open_only is not None:
            released = tables.CustomsHoldRow.released_at
            query = query.where(released.is_(None) if open_only else released.is_not(None))
        if kind is not None:
            query = query.where(tables.CustomsHoldRow.kind == kind)
        if container is not None:
            query = query.where(tables.CustomsHoldRow.container_number == container)
        return list(self._session.scalars(query.order_by(tables.CustomsHoldRow.id)))
