"""Settings from the environment (prefix ``LANDBRIDGE_``), e.g. ``LANDBRIDGE_DATABASE_URL``."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Process-wide configuration; SQLite in the working folder unless told otherwise."""

    model_config = SettingsConfigDict(env_prefix="LANDBRIDGE_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./landbridge.db"
    scenario: str = "lianyungang"


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
