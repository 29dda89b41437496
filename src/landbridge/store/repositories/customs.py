"""Customs holds."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables


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
