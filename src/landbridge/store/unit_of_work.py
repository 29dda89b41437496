"""The unit of work: one transaction per command; it rolls back unless ``commit()`` was called.

Services receive a unit of work, load and change state through its repositories (``uow.containers``,
``uow.yard``, ``uow.rail``, ``uow.vessels``…), append events through ``uow.events`` and let the
caller commit once. An exception anywhere means nothing was written.

A unit of work **for reading** (:meth:`UnitOfWork.for_reading`; every API ``GET`` and ``HEAD``
gets one) runs on the read-only engine: on SQLite it takes no write lock, so a long read (a CSV
export, a report, the DCSA feed) never holds up a command, and the database itself refuses any
write in it; it cannot commit. The rare read that must write first (the DCSA projection's
catch-up) asks for :meth:`UnitOfWork.writing` and does so in a short transaction of its own.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, sessionmaker

from landbridge.store.database import read_sessions, session_factory
from landbridge.store.repositories import (
    BillingRepository,
    ContainerRepository,
    CustomsRepository,
    EquipmentRepository,
    EventLog,
    GateRepository,
    GrainRepository,
    IdempotencyRepository,
    ManifestRepository,
    PartyRepository,
    RailRepository,
    ReferenceRepository,
    ReportRepository,
    StateSnapshotRepository,
    TwinSnapshotRepository,
    UserRepository,
    VesselRepository,
    VgmRepository,
    WorkRepository,
    YardRepository,
)


class ReadOnlyViolation(RuntimeError):
    """Something tried to commit through a unit of work for reading: a bug in the route, never the caller's."""


class UnitOfWork:
    """A SQLAlchemy session wrapped as a transaction boundary with the hub's repositories."""

    session: Session
    billing: BillingRepository
    containers: ContainerRepository
    customs: CustomsRepository
    equipment: EquipmentRepository
    events: EventLog
    gate: GateRepository
    grain: GrainRepository
    idempotency: IdempotencyRepository
    manifests: ManifestRepository
    parties: PartyRepository
    rail: RailRepository
    reference: ReferenceRepository
    reports: ReportRepository
    snapshots: StateSnapshotRepository
    twin: TwinSnapshotRepository
    users: UserRepository
    vessels: VesselRepository
    vgm: VgmRepository
    work: WorkRepository
    yard: YardRepository

    owns_transaction = True
    """False for a unit of work joined to another's transaction: it neither commits nor retries."""

    read_only = False
    """True for a unit of work for reading: the database refuses its writes and it cannot commit."""

    _url: str | None = None

    def __init__(self, sessions: sessionmaker[Session], *, read_only: bool = False, url: str | None = None) -> None:
        self._sessions = sessions
        self._committed = False
        self.read_only = read_only
        self._url = url

    @classmethod
    def for_url(cls, url: str) -> UnitOfWork:
        """A (writing) unit of work on the database at ``url``."""
        return cls(session_factory(url), url=url)

    @classmethod
    def for_reading(cls, url: str) -> UnitOfWork:
        """A unit of work for reading the database at ``url``: no write lock, no writes, no commit."""
        return UnitOfWork(read_sessions(url), read_only=True, url=url)

    def writing(self) -> UnitOfWork:
        """A writing unit of work on the same database (itself, unless this one is for reading).

        For the few reads that must write before they answer, in a short transaction of their own.
        """
        if not self.read_only:
            return self
        if self._url is None:
            raise ReadOnlyViolation("this unit of work for reading does not know its database")
        return UnitOfWork.for_url(self._url)

    def __enter__(self) -> Self:
        self._committed = False
        self.attach(self._sessions())
        return self

    def attach(self, session: Session) -> None:
        """Work on ``session``: every repository is built here and only here.

        Repositories are thin wrappers over the session, so building all of them is cheap; one place
        that builds them means no service constructs a repository on a session of its own, and a
        unit of work joined to another's transaction (a plan applied step by step) gets them all.
        """
        self.session = session
        self.billing = BillingRepository(session)
        self.containers = ContainerRepository(session)
        self.customs = CustomsRepository(session)
        self.equipment = EquipmentRepository(session)
        self.events = EventLog(session)
        self.gate = GateRepository(session)
        self.grain = GrainRepository(session)
        self.idempotency = IdempotencyRepository(session)
        self.manifests = ManifestRepository(session)
        self.parties = PartyRepository(session)
        self.rail = RailRepository(session)
        self.reference = ReferenceRepository(session)
        self.reports = ReportRepository(session)
        self.snapshots = StateSnapshotRepository(session)
        self.twin = TwinSnapshotRepository(session)
        self.users = UserRepository(session)
        self.vessels = VesselRepository(session)
        self.vgm = VgmRepository(session)
        self.work = WorkRepository(session)
        self.yard = YardRepository(session)

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
        if self.read_only:
            raise ReadOnlyViolation("a unit of work for reading cannot commit: run commands on a writing one")
        self.session.commit()
        self._committed = True

    def rollback(self) -> None:
        """Discard everything done in this unit."""
        self.session.rollback()


class JoinedUnitOfWork(UnitOfWork):
    """A unit of work that runs inside another one's transaction: its commit only flushes.

    This is how a command goes through other commands' services one step at a time and still
    commits once (a train plan applied box by box, a work instruction confirmed with its move):
    each step runs every rule and writes its event, and if any is refused the outer transaction
    rolls back every step before it. A step that clashes with a concurrent writer is not retried on
    its own (``owns_transaction``): the outer ``execute`` retries the whole command.
    """

    owns_transaction = False

    def __init__(self, outer: UnitOfWork) -> None:
        self._outer = outer

    def __enter__(self) -> Self:
        self.attach(self._outer.session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Nothing to close: the outer unit of work owns the session."""

    def commit(self) -> None:
        """Flush only; the outer unit of work commits."""
        self.session.flush()

    def rollback(self) -> None:
        """Nothing to do here: the outer unit of work rolls back."""
