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

from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
            return create_engine(
                url, pool_pre_ping=True, pool_size=5, max_overflow=10, execution_options={"postgresql_readonly": True}
            )
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
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


@cache
def engine_for(url: str) -> Engine:
    """One writing engine per URL per process."""
    return make_engine(url)


@cache
def read_engine(url: str) -> Engine:
    """One read-only engine per URL per process."""
    return make_engine(url, read_only=True)


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
