"""Continuous-quay berth allocation with tidal departure windows (Ernst et al. 2017 dry-bulk set).

Our reading of the files (see docs/planning-berth-cranes.md): a quay of length L (the files do not
state it; we assume ``DEFAULT_QUAY_LENGTH`` = 3 quay units unless the file carries a ``Quay`` row;
2 units, the smallest quay that fits every vessel, makes instances infeasible within the listed tide
windows), vessels with arrival, processing time and length (in quay units), and high-tide
windows [Begin_k, End_k]. A loaded bulk carrier can leave only at high tide, so it occupies its quay
stretch from berthing until a departure time inside some window. Objective: Σ(departure − arrival).
Solved with CP-SAT: rectangles (quay extent × occupation time) in a NoOverlap2D.
"""

from __future__ import annotations

import csv
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from landbridge.planning.common import (
    PlanningInputError,
    SolveResult,
    SolveStatus,
    require_positive_time_limit,
)

DEFAULT_QUAY_LENGTH = 3.0
"""Assumed quay length (same unit as vessel lengths, which reach 1.9983 in the set)."""
POSITION_SCALE = 10000
"""Quay positions are solved in 1/10000 of a quay unit; lengths are rounded up so nothing overlaps."""


@dataclass(frozen=True)
class TidalInstance:
    """Ernst et al. instance: times in hours (integers), lengths in quay units."""

    name: str
    quay_length: float
    tide_windows: tuple[tuple[int, int], ...]
    processing_times: tuple[int, ...]
    lengths: tuple[float, ...]
    arrival_times: tuple[int, ...]


def _key(label: str) -> str:
    """Row label, tolerating the ``Processin`` truncation found in 92 of the published files."""
    label = label.strip()
    return "Processing" if label.startswith("Processin") else label


def _row(rows: dict[str, list[str]], key: str, count: int | None) -> list[str]:
    if key not in rows:
        raise PlanningInputError(key, "row missing")
    values = rows[key]
    if count is not None and len(values) != count:
        raise PlanningInputError(key, f"expected {count} values, found {len(values)}")
    return values


def _numbers(values: list[str], key: str, kind: type[int] | type[float]) -> list[Any]:
    parsed: list[Any] = []
    for position, value in enumerate(values):
        try:
            parsed.append(kind(value))
        except ValueError:
            raise PlanningInputError(key, f"value {position + 1} is {value!r}, not a {kind.__name__}") from None
    return parsed


def read_tidal_instance(path: Path) -> TidalInstance:
    """Read an Ernst et al. CSV; quay length comes from the file name (``<vessels>_<quay>_…``)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = {_key(r[0]): [c.strip() for c in r[1:] if c.strip()] for r in csv.reader(handle) if r}
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise PlanningInputError("instance", f"cannot read {path}: {error}") from None
    vessels = _numbers(_row(rows, "Vessels", 1), "Vessels", int)[0]
    if vessels < 1:
        raise PlanningInputError("Vessels", f"must be at least 1, got {vessels}")
    begins = _numbers(_row(rows, "Begin", None), "Begin", int)
    ends = _numbers(_row(rows, "End", len(begins)), "End", int)
    if any(e < b for b, e in zip(begins, ends, strict=True)):
        raise PlanningInputError("End", "a tide window ends before it begins")
    quay_length = DEFAULT_QUAY_LENGTH
    if "Quay" in rows:
        quay_length = _numbers(_row(rows, "Quay", 1), "Quay", float)[0]
    lengths = _numbers(_row(rows, "Length", vessels), "Length", float)
    if any(length <= 0 or length > quay_length for length in lengths):
        raise PlanningInputError("Length", f"every length must be in (0, {quay_length}]")
    processing = _numbers(_row(rows, "Processing", vessels), "Processing", int)
    if any(p <= 0 for p in processing):
        raise PlanningInputError("Processing", "processing times must be positive")
    return TidalInstance(
        name=path.stem,
        quay_length=quay_length,
        tide_windows=tuple(zip(begins, ends, strict=True)),
        processing_times=tuple(processing),
        lengths=tuple(lengths),
        arrival_times=tuple(_numbers(_row(rows, "Arrival", vessels), "Arrival", int)),
    )


Placement = tuple[int, int, int]
"""(position in 1/POSITION_SCALE quay units, start, departure) of one vessel."""


def _size(instance: TidalInstance, vessel: int) -> int:
    return math.ceil(instance.lengths[vessel] * POSITION_SCALE - 1e-9)


def _earliest_departure(instance: TidalInstance, ready: int) -> int | None:
    """First time >= ready that lies inside a high-tide window."""
    for begin, end in instance.tide_windows:
        if ready <= end:
            return max(ready, begin)
    return None


def greedy_placement(instance: TidalInstance) -> list[Placement] | None:
    """Vessels in arrival order, each at the earliest tide it can make with a free quay stretch.

    A vessel occupies the quay only for [departure − processing, departure): it waits at anchor
    rather than at the berth, which leaves more room to the others. None if a vessel misses the
    last listed window.
    """
    quay_units = round(instance.quay_length * POSITION_SCALE)
    placed: list[tuple[int, int, int, int]] = []  # x0, x1, t0, t1
    plan: list[Placement | None] = [None] * len(instance.arrival_times)
    for vessel in sorted(range(len(instance.arrival_times)), key=lambda v: (instance.arrival_times[v], v)):
        size, processing = _size(instance, vessel), instance.processing_times[vessel]
        arrival = instance.arrival_times[vessel]
        events = sorted({arrival, *(t1 for _, _, _, t1 in placed if t1 > arrival)})
        choice: Placement | None = None
        for earliest in events:
            departure = _earliest_departure(instance, earliest + processing)
            if departure is None:
                break
            start = departure - processing
            busy = [(x0, x1) for x0, x1, t0, t1 in placed if t0 < departure and start < t1]
            for position in sorted({0, *(x1 for _, x1 in busy)}):
                if position + size <= quay_units and all(position + size <= x0 or x1 <= position for x0, x1 in busy):
                    choice = (position, start, departure)
                    break
            if choice is not None:
                break
        if choice is None:
            return None
        plan[vessel] = choice
        placed.append((choice[0], choice[0] + size, choice[1], choice[2]))
    return [p for p in plan if p is not None]


def _result_json(instance: TidalInstance, plan: list[Placement]) -> tuple[int, dict[str, Any]]:
    assignments = [
        {"vessel": vessel, "position": position / POSITION_SCALE, "start": start, "departure": departure}
        for vessel, (position, start, departure) in enumerate(plan)
    ]
    objective = sum(d - a for (_, _, d), a in zip(plan, instance.arrival_times, strict=True))
    return objective, {"assignments": assignments}


def solve_tidal(instance: TidalInstance, time_limit_s: float, seed: int) -> SolveResult:
    """CP-SAT with NoOverlap2D, hinted with the greedy placement; departures inside tide windows."""
    require_positive_time_limit(time_limit_s)
    began = time.monotonic()
    greedy = greedy_placement(instance)
    # Valid for any plan: every vessel leaves at the first tide after arrival + processing, at best.
    simple_bound = 0
    for vessel, arrival in enumerate(instance.arrival_times):
        first_tide = _earliest_departure(instance, arrival + instance.processing_times[vessel])
        simple_bound += (first_tide - arrival) if first_tide is not None else 0
    model = cp_model.CpModel()
    quay_units = round(instance.quay_length * POSITION_SCALE)
    last_window_end = max(end for _, end in instance.tide_windows)
    windows = cp_model.Domain.from_intervals([[b, e] for b, e in instance.tide_windows])
    x_intervals, y_intervals, objective_terms = [], [], []
    positions, starts, departures = [], [], []
    for vessel, arrival in enumerate(instance.arrival_times):
        size = _size(instance, vessel)
        position = model.new_int_var(0, quay_units - size, f"x{vessel}")
        start = model.new_int_var(arrival, last_window_end, f"s{vessel}")
        departure = model.new_int_var_from_domain(windows, f"d{vessel}")
        model.add(departure >= start + instance.processing_times[vessel])
        occupation = model.new_int_var(0, last_window_end, f"o{vessel}")
        x_intervals.append(model.new_fixed_size_interval_var(position, size, f"qx{vessel}"))
        y_intervals.append(model.new_interval_var(start, occupation, departure, f"qt{vessel}"))
        objective_terms.append(departure - arrival)
        positions.append(position)
        starts.append(start)
        departures.append(departure)
        if greedy is not None:
            model.add_hint(position, greedy[vessel][0])
            model.add_hint(start, greedy[vessel][1])
            model.add_hint(departure, greedy[vessel][2])
    model.add_no_overlap_2d(x_intervals, y_intervals)
    model.minimize(sum(objective_terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s - (time.monotonic() - began) - 0.05, 0.05)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    runtime = time.monotonic() - began
    if code == cp_model.INFEASIBLE:
        return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, runtime)
    plan: list[Placement] | None = greedy
    status = SolveStatus.FEASIBLE
    bound = simple_bound
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solved = [
            (solver.value(positions[v]), solver.value(starts[v]), solver.value(departures[v]))
            for v in range(len(instance.arrival_times))
        ]
        if plan is None or _result_json(instance, solved)[0] <= _result_json(instance, plan)[0]:
            plan = solved
        bound = max(bound, math.ceil(solver.best_objective_bound - 1e-6))
        if code == cp_model.OPTIMAL:
            status = SolveStatus.OPTIMAL
    if plan is None:
        return SolveResult(instance.name, SolveStatus.TIMEOUT, None, bound or None, {}, runtime)
    objective, plan_json = _result_json(instance, plan)
    if status is SolveStatus.OPTIMAL or bound >= objective:
        status, bound = SolveStatus.OPTIMAL, objective
    return SolveResult(instance.name, status, objective, bound, plan_json, runtime)
