"""DBAP solver: heuristic incumbent, column-generated time-indexed LP bound, then an exact restricted MIP.

Phases and why:
1. insertion + iterated local search gives a plan within a few percent in well under a second;
2. the time-indexed LP (column generation) gives a bound that is usually within 0.2 % of optimal;
3. the LP solution is rounded into berth sequences and polished by local search (better incumbent);
4. reduced-cost fixing keeps only columns that can appear in a plan better than the incumbent, and a
   MIP over those proves optimality or finds the optimum. If too many columns survive, a MIP over the
   cheapest columns is used as a heuristic first, and fixing is repeated with the improved incumbent;
   if that MIP stalls, this process searches locally too until the exact MIP becomes small enough.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from landbridge.planning.berth.greedy import Assignment, best_greedy_plan, total_service_time
from landbridge.planning.berth.local_search import ensure_compiled, local_search
from landbridge.planning.berth.problem import BerthInstance
from landbridge.planning.berth.search_process import SearchProcess
from landbridge.planning.berth.timeindexed import (
    EPSILON,
    Column,
    LpBound,
    TimeIndexedModel,
    columns_within,
    solve_lp_by_column_generation,
    solve_restricted_mip,
    sorted_reduced_costs,
)
from landbridge.planning.common import SolveResult, SolveStatus, require_positive_time_limit

_log = logging.getLogger(__name__)

_SEARCH_MIN_VESSELS = 15
"""Below this many vessels the LP proves the plan before a second process would have started."""
SEARCH_WORKERS = 2
"""Processes the solver may use: with 2, iterated local search runs in a second process for the whole
time limit (see ``search_process``) while this one solves the LP and the MIPs."""
HEURISTIC_SHARE = 0.5
"""Share of the remaining time a heuristic (small-slack) MIP may take before the slack is widened."""
_MAX_EXACT_COLUMNS = 12000
"""Above this many surviving columns the exact MIP rarely closes in seconds; improve the incumbent first."""


def _plan_json(instance: BerthInstance, plan: list[Assignment]) -> dict[str, Any]:
    return {
        "assignments": [
            {"vessel": vessel, "berth": berth, "start": start} for vessel, (berth, start) in enumerate(plan)
        ]
    }


def _columns_to_plan(instance: BerthInstance, columns: list[Column]) -> list[Assignment]:
    plan: list[Assignment] = [(0, 0)] * instance.vessel_count
    for column in columns:
        plan[column.vessel] = (column.berth, column.start)
    return plan


def _round_lp(instance: BerthInstance, lp: LpBound) -> list[Assignment] | None:
    """Berth of largest LP weight per vessel, sequenced by LP mean start, served left-shifted."""
    weight: dict[tuple[int, int], float] = {}
    start_sum: dict[int, float] = {}
    for column, value in lp.primal.items():
        key = (column.vessel, column.berth)
        weight[key] = weight.get(key, 0.0) + value
        start_sum[column.vessel] = start_sum.get(column.vessel, 0.0) + value * column.start
    sequences: list[list[int]] = [[] for _ in range(instance.berth_count)]
    order = sorted(range(instance.vessel_count), key=lambda v: start_sum.get(v, math.inf))
    for vessel in order:
        options = [
            (weight.get((vessel, b), 0.0), -b) for b in range(instance.berth_count) if instance.is_allowed(vessel, b)
        ]
        if not options:
            return None
        sequences[-max(options)[1]].append(vessel)
    plan: list[Assignment] = [(0, 0)] * instance.vessel_count
    for berth, sequence in enumerate(sequences):
        now = instance.opening_times[berth]
        for vessel in sequence:
            handling = instance.handling_times[vessel][berth]
            latest = instance.latest_start(vessel, berth)
            assert handling is not None and latest is not None
            start = max(now, instance.arrival_times[vessel])
            if start > latest:
                return None
            plan[vessel] = (berth, start)
            now = start + handling
    return plan


class _Feed:
    """Callbacks of one restricted MIP: pass it the search process's plans; stop a heuristic round early.

    A heuristic (small-slack) MIP is interrupted once the incumbent has improved since it started
    and the exact MIP for the new incumbent fits in ``_MAX_EXACT_COLUMNS``: the exact MIP is the one
    that can prove optimality, and it shrinks with every improvement.
    """

    def __init__(self, best: _Incumbent, exact: bool, exact_size: Callable[[float], int]) -> None:
        self._best = best
        self._exact = exact
        self._exact_size = exact_size
        self._started_at = best.cost
        self.interrupted = False

    def better_plan(self, than: float) -> list[Column] | None:
        self._best.absorb()
        return self._best.columns() if self._best.cost < than - 0.5 else None

    def interrupt(self, primal_bound: float) -> bool:
        if self._exact:
            return False
        self._best.absorb()
        cost = min(self._best.cost, primal_bound)
        if cost < self._started_at and self._exact_size(cost) <= _MAX_EXACT_COLUMNS:
            self.interrupted = True
        return self.interrupted


class _Incumbent:
    """Best plan known, fed by the local search here, the search process and the MIPs."""

    def __init__(self, instance: BerthInstance, plan: list[Assignment] | None, searcher: SearchProcess | None) -> None:
        self.instance = instance
        self.plan = plan
        self.cost: float = total_service_time(instance, plan) if plan is not None else math.inf
        self.searcher = searcher

    def offer(self, plan: list[Assignment], cost: float) -> None:
        """Keep the plan if it is better; pass it on to the search process."""
        if cost < self.cost:
            self.plan, self.cost = plan, cost
            if self.searcher is not None:
                self.searcher.offer(plan)

    def absorb(self) -> None:
        """Take the search process's best plan if it beats ours."""
        if self.searcher is not None:
            plan, cost = self.searcher.best()
            if cost < self.cost:
                self.plan, self.cost = plan, cost

    def columns(self) -> list[Column]:
        return [Column(v, b, s) for v, (b, s) in enumerate(self.plan)] if self.plan is not None else []


def solve_berth(instance: BerthInstance, time_limit_s: float, seed: int, workers: int | None = None) -> SolveResult:
    """Minimise Σ(completion − arrival) within the time limit; status says whether it is proven.

    With ``workers`` = 1 everything runs in this process, and the same seed gives the same plan when
    the search is not cut short by the time limit; with 2 (default: ``SEARCH_WORKERS``) the plan can
    depend on timing.
    """
    workers = SEARCH_WORKERS if workers is None else workers
    require_positive_time_limit(time_limit_s)
    ensure_compiled()  # once per process, before the clock: a cold Numba cache costs seconds
    began = time.monotonic()
    deadline = began + time_limit_s
    greedy = best_greedy_plan(instance, seed)
    searcher = None
    big_enough = instance.vessel_count >= _SEARCH_MIN_VESSELS and time_limit_s >= 1.0
    if greedy is not None and workers > 1 and big_enough:
        searcher = SearchProcess(instance, greedy, seed, time_limit_s - 0.2)
    proven = False
    try:
        best = _Incumbent(instance, greedy, searcher)
        lower_bound, proven = _solve(instance, best, seed, began, deadline)
    finally:
        if searcher is not None:
            # A proven plan needs nothing more from the search: end it at once. Otherwise its own
            # deadline (0.2 s before ours) has passed or is close: wait for its last plan, not past ours.
            searcher.stop(wait_s=0.0 if proven else deadline - time.monotonic())
    best.absorb()
    proven = proven or best.cost <= lower_bound
    runtime = time.monotonic() - began
    if best.plan is None:
        if proven:
            return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, runtime)
        return SolveResult(instance.name, SolveStatus.TIMEOUT, None, int(lower_bound) or None, {}, runtime)
    if proven:
        lower_bound = best.cost
    status = SolveStatus.OPTIMAL if proven else SolveStatus.FEASIBLE
    return SolveResult(
        instance.name, status, int(best.cost), int(lower_bound), _plan_json(instance, best.plan), runtime
    )


def _solve(instance: BerthInstance, best: _Incumbent, seed: int, began: float, deadline: float) -> tuple[float, bool]:
    """Local search, LP bound, then MIPs; returns (lower bound, proven). Improves ``best`` in place."""
    time_limit_s = deadline - began

    def remaining() -> float:
        return max(0.0, deadline - time.monotonic())

    visited: set[tuple[int, int, int]] = set()
    if best.plan is not None:
        own_share = 0.05 if best.searcher is not None else 0.1
        plan = local_search(instance, best.plan, seed, own_share * time_limit_s, visited)
        best.offer(plan, total_service_time(instance, plan))
    model = TimeIndexedModel(instance)
    # Columns of every local optimum the search visited: the LP's support tends to be among them.
    seed_columns = best.columns() + [Column(v, b, s) for v, b, s in sorted(visited)]
    lp = solve_lp_by_column_generation(model, seed_columns, began + 0.75 * time_limit_s, seed)
    best.absorb()
    _log.debug(
        "%s: local search %s, LP %.2f converged=%s after %.2fs",
        instance.name,
        best.cost,
        lp.value,
        lp.converged,
        time.monotonic() - began,
    )
    if lp.converged and lp.artificial_used:
        return math.inf, True  # the LP cannot serve every vessel: no plan exists at all
    if lp.value == -math.inf:
        return 0.0, False
    lower_bound = float(max(0, math.ceil(lp.value - 1e-6)))
    rounded = _round_lp(instance, lp)
    if rounded is not None:
        rounded = local_search(instance, rounded, seed, 0.05 * time_limit_s)
        best.offer(rounded, total_service_time(instance, rounded))
    proven = best.cost <= lower_bound
    # Heuristic MIPs over the cheapest columns first: measured on f30x3-01 and f40x7-04, the MIP
    # over columns with reduced cost <= 1 finds the optimum in ~2 s, while the exact MIP over the
    # 4-12k columns left by a local-search incumbent can take 5-30 s. Then the exact MIP.
    reduced_costs = sorted_reduced_costs(model, lp)

    def exact_size(cost: float) -> int:
        """Columns an exact MIP needs to prove or beat a plan of this cost (reduced-cost fixing)."""
        return int(np.searchsorted(reduced_costs, cost - 1 - lp.value + 1e-6, side="right"))

    slack = 1.0
    heuristic_done = False
    stalled = False
    own_plan = rounded
    while not proven and remaining() > 0.2:
        best.absorb()
        if best.cost <= lower_bound:
            return lower_bound, True
        gap = (best.cost - 1 - lp.value) if best.plan is not None else math.inf
        small = exact_size(best.cost) <= _MAX_EXACT_COLUMNS
        # With columns_within's tolerance: the LP value is a float (3975.99999999999 on f60x7-09), and
        # the columns within the slack hold every column within the gap once gap <= slack + EPSILON;
        # without it the same set was solved twice, as heuristic and then as exact.
        exact = gap <= slack + EPSILON or (small and heuristic_done)
        if stalled and not exact and best.plan is not None:
            # The MIP over the cheapest columns stalled at its root (f60x7: 10k columns, no node and no
            # better plan in 8 s): a second local-search trajectory is worth more than a larger MIP.
            # It starts from its own plan (the rounded LP plan), not the shared best, so that the two
            # processes search different basins, and it runs with restarts until the incumbent (its
            # own or the search process's) makes the exact MIP small enough.
            def exact_possible(own_cost: int) -> bool:
                best.absorb()
                return exact_size(min(best.cost, own_cost)) <= _MAX_EXACT_COLUMNS

            own_plan = local_search(
                instance, own_plan or best.plan, seed + 1, remaining() - 0.1, stop_when=exact_possible
            )
            best.offer(own_plan, total_service_time(instance, own_plan))
            stalled = False
            continue
        used_slack = gap if exact else slack
        columns = columns_within(model, lp, used_slack)
        # Leave a little time for building the model and writing the plan, and for HiGHS, which
        # returns up to ~0.1 s after its time limit (f60x7-03: limit at 9.9 s, back at 10.0 s). A
        # heuristic round gets all of it unless an exact MIP is already possible; it is interrupted as
        # soon as a better plan (its own or the search process's) makes the exact MIP small enough.
        budget = remaining() - 0.25
        if not exact:
            budget = min(budget, max(1.0, HEURISTIC_SHARE * remaining()))
        feed = _Feed(best, exact, exact_size)
        outcome = solve_restricted_mip(model, columns, best.columns() or None, time.monotonic() + budget, seed, feed)
        _log.debug(
            "%s: MIP on %d columns (slack %.1f, exact=%s): %s bound %.1f finished=%s at %.2fs",
            instance.name,
            len(columns),
            used_slack,
            exact,
            outcome.value,
            outcome.bound,
            outcome.finished,
            time.monotonic() - began,
        )
        if outcome.columns is not None and outcome.value is not None:
            best.offer(_columns_to_plan(instance, outcome.columns), outcome.value)
        # A plan's cost is the LP bound plus the sum of its columns' reduced costs (all >= 0), so a
        # plan using a column left out (reduced cost > used_slack) costs more than lp.value +
        # used_slack; plans inside the column set cost at least the MIP's bound. The smaller of
        # the two is a global bound, also for the small heuristic MIPs and when the MIP stops early.
        outside = math.floor(lp.value + used_slack + 1e-7) + 1
        inside: float
        if math.isfinite(outcome.bound):
            inside = math.ceil(outcome.bound - 1e-6)
        else:
            inside = math.inf if outcome.bound > 0 else -math.inf  # +inf: no plan in the set
        lower_bound = max(lower_bound, min(inside, outside, best.cost))
        proven = best.cost <= lower_bound
        if exact:
            # Every plan better than the incumbent lives in this column set (outside = best cost).
            proven = proven or outcome.finished
            break
        heuristic_done = True
        # Ran out of its budget without finishing and without making the exact MIP possible: a larger
        # heuristic MIP would fare worse.
        stalled = not outcome.finished and not feed.interrupted
        if not feed.interrupted:
            slack *= 2
    return lower_bound, proven
