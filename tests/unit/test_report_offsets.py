"""Throughput is counted per hub-time day by the database, one query per stretch of constant UTC offset:
the stretches must meet exactly at the daylight-saving changes (to the microsecond) and cover the window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from landbridge.services.reports_window import constant_offsets


def test_a_zone_without_daylight_saving_is_one_stretch() -> None:
    hub = ZoneInfo("Asia/Shanghai")
    first, last = datetime(2025, 1, 1, tzinfo=hub), datetime(2026, 1, 1, tzinfo=hub)
    assert constant_offsets(first, last, hub) == [(first, last, 8 * 3600)]


def test_stretches_meet_at_the_daylight_saving_changes() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    first, last = datetime(2024, 12, 31, 23, 0, tzinfo=UTC), datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    spring, autumn = datetime(2025, 3, 30, 1, 0, tzinfo=UTC), datetime(2025, 10, 26, 1, 0, tzinfo=UTC)
    assert constant_offsets(first, last, berlin) == [
        (first, spring, 3600),
        (spring, autumn, 7200),
        (autumn, last, 3600),
    ]
    tick = timedelta(microseconds=1)
    assert (spring - tick).astimezone(berlin).utcoffset() == timedelta(hours=1)


def test_a_change_in_the_last_day_of_a_short_window_is_found() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spring = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)
    first, last = spring - timedelta(hours=5), spring + timedelta(hours=3)
    assert constant_offsets(first, last, berlin) == [(first, spring, 3600), (spring, last, 7200)]
    assert constant_offsets(first, spring, berlin) == [(first, spring, 3600)]
