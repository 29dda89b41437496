"""Stored answers to POSTs that carried an ``Idempotency-Key``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from landbridge.store import tables

_KEYS = tables.IdempotencyKeyRow
# Every command with a key reads it (a refused one twice) and a successful one writes it: statements
# built once, plain rows, no ORM object in the session (docs/scale.md, the 1,000 contested moves).
_ANSWER = select(_KEYS.request_sha256, _KEYS.status_code, _KEYS.response).where(
    _KEYS.actor == bindparam("actor"), _KEYS.key == bindparam("key")
)
_STORE = insert(_KEYS)


class IdempotencyRepository:
    """Answers already given to POSTs carrying an ``Idempotency-Key``."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def answer(self, actor: str, key: str) -> tuple[str, int, Any] | None:
        """(request digest, status code, body) stored for this caller's key, or None — one prebuilt statement."""
        row = self._session.execute(_ANSWER, {"actor": actor, "key": key}).first()
        return None if row is None else (row[0], row[1], row[2])

    def store(self, values: dict[str, Any]) -> None:
        """Store an answer (the row's columns) in the command's own transaction, written at once."""
        self._session.execute(_STORE, values)
