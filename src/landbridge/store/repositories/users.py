"""API users (only the SHA-256 of a token is stored)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.repositories.statements import KEY, row_by


class UserRepository:
    """API users; only the SHA-256 of a token is stored."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def by_token_sha256(self, digest: str) -> tables.ApiUserRow | None:
        """The user holding the token with this digest (every API request asks: a prebuilt statement)."""
        return self._session.scalar(row_by(tables.ApiUserRow, tables.ApiUserRow.token_sha256), {KEY: digest})

    def by_name(self, name: str) -> tables.ApiUserRow | None:
        """A user by name."""
        return self._session.scalar(select(tables.ApiUserRow).where(tables.ApiUserRow.name == name))

    def add(self, row: tables.ApiUserRow) -> None:
        """Create a user and flush."""
        self._session.add(row)
        self._session.flush()
