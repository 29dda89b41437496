"""The one UTC helper and the accepted range of times (``domain.times``, ``api.types.Instant``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ValidationError

from landbridge.api.types import Instant
from landbridge.domain.errors import RuleViolation
from landbridge.domain.times import as_utc, checked_time, parse_time
from landbridge.store import (
    tables,  # noqa: F401  (registers every table on the metadata)
    tracking_tables,  # noqa: F401
)
from landbridge.store.tables import Base
from landbridge.store.types import UtcDateTime


class _In(BaseModel):
    at: Instant


def test_as_utc_keeps_the_instant() -> None:
    hub = datetime(2026, 1, 15, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert as_utc(hub) == datetime(2026, 1, 15, 1, 0, tzinfo=UTC)
    assert as_utc(hub).utcoffset() == timedelta(0)
    assert as_utc(datetime(2026, 1, 15, 1, 0)) == datetime(2026, 1, 15, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2026-01-15T09:00:00", "offset"),
        ("9999-12-31T23:00:00-08:00", "2000-01-01 to 2099-12-31"),
        ("0001-01-01T00:00:00Z", "2000-01-01 to 2099-12-31"),
        ("1926-05-01T00:00:00Z", "2000-01-01 to 2099-12-31"),
        ("soon", "ISO 8601"),
    ],
)
def test_parse_time_refuses_naming_the_field(raw: str, reason: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        parse_time(raw, "eta")
    assert caught.value.field == "eta"
    assert reason in caught.value.reason


def test_parse_time_gives_utc() -> None:
    assert parse_time("2026-01-15T09:00:00+08:00", "eta") == datetime(2026, 1, 15, 1, tzinfo=UTC)
    assert parse_time("2026-01-15T01:00:00Z", "eta").tzinfo == UTC
    with pytest.raises(RuleViolation):
        checked_time(datetime(2026, 1, 1), "at")


@pytest.mark.parametrize(
    "raw",
    [0, 1.5, "0", "1700000000", "2026-01-15T09:00:00", "9999-12-31T23:00:00-08:00", "2100-01-01T00:00:00Z", "x" * 500],
)
def test_instant_refuses_numbers_naive_and_far_times(raw: object) -> None:
    with pytest.raises(ValidationError) as caught:
        _In.model_validate({"at": raw})
    assert caught.value.errors()[0]["loc"] == ("at",)


def test_instant_is_utc_and_its_schema_states_the_range() -> None:
    assert _In.model_validate({"at": "2026-01-15T09:00+08:00"}).at == datetime(2026, 1, 15, 1, tzinfo=UTC)
    schema = _In.model_json_schema()["properties"]["at"]
    assert schema["pattern"].startswith("^(20[0-9]{2}-")


def test_every_time_column_is_stored_as_utc() -> None:
    """A new time column must use UtcDateTime, or SQLite would store wall-clock digits again."""
    wrong = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.type.python_type is datetime and not isinstance(column.type, UtcDateTime)
    ]
    assert wrong == []


def test_storage_refuses_naive_and_unstorable_times() -> None:
    column = UtcDateTime()

    class _Dialect:
        name = "sqlite"

    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(datetime(2026, 1, 1), _Dialect())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="storable"):
        column.process_bind_param(datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=8))), _Dialect())  # type: ignore[arg-type]
    stored = column.process_bind_param(datetime(2026, 1, 1, 9, tzinfo=timezone(timedelta(hours=8))), _Dialect())  # type: ignore[arg-type]
    assert stored == datetime(2026, 1, 1, 1)
