"""Stored answers to POSTs that carried an ``Idempotency-Key``."""

from __future__ import annotations

from sqlalchemy.orm import Session

from landbridge.store import tables


class IdempotencyRepository:
    """Answers already given to POSTs carrying an ``Idempotency-Key``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, actor: str, key: str) -> tables.IdempotencyKeyRow | None:
        """The stored answer for this caller's key."""
        return self._session.get(tables.IdempotencyKeyRow, (actor, key))

    def add(self, row: tables.IdempotencyKeyRow) -> None:
        """Store an answer (in the command's own transaction) and flush."""
        self._session.add(row)
        self._session.flush()
