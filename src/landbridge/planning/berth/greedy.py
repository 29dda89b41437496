"""Constructive heuristics for the DBAP: a first feasible plan that seeds the exact method.

The plan only has to be feasible and reasonable; the time-indexed LP and its restricted MIP do the
real work. Several vessel orders are tried because a single arrival-order pass can miss deadlines.
"""

from __future__ import annotations

import random

from landbridge.planning.berth.problem import BerthInstance

Assignment = tuple[int, int]
"""(berth, start) of one vessel."""


def _earliest_gap(busy: list[tuple[int, int]], earliest: int, handling: int) -> int:
    """Earliest start >= earliest where [start, start + handling) fits between busy intervals."""
    start = earliest
    for begin, end in busy:
        if start + handling <= begin:
            return start
        start = max(start, end)
    return start


def insert_schedule(instance: BerthInstance, order: list[int]) -> list[Assignment] | None:
    """Insert vessels in the given order, each at the berth and gap where it finishes earliest."""
    busy: list[list[tuple[int, int]]] = [[] for _ in range(instance.berth_count)]
    plan: list[Assignment | None] = [None] * instance.vessel_count
    for vessel in order:
        best: tuple[int, int, int] | None = None
        for berth in range(instance.berth_count):
            handling = instance.handling_times[vessel][berth]
            latest = instance.latest_start(vessel, berth)
            if handling is None or latest is None:
                continue
            start = _earliest_gap(busy[berth], instance.earliest_start(vessel, berth), handling)
            if start > latest:
                continue
            candidate = (start + handling, start, berth)
            if best is None or candidate < best:
                best = candidate
        if best is None:
            return None
        completion, start, berth = best
        busy[berth].append((start, completion))
        busy[berth].sort()
        plan[vessel] = (berth, start)
    return [assignment for assignment in plan if assignment is not None]


def total_service_time(instance: BerthInstance, plan: list[Assignment]) -> int:
    """Σ(completion − arrival) of a plan given as (berth, start) per vessel."""
    total = 0
    for vessel, (berth, start) in enumerate(plan):
        handling = instance.handling_times[vessel][berth]
        assert handling is not None
        total += start + handling - instance.arrival_times[vessel]
    return total


def best_greedy_plan(instance: BerthInstance, seed: int, attempts: int = 30) -> list[Assignment] | None:
    """Best of several insertion orders: by arrival, by shortest handling, by deadline, then random."""
    vessels = list(range(instance.vessel_count))

    def shortest_handling(vessel: int) -> int:
        return min((h for h in instance.handling_times[vessel] if h is not None), default=0)

    orders = [
        sorted(vessels, key=lambda v: (instance.arrival_times[v], shortest_handling(v))),
        sorted(vessels, key=lambda v: (instance.arrival_times[v] + shortest_handling(v), v)),
        sorted(vessels, key=lambda v: (instance.deadlines[v], instance.arrival_times[v])),
    ]
    rng = random.Random(seed)
    for _ in range(attempts):
        # Perturbed arrival order: keeps the sensible shape, varies the tie-breaks.
        orders.append(sorted(vessels, key=lambda v: instance.arrival_times[v] + rng.uniform(0, 30)))
    best: list[Assignment] | None = None
    best_cost = 0
    for order in orders:
        plan = insert_schedule(instance, order)
        if plan is None:
            continue
        cost = total_service_time(instance, plan)
        if best is None or cost < best_cost:
            best, best_cost = plan, cost
    return best
