"""Alembic environment: the URL comes from the caller's config (``landbridge db upgrade``)."""

from __future__ import annotations

from alembic import context

from landbridge.store import (  # noqa: F401  (register their tables on Base.metadata)
    billing_tables,
    interchange_tables,
    report_tables,
    tracking_tables,
    work_tables,
)
from landbridge.store.database import make_engine
from landbridge.store.tables import Base

config = context.config
url = config.get_main_option("sqlalchemy.url") or "sqlite:///./landbridge.db"


def run_migrations_online() -> None:
    """Apply migrations on a live connection (batch mode so SQLite can alter tables)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
