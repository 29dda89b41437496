"""Engines and sessions for SQLite (embedded default) and PostgreSQL (psycopg 3): the one engine factory.

Two kinds of engine per database, both built here so their settings cannot drift apart:

* the **writing** engine (:func:`engine_for`, :func:`session_factory`) used by every unit of work.
  On SQLite each transaction starts with ``BEGIN IMMEDIATE``, so two writers queue instead of
  failing half-way;
* the **read-only** engine (:func:`read_engine`, :func:`read_sessions`, :func:`read_session`) used
  by the dashboard and by every API ``GET``/``HEAD`` (``UnitOfWork.for_reading``). A page that polls
  every two seconds (SSE), or a CSV export or report that reads for a second, would otherwise hold
  SQLite's write lock all that time and make concurrent commands wait (or fail with "database is
  locked"), so it gets a deferred ``BEGIN`` (in WAL mode a reader never blocks a writer and sees one
  consistent snapshot) and ``query_only``, so a read cannot write even by mistake. On PostgreSQL
  its transactions are declared READ ONLY.
"""

from __future__ import annotations

import select
from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from landbridge.config import normalise_database_url

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long an SQLite connection waits for a lock before giving up (SQLITE_BUSY)."""


def is_sqlite(url: str) -> bool:
    """The URL names an SQLite database."""
    return url.startswith("sqlite")


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    """An engine with the settings each backend needs for correct concurrent use (``read_only`` for pages)."""
    url = normalise_database_url(url)
    if not is_sqlite(url):
        if read_only:
            engine = create_engine(url, pool_size=5, max_overflow=10, execution_options={"postgresql_readonly": True})
        else:
            # As many kept connections as a server process has threads (api/app.WORKER_THREADS): an
            # overflow connection is closed when given back, and a new backend costs PostgreSQL a fork.
            engine = create_engine(url, pool_size=20, max_overflow=10)
        event.listen(engine, "checkout", _drop_if_closed_by_server)
        return engine
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Foreign keys are off by default in SQLite; WAL lets readers work while one writer commits.
        # The driver's own transaction handling is switched off so the BEGIN below is ours: IMMEDIATE
        # takes the write lock at the start (writers queue), a reader's deferred BEGIN never does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    begin = "BEGIN" if read_only else "BEGIN IMMEDIATE"

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


def _drop_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pool checkout: hand out no connection the server has closed (PostgreSQL restarted, backend killed).

    An idle pooled connection has nothing to read; one the server closed has (its FATAL message and
    the end of the stream), so a zero-timeout ``poll`` of its socket tells, without the round trip
    ``pool_pre_ping`` made on every checkout (``SELECT 1`` with autocommit toggled around it). A
    closed one is refused with ``DisconnectionError``: the pool throws it away and connects afresh,
    so the first requests after a restart do not fail. A connection that breaks while in use is
    still caught by SQLAlchemy's disconnect handling (the request answers 503, the pool is renewed).
    """
    if dbapi_connection.closed:
        raise DisconnectionError("the connection is closed")
    try:
        poller = select.poll()
        poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLPRI)
        readable = poller.poll(0)
    except Exception as error:  # the driver's own error for a broken connection, or the OS's
        raise DisconnectionError(f"the connection's socket is unusable: {error}") from error
    if readable:
        raise DisconnectionError("the server closed the connection")


@cache
def engine_for(url: str) -> Engine:
    """One writing engine per URL per process."""
    return make_engine(url)


@cache
def read_engine(url: str) -> Engine:
    """One read-only engine per URL per process."""
    return make_engine(url, read_only=True)


@cache
def session_factory(url: str) -> sessionmaker[Session]:
    """Sessions bound to the writing engine for this URL; objects stay readable after commit."""
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


@cache
def read_sessions(url: str) -> sessionmaker[Session]:
    """Sessions bound to the read-only engine for this URL (one factory per URL per process)."""
    return sessionmaker(bind=read_engine(url), expire_on_commit=False)


def read_session(url: str) -> Session:
    """A new read-only session on this database."""
    return read_sessions(url)()
