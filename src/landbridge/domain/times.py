"""The one place that says what a time is in landbridge: an aware UTC instant within 2000–2100.

Inside the system every time is a timezone-aware ``datetime`` in UTC. Entry points (API, CLI,
scenario files, EDIFACT) refuse naive times and times outside the accepted range, naming the field;
storage (``store.types.UtcDateTime``) writes UTC on both backends and reads it back aware. The range
exists because a time near the ends of what Python can hold (year 1 or 9999) breaks arithmetic
and, with a negative offset, becomes year 10000 on PostgreSQL — a row no read can return.
"""

from __future__ import annotations

from datetime import UTC, datetime

from landbridge.domain.errors import RuleViolation

EARLIEST_YEAR = 2000
"""The first calendar year (in the time's own offset) a time may fall in."""
LATEST_YEAR = 2099
"""The last calendar year (in the time's own offset) a time may fall in."""
RANGE_TEXT = f"{EARLIEST_YEAR}-01-01 to {LATEST_YEAR}-12-31"
OFFSET_EXAMPLE = "2026-01-15T10:00:00+08:00"


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive value is taken as UTC (what the storage layer has always meant)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def time_problem(moment: datetime) -> str | None:
    """Why ``moment`` is not an accepted time (naive, or outside the range), or None when it is."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return f"needs an offset (RFC 3339), e.g. {OFFSET_EXAMPLE}"
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return f"must be between {RANGE_TEXT}, got year {moment.year}"
    return None


def checked_time(moment: datetime, field: str) -> datetime:
    """``moment`` in UTC, or :class:`RuleViolation` naming ``field`` when naive or out of range."""
    problem = time_problem(moment)
    if problem is not None:
        raise RuleViolation(field, problem)
    return moment.astimezone(UTC)


def parse_time(raw: str, field: str) -> datetime:
    """An RFC 3339 / ISO 8601 text with an offset, checked and in UTC (CLI, scenario, query strings)."""
    text = raw.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RuleViolation(field, f"{raw[:40]!r} is not an ISO 8601 date-time, e.g. {OFFSET_EXAMPLE}") from None
    return checked_time(moment, field)
