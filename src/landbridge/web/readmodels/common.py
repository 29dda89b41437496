"""What every read model needs: instants as aware UTC, the hub's time zone, the subject of train events."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from landbridge.domain.times import as_utc, utc_now
from landbridge.scenarios import current_scenario

CONTAINER_SUBJECT = "container"
TRAIN_SUBJECT = "train_visit"
"""Subject type of a train's own events as the rail service writes them (``services/operations/rail.py``)."""


def utc(value: datetime | None) -> datetime | None:
    """The same instant in UTC (None stays None)."""
    return None if value is None else as_utc(value)


def now_utc() -> datetime:
    """The current instant, timezone-aware."""
    return utc_now()


def hub_zone() -> ZoneInfo:
    """The hub's time zone, from the scenario: operators plan shifts and count days in it."""
    return current_scenario().base.zone


def hub_day_start(now: datetime) -> datetime:
    """Midnight of the hub's current day, as an aware UTC instant.

    UTC because SQLite stores instants as UTC text, so a bound with another offset compares wrongly.
    """
    local = now.astimezone(hub_zone())
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
