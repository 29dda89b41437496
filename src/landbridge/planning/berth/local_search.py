"""Iterated local search for the DBAP over berth sequences: ruin and recreate or random relocations,
descent, late acceptance.

A plan is a vessel sequence per berth served left-shifted, which loses nothing for a regular
objective such as Σ(completion − arrival). One iteration either removes a few vessels that are
close in time (across berths), putting each back where it costs least, or moves two to four random
vessels (half the time each), and descends with relocations, cross-berth swaps and tail exchanges;
the result is kept if it is no worse than the plan of some iterations ago (late acceptance). After a
kick only the vessels on the touched berths are looked at again until the descent ends. A search
that stops improving starts again from the given plan.

The moves run compiled (``search_kernels``); this module holds the state, the clock and the
exchange with other processes, in slices of a few milliseconds of compiled work.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import numpy as np

from landbridge.planning.berth import search_kernels as kernels
from landbridge.planning.berth.greedy import Assignment
from landbridge.planning.berth.problem import BerthInstance

_log = logging.getLogger(__name__)

ACCEPTANCE_HISTORY = 10
"""Late acceptance: a new local optimum is kept if no worse than the one this many iterations ago.
1 (only improvements) and 100 were worse on f60x7 with the interpreted search (0.12 % and 0.22 %
against 0.07–0.10 %)."""
SLICE_S = 0.02
"""Compiled work between two looks at the clock: short enough to keep the time limit and the
exchange period, long enough that the call overhead does not count."""

Exchange = Callable[[list[Assignment], int], list[Assignment] | None]
"""Called every ``EXCHANGE_EVERY_S`` with the best plan and its cost; returns a better plan found
elsewhere (the search continues from it) or None."""
EXCHANGE_EVERY_S = 0.25
RESTART_AFTER_S = 1.5
"""A search that has not improved its best plan for this long starts again from the given plan (the
random stream goes on, so it takes another path)."""

# The same three periods counted in kicks, for a search bounded by work instead of time
# (``kick_budget``): about what a loaded 2-core machine does in those times (~2,000 kicks/s on
# f30x3), so a kick-bounded search behaves like a timed one but gives the same plan on any machine.
KICK_SLICE = 50
EXCHANGE_EVERY_KICKS = 500
RESTART_AFTER_KICKS = 3_000


class _State:
    """Instance tables and the current berth sequences, completions and costs as arrays for the kernels
    (the accepted and best sequences are copies kept by ``local_search``)."""

    def __init__(self, instance: BerthInstance) -> None:
        vessels, berths = instance.vessel_count, instance.berth_count
        self.arrival = np.array(instance.arrival_times, dtype=np.int64)
        self.opening = np.array(instance.opening_times, dtype=np.int64)
        self.handling = np.array([[h or 0 for h in row] for row in instance.handling_times], dtype=np.int64)
        self.latest = np.array(
            [
                [
                    -1 if instance.handling_times[v][b] is None else (instance.latest_start(v, b) or 0)
                    for b in range(berths)
                ]
                for v in range(vessels)
            ],
            dtype=np.int64,
        )
        self.seq = np.zeros((berths, vessels + 1), dtype=np.int64)
        self.count = np.zeros(berths, dtype=np.int64)
        self.ends = np.zeros((berths, vessels + 1), dtype=np.int64)
        self.costs = np.zeros(berths, dtype=np.int64)
        self.berth_of = np.zeros(vessels, dtype=np.int64)

    def load(self, plan: list[Assignment]) -> None:
        """Make the plan the current state: sequences in start order, completions recomputed."""
        self.count[:] = 0
        for vessel in sorted(range(len(plan)), key=lambda v: plan[v][1]):
            berth = plan[vessel][0]
            self.seq[berth, self.count[berth]] = vessel
            self.count[berth] += 1
        for berth in range(len(self.count)):
            kernels.refresh(
                berth,
                self.seq,
                self.count,
                self.ends,
                self.costs,
                self.berth_of,
                self.arrival,
                self.opening,
                self.handling,
            )

    def descend_all(self) -> None:
        """Descend from the loaded plan looking at every berth."""
        touched = np.ones(len(self.count), dtype=np.bool_)
        kernels.descend(
            touched,
            self.seq,
            self.count,
            self.ends,
            self.costs,
            self.berth_of,
            self.arrival,
            self.opening,
            self.latest,
            self.handling,
        )

    def plan_of(self, seq: np.ndarray, count: np.ndarray) -> list[Assignment]:
        """(berth, start) per vessel of saved sequences, served left-shifted."""
        plan: list[Assignment] = [(0, 0)] * len(self.arrival)
        for berth in range(len(count)):
            now = int(self.opening[berth])
            for vessel in seq[berth, : count[berth]].tolist():
                start = max(now, int(self.arrival[vessel]))
                plan[vessel] = (berth, start)
                now = start + int(self.handling[vessel, berth])
        return plan


_compiled = False


def ensure_compiled() -> None:
    """Compile the kernels (or load them from Numba's on-disk cache) before any clock starts.

    The first compilation after an install or a change takes several seconds; a time-limited
    search must not spend its budget on it. Later processes load the cache in a fraction of a second.
    """
    global _compiled
    if _compiled:
        return
    _compiled = True
    tiny = BerthInstance(
        name="warm-up",
        arrival_times=(0, 1, 2),
        opening_times=(0, 0),
        closing_times=(50, 50),
        handling_times=((3, 4), (2, None), (5, 5)),
        deadlines=(50, 50, 50),
    )
    state = _State(tiny)
    state.load([(0, 0), (0, 3), (1, 2)])
    state.descend_all()
    total = int(state.costs.sum())
    kernels.iterate(
        3,
        np.zeros(1, dtype=np.uint64),
        np.array([total, total, 0], dtype=np.int64),
        np.full(ACCEPTANCE_HISTORY, total, dtype=np.int64),
        state.seq,
        state.count,
        state.ends,
        state.costs,
        state.berth_of,
        state.seq.copy(),
        state.count.copy(),
        state.seq.copy(),
        state.count.copy(),
        np.zeros((3, 2, 51), dtype=np.uint8),
        state.arrival,
        state.opening,
        state.latest,
        state.handling,
    )


def local_search(
    instance: BerthInstance,
    plan: list[Assignment],
    seed: int,
    time_budget_s: float,
    visited: set[tuple[int, int, int]] | None = None,
    exchange: Exchange | None = None,
    stop_when: Callable[[int], bool] | None = None,
    kick_budget: int | None = None,
) -> list[Assignment]:
    """Improve a feasible plan within the time budget; returns the best plan found.

    The same seed and start give the same sequence of iterations; how many run depends on the time
    budget and the machine. With ``kick_budget`` the search counts its work instead of the clock:
    it stops after that many kicks, restarts and exchanges every so many kicks, and so returns the
    same plan on any machine, however loaded (``time_budget_s`` then only caps a runaway).

    If ``visited`` is given, the (vessel, berth, start) of every local
    optimum reached is added to it: good columns to seed the time-indexed LP with. ``exchange`` lets
    a long search share plans with others without restarting: on f60x7, restarting every 0.25 s
    from the best plan (the search process's former rounds) left a mean gap of 0.14 % where one
    uninterrupted search left 0.09 %. ``stop_when`` is asked every ``EXCHANGE_EVERY_S`` with the
    best cost so far and ends the search early when it answers True.
    """
    ensure_compiled()
    deadline = time.monotonic() + time_budget_s
    state = _State(instance)
    rng = np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64)
    horizon = max([*instance.closing_times, *(s for _, s in plan)]) + 1
    marks = np.zeros(
        (instance.vessel_count, instance.berth_count, horizon) if visited is not None else (0, 0, 0), dtype=np.uint8
    )

    def restart(
        start: list[Assignment],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Descend from a plan; returns counters, history and the accepted and best sequences."""
        state.load(start)
        state.descend_all()
        total = int(state.costs.sum())
        counters = np.array([total, total, 0], dtype=np.int64)
        history = np.full(ACCEPTANCE_HISTORY, total, dtype=np.int64)
        return counters, history, state.seq.copy(), state.count.copy(), state.seq.copy(), state.count.copy()

    counters, history, current_seq, current_count, best_seq, best_count = restart(plan)
    overall_cost, overall_seq, overall_count = int(counters[0]), best_seq.copy(), best_count.copy()
    iterations = 1
    kicks = 0
    restarts = 0
    counting = kick_budget is not None

    def clock() -> float:
        """Progress in the budget's unit: kicks done, or seconds."""
        return float(kicks) if counting else time.monotonic()

    limit = float(kick_budget) if kick_budget is not None else deadline
    exchange_every = EXCHANGE_EVERY_KICKS if counting else EXCHANGE_EVERY_S
    restart_after = RESTART_AFTER_KICKS if counting else RESTART_AFTER_S
    next_exchange = clock() + exchange_every
    last_improvement, run_best = clock(), overall_cost
    while (now := clock()) < limit and (not counting or time.monotonic() < deadline):
        if counting:
            iterations = min(KICK_SLICE, int(limit - now))
        if (exchange is not None or stop_when is not None) and now >= next_exchange:
            next_exchange = now + exchange_every
            if stop_when is not None and stop_when(overall_cost):
                break
            offered = exchange(state.plan_of(overall_seq, overall_count), overall_cost) if exchange else None
            if offered is not None:
                counters, history, current_seq, current_count, best_seq, best_count = restart(offered)
                last_improvement, run_best = now, int(counters[0])
        elif now - last_improvement > restart_after:
            counters, history, current_seq, current_count, best_seq, best_count = restart(plan)
            last_improvement, run_best = now, int(counters[0])
            restarts += 1
        kernels.iterate(
            iterations,
            rng,
            counters,
            history,
            state.seq,
            state.count,
            state.ends,
            state.costs,
            state.berth_of,
            current_seq,
            current_count,
            best_seq,
            best_count,
            marks,
            state.arrival,
            state.opening,
            state.latest,
            state.handling,
        )
        kicks += iterations
        if counters[0] < run_best:
            last_improvement, run_best = clock(), int(counters[0])
        if counters[0] < overall_cost:
            overall_cost, overall_seq, overall_count = int(counters[0]), best_seq.copy(), best_count.copy()
        if counting:
            continue
        took = time.monotonic() - now
        # Aim each slice at SLICE_S of work; at most double at a time, so one slow slice stays short.
        iterations = max(1, min(2 * iterations, int(iterations * SLICE_S / took) if took > 0 else 2 * iterations))
    _log.debug(
        "%s: %d kicks and %d restarts in %.2f s, best %d", instance.name, kicks, restarts, time_budget_s, overall_cost
    )
    if visited is not None:
        visited.update((int(v), int(b), int(s)) for v, b, s in zip(*np.nonzero(marks), strict=True))
    return state.plan_of(overall_seq, overall_count)
