"""Silo allocation with CP-SAT: where every lot ends up, with the fewest transfers.

Variables: ``key[s, k]`` (silo s is dedicated to owner/crop/class k), ``kg[l, s]`` (kilograms of
lot l in silo s at the end), ``part[l, s]`` (lot l has grain in silo s) and, for lots already
stored, ``moved_in[l, s]`` (silo s receives more of lot l than it holds now, i.e. a transfer).
Objective, lexicographic through weights: fewest transfers, then fewest lot portions (lots split
over fewer silos are cheaper to load out later), then fewest silos in use (empty silos stay free
for the next owner).
"""

from __future__ import annotations

import math
import time
from typing import Any

from ortools.sat.python import cp_model

from landbridge.planning.common import SolveResult, SolveStatus, require_positive_time_limit
from landbridge.planning.silos.problem import SiloInstance


def solve_silos(instance: SiloInstance, time_limit_s: float, seed: int = 1) -> SolveResult:
    """Allocate lots to silos; transfers are counted per (stored lot, receiving silo)."""
    require_positive_time_limit(time_limit_s)
    started = time.perf_counter()
    model = cp_model.CpModel()
    lots, silos = instance.lots, instance.silos
    keys = sorted({lot.key for lot in lots})
    initial = {(lot, s): kg for s, silo in enumerate(silos) for lot, kg in silo.contents}
    dedicated = {
        (s, k): model.new_bool_var(f"key_{s}_{k}")
        for s, silo in enumerate(silos)
        if not silo.allow_mixing
        for k in range(len(keys))
    }
    for s, silo in enumerate(silos):
        if not silo.allow_mixing:
            model.add(sum(dedicated[s, k] for k in range(len(keys))) <= 1)
    kg: dict[tuple[int, int], cp_model.IntVar] = {}
    part: dict[tuple[int, int], cp_model.IntVar] = {}
    transfers: list[cp_model.IntVar] = []
    for index, lot in enumerate(lots):
        k = keys.index(lot.key)
        for s, silo in enumerate(silos):
            kg[index, s] = model.new_int_var(0, min(lot.mass_kg, silo.capacity_kg), f"kg_{index}_{s}")
            part[index, s] = model.new_bool_var(f"part_{index}_{s}")
            model.add(kg[index, s] <= lot.mass_kg * part[index, s])
            if not silo.allow_mixing:
                model.add(part[index, s] <= dedicated[s, k])
            now = initial.get((lot.lot_id, s), 0)
            if instance.stored_kg(lot.lot_id):
                moved_in = model.new_bool_var(f"in_{index}_{s}")
                model.add(kg[index, s] <= now + lot.mass_kg * moved_in)
                transfers.append(moved_in)
        model.add(sum(kg[index, s] for s in range(len(silos))) == lot.mass_kg)
    for s, silo in enumerate(silos):
        model.add(sum(kg[index, s] for index in range(len(lots))) <= silo.capacity_kg)
    # Silos in use: fewer keeps empty silos free for the next owner's lot.
    in_use = []
    for s in range(len(silos)):
        flag = model.new_bool_var(f"in_use_{s}")
        for index in range(len(lots)):
            model.add(flag >= part[index, s])
        in_use.append(flag)
    tail_weight = len(silos) + 1
    weight = (len(part) + 1) * tail_weight
    model.minimize(weight * sum(transfers) + tail_weight * sum(part.values()) + sum(in_use))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1  # deterministic for a given seed
    code = solver.solve(model)
    runtime = time.perf_counter() - started
    if code == cp_model.INFEASIBLE:
        return SolveResult(instance.name, SolveStatus.INFEASIBLE, None, None, {}, runtime)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SolveResult(instance.name, SolveStatus.TIMEOUT, None, None, {}, runtime)
    final = {(lots[i].lot_id, s): solver.value(var) for (i, s), var in kg.items() if solver.value(var) > 0}
    plan = _plan(instance, initial, final)
    objective = plan["transfer_count"]
    # weight·transfers + rest ≥ B and rest < weight ⇒ transfers ≥ ⌈(B − weight + 1)/weight⌉.
    combined_bound = math.ceil(solver.best_objective_bound - 1e-6)
    bound = max(0, min(objective, -(-(combined_bound - weight + 1) // weight)))
    status = SolveStatus.OPTIMAL if code == cp_model.OPTIMAL else SolveStatus.FEASIBLE
    return SolveResult(
        instance.name, status, objective, objective if status == SolveStatus.OPTIMAL else bound, plan, runtime
    )


def _plan(
    instance: SiloInstance, initial: dict[tuple[str, int], int], final: dict[tuple[str, int], int]
) -> dict[str, Any]:
    silos = instance.silos
    transfers: list[dict[str, Any]] = []
    intake: list[dict[str, Any]] = []
    receiving: set[tuple[str, int]] = set()
    for lot in instance.lots:
        gains = []
        losses = []
        for s in range(len(silos)):
            change = final.get((lot.lot_id, s), 0) - initial.get((lot.lot_id, s), 0)
            if change > 0:
                gains.append([s, change])
            elif change < 0:
                losses.append([s, -change])
        if not instance.stored_kg(lot.lot_id):
            intake += [{"lot": lot.lot_id, "to": silos[s].silo_id, "mass_kg": amount} for s, amount in gains]
            continue
        # Pair what leaves a silo with what arrives elsewhere, largest first.
        for s, amount in gains:
            receiving.add((lot.lot_id, s))
            while amount > 0:
                source = losses[0]
                step = min(amount, source[1])
                transfers.append(
                    {"lot": lot.lot_id, "from": silos[source[0]].silo_id, "to": silos[s].silo_id, "mass_kg": step}
                )
                amount -= step
                source[1] -= step
                if source[1] == 0:
                    losses.pop(0)
    allocation = [
        {"silo": silos[s].silo_id, "lot": lot_id, "mass_kg": amount}
        for (lot_id, s), amount in sorted(final.items(), key=lambda r: (r[0][1], r[0][0]))
    ]
    return {
        "problem": "silo",
        "allocation": allocation,
        "intake": intake,
        "transfers": transfers,
        "transfer_count": len(receiving),
        "transferred_kg": sum(t["mass_kg"] for t in transfers),
        "portions": len(final),
        "silos_in_use": len({s for _, s in final}),
    }
