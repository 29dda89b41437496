"""API reads run on the read-only engine: a long GET never holds up a command, and a read cannot write.

On SQLite every writing transaction starts with ``BEGIN IMMEDIATE``; a GET that ran in one (a CSV
export, a report, the DCSA feed on a year of data) held the write lock for as long as it read, and
concurrent commands waited, then failed with "database is locked" (issue #19).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from landbridge.services.actor import Actor
from landbridge.services.operations.common import execute
from landbridge.store.interchange_tables import EdiCursorRow
from landbridge.store.unit_of_work import ReadOnlyViolation, UnitOfWork
from tests.support import Hub, container_number

EXPORT_READ = "FROM containers ORDER BY containers.number"
"""The statement of the containers CSV export (the long read the test holds open)."""


@pytest.fixture
def paused_export() -> Iterator[tuple[threading.Event, threading.Event]]:
    """Pause the CSV export inside its transaction, just before it reads the containers: (paused, release)."""
    paused, release = threading.Event(), threading.Event()

    def hold(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if EXPORT_READ in statement and not paused.is_set():
            paused.set()
            release.wait(timeout=20)

    event.listen(Engine, "before_cursor_execute", hold)
    try:
        yield paused, release
    finally:
        release.set()
        event.remove(Engine, "before_cursor_execute", hold)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_long_get_does_not_hold_up_a_command(
    make_hub: Callable[..., Hub], paused_export: tuple[threading.Event, threading.Event]
) -> None:
    hub = make_hub(users=("admin",), as_user="admin")
    paused, release = paused_export
    answers: dict[str, int] = {}

    def export() -> None:
        answers["export"] = hub.client.get("/api/v1/csv/containers").status_code

    reader = threading.Thread(target=export)
    reader.start()
    try:
        assert paused.wait(timeout=20), "the export never reached its read"
        # The export is mid-transaction: the write lock must be free now (not after the export)...
        path = hub.url.removeprefix("sqlite:///")
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the export held it
            probe.execute("ROLLBACK")
        finally:
            probe.close()
        # ...and a command goes through while the export still reads.
        registered = hub.client.post("/api/v1/containers", json={"number": container_number(1), "iso_type": "45G1"})
        assert registered.status_code == 201, registered.text
    finally:
        release.set()
        reader.join(timeout=30)
    assert answers == {"export": 200}


def test_a_unit_of_work_for_reading_refuses_writes(database_url: str) -> None:
    with UnitOfWork.for_reading(database_url) as uow:
        assert uow.read_only
        uow.session.add(EdiCursorRow(name="reads:probe", last_event_id=1))
        with pytest.raises(DBAPIError):
            uow.session.flush()  # the database refuses it: query_only on SQLite, READ ONLY on PostgreSQL
    with UnitOfWork.for_reading(database_url) as uow, pytest.raises(ReadOnlyViolation):
        uow.commit()
    with pytest.raises(ReadOnlyViolation):
        execute(UnitOfWork.for_reading(database_url), Actor("reads", "admin"), lambda _uow: None)
    with UnitOfWork.for_reading(database_url) as uow:
        assert uow.session.get(EdiCursorRow, "reads:probe") is None
    # ...and its writing counterpart writes, on the same database.
    writer = UnitOfWork.for_reading(database_url).writing()
    assert not writer.read_only
    with writer:
        writer.session.add(EdiCursorRow(name="reads:probe", last_event_id=1))
        writer.commit()
    with UnitOfWork.for_reading(database_url) as uow:
        assert uow.session.get(EdiCursorRow, "reads:probe") is not None
