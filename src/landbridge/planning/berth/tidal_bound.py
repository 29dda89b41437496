"""Lower bounds for the tidal continuous-quay problem.

The quay is two-dimensional (position × time), but any plan also respects its one-dimensional
shadow: at every hour the lengths of the vessels alongside add up to at most the quay length. That
cumulative relaxation, written time-indexed over the (few hundred) tidal departure times each vessel
can use, is a MIP whose LP is strong and which HiGHS closes on many instances in a second or two.
Its optimum, or HiGHS's dual bound on it when the time runs out, is a lower bound for the real
problem. For the "Unit" classes (every vessel one third of the quay) the relaxation is exact: hours
in which at most three unit vessels are alongside can always be laid out on three berths (interval
graphs are perfect).

Extra rows make the LP tighter without cutting off any plan: at most k vessels longer than
Q/(k+1) can be alongside at once (k = 1, 2, 3).
"""

from __future__ import annotations

import time

import highspy
import numpy as np

from landbridge.planning.berth.tidal_heuristic import ScaledInstance
from landbridge.planning.highs import new_highs


def cumulative_bound(
    inst: ScaledInstance,
    lengths: tuple[float, ...],
    quay_length: float,
    time_limit_s: float,
    seed: int,
    target: int | None = None,
) -> tuple[int | None, list[int] | None]:
    """A lower bound on Σ(departure − arrival) from the time-indexed cumulative relaxation.

    ``lengths`` are the file's own (unrounded) lengths, so the bound holds for the instance as
    written and not only for the solver's rounded-up copy. ``target`` (a known plan's cost) lets
    HiGHS prune with it. Returns (bound, departures of the best relaxed solution HiGHS found or
    None); the bound is 0 when nothing useful was proven in time, and None when the relaxation has
    no solution at all, which proves that the instance has no plan.
    """
    began = time.monotonic()
    vessels = [v for v in range(len(lengths)) if lengths[v] > 0]
    constant = sum(inst.departures[v][0] - inst.arrivals[v] for v in range(len(lengths)) if lengths[v] <= 0)
    if not vessels:
        return constant, [d[0] for d in inst.departures]
    horizon_start = min(inst.departures[v][0] - inst.processing[v] for v in vessels)
    horizon_end = max(inst.departures[v][-1] for v in vessels)
    hours = horizon_end - horizon_start
    groups: list[tuple[list[int], float]] = [(vessels, quay_length)]
    for k in (1, 2, 3):
        members = [v for v in vessels if lengths[v] * (k + 1) > quay_length + 1e-9]
        if len(members) > k:
            groups.append((members, float(k)))
    row_count = len(vessels) + hours * len(groups)
    starts: list[int] = []
    indices: list[int] = []
    values: list[float] = []
    costs: list[float] = []
    owner: list[tuple[int, int]] = []
    for row, v in enumerate(vessels):
        memberships = [(g, 1.0 if g else lengths[v]) for g, (members, _) in enumerate(groups) if v in members]
        for departure in inst.departures[v]:
            starts.append(len(indices))
            owner.append((v, departure))
            costs.append(float(departure - inst.arrivals[v]))
            indices.append(row)
            values.append(1.0)
            for g, coefficient in memberships:
                base = len(vessels) + g * hours - horizon_start
                for hour in range(departure - inst.processing[v], departure):
                    indices.append(base + hour)
                    values.append(coefficient)
    count = len(costs)
    lp = highspy.HighsLp()
    lp.num_col_ = count
    lp.num_row_ = row_count
    lp.col_cost_ = np.array(costs)
    lp.col_lower_ = np.zeros(count)
    lp.col_upper_ = np.ones(count)
    lp.row_lower_ = np.array([1.0] * len(vessels) + [-highspy.kHighsInf] * (hours * len(groups)))
    lp.row_upper_ = np.array([1.0] * len(vessels) + [cap for _, cap in groups for _ in range(hours)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.array([*starts, len(indices)], dtype=np.int32)
    lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(values)
    # The LP alone takes a fraction of a second and is already a valid bound; the MIP (whose root
    # presolve can eat seconds on the 32-vessel files) may only raise it.
    lp_bound = -np.inf
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("time_limit", max(time_limit_s - (time.monotonic() - began), 0.01))
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kOptimal:
        lp_bound = float(highs.getInfo().objective_function_value)
    lp.integrality_ = [highspy.HighsVarType.kInteger] * count
    highs = new_highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    highs.setOptionValue("random_seed", seed)
    highs.setOptionValue("mip_rel_gap", 0.0)
    highs.setOptionValue("mip_abs_gap", 1.0 - 1.0e-6)
    if target is not None:
        # Stop once the dual bound proves the known plan optimal: nothing better can be learnt.
        highs.setOptionValue("objective_bound", float(target - constant) + 0.5)
    highs.setOptionValue("time_limit", max(time_limit_s - (time.monotonic() - began), 0.01))
    highs.passModel(lp)
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    if status == highspy.HighsModelStatus.kOptimal:
        value = float(info.objective_function_value)
    elif status == highspy.HighsModelStatus.kInfeasible:
        # Without a target: no plan exists. With one (a real plan's cost) it cannot happen; claim nothing.
        return (None if target is None else 0), None
    else:
        value = float(info.mip_dual_bound)
    relaxed: list[int] | None = None
    if info.primal_solution_status == 2:
        relaxed = [d[0] for d in inst.departures]
        for (v, departure), x in zip(owner, highs.getSolution().col_value, strict=True):
            if x > 0.5:
                relaxed[v] = departure
    value = max(value, lp_bound) if np.isfinite(value) else lp_bound
    if not np.isfinite(value):
        return 0, relaxed
    return constant + int(np.ceil(value - 1e-6)), relaxed
