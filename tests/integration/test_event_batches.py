"""Events appended many at once, and subjects a command created (issue #19), on both backends.

What a user would notice: a train's departure writes one event per box in one statement, and a
new truck visit's events are not checked against a log that cannot hold any — yet the history is
exactly what appending one by one gives: the same events, in the same order, and an event dated
before its subject's latest one is still refused with nothing written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import Event, EventType, as_utc
from landbridge.services.event_time import append_all_in_order, occurring_at
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork

START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def _event(subject: str, at: datetime, kind: EventType = EventType.CONTAINER_PLACED) -> Event:
    return Event(
        event_type=kind,
        subject_type="container",
        subject_id=subject,
        actor="test",
        role="planner",
        occurred_at=at,
        location=None,
        before=None,
        after={"at": at.isoformat()},
        source_reference=None,
    )


def _history(url: str) -> list[tuple[str, str, datetime]]:
    with engine_for(url).connect() as connection:
        rows = connection.execute(
            select(tables.EventRow.event_type, tables.EventRow.subject_id, tables.EventRow.occurred_at).order_by(
                tables.EventRow.id
            )
        )
        return [(kind, subject, as_utc(at)) for kind, subject, at in rows]


def test_latest_moments_of_many_subjects_are_each_ones_latest(database_url: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    with uow:
        uow.events.append(_event("A", START))
        uow.events.append(_event("A", START + timedelta(hours=1), EventType.CONTAINER_GATE_OUT))
        uow.events.append(_event("A", START + timedelta(hours=1)))  # same time, later id: the latest
        uow.events.append(_event("B", START + timedelta(hours=2), EventType.CONTAINER_GATE_IN))
        uow.commit()
    with uow:
        found = uow.events.latest_moments("container", ["A", "B", "C"])
        one_by_one = {subject: uow.events.latest_moment("container", subject) for subject in ("A", "B", "C")}
    assert found == one_by_one
    assert found["A"] is not None and found["A"][0] == EventType.CONTAINER_PLACED
    assert found["C"] is None


def test_many_events_are_written_in_order_and_refused_all_or_nothing(database_url: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    with uow, occurring_at(START + timedelta(hours=1)):
        uow.events.append(_event("A", START))
        append_all_in_order(uow, [_event(s, START + timedelta(hours=1)) for s in ("B", "A", "B")])
        uow.commit()
    assert [(subject, at) for _, subject, at in _history(database_url)] == [
        ("A", START),
        ("B", START + timedelta(hours=1)),
        ("A", START + timedelta(hours=1)),
        ("B", START + timedelta(hours=1)),
    ]
    with uow, occurring_at(START + timedelta(minutes=30)):  # a reported time before A's latest: refused
        with pytest.raises(RuleViolation) as refused:
            append_all_in_order(uow, [_event("C", START + timedelta(minutes=30)), _event("A", START)])
        assert refused.value.field == "occurred_at"
    assert len(_history(database_url)) == 4  # nothing of the refused batch, C included


def test_a_subject_the_transaction_created_is_not_looked_up_in_the_log(database_url: str) -> None:
    uow = UnitOfWork.for_url(database_url)
    reads: list[str] = []

    def count(*args: Any) -> None:
        if "FROM events" in args[2]:
            reads.append(args[2])

    engine = engine_for(database_url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with uow:
            uow.session.execute(select(1))  # the transaction has begun
            uow.events.created("truck_visit", "TW1")
            assert uow.events.latest_moment("truck_visit", "TW1") is None
            uow.events.append(
                Event(EventType.TRUCK_IN, "truck_visit", "TW1", "test", "gate_clerk", START, None, None, {})
            )
            moment = uow.events.latest_moment("truck_visit", "TW1")
            uow.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert moment is not None and moment[0] == EventType.TRUCK_IN
    assert reads == []
