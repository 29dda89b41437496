"""Read-only sessions for the dashboard.

The store opens every SQLite transaction with BEGIN IMMEDIATE so writers queue; a dashboard that
polls every two seconds (SSE) would then take the write lock each time. Pages only read, so they
get their own engine: deferred BEGIN (in WAL mode a reader never blocks a writer and sees one
consistent snapshot) and ``query_only``, so a page cannot write even by mistake. On PostgreSQL the
transactions are declared READ ONLY.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from landbridge.config import normalise_database_url
from landbridge.store.database import is_sqlite


@cache
def read_engine(url: str) -> Engine:
    """One read-only engine per database URL per process."""
    url = normalise_database_url(url)
    if not is_sqlite(url):
        return create_engine(
            url, pool_pre_ping=True, pool_size=5, max_overflow=10, execution_options={"postgresql_readonly": True}
        )
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, as the store does
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")  # deferred: a shared snapshot, never the write lock

    return engine


def read_session(url: str) -> Session:
    """A new read-only session on this database."""
    return sessionmaker(bind=read_engine(url), expire_on_commit=False)()
