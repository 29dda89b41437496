"""The unit of work: one transaction per command; it rolls back unless ``commit()`` was called.

Services receive a unit of work, load and change state through its repositories (``uow.containers``,
``uow.yard``, ``uow.rail``, ``uow.vessels``…), append events through ``uow.events`` and let the
caller commit once. An exception anywhere means nothing was written.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from landbridge.store.database import session_factory
from landbridge.store.repositories import (
    ContainerRepository,
    CustomsRepository,
    EventLog,
    GateRepository,
    GrainRepository,
    IdempotencyRepository,
    PartyRepository,
    RailRepository,
    ReferenceRepository,
    UserRepository,
    VesselRepository,
    YardRepository,
)


class UnitOfWork:
    """A SQLAlchemy session wrapped as a transaction boundary with the hub's repositories."""

    session: Session
    containers: ContainerRepository
    customs: CustomsRepository
    events: EventLog
    gate: GateRepository
    grain: GrainRepository
    idempotency: IdempotencyRepository
    parties: PartyRepository
    rail: RailRepository
    reference: ReferenceRepository
    users: UserRepository
    vessels: VesselRepository
    yard: YardRepository

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
        # Repositories are thin wrappers over the session: building all of them is cheap, and one
        # place that builds them means no service constructs a repository on a session of its own.
        self.containers = ContainerRepository(self.session)
        self.customs = CustomsRepository(self.session)
        self.events = EventLog(self.session)
        self.gate = GateRepository(self.session)
        self.grain = GrainRepository(self.session)
        self.idempotency = IdempotencyRepository(self.session)
        self.parties = PartyRepository(self.session)
        self.rail = RailRepository(self.session)
        self.reference = ReferenceRepository(self.session)
        self.users = UserRepository(self.session)
        self.vessels = VesselRepository(self.session)
        self.yard = YardRepository(self.session)
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
