"""The window-bounded reports equal the event-log computation (the oracle), on both backends.

:func:`check_against_the_log` computes every report both ways, for day, week and month periods, over fixed
windows (hub-time midnights, a window opening mid-stay, a UTC day over two hub days, windows before and
after the data) and Hypothesis-drawn ones. It runs on the month played through the API in
tests/integration/test_reports.py (a ship alongside from before the month, discharges, holds, pick-ups
with and without appointments, boxes still in the base at its end) and on the short twin run of
tests/integration/test_load_twin.py (ships, trains both ways, the gate, grain; slow). Here: the
``container_stays`` projection equals the log's pairing after appends in any order (out of order, twice
in, out without in), and the migration's backfill rule gives the same stays.
"""

from __future__ import annotations

import importlib.util
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import Event, EventType
from landbridge.reports import figures
from landbridge.reports.figures import Record
from landbridge.services.reports import DESCRIPTIONS, compute_report, compute_report_from_log
from landbridge.store import tables
from landbridge.store.batched_unit_of_work import BatchedUnitOfWork
from landbridge.store.report_tables import ContainerStayRow
from landbridge.store.unit_of_work import UnitOfWork

HUB = ZoneInfo("Asia/Shanghai")


def windows(opens: datetime, span: timedelta) -> list[tuple[datetime, datetime]]:
    """Windows around a history of about ``span`` that begins near ``opens`` (a hub-time midnight)."""
    part = span / 30
    return [
        (opens, opens + span),  # the month the screen opens on
        (opens + 9 * part, opens + 16 * part),  # opening mid-stays
        (opens + timedelta(hours=15, minutes=30), opens + timedelta(days=1, hours=1)),  # over midnight
        (opens + timedelta(hours=16), opens + timedelta(days=1, hours=16)),  # a UTC day: two hub days
        (opens - timedelta(days=40), opens - timedelta(days=3)),  # before anything happened
        (opens + 25 * part, opens + span + 15 * part),  # into the next month, boxes still here
    ]


def _both(url: str, name: str, start: datetime, end: datetime, granularity: str) -> tuple[Any, Any]:
    with UnitOfWork.for_url(url) as uow:
        bounded = compute_report(uow.reports, name, start, end, granularity)
        oracle = compute_report_from_log(uow.reports, name, start, end, granularity)
    return bounded, oracle


def check_against_the_log(url: str, opens: datetime, span: timedelta = timedelta(days=30), drawn: int = 25) -> None:
    """Every report, for day, week and month periods, over fixed windows and ``drawn`` Hypothesis-drawn ones:
    the window-bounded computation gives exactly the rows of the event-log computation (the oracle)."""
    for name in DESCRIPTIONS:
        for granularity in figures.GRANULARITIES:
            for start, end in windows(opens, span):
                bounded, oracle = _both(url, name, start, end, granularity)
                assert bounded == oracle, (name, granularity, start, end)

    @settings(max_examples=drawn, deadline=None, database=None)
    @given(
        name=st.sampled_from(sorted(DESCRIPTIONS)),
        granularity=st.sampled_from(figures.GRANULARITIES),
        start_min=st.integers(-3 * 24 * 60, int(span.total_seconds() // 60) + 2 * 24 * 60),
        length_min=st.integers(1, int(span.total_seconds() // 60)),
    )
    def any_window(name: str, granularity: str, start_min: int, length_min: int) -> None:
        start = opens + timedelta(minutes=start_min)
        bounded, oracle = _both(url, name, start, start + timedelta(minutes=length_min), granularity)
        assert bounded == oracle, (name, granularity, start, length_min)

    any_window()


# ---- the projection itself ---------------------------------------------------------------------------

_MOVES = [*figures.MODE_IN, *figures.MODE_OUT]
_BASE = datetime(2026, 3, 1, tzinfo=UTC)


def _migration() -> ModuleType:
    path = Path(__file__).parents[2] / "src/landbridge/store/migrations/versions/0087_container_stays.py"
    spec = importlib.util.spec_from_file_location("migration_0087", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MIGRATION = _migration()


def _log_and_table(url: str, boxes: set[str]) -> tuple[list[Any], list[Any], list[Any]]:
    """(pairing of the log, the projection's rows, the migration's backfill rule) for ``boxes``."""
    with UnitOfWork.for_url(url) as uow:
        event = tables.EventRow
        rows = uow.session.execute(
            select(event.id, event.event_type, event.subject_type, event.subject_id, event.occurred_at)
            .where(event.subject_id.in_(boxes), event.event_type.in_(_MOVES))
            .order_by(event.occurred_at, event.id)
        ).all()
        stay = ContainerStayRow
        table = uow.session.execute(
            select(stay.box, stay.in_mode, stay.in_at, stay.out_mode, stay.out_at).where(stay.box.in_(boxes))
        ).all()
    records = [Record(i, kind, kind_of, box, moment) for i, kind, kind_of, box, moment in rows]
    paired = sorted(((b, mi, ai, mo or None, lo) for b, mi, ai, mo, lo in figures.stays(records)), key=_order)
    backfill: list[Any] = []
    for box in sorted(boxes):
        found: list[dict[str, Any]] = []
        for record in sorted((r for r in records if r.subject_id == box), key=lambda r: (r.occurred_at, r.event_id)):
            MIGRATION._pair(found, box, record.event_type, record.occurred_at)
        backfill += [(s["box"], s["in_mode"], s["in_at"], s["out_mode"], s["out_at"]) for s in found]
    return paired, sorted((tuple(row) for row in table), key=_order), sorted(backfill, key=_order)


def _order(stay: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    """Sort key for stays: an open stay's ``None`` out-mode/out-time sorts after any value instead of
    failing to compare (two stays of a box that began at the same moment, one closed, one open)."""
    return tuple((value is None, "" if value is None else value) for value in stay)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(
        st.tuples(st.sampled_from("ABC"), st.sampled_from(_MOVES), st.integers(0, 40)), min_size=1, max_size=14
    ),
    batched=st.booleans(),
)
# in, out and in again at one moment: a closed and an open stay that began together (sorting them failed)
@example(
    moves=[("A", "container.discharged", 0), ("A", "container.loaded_vessel", 0), ("A", "container.discharged", 0)],
    batched=False,
)
def test_stays_follow_the_log_in_any_order(database_url: str, moves: list[tuple[str, str, int]], batched: bool) -> None:
    """Appends dated before a box's latest move, a second move in, a move out while away: the table still
    equals the log's pairing, and the migration's backfill rule gives the same stays."""
    prefix = f"T{uuid.uuid4().hex[:10]}"  # fresh boxes every example: Hypothesis replays examples
    events = [
        Event(EventType(kind), "container", prefix + box, "tester", "admin", occurred_at=_BASE + timedelta(hours=hour))
        for box, kind, hour in moves
    ]
    with UnitOfWork.for_url(database_url) as uow:
        if batched:
            uow.events.append_many(events)
        else:
            for event in events:
                uow.events.append(event)
        uow.commit()
    paired, table, backfill = _log_and_table(database_url, {prefix + box for box in "ABC"})
    assert table == paired
    assert backfill == paired


def test_a_rolled_back_move_leaves_no_stay(database_url: str) -> None:
    with UnitOfWork.for_url(database_url) as uow:
        uow.events.append(Event(EventType("container.gate_in"), "container", "ROLLBACK001", "t", "admin", _BASE))
        uow.rollback()
    _, table, _ = _log_and_table(database_url, {"ROLLBACK001"})
    assert table == []


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moves=st.lists(
        st.tuples(st.sampled_from("ABC"), st.sampled_from(_MOVES), st.integers(0, 40)), min_size=1, max_size=14
    ),
    split=st.integers(0, 14),
)
def test_a_loader_batch_rebuilds_the_stays_it_deferred(
    database_url: str, moves: list[tuple[str, str, int]], split: int
) -> None:
    """The loader's optimistic batch defers the projection (issue #19): two batches of moves in any order, a
    read of the table between them inside the batch, and a command refused after its move — the table
    equals the log's pairing, as the per-move hook keeps it."""
    prefix = f"L{uuid.uuid4().hex[:10]}"  # a fresh box every example (they share the database)
    events = [
        Event(EventType(kind), "container", prefix + box, "tester", "admin", occurred_at=_BASE + timedelta(hours=hour))
        for box, kind, hour in moves
    ]
    boxes = {prefix + box for box in "ABC"}
    uow = BatchedUnitOfWork.for_url(database_url)

    def append(part: list[Event]) -> Any:
        def command(inner: UnitOfWork) -> None:
            with inner:
                inner.events.append_many(part)
                inner.commit()

        return command

    def refused(inner: UnitOfWork) -> None:
        with inner:
            inner.events.append(events[0])
            raise RuleViolation("container", "refused after its move was appended")

    def stays_now(inner: UnitOfWork) -> int:
        with inner:  # a read inside the batch sees the stays of what the batch appended so far
            stay = ContainerStayRow
            count = inner.session.execute(select(func.count()).select_from(stay).where(stay.box.in_(boxes)))
            inner.commit()
            return int(count.scalar_one())

    uow.run(append(events[:split]))
    with pytest.raises(RuleViolation):
        uow.run(refused)
    partial = uow.run(stays_now)
    uow.run(append(events[split:]))
    uow.commit_batch()
    paired, table, _ = _log_and_table(database_url, boxes)
    assert table == paired
    head = [
        Record(i, e.event_type.value, "container", e.subject_id, e.occurred_at) for i, e in enumerate(events[:split])
    ]
    assert partial == len(figures.stays(head))
