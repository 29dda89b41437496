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


def _sequence_cost(instance: BerthInstance, berth: int, sequence: list[int]) -> tuple[float, list[int]]:
    """Service time of a berth sequence served left-shifted; inf if a window is missed."""
    time_now = instance.opening_times[berth]
    total = 0.0
    starts: list[int] = []
    for vessel in sequence:
        handling = instance.handling_times[vessel][berth]
        latest = instance.latest_start(vessel, berth)
        if handling is None or latest is None:
            return float("inf"), starts
        start = max(time_now, instance.arrival_times[vessel])
        if start > latest:
            return float("inf"), starts
        starts.append(start)
        time_now = start + handling
        total += time_now - instance.arrival_times[vessel]
    return total, starts


def local_search(
    instance: BerthInstance, plan: list[Assignment], seed: int, time_budget_s: float
) -> list[Assignment]:
    """Iterated local search over berth sequences: best relocation moves, random kicks between descents.

    A plan is a vessel sequence per berth served left-shifted, which loses nothing for a regular
    objective such as Σ(completion − arrival). Deterministic for a given seed and number of kicks,
    except that the time budget may stop it earlier on a slower machine.
    """
    import time

    deadline = time.monotonic() + time_budget_s
    rng = random.Random(seed)
    sequences: list[list[int]] = [[] for _ in range(instance.berth_count)]
    for vessel in sorted(range(instance.vessel_count), key=lambda v: plan[v][1]):
        sequences[plan[vessel][0]].append(vessel)
    costs = [_sequence_cost(instance, b, s)[0] for b, s in enumerate(sequences)]

    def descend() -> None:
        improved = True
        while improved and time.monotonic() < deadline:
            improved = False
            for vessel in range(instance.vessel_count):
                source = next(b for b, s in enumerate(sequences) if vessel in s)
                reduced = [v for v in sequences[source] if v != vessel]
                reduced_cost = _sequence_cost(instance, source, reduced)[0]
                best_delta, best_move = -1e-9, None
                for berth in range(instance.berth_count):
                    if instance.handling_times[vessel][berth] is None:
                        continue
                    base = reduced if berth == source else sequences[berth]
                    for position in range(len(base) + 1):
                        candidate = [*base[:position], vessel, *base[position:]]
                        cost = _sequence_cost(instance, berth, candidate)[0]
                        if berth == source:
                            delta = cost - costs[source]
                        else:
                            delta = cost + reduced_cost - costs[berth] - costs[source]
                        if delta < best_delta:
                            best_delta, best_move = delta, (berth, candidate)
                if best_move is not None:
                    berth, candidate = best_move
                    if berth != source:
                        sequences[source] = reduced
                        costs[source] = reduced_cost
                    sequences[berth] = candidate
                    costs[berth] = _sequence_cost(instance, berth, candidate)[0]
                    improved = True

    descend()
    best = [list(s) for s in sequences]
    best_total = sum(costs)
    while time.monotonic() < deadline:
        # Kick: swap two random adjacent vessels on a few berths, then descend again.
        for _ in range(2):
            berth = rng.randrange(instance.berth_count)
            if len(sequences[berth]) >= 2:
                i = rng.randrange(len(sequences[berth]) - 1)
                sequences[berth][i], sequences[berth][i + 1] = sequences[berth][i + 1], sequences[berth][i]
                costs[berth] = _sequence_cost(instance, berth, sequences[berth])[0]
        descend()
        total = sum(costs)
        if total <= best_total:
            best_total = total
            best = [list(s) for s in sequences]
        else:
            sequences = [list(s) for s in best]
            costs = [_sequence_cost(instance, b, s)[0] for b, s in enumerate(sequences)]
    result: list[Assignment] = [(0, 0)] * instance.vessel_count
    for berth, sequence in enumerate(best):
        _, starts = _sequence_cost(instance, berth, sequence)
        for vessel, start in zip(sequence, starts, strict=True):
            result[vessel] = (berth, start)
    return result
