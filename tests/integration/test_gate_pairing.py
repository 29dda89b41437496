"""The gate report pairs trucks in the database where a truck's history is plain (one in before one out)
and event by event otherwise — the rows must be exactly the event-log computation's, on both backends,
for plain trucks, an in and out at the same moment, two ins, an out before the in, an override at the
moment of the out, and a truck that left the day after it came (hub time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from landbridge.domain.events import Event, EventType
from landbridge.services.reports import compute_report, compute_report_from_log
from landbridge.store.unit_of_work import UnitOfWork

_OPENS = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # 2 March, midnight in Lianyungang
_HISTORIES = {
    "GT-PLAIN": [("gate.override", -60), ("truck.in", 0), ("truck.out", 30.5)],
    "GT-SAME": [("truck.in", 45), ("truck.out", 45)],
    "GT-TWICE": [("truck.in", 60), ("truck.in", 70), ("truck.out", 100)],
    "GT-BACKWARDS": [("truck.out", 120), ("truck.in", 125)],
    "GT-TIE": [("truck.in", 130), ("gate.override", 150), ("truck.out", 150)],
    "GT-LATE": [("truck.in", 23 * 60 + 50), ("truck.out", 24 * 60 + 10.25)],
    "GT-LATER": [("truck.in", 2 * 24 * 60), ("truck.out", 2 * 24 * 60 + 12)],
}


@pytest.mark.parametrize("granularity", ["day", "month"])
def test_trucks_paired_in_the_database_give_the_event_logs_rows(database_url: str, granularity: str) -> None:
    events = [
        Event(EventType(kind), "truck_visit", truck, "tester", "admin", _OPENS + timedelta(minutes=minutes))
        for truck, history in _HISTORIES.items()
        for kind, minutes in history
    ]
    with UnitOfWork.for_url(database_url) as uow:
        uow.events.append_many(events)
        uow.commit()
    with UnitOfWork.for_url(database_url) as uow:
        for start, end in (
            (_OPENS, _OPENS + timedelta(days=3)),
            (_OPENS + timedelta(hours=2), _OPENS + timedelta(days=1)),
        ):
            bounded = compute_report(uow.reports, "gate", start, end, granularity)
            assert bounded["rows"] == compute_report_from_log(uow.reports, "gate", start, end, granularity)["rows"]
        whole = compute_report(uow.reports, "gate", _OPENS, _OPENS + timedelta(days=3), granularity)["rows"]
    assert sum(row["trucks"] for row in whole) == 6  # every truck but the one that left before it came
    assert sum(row["with_override"] for row in whole) == 2  # at the out's moment, written before it: it counts
