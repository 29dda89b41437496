"""A unit of work for bulk loads: many commands in one transaction, each in its own savepoint (issue #19).

Every command the loader issues still goes through ``operations.common.execute`` and the service
that the API calls, with all its rules, locks and events. What changes is only where the unit of
work ends: ``execute``'s ``with uow`` opens a **savepoint** in a transaction that stays open for a
batch of commands, its ``commit`` releases the savepoint, and a refused command rolls back to its
savepoint — exactly what a refused API command leaves behind (nothing), while the commands before
it in the batch stay. :meth:`BatchedUnitOfWork.commit_batch` commits the batch.

Why: the profile of a day's play (``benchmarks/load_twin.py --profile``) showed the per-command
commit, session and connection set-up as the largest cost outside the rules themselves (and on
SQLite each commit is a disk sync). The API never batches — a request is one transaction — so the
loader's figures measure the services' work, not the cost of a commit per request; docs/scale.md
states that.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from landbridge.store.database import session_factory
from landbridge.store.repositories.events import SOLE_WRITER
from landbridge.store.unit_of_work import UnitOfWork


class BatchedUnitOfWork(UnitOfWork):
    """A unit of work whose transactions are savepoints of one long transaction, committed in batches.

    It neither retries nor waits for other writers (``owns_transaction`` is False, as for a joined
    unit of work): the loader is the database's only writer while it runs, and says so to the
    repositories (:data:`~landbridge.store.repositories.events.SOLE_WRITER`), so what a batch wrote
    about a subject need not be read back from the database.
    """

    owns_transaction = False

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        super().__init__(sessions)
        self._batch: Session | None = None
        self._savepoints: list[SessionTransaction] = []
        self._released: list[bool] = []
        self.pending = 0
        """Commands committed to their savepoint since the last :meth:`commit_batch`."""

    @classmethod
    def for_url(cls, url: str) -> BatchedUnitOfWork:
        """A batched unit of work on the database at ``url``."""
        return cls(session_factory(url))

    def __enter__(self) -> Self:
        if self._batch is None:
            self._batch = self._sessions()
            self._batch.info[SOLE_WRITER] = True
        self.attach(self._batch)
        self._savepoints.append(self._batch.begin_nested())
        self._released.append(False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        savepoint = self._savepoints.pop()
        released = self._released.pop()
        if not released and savepoint.is_active:
            savepoint.rollback()

    def commit(self) -> None:
        """Release this command's savepoint: its work joins the batch."""
        self._savepoints[-1].commit()
        self._released[-1] = True
        if len(self._savepoints) == 1:
            self.pending += 1

    def rollback(self) -> None:
        """Discard this command's work (back to its savepoint)."""
        self._savepoints[-1].rollback()
        self._released[-1] = True

    def commit_batch(self) -> None:
        """Commit every command released since the last batch, and start afresh (a small identity map)."""
        if self._savepoints:
            raise RuntimeError("a command is still running; commit the batch between commands")
        if self._batch is not None:
            self._batch.commit()
            self._batch.close()
            self._batch = None
        self.pending = 0

    def close(self) -> None:
        """Drop an uncommitted batch (after an unexpected error)."""
        if self._batch is not None:
            self._batch.close()
            self._batch = None
        self.pending = 0
