"""A unit of work for bulk loads: many commands in one transaction (issue #19).

Every command the loader issues still goes through ``operations.common.execute`` and the service
that the API calls, with all its rules, locks and events. What changes is only where the unit of
work ends: ``execute``'s ``with uow`` joins a transaction that stays open for a batch of commands,
its ``commit`` keeps the command's work in the batch, and :meth:`BatchedUnitOfWork.commit_batch`
commits the batch. A refused command leaves nothing behind — exactly what a refused API command
leaves — while the commands before it in the batch stay. Two ways to get there:

* **savepoints** (``savepoints=True``): each command runs in its own SAVEPOINT, released when it
  commits and rolled back when it is refused;
* **optimistic** (the default): no SAVEPOINT. A command refused before it wrote anything (almost
  every refusal: the rules are checked first) leaves nothing to undo — its unflushed changes are
  dropped from the session. A command refused after it wrote part of its work poisons the batch:
  the batch is rolled back, its earlier commands are run again from the journal (they did the same
  before, on the same state, so they do the same again), and the refused command runs once more in
  a savepoint, where its refusal rolls back cleanly.

Why: the profile of a day's play (``benchmarks/load_twin.py --profile``) showed the per-command
commit, session and connection set-up as the largest cost outside the rules themselves (on SQLite
each commit is a disk sync), and then the two SAVEPOINT statements a quarter of what a command
sends. The API never batches — a request is one transaction — so the loader's figures measure the
services' work, not the cost of a commit per request; docs/scale.md states that.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

from landbridge.store.database import session_factory
from landbridge.store.repositories.container_stays import DEFERRED_BOXES, write_deferred_stays
from landbridge.store.repositories.events import (
    COMPLETE_LOG_OPTION,
    DEFERRED,
    SOLE_WRITER,
    reads_events,
    write_deferred,
)
from landbridge.store.unit_of_work import UnitOfWork

T = TypeVar("T")
_NAMES_EVENTS = re.compile(r"\b(?:FROM|JOIN) events\b")
_NAMES_STAYS = re.compile(r"\b(?:FROM|JOIN) container_stays\b")


def _write_deferred_before_reading(state: ORMExecuteState) -> None:
    """Before a statement naming the event log, write the events the batch deferred (none read a log lacking
    them); before one naming ``container_stays``, also the stays of the boxes it moved."""
    info = state.session.info
    if info.get(DEFERRED) and not state.execution_options.get(COMPLETE_LOG_OPTION) and reads_events(state.statement):
        write_deferred(state.session)
    if info.get(DEFERRED_BOXES) and reads_events(state.statement, "container_stays"):
        write_deferred_stays(state.session)  # its own read of the log writes the deferred events first


class BatchedUnitOfWork(UnitOfWork):
    """A unit of work whose commands share one long transaction, committed in batches.

    It neither retries nor waits for other writers (``owns_transaction`` is False, as for a joined
    unit of work): the loader is the database's only writer while it runs, and says so to the
    repositories (:data:`~landbridge.store.repositories.events.SOLE_WRITER`), so what a batch wrote
    about a subject need not be read back from the database.
    """

    owns_transaction = False

    def __init__(self, sessions: sessionmaker[Session], *, savepoints: bool = False) -> None:
        super().__init__(sessions)
        self.savepoints = savepoints
        """Every command in its own SAVEPOINT (True) or optimistic (False; see the module)."""
        self._batch: Session | None = None
        # Per open ``with``: the command's savepoint (None when optimistic), the writes and deferred events before it.
        self._open: list[tuple[SessionTransaction | None, int, int]] = []
        self._released: list[bool] = []
        self._writes = 0
        self._journal: list[Callable[[UnitOfWork], Any]] = []
        self.half_applied = False
        """A command was refused after writing part of its work: :meth:`run` rolls the batch back and replays it."""
        self.pending = 0
        """Commands committed to the batch since the last :meth:`commit_batch`."""

    @classmethod
    def for_url(cls, url: str, *, savepoints: bool = False) -> BatchedUnitOfWork:
        """A batched unit of work on the database at ``url``."""
        return cls(session_factory(url), savepoints=savepoints)

    def _count_write(self, *args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip()[:6].upper() != "SELECT":
            self._writes += 1
        if (
            self._batch is not None
            and self._batch.info.get(DEFERRED)
            and _NAMES_EVENTS.search(statement)
            and not args[4].execution_options.get(COMPLETE_LOG_OPTION)
        ):
            # Sent past the session (a bare connection): it would read a log without the deferred events.
            raise RuntimeError("the event log was read past the batch's session while events were deferred")
        if self._batch is not None and self._batch.info.get(DEFERRED_BOXES) and _NAMES_STAYS.search(statement):
            raise RuntimeError("container_stays was read past the batch's session while its rebuild was deferred")

    def __enter__(self) -> Self:
        if self._batch is None:
            self._batch = self._sessions()
            self._batch.info[SOLE_WRITER] = True
            if not self.savepoints:
                # Events are written with one INSERT per batch, or before a statement that reads the log.
                self._batch.info[DEFERRED] = []
                self._batch.info[DEFERRED_BOXES] = set()  # container_stays rebuilt once per batch
                event.listen(self._batch, "do_orm_execute", _write_deferred_before_reading)
            # Counts the statements that change something: a refused command that sent none has nothing to undo.
            event.listen(self._batch.connection(), "before_cursor_execute", self._count_write)
        self.attach(self._batch)
        # A command inside a command always gets its savepoint: the outer one may go on after it fails.
        savepoint = None
        if self.savepoints or self._open:
            write_deferred(self._batch)  # what came before the savepoint stays when it is rolled back
            savepoint = self._batch.begin_nested()
        self._open.append((savepoint, self._writes, len(self._batch.info.get(DEFERRED, ()))))
        self._released.append(False)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        savepoint, writes_before, deferred_before = self._open.pop()
        released = self._released.pop()
        if released:
            return
        assert self._batch is not None
        deferred = self._batch.info.get(DEFERRED)
        if savepoint is not None:
            if savepoint.is_active:
                savepoint.rollback()
            if deferred is not None:
                del deferred[deferred_before:]  # its events, never written
            return
        if self._writes != writes_before or self._batch.deleted:
            self.half_applied = True  # part of its work reached the database: only a replay undoes it
            return
        if deferred is not None:
            del deferred[deferred_before:]  # the events it appended, never written
        for row in list(self._batch.new):
            self._batch.expunge(row)  # created, never written
        for row in list(self._batch.dirty):
            self._batch.expire(row)  # changed in memory only: read again from the database when next used

    def commit(self) -> None:
        """This command's work joins the batch (its savepoint released; optimistic: written out)."""
        savepoint = self._open[-1][0]
        if savepoint is not None:
            savepoint.commit()
        else:
            assert self._batch is not None
            self._batch.flush()
        self._released[-1] = True
        if len(self._open) == 1:
            self.pending += 1

    def rollback(self) -> None:
        """Discard this command's work (back to its savepoint; optimistic: as a refusal does)."""
        savepoint = self._open[-1][0]
        if savepoint is not None:
            savepoint.rollback()
            self._released[-1] = True

    def run(self, command: Callable[[UnitOfWork], T]) -> T:
        """Run one command of the batch (``command(self)``, which goes through ``execute``) and journal it.

        A refusal is raised as it is; one that came after the command wrote part of its work first
        rolls the batch back and replays it (see the module), so it leaves nothing behind either.
        """
        try:
            result = command(self)
        except Exception:
            if not self.half_applied:
                raise
            self._replay()
            savepoints, self.savepoints = self.savepoints, True
            try:
                result = command(self)  # refused again, now in a savepoint that undoes it
            finally:
                self.savepoints = savepoints
        self._journal.append(command)
        return result

    def _replay(self) -> None:
        journal, self._journal = self._journal, []
        self.close()
        for command in journal:
            try:
                self.run(command)
            except Exception as error:  # it was done once on this very state: a difference is a bug
                raise RuntimeError(
                    f"replaying the batch after a refusal: a command done before failed: {error}"
                ) from error

    def commit_batch(self) -> None:
        """Commit every command done since the last batch, and start afresh (a small identity map)."""
        if self._open:
            raise RuntimeError("a command is still running; commit the batch between commands")
        if self._batch is not None:
            write_deferred(self._batch)
            write_deferred_stays(self._batch)
            self._batch.commit()
            self._batch.close()
            self._batch = None
        self.pending = 0
        self._journal = []

    def close(self) -> None:
        """Drop an uncommitted batch (after an unexpected error, or to replay it)."""
        if self._batch is not None:
            self._batch.close()
            self._batch = None
        self.pending = 0
        self.half_applied = False
