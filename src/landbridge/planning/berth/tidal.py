"""Continuous-quay berth allocation with tidal departure windows (Ernst et al. 2017 dry-bulk set).

Reading of the files (sources in docs/planning-berth-cranes.md): one continuous quay of length
``QUAY_LENGTH`` = 3 (the files do not carry it; the paper's instance generator and every independent
reader we found use 3, the length of three "Unit" vessels); vessels with arrival A, processing time P
and length L (quay units), and high-tide windows [Begin_k, End_k] in hours. A loaded bulk carrier
leaves only at high tide, so vessel i departs at some d_i inside a window with d_i >= A_i + P_i and
holds a quay stretch of length L_i while it is handled. Objective: Σ(d_i − A_i), the total time in
port (= Σ d_i − Σ A_i, so it ranks plans exactly as "total completion time" does).

Solver: a constructive plan first (tidal_heuristic), then CP-SAT with fixed-size rectangles
[x, x+L) × [d−P, d) in a NoOverlap2D, hinted with that plan; the lower bound is the best of CP-SAT's
bound and tidal_bound's per-vessel bound (each vessel's own first reachable tide).
"""

from __future__ import annotations

import csv
import io
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ortools.sat.python import cp_model

from landbridge.planning.berth.tidal_bound import cumulative_bound
from landbridge.planning.berth.tidal_heuristic import (
    Placement,
    ScaledInstance,
    best_order,
    constructive_orders,
    improve_order,
    pack_departures,
    plan_cost,
    repaired_orders,
)
from landbridge.planning.common import (
    PlanningInputError,
    SolveResult,
    SolveStatus,
    read_instance_text,
    require_positive_time_limit,
)

QUAY_LENGTH = 3.0
"""Quay length in the files' length unit; a ``Quay,<length>`` row in a file overrides it."""
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
            number = kind(value)
        except ValueError:
            raise PlanningInputError(key, f"value {position + 1} is {value!r}, not a {kind.__name__}") from None
        if isinstance(number, float) and not math.isfinite(number):
            raise PlanningInputError(key, f"value {position + 1} is {value!r}, not a finite number")
        parsed.append(number)
    return parsed


def read_tidal_instance(path: Path) -> TidalInstance:
    """Read an Ernst et al. CSV (rows Vessels, Begin, End, Processing, Length, Arrival).

    Zero lengths are accepted: nine ``32_2_Unit_Noon_5`` files give 8 of 32 vessels length 0 (a
    generator artefact, we think); taken literally such a vessel needs no quay, only a tide.
    """
    try:
        rows = {
            _key(r[0]): [c.strip() for c in r[1:] if c.strip()]
            for r in csv.reader(io.StringIO(read_instance_text(path)))
            if r and r[0].strip()
        }
    except csv.Error as error:
        raise PlanningInputError("instance", f"cannot read {path}: {error}") from None
    vessels = _numbers(_row(rows, "Vessels", 1), "Vessels", int)[0]
    if vessels < 1:
        raise PlanningInputError("Vessels", f"must be at least 1, got {vessels}")
    begins = _numbers(_row(rows, "Begin", None), "Begin", int)
    if not begins:
        raise PlanningInputError("Begin", "no tide windows listed")
    ends = _numbers(_row(rows, "End", len(begins)), "End", int)
    if any(e < b for b, e in zip(begins, ends, strict=True)):
        raise PlanningInputError("End", "a tide window ends before it begins")
    quay_length = QUAY_LENGTH
    if "Quay" in rows:
        quay_length = _numbers(_row(rows, "Quay", 1), "Quay", float)[0]
        if quay_length <= 0:
            raise PlanningInputError("Quay", f"must be positive, got {quay_length}")
    lengths = _numbers(_row(rows, "Length", vessels), "Length", float)
    if any(length < 0 or length > quay_length for length in lengths):
        raise PlanningInputError("Length", f"every length must be in [0, {quay_length}]")
    processing = _numbers(_row(rows, "Processing", vessels), "Processing", int)
    if any(p <= 0 for p in processing):
        raise PlanningInputError("Processing", "processing times must be positive")
    arrivals = _numbers(_row(rows, "Arrival", vessels), "Arrival", int)
    if any(a < 0 for a in arrivals):
        raise PlanningInputError("Arrival", "arrival times must not be negative")
    return TidalInstance(
        name=path.stem,
        quay_length=quay_length,
        tide_windows=tuple(zip(begins, ends, strict=True)),
        processing_times=tuple(processing),
        lengths=tuple(lengths),
        arrival_times=tuple(arrivals),
    )


def scale(instance: TidalInstance) -> ScaledInstance:
    """Integer data: sizes rounded up to 1/POSITION_SCALE, every reachable tidal departure listed."""
    departures = []
    for arrival, processing in zip(instance.arrival_times, instance.processing_times, strict=True):
        ready = arrival + processing
        departures.append(tuple(t for b, e in instance.tide_windows for t in range(max(b, ready), e + 1)))
    return ScaledInstance(
        quay=round(instance.quay_length * POSITION_SCALE),
        sizes=tuple(math.ceil(length * POSITION_SCALE - 1e-6) for length in instance.lengths),
        processing=instance.processing_times,
        arrivals=instance.arrival_times,
        departures=tuple(tuple(sorted(set(d))) for d in departures),
    )


def own_tide_bound(inst: ScaledInstance) -> int:
    """Σ(first reachable tide − arrival): each vessel alone on the quay. Valid for every plan."""
    return sum(d[0] - a for d, a in zip(inst.departures, inst.arrivals, strict=True) if d)


def _normal_positions(inst: ScaledInstance, vessel: int) -> list[int] | None:
    """Positions that are sums of other vessels' sizes (bottom-left normal patterns), if few.

    Every plan can be pushed left until each vessel touches the quay start or another vessel, so
    positions can be restricted to such sums without losing any objective value. For the "Unit"
    classes this leaves {0, 1, 2}: three berths, and the quay symmetry collapses.
    """
    limit = inst.quay - inst.sizes[vessel]
    reachable = 1
    mask = (1 << (limit + 1)) - 1
    for other, size in enumerate(inst.sizes):
        if other != vessel and size > 0:
            reachable = (reachable | (reachable << size)) & mask
            if reachable.bit_count() > 64:
                return None
    positions = []
    while reachable:  # at most 64 set bits: walk them instead of testing every position
        lowest = reachable & -reachable
        positions.append(lowest.bit_length() - 1)
        reachable ^= lowest
    return positions


def _result_json(instance: TidalInstance, plan: list[Placement]) -> dict[str, Any]:
    return {
        "assignments": [
            {"vessel": vessel, "position": position / POSITION_SCALE, "start": start, "departure": departure}
            for vessel, (position, start, departure) in enumerate(plan)
        ]
    }


def _cp_sat(
    inst: ScaledInstance, plan: list[Placement] | None, bound: int, time_limit_s: float, seed: int
) -> tuple[list[Placement] | None, int, bool]:
    """CP-SAT on the rectangles; returns (its best plan or None, its bound, whether it proved that).

    Told that the objective is at least ``bound`` and at most the given plan's cost, so it stops as
    soon as the two meet; "infeasible" under the upper limit then means the given plan is optimal.
    """
    n = len(inst.sizes)
    model = cp_model.CpModel()
    departures, positions = [], []
    x_intervals, t_intervals, active = [], [], []
    for v in range(n):
        departure = model.new_int_var_from_domain(cp_model.Domain.from_values(list(inst.departures[v])), f"d{v}")
        departures.append(departure)
        size = inst.sizes[v]
        normal = _normal_positions(inst, v) if size > 0 else [0]
        position = (
            model.new_int_var_from_domain(cp_model.Domain.from_values(normal), f"x{v}")
            if normal
            else model.new_int_var(0, inst.quay - size, f"x{v}")
        )
        positions.append(position)
        if size > 0:
            active.append(v)
            x_intervals.append(model.new_fixed_size_interval_var(position, size, f"qx{v}"))
            t_intervals.append(
                model.new_fixed_size_interval_var(departure - inst.processing[v], inst.processing[v], f"qt{v}")
            )
        if plan is not None:
            model.add_hint(departure, plan[v][2])
            model.add_hint(position, plan[v][0])
    model.add_no_overlap_2d(x_intervals, t_intervals)
    # Redundant views of the same quay: total length alongside never exceeds the quay, and vessels
    # longer than half the quay exclude each other in time. Both tighten propagation and the LP.
    model.add_cumulative(t_intervals, [inst.sizes[v] for v in active], inst.quay)
    big = [t_intervals[k] for k, v in enumerate(active) if 2 * inst.sizes[v] > inst.quay]
    if len(big) > 1:
        model.add_no_overlap(big)
    objective = sum(departures) - sum(inst.arrivals)
    model.add(objective >= bound)
    if plan is not None:
        model.add(objective <= plan_cost(inst, plan))
    model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.05)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    if code == cp_model.INFEASIBLE:
        return None, (plan_cost(inst, plan) if plan is not None else bound), True
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, bound, False
    solved = [
        (solver.value(positions[v]), solver.value(departures[v]) - inst.processing[v], solver.value(departures[v]))
        for v in range(n)
    ]
    return solved, max(bound, math.ceil(solver.best_objective_bound - 1e-6)), code == cp_model.OPTIMAL


def solve_tidal(instance: TidalInstance, time_limit_s: float, seed: int) -> SolveResult:
    """Constructive plan; the cumulative bound (HiGHS, up to 40 % of the time), whose relaxed
    departures are packed onto the quay when they fit; CP-SAT with that bound for the rest."""
    require_positive_time_limit(time_limit_s)
    began = time.monotonic()

    def left() -> float:
        return time_limit_s - (time.monotonic() - began) - 0.1

    inst = scale(instance)
    if any(not d for d in inst.departures):
        # A vessel that cannot be handled before the last listed window closes: no plan exists.
        return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, time.monotonic() - began)
    orders = constructive_orders(inst, seed)
    plan, order = best_order(inst, orders)
    if plan is None:
        plan, order = best_order(inst, repaired_orders(inst, orders))
    bound = own_tide_bound(inst)

    def better(candidate: list[Placement] | None) -> None:
        nonlocal plan
        if candidate is not None and (plan is None or plan_cost(inst, candidate) < plan_cost(inst, plan)):
            plan = candidate

    proven = plan is not None and plan_cost(inst, plan) <= bound
    if not proven and left() > 0.05:
        target = plan_cost(inst, plan) if plan is not None else None
        relaxed_bound, relaxed = cumulative_bound(
            inst, instance.lengths, instance.quay_length, left() * 0.35, seed, target
        )
        if relaxed_bound is None:
            return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, time.monotonic() - began)
        bound = max(bound, relaxed_bound)
        if relaxed is not None:
            better(pack_departures(inst, relaxed))
            # Relaxed departures as priorities: list-schedule in their order (each vessel still takes
            # the earliest tide it can really make), which repairs what the packing could not place.
            guided, guided_order = best_order(
                inst,
                [
                    sorted(range(len(inst.sizes)), key=key)
                    for key in (
                        lambda v: (relaxed[v] - inst.processing[v], v),
                        lambda v: (relaxed[v], v),
                        lambda v: (relaxed[v], -inst.sizes[v], v),
                    )
                ],
            )
            if guided is not None and (plan is None or plan_cost(inst, guided) < plan_cost(inst, plan)):
                plan, order = guided, guided_order
        proven = plan is not None and plan_cost(inst, plan) <= bound
    if not proven and order is not None and left() > 0.05:
        better(improve_order(inst, order, time.monotonic() + left() * 0.4, seed))
        proven = plan is not None and plan_cost(inst, plan) <= bound
    if not proven and left() > 0.05:
        solved, cp_bound, finished = _cp_sat(inst, plan, bound, left(), seed)
        better(solved)
        if finished and plan is None:
            return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, time.monotonic() - began)
        bound = max(bound, cp_bound)
        proven = finished
    runtime = time.monotonic() - began
    if plan is None:
        return SolveResult(instance.name, SolveStatus.TIMEOUT, None, bound, {}, runtime)
    cost = plan_cost(inst, plan)
    status = SolveStatus.FEASIBLE
    if proven or bound >= cost:
        status, bound = SolveStatus.OPTIMAL, cost
    return SolveResult(instance.name, status, cost, bound, _result_json(instance, plan), runtime)
