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


def solve_tidal(instance: TidalInstance, time_limit_s: float, seed: int) -> SolveResult:
    """CP-SAT with NoOverlap2D; departures restricted to the union of tide windows."""
    require_positive_time_limit(time_limit_s)
    began = time.monotonic()
    model = cp_model.CpModel()
    quay_units = round(instance.quay_length * POSITION_SCALE)
    last_window_end = max(end for _, end in instance.tide_windows)
    windows = cp_model.Domain.from_intervals([[b, e] for b, e in instance.tide_windows])
    x_intervals, y_intervals, objective_terms = [], [], []
    positions, starts, departures = [], [], []
    for vessel, arrival in enumerate(instance.arrival_times):
        size = math.ceil(instance.lengths[vessel] * POSITION_SCALE - 1e-9)
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
    model.add_no_overlap_2d(x_intervals, y_intervals)
    model.minimize(sum(objective_terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    runtime = time.monotonic() - began
    if code == cp_model.INFEASIBLE:
        return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, runtime)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolveResult(instance.name, SolveStatus.TIMEOUT, None, None, {}, runtime)
    assignments = [
        {
            "vessel": vessel,
            "position": solver.value(positions[vessel]) / POSITION_SCALE,
            "start": solver.value(starts[vessel]),
            "departure": solver.value(departures[vessel]),
        }
        for vessel in range(len(instance.arrival_times))
    ]
    status = SolveStatus.OPTIMAL if code == cp_model.OPTIMAL else SolveStatus.FEASIBLE
    objective = int(sum(a["departure"] - arr for a, arr in zip(assignments, instance.arrival_times, strict=True)))
    bound = objective if status is SolveStatus.OPTIMAL else math.ceil(solver.best_objective_bound - 1e-6)
    return SolveResult(instance.name, status, objective, bound, {"assignments": assignments}, runtime)
