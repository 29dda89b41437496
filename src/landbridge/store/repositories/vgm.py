"""SOLAS verified gross masses declared per container."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables


class VgmRepository:
    """Verified gross masses; the latest declaration of a box counts."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: tables.VgmRow) -> None:
        """Record a VGM and flush."""
        self._session.add(row)
        self._session.flush()

    def latest(self, number: str) -> tables.VgmRow | None:
        """The box's latest VGM (by the time it was verified, then by entry)."""
        return self._session.scalar(
            select(tables.VgmRow)
            .where(tables.VgmRow.container_number == number)
            .order_by(tables.VgmRow.verified_at.desc(), tables.VgmRow.id.desc())
            .limit(1)
        )

    def for_container(self, number: str) -> list[tables.VgmRow]:
        """Every VGM declared for a box, oldest first."""
        return list(
            self._session.scalars(
                select(tables.VgmRow).where(tables.VgmRow.container_number == number).order_by(tables.VgmRow.id)
            )
        )
