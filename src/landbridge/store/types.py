"""Column types with the hub's storage rules; every time column uses :class:`UtcDateTime`.

SQLAlchemy's plain ``DateTime(timezone=True)`` keeps the instant on PostgreSQL but on SQLite
writes the wall-clock digits and drops the offset, so ``09:00Z`` and ``09:00+08:00`` were stored
alike. ``UtcDateTime`` converts every value to UTC before it is written, on both backends, and
hands every value back aware in UTC. A naive value or one outside the accepted years is refused
here too, as the last line behind the entry points' checks (see :mod:`landbridge.domain.times`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from landbridge.domain.times import EARLIEST_YEAR, LATEST_YEAR

# One year of slack either side: a time accepted in its own offset may cross a new year in UTC.
_FIRST_STORABLE_YEAR = EARLIEST_YEAR - 1
_LAST_STORABLE_YEAR = LATEST_YEAR + 1


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC ``datetime``: stored as UTC on SQLite and PostgreSQL, read back aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """UTC before writing; naive or out-of-range values never reach the database."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to a UTC column; times need an offset")
        if not _FIRST_STORABLE_YEAR <= value.year <= _LAST_STORABLE_YEAR:
            raise ValueError(f"datetime {value.isoformat()} is outside the storable years")
        moment = value.astimezone(UTC)
        # SQLite's DATETIME writes the wall-clock digits only: hand it UTC digits.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Aware UTC whatever the backend returned (SQLite returns naive UTC)."""
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
