"""The unit of work: one transaction per command; it rolls back unless ``commit()`` was called.

Services receive a unit of work, load and change state through its repositories, append events
through ``uow.events`` and commit once. An exception anywhere means nothing was written.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from landbridge.store.database import session_factory
from landbridge.store.repositories import ContainerRepository, EventLog, ReferenceRepository


class UnitOfWork:
    """A SQLAlchemy session wrapped as a transaction boundary with the hub's repositories."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._committed = False

    @classmethod
    def for_url(cls, url: str) -> UnitOfWork:
        """A unit of work on the database at ``url``."""
        return cls(session_factory(url))

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self._committed = False
        self.containers = ContainerRepository(self.session)
        self.reference = ReferenceRepository(self.session)
        self.events = EventLog(self.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if not self._committed:
                self.session.rollback()
        finally:
            self.session.close()

    def commit(self) -> None:
        """Write everything done in this unit, events included, in one transaction."""
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        """Discard everything done in this unit."""
        self.session.rollback()
