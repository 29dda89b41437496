"""QCSP solver: CP-SAT with per-crane routing circuits and pairwise interference disjunctions.

Why CP-SAT: the unified model is a scheduling problem with sequence-dependent travel (a circuit per
crane) and disjunctions whose gap depends on which cranes serve the two tasks; CP-SAT propagates both
natively and its cumulative relaxation (q cranes working at once) gives a useful makespan bound.
"""

from __future__ import annotations

import time
from typing import Any

from ortools.sat.python import cp_model

from landbridge.planning.common import SolveResult, SolveStatus, require_positive_time_limit
from landbridge.planning.cranes.problem import CraneInstance


def _horizon(instance: CraneInstance) -> int:
    """A makespan no schedule needs to exceed: one crane doing everything, with worst-case travel."""
    travel = instance.travel_time_per_bay * instance.bay_count
    ready = max(instance.crane_ready_times)
    return ready + sum(instance.processing_times) + travel * (instance.task_count + 1)


Schedule = list[tuple[int, int]]
"""(crane, start) per task."""


# Complexity above the limit on purpose: the CP-SAT model: one block per constraint family of the paper.
def _solve_model(  # noqa: C901
    instance: CraneInstance, deadline: float, seed: int, unidirectional: bool, hint: Schedule | None
) -> tuple[Any, Schedule | None, int | None]:
    """Build and solve one CP-SAT model; returns (solver status, schedule, bound).

    ``unidirectional`` restricts every crane to sweep the bays in one common direction (Bierwirth &
    Meisel's UDS): no routing circuit is needed, so the model stays small enough to find good
    schedules on 50 tasks in seconds. The general model (circuits) is used to improve and to prove.
    """
    n, q = instance.task_count, instance.crane_count
    bays = instance.task_bays
    travel = instance.travel_time_per_bay
    horizon = _horizon(instance)
    model = cp_model.CpModel()
    start = [model.new_int_var(0, horizon, f"s{i}") for i in range(n)]
    end = [model.new_int_var(0, horizon, f"c{i}") for i in range(n)]
    intervals = [model.new_interval_var(start[i], instance.processing_times[i], end[i], f"t{i}") for i in range(n)]
    assign: list[dict[int, cp_model.IntVar]] = [{} for _ in range(n)]
    for i in range(n):
        for v in range(q):
            low, high = instance.reachable_bays(v)
            if low <= bays[i] <= high:
                assign[i][v] = model.new_bool_var(f"x{i}_{v}")
        model.add_exactly_one(assign[i].values())
    forward = model.new_bool_var("left_to_right")
    for v in range(q):
        if not unidirectional:
            continue
        crane_intervals = []
        for i in range(n):
            if v not in assign[i]:
                continue
            reach = instance.crane_ready_times[v] + travel * abs(instance.crane_initial_bays[v] - bays[i])
            model.add(start[i] >= reach).only_enforce_if(assign[i][v])
            crane_intervals.append(
                model.new_optional_interval_var(
                    start[i], instance.processing_times[i], end[i], assign[i][v], f"o{i}_{v}"
                )
            )
            for j in range(n):
                if v in assign[j] and bays[i] < bays[j]:
                    both = [assign[i][v], assign[j][v]]
                    moving = travel * (bays[j] - bays[i])
                    model.add(start[j] >= end[i] + moving).only_enforce_if([forward, *both])
                    model.add(start[i] >= end[j] + moving).only_enforce_if([~forward, *both])
        model.add_no_overlap(crane_intervals)
    # Routing per crane: node 0 is the crane's depot (initial bay at its ready time).
    for v in range(q):
        if unidirectional:
            break
        arcs: list[tuple[int, int, cp_model.LiteralT]] = []
        crane_intervals = []
        for i in range(n):
            if v not in assign[i]:
                continue
            x = assign[i][v]
            arcs.append((i + 1, i + 1, ~x))
            first = model.new_bool_var(f"first{v}_{i}")
            last = model.new_bool_var(f"last{v}_{i}")
            arcs.append((0, i + 1, first))
            arcs.append((i + 1, 0, last))
            reach = instance.crane_ready_times[v] + travel * abs(instance.crane_initial_bays[v] - bays[i])
            model.add(start[i] >= reach).only_enforce_if(x)
            crane_intervals.append(
                model.new_optional_interval_var(start[i], instance.processing_times[i], end[i], x, f"o{i}_{v}")
            )
            for j in range(n):
                if j != i and v in assign[j]:
                    arc = model.new_bool_var(f"a{v}_{i}_{j}")
                    arcs.append((i + 1, j + 1, arc))
                    model.add(start[j] >= end[i] + travel * abs(bays[i] - bays[j])).only_enforce_if(arc)
        empty = model.new_bool_var(f"idle{v}")
        arcs.append((0, 0, empty))
        model.add_circuit(arcs)
        model.add_no_overlap(crane_intervals)
    for i, j in instance.precedences:
        model.add(end[i] <= start[j])
    for i, j in instance.non_simultaneous:
        model.add_no_overlap([intervals[i], intervals[j]])
    # Interference: tasks on cranes that would cross or violate the safety margin must be apart in time.
    for i in range(n):
        for j in range(i + 1, n):
            order: cp_model.IntVar | None = None
            for v in assign[i]:
                for w in assign[j]:
                    gap = instance.interference_gap(i, v, j, w)
                    if gap == 0:
                        continue
                    if order is None:
                        order = model.new_bool_var(f"before{i}_{j}")
                    both = [assign[i][v], assign[j][w]]
                    model.add(start[j] >= end[i] + gap).only_enforce_if([order, *both])
                    model.add(start[i] >= end[j] + gap).only_enforce_if([~order, *both])
    model.add_cumulative(intervals, [1] * n, q)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, end)
    model.minimize(makespan)
    if hint is not None:
        for i, (crane, begin) in enumerate(hint):
            model.add_hint(start[i], begin)
            for v, x in assign[i].items():
                model.add_hint(x, v == crane)

    solver = cp_model.CpSolver()
    # Building the model counts against the deadline (``time.monotonic()`` instant).
    solver.parameters.max_time_in_seconds = max(deadline - time.monotonic(), 0.05)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return code, None, None
    schedule = [
        (next(v for v, x in assign[i].items() if solver.boolean_value(x)), solver.value(start[i])) for i in range(n)
    ]
    return code, schedule, int(solver.best_objective_bound)


def trivial_bound(instance: CraneInstance) -> int:
    """Makespan bound valid for any schedule: total work spread evenly over the cranes (counting their
    ready times), and the earliest any single task can finish on a crane able to reach it."""
    work = sum(instance.processing_times) + sum(instance.crane_ready_times)
    spread = -(-work // instance.crane_count)
    single = 0
    for i, bay in enumerate(instance.task_bays):
        reach = [
            instance.crane_ready_times[v] + instance.travel_time_per_bay * abs(instance.crane_initial_bays[v] - bay)
            for v in range(instance.crane_count)
            if instance.reachable_bays(v)[0] <= bay <= instance.reachable_bays(v)[1]
        ]
        if reach:
            single = max(single, min(reach) + instance.processing_times[i])
    return max(spread, single)


def _makespan(instance: CraneInstance, schedule: Schedule) -> int:
    return max(begin + instance.processing_times[i] for i, (_, begin) in enumerate(schedule))


def solve_cranes(instance: CraneInstance, time_limit_s: float, seed: int) -> SolveResult:
    """Minimise the makespan: unidirectional model first (fast, good), then the general model to
    improve on it and to prove optimality, hinted with the best schedule so far."""
    require_positive_time_limit(time_limit_s)
    began = time.monotonic()
    _uds_code, best, _ = _solve_model(instance, began + 0.5 * time_limit_s, seed, True, None)
    # A little slack at the end for extracting and returning the schedule.
    code, general, bound = _solve_model(instance, began + time_limit_s - 0.05, seed, False, best)
    runtime = time.monotonic() - began
    if general is not None and (best is None or _makespan(instance, general) <= _makespan(instance, best)):
        best = general
    if best is None:
        infeasible = code == cp_model.INFEASIBLE
        status = SolveStatus.INFEASIBLE if infeasible else SolveStatus.TIMEOUT
        return SolveResult(instance.name, status, None, None, {}, runtime)
    value = _makespan(instance, best)
    bound = max(bound or 0, trivial_bound(instance))
    proven = code == cp_model.OPTIMAL or bound >= value
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    tasks: list[dict[str, Any]] = [{"task": i, "crane": crane, "start": begin} for i, (crane, begin) in enumerate(best)]
    return SolveResult(instance.name, status, value, value if proven else bound, {"tasks": tasks}, runtime)
