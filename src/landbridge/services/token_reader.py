"""The bearer-token lookup of every API request on PostgreSQL, done on the event loop without blocking it.

Every API request reads its token from the database (a revoked token is refused from the next
request on). Done as a blocking dependency, that read cost each request a hop to a worker thread
and back, a unit of work and an ORM session around one ``SELECT`` — with the route's own hop, two
hops per request (docs/scale.md, *The 1,000 contested moves*). Here a server process keeps one
asynchronous psycopg connection in autocommit on its event loop and runs one prepared statement
per request: the loop waits for PostgreSQL's answer without a thread, and the command's thread
is the only hop left. Concurrent requests share the connection one statement at a time (the
lookup is a few tens of microseconds on the server).

A connection the server closed (PostgreSQL restarted, backend killed) fails its statement: it is
dropped and the lookup tried once more on a new connection; a database that cannot be reached
raises SQLAlchemy's ``OperationalError``, which the API answers with 503 like any other request.
SQLite keeps the threaded lookup (:func:`landbridge.services.authz.authenticate`).
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import cache
from typing import Any

import psycopg
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from landbridge.config import normalise_database_url
from landbridge.services.actor import Actor
from landbridge.services.authz import is_live, token_sha256
from landbridge.store import tables
from landbridge.store.database import is_sqlite

CONNECT_TIMEOUT_S = 5
"""How long a (re)connection may take before the request answers 503 (the loop waits, not blocks)."""


@cache
def _token_sql() -> str:
    """The lookup as PostgreSQL text, built from the table (so a renamed column cannot drift)."""
    users = tables.ApiUserRow
    query = select(users.name, users.role, users.party_code, users.revoked_at, users.expires_at).where(
        users.token_sha256 == bindparam("digest")
    )
    return str(query.compile(dialect=postgresql.psycopg.dialect()))  # type: ignore[no-untyped-call]


def conninfo_of(url: str) -> str:
    """A libpq URI for a SQLAlchemy PostgreSQL URL (``postgresql+psycopg://…`` → ``postgresql://…``)."""
    parsed = make_url(normalise_database_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


class TokenReader:
    """One server process's token lookups on PostgreSQL, on its event loop (see the module's docstring)."""

    def __init__(self, url: str) -> None:
        self._conninfo = conninfo_of(url)
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._connecting = asyncio.Lock()

    @staticmethod
    def serves(url: str) -> bool:
        """Whether the database at ``url`` is looked up here (PostgreSQL) or in a thread (SQLite)."""
        return not is_sqlite(normalise_database_url(url))

    async def actor(self, token: str) -> Actor | None:
        """The actor a live bearer token belongs to, or None (unknown, expired or revoked)."""
        digest = token_sha256(token)
        for attempt in (1, 2):
            try:
                connection = await self._connected()
                cursor = await connection.execute(_token_sql(), {"digest": digest}, prepare=True)
                row = await cursor.fetchone()
                break
            except psycopg.OperationalError as error:
                await self._drop()
                if attempt == 2:
                    raise OperationalError(_token_sql(), {"digest": "…"}, error) from error
        if row is None:
            return None
        name, role, party, revoked_at, expires_at = row
        if not is_live(revoked_at, expires_at):
            return None
        return Actor(name=name, role=role, party=party)

    async def _connected(self) -> psycopg.AsyncConnection[Any]:
        async with self._connecting:
            if self._connection is None or self._connection.closed:
                self._connection = await psycopg.AsyncConnection.connect(
                    self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                )
            return self._connection

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                await connection.close()

    async def close(self) -> None:
        """Close the connection (the app's shutdown)."""
        await self._drop()
