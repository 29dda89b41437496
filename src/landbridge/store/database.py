"""Engines and sessions for SQLite (embedded default) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from landbridge.config import normalise_database_url


def is_sqlite(url: str) -> bool:
    """The URL names an SQLite database."""
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs for correct concurrent use."""
    url = normalise_database_url(url)
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Foreign keys are off by default in SQLite; WAL lets readers work while one writer commits.
            # The driver's own transaction handling is switched off so BEGIN IMMEDIATE below takes the
            # write lock at the start: two writers then queue instead of failing mid-transaction.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@cache
def engine_for(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


def session_factory(url: str) -> sessionmaker[Session]:
    """Sessions bound to the engine for this URL; objects stay readable after commit."""
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)
