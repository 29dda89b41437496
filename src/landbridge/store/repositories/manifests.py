"""Visit lists: a ship's discharge and load lists, a train's planned boxes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from landbridge.store import tables


class ManifestRepository:
    """The boxes declared on each visit's lists."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def entries(self, visit_kind: str, visit: str, list_kind: str) -> list[tables.ManifestEntryRow]:
        """A list's entries in the order they were added."""
        return list(
            self._session.scalars(
                select(tables.ManifestEntryRow)
                .where(
                    tables.ManifestEntryRow.visit_kind == visit_kind,
                    tables.ManifestEntryRow.visit_reference == visit,
                    tables.ManifestEntryRow.list_kind == list_kind,
                )
                .order_by(tables.ManifestEntryRow.id)
            )
        )

    def is_listed(self, visit_kind: str, visit: str, list_kind: str, number: str) -> bool:
        """Whether a box is on the list."""
        return (
            self._session.scalar(
                select(tables.ManifestEntryRow.id).where(
                    tables.ManifestEntryRow.visit_kind == visit_kind,
                    tables.ManifestEntryRow.visit_reference == visit,
                    tables.ManifestEntryRow.list_kind == list_kind,
                    tables.ManifestEntryRow.container_number == number,
                )
            )
            is not None
        )

    def add(self, rows: Iterable[tables.ManifestEntryRow]) -> None:
        """Add entries and flush."""
        self._session.add_all(list(rows))
        self._session.flush()

    def remove(self, visit_kind: str, visit: str, list_kind: str, numbers: Iterable[str] | None = None) -> None:
        """Remove some entries of a list (all when ``numbers`` is None) and flush."""
        statement = delete(tables.ManifestEntryRow).where(
            tables.ManifestEntryRow.visit_kind == visit_kind,
            tables.ManifestEntryRow.visit_reference == visit,
            tables.ManifestEntryRow.list_kind == list_kind,
        )
        if numbers is not None:
            statement = statement.where(tables.ManifestEntryRow.container_number.in_(list(numbers)))
        self._session.execute(statement)
        self._session.flush()
