"""Each management report from what its window touches — the same figures as the event-log computation.

``services.reports.compute_report_from_log`` reads every event of a report's kinds since the first day and
keeps the rows of the periods its window's events fall in. Per report, this module reads only:

* the events in the window (throughput, trains, equipment; holds from the start of the window's first
  period — a hold's row is the period it was placed in);
* the whole history of the subjects the window counts (gate: trucks that left in it; wagon turnaround:
  trains released or departed in it; berth occupancy: ships with a berth event in it or alongside when it
  opens) — each figure pairs events per subject, so those histories give the same pairs;
* the ``container_stays`` projection (dwell: stays that ended in it; yard occupancy: stays open when its
  first period opens, and stays that began or ended in it).

A row of the window's first period counts from that period's start, as the event-log computation does,
and is shown only when an event of the report's kinds happened in the window within that period.
tests/integration/test_reports_window.py checks every report against the event-log computation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import union

from landbridge.domain.events import as_utc
from landbridge.domain.iso_types import size_type
from landbridge.reports import figures
from landbridge.reports.figures import Record
from landbridge.store.repositories.reports import BoundedReportReads, EventTuple, ReportRepository

Rows = list[dict[str, Any]]
_GRAIN = ("grain.received", "grain.shipped")
_BERTH = ("vessel.berthed", "vessel.departed")
_DAY, _TICK = timedelta(days=1), timedelta(microseconds=1)


def figures_rows(
    reader: ReportRepository,
    name: str,
    types: tuple[str, ...],
    first: datetime,
    last: datetime,
    granularity: str,
    zone: ZoneInfo,
    context: Callable[[ReportRepository, str], dict[str, Any]],
) -> Rows:
    """The rows of report ``name`` over [first, last) in periods of ``granularity`` (hub time)."""
    reads = reader.bounded()
    opens, _ = figures.bucket_bounds(first, granularity, zone)
    facts = context(reader, name)
    if name == "throughput":  # box moves counted per hub-time day by the database, grain one by one
        moves = [kind for kind in types if kind not in _GRAIN]
        counted = [
            (date.fromisoformat(day), kind, _teu(iso), boxes)
            for opens_at, closes_at, offset_s in constant_offsets(first, last, zone)
            for day, kind, iso, boxes in reads.counts_by_local_day(moves, opens_at, closes_at, offset_s)
        ]
        grain = _records(reads.window(_GRAIN, first, last, with_after=True))
        return figures.throughput_of_counts(counted, grain, granularity, zone)
    if name == "trains":  # the figure counts train visits only: not the boxes' ``train.departed`` (50 per train)
        records = _records(reads.window(types, first, last, with_after=False, subjects=reads.train_visits()))
        return figures.trains(records, facts["visits"], facts["timetable"], granularity, zone, facts["on_time_min"])
    if name == "equipment":
        records = _records(reads.window(types, first, last, with_after=True))
        return figures.equipment_productivity(records, facts["kinds"], granularity, zone)
    if name == "yard-occupancy":
        return _yard_occupancy(reads, first, last, granularity, zone)
    if name == "berth-occupancy":
        alongside = reads.subjects_last_in("vessel.berthed", _BERTH, first)
        subjects = union(reads.subjects_with(_BERTH, first, last), alongside)
        records = _records(reads.histories(_BERTH, subjects, last, with_after=True))
        return figures.berth_occupancy(records, first, last, granularity, zone)
    if name == "dwell":
        computed = figures.dwell_of_stays(
            (
                (box, mode_in, as_utc(came), mode_out, as_utc(left))
                for box, mode_in, came, mode_out, left in reads.stays_departing(opens, last)
            ),
            granularity,
            zone,
        )
    elif name == "gate":  # trucks paired by the database; any truck with an unusual history event by event
        paired = reads.truck_turns(opens, last, constant_offsets(opens, last, zone))
        turns = [
            (_bucket_of_day(day, granularity), timedelta(microseconds=micros).total_seconds() / 60, overridden)
            for day, micros, overridden in paired.turns
        ]
        if paired.others:
            others = _records(reads.histories(types, reads.subjects_named(paired.others), last))
            turns += figures.gate_turn_values(others, granularity, zone)
        computed = figures.gate_rows(turns)
    elif name == "wagon-turnaround":
        leaving = reads.subjects_with(("train.released", "train.departed"), opens, last)
        computed = figures.wagon_turnaround(_records(reads.histories(types, leaving, last)), granularity, zone)
    else:  # holds: a row is the period a hold was placed in, and its release comes after it
        computed = figures.holds(_records(reads.window(types, opens, last, with_after=True)), granularity, zone)
    return _shown(computed, reads, types, first, last, granularity, zone)


def constant_offsets(first: datetime, last: datetime, zone: ZoneInfo) -> list[tuple[datetime, datetime, int]]:
    """[first, last) cut where the hub's UTC offset changes: (from, to, offset in seconds) — one piece for a
    zone without daylight saving. The offset is looked at once a day; a change within a day (there is at
    most one) is found to the microsecond by bisection."""
    pieces: list[tuple[datetime, datetime, int]] = []
    opens, last = first.astimezone(UTC), last.astimezone(UTC)  # arithmetic in UTC, not on the hub's clock
    while opens < last:
        offset = _offset_s(opens, zone)
        probe = opens
        while probe + _DAY < last and _offset_s(probe + _DAY, zone) == offset:
            probe += _DAY
        closes = min(probe + _DAY, last)
        latest = closes if closes < last else last - _TICK
        if _offset_s(latest, zone) != offset:
            low, high = probe, latest  # the offset is ``offset`` at low, another at high
            while high - low > _TICK:
                middle = low + (high - low) / 2
                low, high = (middle, high) if _offset_s(middle, zone) == offset else (low, middle)
            closes = high
        pieces.append((opens, closes, offset))
        opens = closes
    return pieces


def _offset_s(moment: datetime, zone: ZoneInfo) -> int:
    offset = moment.astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds())


@lru_cache(maxsize=4096)
def _bucket_of_day(day: str, granularity: str) -> str:
    """The bucket of a hub-time day named ``YYYY-MM-DD`` by the database."""
    return figures.bucket_of_day(date.fromisoformat(day), granularity)


def _records(rows: Iterable[EventTuple]) -> list[Record]:
    return [
        Record(event_id, kind, subject_type, subject_id, as_utc(moment), after or {})
        for event_id, kind, subject_type, subject_id, moment, after in rows
    ]


def _shown(
    computed: Rows,
    reads: BoundedReportReads,
    types: tuple[str, ...],
    first: datetime,
    last: datetime,
    granularity: str,
    zone: ZoneInfo,
) -> Rows:
    """The rows of the periods the window's events fall in (the event-log computation's rule).

    Every period after the first one that has a row has an event in the window (the event the row counts);
    the first period's row may count events before ``first``, so it needs one of its own in the window."""
    first_period = figures.bucket(first, granularity, zone)
    _, first_closes = figures.bucket_bounds(first, granularity, zone)
    shown, first_has_events = [], None
    for row in computed:
        if row["period"] < first_period:  # names sort in time order: 2026-11-03, 2026-W45, 2026-11
            continue
        if row["period"] == first_period:
            if first_has_events is None:
                first_has_events = reads.any_event(types, first, min(first_closes, last))
            if not first_has_events:
                continue
        shown.append(row)
    return shown


def _yard_occupancy(
    reads: BoundedReportReads, first: datetime, last: datetime, granularity: str, zone: ZoneInfo
) -> Rows:
    """Boxes in the base when the first period opens (from the stays), then the stays' arrivals and departures."""
    opens = figures.occupancy_start(first, zone)
    boxes, teus = 0, 0.0
    for iso, count in reads.stays_open_by_type(opens):
        boxes += count
        teus += count * _teu(iso)
    changes: list[tuple[datetime, int, float]] = []
    for iso, came, left in reads.stays_changing(opens, last):
        size = _teu(iso)
        if opens <= as_utc(came) < last:
            changes.append((as_utc(came), 1, size))
        if left is not None and opens <= as_utc(left) < last:
            changes.append((as_utc(left), -1, -size))
    return figures.occupancy(boxes, teus, changes, first, last, granularity, zone)


def _teu(iso: str | None) -> float:
    return 1.0 if iso is None else size_type(iso).teu
