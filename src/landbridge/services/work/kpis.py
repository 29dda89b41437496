"""Productivity from the recorded moves: every confirmed instruction names its machine and its time.

* **Quay cranes**: gross moves per crane hour = moves ÷ the span from the first job given to the
  crane to its last confirmation in the period; net = moves ÷ the hours the crane actually held a
  job (given → confirmed, so breaks and waiting between jobs do not count).
* **Yard machines** (RMG, reach stacker): moves per hour of the same gross span.
* **Truck turn time**: gate-in → gate-out of the trucks that left in the period (mean, p90 minutes).
* **Wagon loading rate** per loading track: boxes loaded and wagons touched per hour of loading.
* Moves **per shift** (hub time 00–08, 08–16, 16–24) and **per day** (hub time).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from landbridge.domain.errors import RuleViolation
from landbridge.domain.events import as_utc
from landbridge.planning.dispatch.problem import InstructionKind
from landbridge.scenarios.loader import current_scenario
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow

SHIFT_H = 8


def _hours(start: datetime, end: datetime) -> float:
    return max((end - start).total_seconds() / 3600.0, 0.0)


def _rate(moves: int, hours: float) -> float | None:
    return round(moves / hours, 2) if hours > 0 else None


def _machine_figures(rows: list[WorkInstructionRow]) -> dict[str, Any]:
    starts = [as_utc(r.assigned_at or r.done_at) for r in rows if r.done_at is not None]
    ends = [as_utc(r.done_at) for r in rows if r.done_at is not None]
    gross_h = _hours(min(starts), max(ends)) if starts else 0.0
    net_h = sum(_hours(as_utc(r.assigned_at), as_utc(r.done_at)) for r in rows if r.assigned_at and r.done_at)
    return {
        "moves": len(rows),
        "gross_hours": round(gross_h, 3),
        "net_hours": round(net_h, 3),
        "gross_moves_per_h": _rate(len(rows), gross_h),
        "net_moves_per_h": _rate(len(rows), net_h),
    }


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)], 1)


def productivity(uow: UnitOfWork, *, start: datetime, end: datetime) -> dict[str, Any]:
    """The productivity figures of ``[start, end)`` (aware times)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise RuleViolation("start", "give start and end with their UTC offset")
    if end <= start:
        raise RuleViolation("end", "must be after start")
    with uow:
        done = uow.work.done_between(as_utc(start), as_utc(end))
        kinds = {m.code: m.kind for m in uow.equipment.machines()}
        trucks = uow.work.trucks_out_between(as_utc(start), as_utc(end))
        return _figures(start, end, done, kinds, trucks)


def _figures(
    start: datetime,
    end: datetime,
    done: list[WorkInstructionRow],
    kinds: dict[str, str],
    trucks: list[tables.TruckVisitRow],
) -> dict[str, Any]:
    zone = current_scenario().base.zone
    by_machine: dict[str, list[WorkInstructionRow]] = defaultdict(list)
    by_track: dict[str, list[WorkInstructionRow]] = defaultdict(list)
    shifts: dict[str, int] = defaultdict(int)
    days: dict[str, int] = defaultdict(int)
    for row in done:
        if row.machine is not None:
            by_machine[row.machine].append(row)
        if row.kind == InstructionKind.LOAD_RAIL.value:
            by_track[row.queue].append(row)
        local = as_utc(row.done_at).astimezone(zone) if row.done_at is not None else None
        if local is not None:
            shift_start = local.replace(hour=local.hour - local.hour % SHIFT_H, minute=0, second=0, microsecond=0)
            shifts[shift_start.isoformat()] += 1
            days[local.date().isoformat()] += 1
    cranes: list[dict[str, Any]] = []
    yard: list[dict[str, Any]] = []
    for code, rows in sorted(by_machine.items()):
        entry = {"machine": code, "kind": kinds.get(code, "unknown"), **_machine_figures(rows)}
        (cranes if entry["kind"] == "quay_crane" else yard).append(entry)
    tracks = []
    for queue, rows in sorted(by_track.items()):
        figures = _machine_figures(rows)
        wagons = {(r.target or {}).get("wagon") for r in rows}
        tracks.append(
            {
                "track": queue.removeprefix("track:"),
                "boxes": len(rows),
                "wagons": len(wagons),
                "hours": figures["gross_hours"],
                "boxes_per_h": figures["gross_moves_per_h"],
                "wagons_per_h": _rate(len(wagons), figures["gross_hours"]),
            }
        )
    turns = [_hours(as_utc(t.arrived_at), as_utc(t.left_at)) * 60.0 for t in trucks if t.left_at is not None]
    return {
        "start": as_utc(start).isoformat(),
        "end": as_utc(end).isoformat(),
        "moves": len(done),
        "quay_cranes": cranes,
        "yard_machines": yard,
        "tracks": tracks,
        "trucks": {
            "count": len(turns),
            "mean_turn_min": round(sum(turns) / len(turns), 1) if turns else None,
            "p90_turn_min": _percentile(turns, 0.9),
        },
        "per_shift": [{"shift_start": k, "moves": v} for k, v in sorted(shifts.items())],
        "per_day": [{"day": k, "moves": v} for k, v in sorted(days.items())],
    }


def default_period(now: datetime) -> tuple[datetime, datetime]:
    """The last 24 hours up to ``now``."""
    return now - timedelta(hours=24), now + timedelta(seconds=1)
