"""Management reports from the event log: read the records and facts, call the pure figures.

Every figure uses ``occurred_at``. A report reads what its window touches (``reports_window``): the
events in it, the histories of the subjects it counts, and the ``container_stays`` projection for the
stays that began before it — so its cost follows the window, not the years kept. The first way, every
event of the report's kinds since the first day, is kept as the oracle (:func:`compute_report_from_log`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import as_utc
from landbridge.domain.iso_types import size_type
from landbridge.reports import figures
from landbridge.reports.figures import Record, Timetabled
from landbridge.scenarios import current_scenario
from landbridge.services import reports_window
from landbridge.store.repositories import ReportRepository
from landbridge.store.unit_of_work import UnitOfWork

ON_TIME_MIN = 60  # assumed: a departure within an hour of its timetable slot counts as on time
DESCRIPTIONS = {
    "throughput": "boxes and TEU in and out by mode (sea, rail, road) and grain tonnes received and shipped",
    "dwell": "dwell of boxes that left, by flow (mode in → mode out): P50, P90 and mean hours",
    "yard-occupancy": "boxes and TEU in the base at the end of each period, and the peak within it",
    "trains": f"departures per route and their punctuality (within {ON_TIME_MIN} min of the timetable slot)",
    "gate": "truck turn time (in → out) P50/P90 minutes and appointment compliance (no clerk override)",
    "holds": "holds placed per kind, how many were released, and their P50/P90 duration in hours",
    "wagon-turnaround": "hours a train's wagons spend at the base: arrival → released or departed",
    "berth-occupancy": "per berth: calls berthed and hours a ship lay alongside (berthed → departed), as a share",
    "equipment": "per machine: moves confirmed, hours with a move, moves per such hour (crane and RMG productivity)",
}
_CONTAINER_MOVES = tuple(figures.MODE_IN) + tuple(figures.MODE_OUT)
_TYPES: dict[str, tuple[str, ...]] = {
    "throughput": (*_CONTAINER_MOVES, "grain.received", "grain.shipped"),
    "dwell": _CONTAINER_MOVES,
    "yard-occupancy": _CONTAINER_MOVES,
    "trains": ("train.departed",),
    "gate": ("truck.in", "truck.out", "gate.override"),
    "holds": (*figures.HOLD_PLACED, *figures.HOLD_RELEASED),
    "wagon-turnaround": ("train.arrived", "train.released", "train.departed"),
    "berth-occupancy": ("vessel.berthed", "vessel.departed"),
    "equipment": ("work.instruction_done",),
}
_FROM_THE_BEGINNING = {"dwell", "yard-occupancy", "gate", "holds", "wagon-turnaround", "berth-occupancy"}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def catalogue() -> list[dict[str, str]]:
    """The reports there are and what each shows."""
    return [{"name": name, "description": text} for name, text in DESCRIPTIONS.items()]


def _timetable() -> list[Timetabled]:
    slots = []
    for departure in current_scenario().timetable:
        hour, minute = (int(part) for part in departure.time.split(":"))
        days = frozenset(_WEEKDAYS.index(day) for day in departure.days)
        slots.append(Timetabled(departure.route, departure.direction, days, hour, minute))
    return slots


def _check(name: str, start: datetime, end: datetime, granularity: str) -> None:
    if name not in DESCRIPTIONS:
        raise NotFound("name", f"no report {name!r}; reports: {', '.join(DESCRIPTIONS)}")
    if granularity not in figures.GRANULARITIES:
        raise RuleViolation("granularity", f"granularity must be one of {', '.join(figures.GRANULARITIES)}")
    for field, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise RuleViolation(field, "give the time with its UTC offset, e.g. 2026-11-01T00:00:00+08:00")
    if end <= start:
        raise RuleViolation("end", "must be after start")
    if start < _years_before(end, 3):
        raise RuleViolation("start", "at most three years at a time")


def _years_before(moment: datetime, years: int) -> datetime:
    """The same day and time ``years`` earlier; 29 February falls back to the 28th of a common year."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def report(uow: UnitOfWork, name: str, start: datetime, end: datetime, granularity: str = "day") -> dict[str, Any]:
    """One report over [start, end) in periods of ``granularity`` (hub time)."""
    _check(name, start, end, granularity)
    with uow:
        return compute_report(uow.reports, name, start, end, granularity)


def compute_report(
    reader: ReportRepository, name: str, start: datetime, end: datetime, granularity: str = "day"
) -> dict[str, Any]:
    """The report from a repository (the API's unit of work, or the dashboard's read-only session).

    Reads only what the window touches (see :mod:`landbridge.services.reports_window`); the figures are
    exactly those of :func:`compute_report_from_log`, the event-log computation kept as the oracle."""
    _check(name, start, end, granularity)
    first, last = as_utc(start), as_utc(end)
    zone = ZoneInfo(current_scenario().base.time_zone)
    rows = reports_window.figures_rows(reader, name, _TYPES[name], first, last, granularity, zone, _context)
    return _body(name, first, last, granularity, zone, rows)


def compute_report_from_log(
    reader: ReportRepository, name: str, start: datetime, end: datetime, granularity: str = "day"
) -> dict[str, Any]:
    """The report from every event of its kinds since the first day: slow on a year, kept as the oracle the
    window-bounded :func:`compute_report` is tested against (tests/integration/test_reports_window.py)."""
    _check(name, start, end, granularity)
    first, last = as_utc(start), as_utc(end)
    zone = ZoneInfo(current_scenario().base.time_zone)
    rows = reader.events(_TYPES[name], None if name in _FROM_THE_BEGINNING else first, last)
    records = [
        Record(r.id, r.event_type, r.subject_type, r.subject_id, as_utc(r.occurred_at), r.after or {}) for r in rows
    ]
    boxes = {r.subject_id for r in records if r.subject_type == "container"}
    teu = {number: size_type(iso).teu for number, iso in reader.iso_types(boxes).items()}
    in_range = [r for r in records if first <= r.occurred_at < last]
    if name == "throughput":
        figures_rows = figures.throughput(in_range, teu, granularity, zone)
    elif name == "yard-occupancy":
        figures_rows = figures.yard_occupancy(records, teu, first, last, granularity, zone)
    elif name == "berth-occupancy":
        figures_rows = figures.berth_occupancy(records, first, last, granularity, zone)
    elif name == "equipment":
        figures_rows = figures.equipment_productivity(in_range, reader.machine_kinds(), granularity, zone)
    elif name == "trains":
        visits = reader.train_routes()
        figures_rows = figures.trains(in_range, visits, _timetable(), granularity, zone, ON_TIME_MIN)
    else:
        computed = figures.REPORTS[name](records, granularity, zone)
        periods = {figures.bucket(r.occurred_at, granularity, zone) for r in in_range}
        figures_rows = [row for row in computed if row["period"] in periods]
    return _body(name, first, last, granularity, zone, figures_rows)


def _context(reader: ReportRepository, name: str) -> dict[str, Any]:
    """The facts besides events a report needs (train routes, timetable, machine kinds)."""
    if name == "trains":
        return {"visits": reader.train_routes(), "timetable": _timetable(), "on_time_min": ON_TIME_MIN}
    if name == "equipment":
        return {"kinds": reader.machine_kinds()}
    return {}


def _body(
    name: str, first: datetime, last: datetime, granularity: str, zone: ZoneInfo, figures_rows: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "name": name,
        "description": DESCRIPTIONS[name],
        "granularity": granularity,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "time_zone": zone.key,
        "columns": list(figures_rows[0]) if figures_rows else ["period"],
        "rows": figures_rows,
    }
