"""A unit of work inside an open one, so existing commands compose into one transaction.

The operations services each open their unit of work and commit once. An EDIFACT message must be
applied all or nothing, and a whole interchange committed once with its idempotency record. This
unit of work shares the outer session: entering it sets a SAVEPOINT, ``commit()`` releases it
(the outer transaction commits later), and leaving without ``commit()`` rolls back to it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.orm import SessionTransaction

from landbridge.store.unit_of_work import UnitOfWork


class SavepointUnitOfWork(UnitOfWork):
    """A savepoint of ``outer``'s transaction, usable wherever a unit of work is expected."""

    def __init__(self, outer: UnitOfWork) -> None:
        self._outer = outer
        self._committed = False
        self._savepoint: SessionTransaction | None = None

    def __enter__(self) -> Self:
        # the outer unit's repositories are bound to the same session: share all of them
        for name, value in vars(self._outer).items():
            if not name.startswith("_"):
                setattr(self, name, value)
        self._committed = False
        self._savepoint = self.session.begin_nested()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not self._committed and self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()

    def commit(self) -> None:
        """Release the savepoint (the outer unit commits the transaction)."""
        assert self._savepoint is not None
        self._savepoint.commit()
        self._committed = True

    def rollback(self) -> None:
        """Roll back to the savepoint."""
        if self._savepoint is not None and self._savepoint.is_active:
            self._savepoint.rollback()
