"""Constructive heuristics for the DBAP: a first feasible plan that seeds the exact method.

The plan only has to be feasible and reasonable; the time-indexed LP and its restricted MIP do the
real work. Several vessel orders are tried because a single arrival-order pass can miss deadlines.
"""

from __future__ import annotations

import math
import random
import time

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


class _Sequences:
    """Vessel sequence per berth, served left-shifted, with completion times kept for fast deltas.

    Moving a vessel only changes completions after the touched position, and the change usually dies
    out within a few vessels (idle time absorbs it), so deltas walk the suffix and stop early.
    """

    def __init__(self, instance: BerthInstance, sequences: list[list[int]]) -> None:
        self.instance = instance
        self.sequences = sequences
        self.ends: list[list[int]] = [[] for _ in sequences]
        self.costs: list[int] = [0] * len(sequences)
        for berth in range(len(sequences)):
            self.refresh(berth)

    def refresh(self, berth: int) -> None:
        """Recompute completions and cost of one berth (after a move was applied)."""
        instance = self.instance
        now = instance.opening_times[berth]
        ends: list[int] = []
        cost = 0
        for vessel in self.sequences[berth]:
            handling = instance.handling_times[vessel][berth]
            assert handling is not None
            now = max(now, instance.arrival_times[vessel]) + handling
            ends.append(now)
            cost += now - instance.arrival_times[vessel]
        self.ends[berth] = ends
        self.costs[berth] = cost

    def total(self) -> int:
        """Σ(completion − arrival) over all berths."""
        return sum(self.costs)

    def _walk(self, berth: int, index: int, now: int, delta: float) -> float:
        """Propagate a new free time ``now`` into the suffix starting at ``index``; inf if infeasible."""
        instance = self.instance
        sequence, ends = self.sequences[berth], self.ends[berth]
        for position in range(index, len(sequence)):
            vessel = sequence[position]
            start = max(now, instance.arrival_times[vessel])
            latest = instance.latest_start(vessel, berth)
            if latest is None or start > latest:
                return math.inf
            end = start + (instance.handling_times[vessel][berth] or 0)
            delta += end - ends[position]
            if end == ends[position]:
                break
            now = end
        return delta

    def removal_delta(self, berth: int, index: int) -> float:
        """Cost change of taking the vessel at ``index`` out of the berth."""
        vessel = self.sequences[berth][index]
        now = self.ends[berth][index - 1] if index else self.instance.opening_times[berth]
        return self._walk(berth, index + 1, now, -(self.ends[berth][index] - self.instance.arrival_times[vessel]))

    def insertion_delta(self, vessel: int, berth: int, index: int) -> float:
        """Cost change of inserting the vessel before position ``index`` of the berth."""
        instance = self.instance
        handling = instance.handling_times[vessel][berth]
        latest = instance.latest_start(vessel, berth)
        if handling is None or latest is None:
            return math.inf
        now = self.ends[berth][index - 1] if index else instance.opening_times[berth]
        start = max(now, instance.arrival_times[vessel])
        if start > latest:
            return math.inf
        end = start + handling
        return self._walk(berth, index, end, end - instance.arrival_times[vessel])

    def replace_delta(self, berth: int, index: int, vessel: int) -> float:
        """Cost change of putting ``vessel`` in place of the one at ``index`` (for swaps)."""
        instance = self.instance
        handling = instance.handling_times[vessel][berth]
        latest = instance.latest_start(vessel, berth)
        if handling is None or latest is None:
            return math.inf
        now = self.ends[berth][index - 1] if index else instance.opening_times[berth]
        start = max(now, instance.arrival_times[vessel])
        if start > latest:
            return math.inf
        end = start + handling
        old = self.sequences[berth][index]
        delta = (end - instance.arrival_times[vessel]) - (self.ends[berth][index] - instance.arrival_times[old])
        return self._walk(berth, index + 1, end, delta)

    def plan(self) -> list[Assignment]:
        """(berth, start) per vessel."""
        result: list[Assignment] = [(0, 0)] * self.instance.vessel_count
        for berth, sequence in enumerate(self.sequences):
            for vessel, end in zip(sequence, self.ends[berth], strict=True):
                handling = self.instance.handling_times[vessel][berth]
                assert handling is not None
                result[vessel] = (berth, end - handling)
        return result


def _descend(state: _Sequences, deadline: float) -> None:
    """Best relocation of each vessel (other berth, any position; same berth via full recompute)."""
    instance = state.instance
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for vessel in range(instance.vessel_count):
            source = next(b for b, s in enumerate(state.sequences) if vessel in s)
            index = state.sequences[source].index(vessel)
            removal = state.removal_delta(source, index)
            best_delta, best_move = -0.5, None
            for berth in range(instance.berth_count):
                if instance.handling_times[vessel][berth] is None:
                    continue
                if berth == source:
                    reduced = state.sequences[source][:index] + state.sequences[source][index + 1 :]
                    for position in range(len(reduced) + 1):
                        if position == index:
                            continue
                        candidate = [*reduced[:position], vessel, *reduced[position:]]
                        delta = _sequence_cost(instance, berth, candidate) - state.costs[berth]
                        if delta < best_delta:
                            best_delta, best_move = delta, (berth, position)
                    continue
                for position in range(len(state.sequences[berth]) + 1):
                    delta = removal + state.insertion_delta(vessel, berth, position)
                    if delta < best_delta:
                        best_delta, best_move = delta, (berth, position)
            if best_move is not None:
                berth, position = best_move
                state.sequences[source].pop(index)
                state.sequences[berth].insert(position, vessel)
                state.refresh(source)
                if berth != source:
                    state.refresh(berth)
                improved = True
        if not improved:
            improved = _swap_pass(state)


def _swap_pass(state: _Sequences) -> bool:
    """Exchange two vessels on different berths, each taking the other's place; True if improved."""
    improved = False
    berths = range(len(state.sequences))
    for first in berths:
        for second in berths:
            if second <= first:
                continue
            i = 0
            while i < len(state.sequences[first]):
                u = state.sequences[first][i]
                for j, v in enumerate(state.sequences[second]):
                    delta = state.replace_delta(first, i, v) + state.replace_delta(second, j, u)
                    if delta < -0.5:
                        state.sequences[first][i], state.sequences[second][j] = v, u
                        state.refresh(first)
                        state.refresh(second)
                        improved = True
                        break
                i += 1
    return improved


def _sequence_cost(instance: BerthInstance, berth: int, sequence: list[int]) -> float:
    """Service time of one berth sequence served left-shifted; inf if a window is missed."""
    now = instance.opening_times[berth]
    total = 0
    for vessel in sequence:
        handling = instance.handling_times[vessel][berth]
        latest = instance.latest_start(vessel, berth)
        if handling is None or latest is None:
            return math.inf
        start = max(now, instance.arrival_times[vessel])
        if start > latest:
            return math.inf
        now = start + handling
        total += now - instance.arrival_times[vessel]
    return total


def local_search(
    instance: BerthInstance,
    plan: list[Assignment],
    seed: int,
    time_budget_s: float,
    visited: set[tuple[int, int, int]] | None = None,
) -> list[Assignment]:
    """Iterated local search over berth sequences: best relocations, random relocation kicks.

    A plan is a vessel sequence per berth served left-shifted, which loses nothing for a regular
    objective such as Σ(completion − arrival). Same seed and budget give the same result on an
    unloaded machine; the time budget can cut the search short on a busy one. If ``visited`` is
    given, the (vessel, berth, start) of every local optimum reached is added to it: good columns
    to seed the time-indexed LP with.
    """
    deadline = time.monotonic() + time_budget_s
    rng = random.Random(seed)
    sequences: list[list[int]] = [[] for _ in range(instance.berth_count)]
    for vessel in sorted(range(instance.vessel_count), key=lambda v: plan[v][1]):
        sequences[plan[vessel][0]].append(vessel)
    state = _Sequences(instance, sequences)
    _descend(state, deadline)
    best_total, best = state.total(), [list(s) for s in state.sequences]
    while time.monotonic() < deadline:
        for _ in range(rng.randint(2, 4)):
            # Kick: move a random vessel to a random allowed berth and position (if feasible there).
            vessel = rng.randrange(instance.vessel_count)
            source = next(b for b, s in enumerate(state.sequences) if vessel in s)
            allowed = [b for b in range(instance.berth_count) if instance.handling_times[vessel][b] is not None]
            berth = rng.choice(allowed)
            trial_source = [v for v in state.sequences[source] if v != vessel]
            target = trial_source if berth == source else list(state.sequences[berth])
            target.insert(rng.randint(0, len(target)), vessel)
            if _sequence_cost(instance, berth, target) == math.inf:
                continue
            state.sequences[source] = trial_source
            state.sequences[berth] = target
            state.refresh(source)
            state.refresh(berth)
        _descend(state, deadline)
        total = state.total()
        if visited is not None:
            visited.update((v, b, start) for v, (b, start) in enumerate(state.plan()))
        if total <= best_total:
            best_total, best = total, [list(s) for s in state.sequences]
        else:
            state = _Sequences(instance, [list(s) for s in best])
    return _Sequences(instance, best).plan()
