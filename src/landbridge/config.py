"""Settings from the environment (prefix ``LANDBRIDGE_``), e.g. ``LANDBRIDGE_DATABASE_URL``."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide configuration; SQLite in the working folder unless told otherwise."""

    model_config = SettingsConfigDict(env_prefix="LANDBRIDGE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./landbridge.db"
    scenario: str = "lianyungang"
    open_dashboard: bool = False
    """``LANDBRIDGE_OPEN_DASHBOARD=1``: the dashboard shows the staff screens without a login (local demos)."""
    rate_limit: str = "1200/minute"
    """Requests one API user (or one address, for the login form) may make; ``0`` switches the limit off."""
    auth_failure_limit: str = "20/5minutes"
    """Failed tokens or logins from one address before it is locked out (429) until the window passes."""
    token_days: int = 90
    """How long a new API token is valid unless ``landbridge users create --days`` says otherwise."""
    secret_key: str | None = None
    """Signs the dashboard's CSRF cookie; a random one per process when unset (forms then need a reload
    after a restart)."""


@lru_cache
def get_settings() -> Settings:
    """The settings, read once."""
    return Settings()


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common ``postgresql://`` form."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
