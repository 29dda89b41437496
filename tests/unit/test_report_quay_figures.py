"""The berth-occupancy and equipment figures as pure functions: a shift between berths, period cuts,
and moves per clock hour with a move."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from landbridge.reports.figures import Record, berth_occupancy, equipment_productivity

HUB = ZoneInfo("Asia/Shanghai")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=HUB)


def test_a_shift_closes_the_first_berth_and_opens_the_second() -> None:
    records = [
        Record(1, "vessel.berthed", "vessel_visit", "V1", _at(10, 6), {"berth_code": "29"}),
        Record(2, "vessel.berthed", "vessel_visit", "V1", _at(10, 18), {"berth_code": "30"}),  # shifted
        Record(3, "vessel.departed", "vessel_visit", "V1", _at(11, 3), {"berth_code": "30"}),
        Record(4, "vessel.departed", "vessel_visit", "V2", _at(10, 1), {"berth_code": "29"}),  # never berthed here
    ]
    rows = berth_occupancy(records, _at(10, 0), _at(12, 0), "day", HUB)
    assert [(r["period"], r["berth"], r["calls_berthed"], r["occupied_h"]) for r in rows] == [
        ("2026-11-10", "29", 1, 12.0),
        ("2026-11-10", "30", 1, 6.0),
        ("2026-11-11", "30", 0, 3.0),
    ]
    month = berth_occupancy(records, _at(10, 0), _at(12, 0), "month", HUB)
    assert [(r["berth"], r["occupied_h"], r["occupancy_pct"]) for r in month] == [
        ("29", 12.0, 25.0),
        ("30", 9.0, 18.75),
    ]


def test_moves_per_hour_count_only_hours_with_a_move() -> None:
    def done(event_id: int, machine: str, at: datetime) -> Record:
        return Record(event_id, "work.instruction_done", "work_instruction", str(event_id), at, {"machine": machine})

    records = [
        done(1, "STS-30-1", _at(10, 8, 5)),
        done(2, "STS-30-1", _at(10, 8, 55)),
        done(3, "STS-30-1", _at(10, 10)),
    ]
    records.append(done(4, "RMG1", _at(10, 9)))
    rows = equipment_productivity(records, {"STS-30-1": "quay_crane", "RMG1": "rail_mounted_gantry"}, "day", HUB)
    assert [(r["kind"], r["machine"], r["moves"], r["working_hours"], r["moves_per_working_hour"]) for r in rows] == [
        ("quay_crane", "STS-30-1", 3, 2, 1.5),
        ("rail_mounted_gantry", "RMG1", 1, 1, 1.0),
    ]
