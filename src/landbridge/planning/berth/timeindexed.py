"""Time-indexed DBAP formulation solved by column generation, reduced-cost fixing and a small MIP.

Why this shape: the full time-indexed model (x[vessel, berth, start]) has the strongest known LP
bound for Σ(completion − arrival), but on 60 vessels × 7 berths × 600 periods it holds ~250k columns
and millions of non-zeros. We never build it. The LP is solved by column generation (pricing every
(vessel, berth, start) is a vectorised difference of node potentials), and its duals then prove
that all but a few thousand columns cannot appear in any plan better than the incumbent. The MIP over
those survivors is therefore exact, and small enough for HiGHS to close in seconds.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import highspy
import numpy as np
import numpy.typing as npt

from landbridge.planning.berth.problem import BerthInstance
from landbridge.planning.highs import new_highs

_ARTIFICIAL_COST = 1.0e7
"""Cost of the per-vessel artificial column that keeps the master feasible before pricing."""
EPSILON = 1.0e-6
"""Tolerance on LP values and reduced costs: `columns_within` keeps columns up to slack + EPSILON,
and `solve.py` counts a gap within slack + EPSILON as covered by that slack."""
MASTER_SOLVER = "simplex"
"""LP method for the restricted master: "simplex" (warm-started primal) or "ipm"."""
MIP_LP_SOLVER = "ipm"
"""LP method HiGHS uses inside the restricted MIP. The time-indexed LP is very degenerate: on f60x7-01
(11k columns) dual simplex needed 35k iterations and 5.6 s for the root, interior point 0.8 s; with it
f55x5-01 is proven in 6.8 s where the default ("choose") had not finished the root after 8 s."""
AGGREGATE_TWINS = True
"""Whether the column-generation LP and the restricted MIPs merge twin vessels (see
``BerthInstance.twin_representatives``)."""
AGGREGATE_BERTHS = True
"""Whether the restricted MIPs merge identical berths (``BerthInstance.identical_berth_representatives``)
into one flow network carrying one unit per berth. The LP keeps them apart (same value either way).
Measured on f60x7-02 over the exact column set of a 4,147 plan (17.1k columns, seeds 1–3, one core
each): 4,146 found after 5.2–12.3 s and proven after 15.7–37.4 s, against 9.7–12.2 s and 29.3–38.0 s
with the berths apart."""
COLUMNS_PER_PAIR = 3
"""Columns added per (vessel, berth) and pricing round."""
_SMOOTHING = 0.0
"""Weight of the stability centre in smoothed pricing. Measured on f40x7-01: 0.5 and 0.8 need 43 and
118 pricing rounds against 12 without smoothing, so it is off; kept for instances where duals oscillate."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Column:
    """One time-indexed variable: vessel served at berth from start."""

    vessel: int
    berth: int
    start: int


def _silent_highs(time_limit_s: float, seed: int) -> highspy.Highs:
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", seed)
    highs.setOptionValue("time_limit", max(time_limit_s, 0.01))
    return highs


class TimeIndexedModel:
    """Row layout, costs and pricing of the time-indexed formulation for one instance."""

    def __init__(self, instance: BerthInstance) -> None:
        self.instance = instance
        n = instance.vessel_count
        # Flow layout for the LP: one node per period boundary open..close of each berth. A berth
        # schedule is a path from its opening to its closing node made of vessel arcs (s -> s + p)
        # and idle arcs (t -> t + 1). Same LP bound as the capacity rows (the interval matrix is
        # turned into a network matrix by differencing rows), but 3 non-zeros per column instead of
        # 1 + p, which makes each simplex iteration several times cheaper.
        self.flow_offset: list[int] = []
        offset = n
        for berth in range(instance.berth_count):
            self.flow_offset.append(offset)
            offset += max(0, instance.closing_times[berth] - instance.opening_times[berth]) + 1
        self.flow_row_count = offset
        rhs = np.zeros(offset)
        rhs[:n] = 1.0
        for berth in range(instance.berth_count):
            horizon = max(0, instance.closing_times[berth] - instance.opening_times[berth])
            rhs[self.flow_offset[berth]] += 1.0
            rhs[self.flow_offset[berth] + horizon] -= 1.0
        self.flow_rhs = rhs

    def cost(self, column: Column) -> int:
        """Completion minus arrival of the vessel if served as the column says."""
        handling = self.instance.handling_times[column.vessel][column.berth]
        assert handling is not None
        return column.start + handling - self.instance.arrival_times[column.vessel]

    def flow_rows(self, column: Column) -> tuple[int, int, int]:
        """Vessel row, tail node row (+1) and head node row (−1) of the column's arc."""
        handling = self.instance.handling_times[column.vessel][column.berth]
        assert handling is not None
        tail = self.flow_offset[column.berth] + column.start - self.instance.opening_times[column.berth]
        return column.vessel, tail, tail + handling

    def horizon(self, berth: int) -> int:
        """Periods between the berth's opening and closing."""
        return max(0, self.instance.closing_times[berth] - self.instance.opening_times[berth])

    def reduced_costs(self, berth: int, vessel_duals: FloatArray, flow_duals: FloatArray) -> FloatArray:
        """Reduced cost of every (vessel, start) at one berth; +inf where the column does not exist.

        Index [vessel, start - opening]. With node potentials φ the reduced cost of arc s -> s + p is
        cost − π(vessel) − φ(s) + φ(s + p): O(N × T) numpy work, no Python loop over periods.
        """
        instance = self.instance
        opening = instance.opening_times[berth]
        horizon = self.horizon(berth)
        potential = flow_duals[self.flow_offset[berth] : self.flow_offset[berth] + horizon + 1]
        offsets = np.arange(horizon, dtype=np.int64)
        result = np.full((instance.vessel_count, horizon), np.inf)
        for vessel in range(instance.vessel_count):
            handling = instance.handling_times[vessel][berth]
            latest = instance.latest_start(vessel, berth)
            if handling is None or latest is None:
                continue
            first = instance.earliest_start(vessel, berth) - opening
            last = latest - opening
            if last < first:
                continue
            window = offsets[first : last + 1]
            cost = window + opening + handling - instance.arrival_times[vessel]
            result[vessel, first : last + 1] = (
                cost - vessel_duals[vessel] - potential[window] + potential[window + handling]
            )
        return result

    def idle_reduced_costs(self, berth: int, flow_duals: FloatArray) -> FloatArray:
        """Reduced cost of the idle arcs t -> t + 1 of one berth (cost 0)."""
        horizon = self.horizon(berth)
        potential = flow_duals[self.flow_offset[berth] : self.flow_offset[berth] + horizon + 1]
        result: FloatArray = potential[1:] - potential[:-1]
        return result


@dataclass
class LpBound:
    """Outcome of the column-generation LP: its value, duals, and whether it converged."""

    value: float
    """A valid lower bound: the LP optimum once converged, a Lagrangian bound before."""
    converged: bool
    vessel_duals: FloatArray
    row_duals: FloatArray
    artificial_used: bool
    primal: dict[Column, float]
    """Positive LP values of real columns, for rounding heuristics."""


def _twin_kinds(instance: BerthInstance) -> tuple[tuple[int, ...], dict[int, list[int]]]:
    """Each vessel's kind (its first twin, or itself when ``AGGREGATE_TWINS`` is off) and the vessels
    of each kind, kinds in ascending order: the LP and the MIPs merge twins the same way."""
    twin = instance.twin_representatives() if AGGREGATE_TWINS else tuple(range(instance.vessel_count))
    return twin, _members(twin)


def _members(representatives: tuple[int, ...]) -> dict[int, list[int]]:
    """The positions each representative stands for, representatives in ascending order."""
    members: dict[int, list[int]] = {}
    for position, representative in enumerate(representatives):
        members.setdefault(representative, []).append(position)
    return members


def _as_kind(twin: tuple[int, ...], column: Column) -> Column:
    """The column of the vessel's kind at the same berth and start."""
    return Column(twin[column.vessel], column.berth, column.start)


def solve_lp_by_column_generation(
    model: TimeIndexedModel, seed_columns: list[Column], deadline: float, seed: int
) -> LpBound:
    """Column generation on the time-indexed LP; returns the bound once no column prices out."""
    instance = model.instance
    n = instance.vessel_count
    highs = _silent_highs(max(deadline - time.monotonic(), 0.01), seed)
    highs.setOptionValue("presolve", "off")
    if MASTER_SOLVER == "ipm":
        # Interior-point duals sit in the middle of the dual face: pricing with them oscillates less.
        highs.setOptionValue("solver", "ipm")
        highs.setOptionValue("run_crossover", "off")
    else:
        # Primal simplex: new columns keep the basis primal feasible, so re-solves are warm.
        highs.setOptionValue("solver", "simplex")
        highs.setOptionValue("simplex_strategy", 4)
    # Twins share the row of their first vessel, which asks for all of them; the others' rows ask
    # for none and get no columns (a smaller, less symmetric master; the same LP value).
    twin, members = _twin_kinds(instance)
    rhs = model.flow_rhs.copy()
    rhs[:n] = [len(members[v]) if twin[v] == v else 0 for v in range(n)]
    highs.addRows(
        model.flow_row_count,
        rhs,
        rhs,
        0,
        np.array([], dtype=np.int32),
        np.array([], dtype=np.int32),
        np.array([], dtype=np.float64),
    )
    # Artificial columns: one per vessel, so the master is feasible before any real column exists.
    highs.addCols(
        n,
        np.full(n, _ARTIFICIAL_COST),
        np.zeros(n),
        np.full(n, highspy.kHighsInf),
        n,
        np.arange(n, dtype=np.int32),
        np.arange(n, dtype=np.int32),
        np.ones(n),
    )
    # Idle arcs t -> t + 1 of every berth, all present from the start.
    idle_index: list[int] = []
    idle_value: list[float] = []
    for berth in range(instance.berth_count):
        for period in range(model.horizon(berth)):
            node = model.flow_offset[berth] + period
            idle_index += [node, node + 1]
            idle_value += [1.0, -1.0]
    idle_count = len(idle_index) // 2
    highs.addCols(
        idle_count,
        np.zeros(idle_count),
        np.zeros(idle_count),
        np.full(idle_count, highspy.kHighsInf),
        len(idle_index),
        np.arange(0, len(idle_index), 2, dtype=np.int32),
        np.array(idle_index, dtype=np.int32),
        np.array(idle_value),
    )
    first_real = n + idle_count
    known: list[Column] = []
    known_set: set[Column] = set()

    def add(columns: list[Column]) -> None:
        fresh = [c for c in dict.fromkeys(_as_kind(twin, c) for c in columns) if c not in known_set]
        if not fresh:
            return
        known.extend(fresh)
        known_set.update(fresh)
        indices: list[int] = []
        for column in fresh:
            indices.extend(model.flow_rows(column))
        count = len(fresh)
        highs.addCols(
            count,
            np.array([float(model.cost(c)) for c in fresh]),
            np.zeros(count),
            np.full(count, highspy.kHighsInf),
            len(indices),
            np.arange(0, len(indices), 3, dtype=np.int32),
            np.array(indices, dtype=np.int32),
            np.tile([1.0, 1.0, -1.0], count),
        )

    def price(duals: FloatArray) -> tuple[list[Column], float, FloatArray]:
        """Negative-reduced-cost columns at these duals, their Lagrangian bound and shifted vessel duals.

        The dual objective is duals · right-hand sides. Each vessel uses one column, so shifting its
        dual by its most negative reduced cost makes every reduced cost non-negative and turns that
        objective into a valid (Lagrangian) bound even before convergence.
        """
        vessel_duals = duals[:n][list(twin)]  # a twin prices at its kind's dual
        most_negative = np.zeros(n)
        found: list[Column] = []
        for berth in range(instance.berth_count):
            reduced = model.reduced_costs(berth, vessel_duals, duals)
            if reduced.shape[1]:
                most_negative = np.minimum(most_negative, reduced.min(axis=1))
            for vessel in members:
                row = reduced[vessel]
                # A few of the most negative starts per (vessel, berth): enough to move the LP
                # quickly without flooding the master with near-duplicate columns.
                take = min(COLUMNS_PER_PAIR, row.size)
                candidates = np.argpartition(row, take - 1)[:take] if take > 0 else np.arange(0)
                for offset in candidates:
                    if row[offset] < -EPSILON:
                        found.append(Column(vessel, berth, int(offset) + instance.opening_times[berth]))
        # Idle arcs are all in the master, so their reduced costs are >= 0 at its optimum; counted
        # anyway so that the bound stays valid at smoothed or early-stopped duals.
        idle = sum(
            float(np.minimum(model.idle_reduced_costs(b, duals), 0.0).sum()) for b in range(instance.berth_count)
        )
        bound = float(duals @ rhs + most_negative.sum()) + idle
        return found, bound, vessel_duals + most_negative

    add(seed_columns)
    converged = False
    best: LpBound | None = None
    center: FloatArray | None = None
    while time.monotonic() < deadline:
        # HiGHS counts its time limit over the object's whole life, so extend it by what is left.
        highs.setOptionValue("time_limit", highs.getRunTime() + max(deadline - time.monotonic(), 0.01))
        highs.run()
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        solution = highs.getSolution()
        duals = np.array(solution.row_dual, dtype=np.float64)
        values = np.array(solution.col_value, dtype=np.float64)
        master_value = float(highs.getInfo().objective_function_value)
        primal = {
            Column(vessel, c.berth, c.start): float(v) / len(members[c.vessel])
            for c, v in zip(known, values[first_real:], strict=False)
            if v > EPSILON
            for vessel in members[c.vessel]
        }
        artificial = bool(values[:n].sum() > EPSILON)
        # Wentges smoothing: price at a point between the best-bound duals and the master's duals,
        # which damps the dual oscillation that makes plain column generation tail off slowly.
        trial = duals if center is None else _SMOOTHING * center + (1 - _SMOOTHING) * duals
        new_columns, bound, shifted = price(trial)
        if not new_columns and center is not None:
            trial = duals
            new_columns, bound, shifted = price(duals)
        if best is None or bound > best.value:
            center = trial
            best = LpBound(bound, False, shifted, np.concatenate((shifted, trial[n:])), artificial, primal)
        else:
            best.primal, best.artificial_used = primal, artificial
        # The objective is integral, so once ⌈bound⌉ reaches ⌈master value⌉ (an upper bound on the LP
        # optimum) more columns cannot raise the rounded bound: stop, the tail is pure cost.
        if not new_columns or math.ceil(best.value - 1e-6) >= math.ceil(master_value - 1e-6):
            converged = True
            break
        add(new_columns)
    if best is None:
        return LpBound(-math.inf, False, np.zeros(n), np.zeros(model.flow_row_count), True, {})
    best.converged = converged
    return best


def columns_within(model: TimeIndexedModel, lp: LpBound, slack: float) -> list[Column]:
    """All columns whose reduced cost is at most ``slack`` (reduced-cost fixing removes the rest)."""
    instance = model.instance
    kept: list[Column] = []
    for berth in range(instance.berth_count):
        reduced = model.reduced_costs(berth, lp.vessel_duals, lp.row_duals)
        vessels, offsets = np.nonzero(reduced <= slack + EPSILON)
        opening = instance.opening_times[berth]
        kept.extend(Column(int(v), berth, int(o) + opening) for v, o in zip(vessels, offsets, strict=True))
    return kept


def sorted_reduced_costs(model: TimeIndexedModel, lp: LpBound) -> FloatArray:
    """Reduced cost of every existing column, sorted: how many columns any slack keeps is then a
    binary search, cheap enough to ask inside a MIP callback."""
    parts = [model.reduced_costs(b, lp.vessel_duals, lp.row_duals) for b in range(model.instance.berth_count)]
    values = np.concatenate([part[np.isfinite(part)] for part in parts]) if parts else np.zeros(0)
    return np.sort(values)


class MipFeed(Protocol):
    """What a running restricted MIP may ask of its caller through HiGHS callbacks."""

    def better_plan(self, than: float) -> list[Column] | None:
        """Columns of a plan found elsewhere that costs less than ``than``, if any."""

    def interrupt(self, primal_bound: float) -> bool:
        """True to stop this MIP now (e.g. a smaller exact MIP has become possible)."""


@dataclass
class MipOutcome:
    """Restricted MIP result: best columns found (if any), its value, its bound, and if it finished."""

    columns: list[Column] | None
    value: float | None
    bound: float
    finished: bool


def solve_restricted_mip(
    model: TimeIndexedModel,
    columns: list[Column],
    incumbent: list[Column] | None,
    deadline: float,
    seed: int,
    feed: MipFeed | None = None,
) -> MipOutcome:
    """Binary time-indexed MIP over the given columns only, started from the incumbent if given.

    Written as a compressed network flow per berth: nodes only at the start and end times of the
    given columns (plus opening and closing), idle arcs between consecutive nodes. Measured against
    capacity rows on f40x5-10 and f55x7-06 (same columns, 8 s): equal or better bounds, and it
    closed f40x5-10 where capacity rows did not. ``deadline`` is a ``time.monotonic()`` instant;
    building the model counts against it.
    """
    instance = model.instance
    # Twins (same arrival, handling and deadline) share one row "serve this many", and identical
    # berths share one flow network that carries one unit per berth: the MIP then holds no
    # permutations of either. A merged column (kind, group, start) may be used up to min(twins,
    # berths) times. Plans are assigned back afterwards: twins in start order, and the vessels of a
    # berth group to its berths by interval partitioning (the flow never has more vessels in service
    # at once than the group has berths, so a free berth always exists); any such choice costs the same.
    twin, members = _twin_kinds(instance)
    kinds = list(members)
    kind_row = {kind: row for row, kind in enumerate(kinds)}
    group_of = instance.identical_berth_representatives() if AGGREGATE_BERTHS else tuple(range(instance.berth_count))
    groups = _members(group_of)

    def merged(column: Column) -> Column:
        return Column(twin[column.vessel], group_of[column.berth], column.start)

    pool = list(dict.fromkeys(merged(c) for c in [*columns, *(incumbent or [])]))
    pool_index = {column: index for index, column in enumerate(pool)}
    handling = [instance.handling_times[c.vessel][c.berth] or 0 for c in pool]
    sets = {g: {instance.opening_times[g], instance.closing_times[g]} for g in groups}
    for column, duration in zip(pool, handling, strict=True):
        sets[column.berth].update((column.start, column.start + duration))
    node_times = {g: sorted(times) for g, times in sets.items()}
    node_row: dict[int, dict[int, int]] = {}
    offset = len(kinds)
    rhs: list[float] = [float(len(members[kind])) for kind in kinds]
    for g, times in node_times.items():
        node_row[g] = {t: offset + i for i, t in enumerate(times)}
        block = [0.0] * len(times)
        block[0] += len(groups[g])
        block[-1] -= len(groups[g])
        rhs += block
        offset += len(times)
    row_count = offset
    indices: list[int] = []
    values: list[float] = []
    costs: list[float] = []
    upper: list[float] = []
    for column, duration in zip(pool, handling, strict=True):
        rows = node_row[column.berth]
        indices += [kind_row[column.vessel], rows[column.start], rows[column.start + duration]]
        values += [1.0, 1.0, -1.0]
        costs.append(float(model.cost(column)))
        upper.append(float(min(len(members[column.vessel]), len(groups[column.berth]))))
    idle: list[tuple[int, int, int]] = []  # berth group, from time, to time
    for g, times in node_times.items():
        for a, b in itertools.pairwise(times):
            rows = node_row[g]
            indices += [rows[a], rows[b]]
            values += [1.0, -1.0]
            costs.append(0.0)
            upper.append(float(len(groups[g])))
            idle.append((g, a, b))
    count = len(pool) + len(idle)
    starts = [3 * i for i in range(len(pool))] + [3 * len(pool) + 2 * i for i in range(len(idle))]
    lp = highspy.HighsLp()
    lp.num_col_ = count
    lp.num_row_ = row_count
    lp.col_cost_ = np.array(costs)
    lp.col_lower_ = np.zeros(count)
    lp.col_upper_ = np.array(upper)
    lp.row_lower_ = np.array(rhs)
    lp.row_upper_ = np.array(rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array([*starts, len(indices)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values)
    # Idle arcs stay continuous: with integral vessel arcs the network forces them integral too.
    lp.integrality_ = [highspy.HighsVarType.kInteger] * len(pool) + [highspy.HighsVarType.kContinuous] * len(idle)
    highs = _silent_highs(1.0, seed)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1.0 - 1.0e-6)
    highs.setOptionValue("mip_lp_solver", MIP_LP_SOLVER)
    highs.passModel(lp)

    def values_of(plan: list[Column]) -> list[float]:
        """Column values of a plan: how often each merged vessel arc is used, and on each idle arc the
        berths of its group that no vessel occupies there."""
        used = [0.0] * len(pool)
        busy: dict[int, list[tuple[int, int]]] = {g: [] for g in groups}
        for c in plan:
            used[pool_index[merged(c)]] += 1.0
            busy[group_of[c.berth]].append((c.start, c.start + (instance.handling_times[c.vessel][c.berth] or 0)))
        return used + [float(len(groups[g]) - sum(1 for s, e in busy[g] if s <= a and b <= e)) for g, a, b in idle]

    if incumbent:
        start_solution = highspy.HighsSolution()
        start_solution.col_value = values_of(incumbent)
        start_solution.value_valid = True
        highs.setSolution(start_solution)
    if feed is not None:
        _attach_feed(highs, feed, lambda plan: all(merged(c) in pool_index for c in plan), values_of)
    highs.setOptionValue("time_limit", max(deadline - time.monotonic(), 0.01))
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    finished = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible)
    if status == highspy.HighsModelStatus.kInfeasible or info.primal_solution_status != 2:
        return MipOutcome(None, None, float("inf") if finished else float(info.mip_dual_bound), finished)
    solution = highs.getSolution().col_value
    served = sorted(
        (column for column, value in zip(pool, solution[: len(pool)], strict=True) for _ in range(round(value))),
        key=lambda column: column.start,
    )
    unused = {kind: iter(vessels) for kind, vessels in members.items()}
    free_from = list(instance.opening_times)
    picked: list[Column] = []
    for column in served:
        berth = next(b for b in groups[column.berth] if free_from[b] <= column.start)
        free_from[berth] = column.start + (instance.handling_times[column.vessel][berth] or 0)
        picked.append(Column(next(unused[column.vessel]), berth, column.start))
    bound = float(info.objective_function_value) if finished else float(info.mip_dual_bound)
    return MipOutcome(picked, float(sum(model.cost(c) for c in picked)), bound, finished)


def _attach_feed(
    highs: highspy.Highs,
    feed: MipFeed,
    fits: Callable[[list[Column]], bool],
    values_of: Callable[[list[Column]], list[float]],
) -> None:
    """Let the caller inject better plans (e.g. from the search process) and interrupt the MIP.

    HiGHS asks for a user solution at points of its search; a plan is passed on only if every one
    of its columns is in this MIP (reduced-cost fixing may have left some out).
    """
    offered: set[tuple[Column, ...]] = set()

    def on_user_solution(event: Any) -> None:
        primal = float(event.data_out.mip_primal_bound)
        plan = feed.better_plan(primal)
        if plan is None or not fits(plan):
            return
        key = tuple(plan)
        if key in offered:
            return
        offered.add(key)
        event.data_in.setSolution(np.array(values_of(plan)))

    def on_interrupt(event: Any) -> None:
        if feed.interrupt(float(event.data_out.mip_primal_bound)):
            event.interrupt()

    highs.cbMipUserSolution.subscribe(on_user_solution)
    highs.cbMipInterrupt.subscribe(on_interrupt)
