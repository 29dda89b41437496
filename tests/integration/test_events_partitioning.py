"""The event table partitioned by month on PostgreSQL: nothing lost, still append-only, the hub works on.

What an operator would notice: after ``landbridge db partition-events`` every event is still there
and in the partition of its month, an UPDATE of the log is still refused, new commands still write
their events (into the right month), the coming months can be added, and a whole old month can be
detached for archiving while the rest of the log stays readable. SQLite is refused with a message.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from landbridge.cli import app
from landbridge.domain.events import Event, EventType
from landbridge.domain.identifiers import ContainerNumber
from landbridge.scenarios import load_scenario
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.invariants import check_invariants
from landbridge.services.seeding import seed_scenario
from landbridge.store.database import engine_for, is_sqlite
from landbridge.store.partitioning import add_coming_months, detach_months_before, partition_events
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import container_number

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def _register(url: str, serial: int, at: datetime) -> None:
    """A box registered through the service, and a gate-in of it dated ``at`` (an earlier month)."""
    number = ContainerNumber(container_number(serial))
    register_container(UnitOfWork.for_url(url), RegisterContainer(number, "22G1"), Actor("partition-test", "admin"))
    uow = UnitOfWork.for_url(url)
    with uow:
        uow.events.append(
            Event(EventType.CONTAINER_GATE_IN, "container", str(number), "partition-test", "admin", occurred_at=at)
        )
        uow.commit()


def test_partitioned_events_keep_everything_and_take_new_ones(database_url: str, tmp_path: Path) -> None:
    if is_sqlite(database_url):
        result = CliRunner().invoke(app, ["db", "partition-events", "--database-url", database_url])
        assert result.exit_code == 1 and "PostgreSQL" in result.output
        return
    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    months = [NOW - timedelta(days=days) for days in (95, 65, 35, 5)]  # four different months
    for serial, at in enumerate(months, start=1):
        _register(database_url, serial, at)
    engine = engine_for(database_url)
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM events")).scalar_one()
    report = partition_events(engine, months_ahead=2, now=NOW)
    assert report.rows == before
    assert "events_2026_08" in report.partitions and "events_2027_01" in report.partitions
    with engine.connect() as connection:
        placed = dict(
            connection.execute(text("SELECT tableoid::regclass::text, count(*) FROM events GROUP BY 1")).all()
        )
        assert sum(placed.values()) == before
        assert placed.get("events_2026_08") == 1 and "events_default" not in placed
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE events SET actor = 'someone else'"))
    _register(database_url, 99, NOW)  # the hub goes on writing through the services
    with engine.connect() as connection:
        newest = connection.execute(text("SELECT tableoid::regclass::text FROM events ORDER BY id DESC LIMIT 1"))
        assert newest.scalar_one() == "events_2026_11"
        registered = connection.execute(text("SELECT count(*) FROM events WHERE event_type = 'container.registered'"))
        assert registered.scalar_one() == 5
    assert all(report.holds for report in check_invariants(UnitOfWork.for_url(database_url)))
    assert add_coming_months(engine, months_ahead=4, now=NOW) == ["events_2027_02", "events_2027_03"]
    assert detach_months_before(engine, datetime(2026, 9, 1, tzinfo=UTC)) == ["events_2026_08"]
    with engine.connect() as connection:
        # two new events (registration, gate-in) in November, one gate-in detached with August
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == before + 2 - 1
        assert connection.execute(text("SELECT count(*) FROM events_2026_08")).scalar_one() == 1  # kept to archive

    # Archiving: August (detached above) and September go to dump files; each is dropped only once
    # its dump, read back, holds its rows. The hub's log keeps October on.
    result = CliRunner().invoke(
        app, ["db", "archive-events", "--before", "2026-10", "--to", str(tmp_path), "--database-url", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "events_2026_08: 1 events" in result.output and "events_2026_09: 1 events" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["events_2026_08.dump", "events_2026_09.dump"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar_one() == before + 2 - 2
        left = connection.execute(text("SELECT count(*) FROM pg_class WHERE relname LIKE 'events_2026_0%'"))
        assert left.scalar_one() == 0
    again = CliRunner().invoke(
        app, ["db", "archive-events", "--before", "2026-10", "--to", str(tmp_path), "--database-url", database_url]
    )
    assert again.exit_code == 0 and "nothing to archive" in again.output
