"""A unit of work inside an open one, so existing commands compose into one transaction.

Lives in the store (it is a unit of work), so services call ``release()`` and only
``operations.common.execute`` commits a transaction. The operations services each open their unit
of work and commit once. An EDIFACT message must be
applied all or nothing, and a whole interchange committed once with its idempotency record. This
unit of work shares the outer session: entering it sets a SAVEPOINT, ``commit()`` releases it
(the outer transaction commits later), and leaving without ``commit()`` rolls back to it.

It is re-entrant: a handler enters it for the message, and each operations command the handler
calls enters it again (``execute`` opens ``with uow:``), so savepoints nest as a stack and a
refused command rolls back only itself — the handler then lets the error end the message, and the
message's own savepoint rolls back everything the message did.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import SessionTransaction

from landbridge.store.unit_of_work import UnitOfWork


class SavepointUnitOfWork(UnitOfWork):
    """Savepoints of ``outer``'s transaction, usable wherever a unit of work is expected."""

    def __init__(self, outer: UnitOfWork) -> None:
        self._outer = outer
        self._committed = False
        self._savepoints: list[tuple[SessionTransaction, list[bool]]] = []

    def __enter__(self) -> Self:
        if not self._savepoints:
            self.attach(self._outer.session)  # every repository, on the outer unit's session
        self._savepoints.append((self.session.begin_nested(), [False]))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        savepoint, done = self._savepoints.pop()
        if not done[0] and savepoint.is_active:
            savepoint.rollback()

    def commit(self) -> None:
        """Release the innermost savepoint (the outer unit commits the transaction)."""
        savepoint, done = self._savepoints[-1]
        savepoint.commit()
        done[0] = True

    def release(self) -> None:
        """Keep what the innermost savepoint did (an alias of :meth:`commit`, which ``execute`` calls)."""
        self.commit()

    def rollback(self) -> None:
        """Roll back to the innermost savepoint."""
        savepoint, _ = self._savepoints[-1]
        if savepoint.is_active:
            savepoint.rollback()
