"""Apply Alembic migrations programmatically, so no alembic.ini is needed next to the package."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from landbridge.config import normalise_database_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database schema up to ``revision`` (all branch heads by default)."""
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The schema revision(s) the database is at, comma-joined when branches have several heads (None when never
    migrated)."""
    from alembic.runtime.migration import MigrationContext

    from landbridge.store.database import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
            return ",".join(sorted(heads)) if heads else None
    finally:
        engine.dispose()
