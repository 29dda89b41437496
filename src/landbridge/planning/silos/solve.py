"""Silo allocation with CP-SAT: where every lot ends up, with the fewest transfers, in an order that works.

Variables: ``key[s, k]`` (silo s is dedicated to owner/crop/class k), ``kg[l, s]`` (kilograms of
lot l in silo s at the end), ``part[l, s]`` (lot l has grain in silo s) and, for lots already
stored, ``moved_in[l, s]`` (silo s receives more of lot l than it holds now, i.e. a transfer).
Objective, lexicographic through weights: fewest transfers, then fewest lot portions (lots split
over fewer silos are cheaper to load out later), then fewest silos in use (empty silos stay free
for the next owner).

The model gives a target state only. :mod:`landbridge.planning.silos.sequence` then orders the
operations; a target it cannot order (silos waiting for each other with no room for a temporary
hop) is excluded and the model re-solved, because an operator needs a plan the elevator can run,
not the cheapest state on paper. See :func:`solve_silos` for which exclusions are proofs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from landbridge.planning.common import SolveResult, SolveStatus, require_positive_time_limit
from landbridge.planning.silos.greedy import greedy_target, regrouped_target
from landbridge.planning.silos.problem import SiloInstance
from landbridge.planning.silos.sequence import Sequence, sequence_plan, transfers_possible

MAX_TARGETS = 20
"""Targets tried before giving up on finding one whose operations can be ordered."""
REGROUP_SHARE = 0.3
REGROUP_MAX_S = 3.0
"""Time for choosing which silos serve which key when grain must move (``regrouped_target``): a
share of the limit, capped; it found 9–14 transfers where merging silos one by one needed 26–34."""


@dataclass
class _Model:
    model: cp_model.CpModel
    kg: dict[tuple[int, int], cp_model.IntVar]
    part: dict[tuple[int, int], cp_model.IntVar]
    moved_in: list[cp_model.IntVar]
    moved_in_at: dict[tuple[int, int], cp_model.IntVar]
    dedicated: dict[tuple[int, int], cp_model.IntVar]
    keys: list[tuple[str, str, str]]
    in_use: list[cp_model.IntVar]
    weight: int

    def hint(self, instance: SiloInstance, target: dict[tuple[str, int], int]) -> None:
        """Start the search from a known target (e.g. the greedy one): CP-SAT then has a solution
        at once and only looks for better ones."""
        initial = {(lot, s): kg for s, silo in enumerate(instance.silos) for lot, kg in silo.contents}
        for (index, s), var in self.kg.items():
            lot = instance.lots[index]
            amount = target.get((lot.lot_id, s), 0)
            self.model.add_hint(var, amount)
            self.model.add_hint(self.part[index, s], amount > 0)
            if (index, s) in self.moved_in_at:
                self.model.add_hint(self.moved_in_at[index, s], amount > initial.get((lot.lot_id, s), 0))
        key_of = {lot.lot_id: lot.key for lot in instance.lots}
        keys_in = {(s, self.keys.index(key_of[lot_id])) for (lot_id, s), kg in target.items() if kg > 0}
        for (s, k), var in self.dedicated.items():
            self.model.add_hint(var, (s, k) in keys_in)
        used = {s for s, _ in keys_in}
        for s, var in enumerate(self.in_use):
            self.model.add_hint(var, s in used)


def _build(instance: SiloInstance) -> _Model:
    """The allocation model; ``part`` and ``moved_in`` are exact so that no-good cuts on them bite."""
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
    moved_in_at: dict[tuple[int, int], cp_model.IntVar] = {}
    for index, lot in enumerate(lots):
        k = keys.index(lot.key)
        for s, silo in enumerate(silos):
            kg[index, s] = model.new_int_var(0, min(lot.mass_kg, silo.capacity_kg), f"kg_{index}_{s}")
            part[index, s] = model.new_bool_var(f"part_{index}_{s}")
            model.add(kg[index, s] <= lot.mass_kg * part[index, s])
            model.add(kg[index, s] >= part[index, s])
            if not silo.allow_mixing:
                model.add(part[index, s] <= dedicated[s, k])
            now = initial.get((lot.lot_id, s), 0)
            if instance.stored_kg(lot.lot_id):
                moved_in = model.new_bool_var(f"in_{index}_{s}")
                model.add(kg[index, s] <= now + lot.mass_kg * moved_in)
                model.add(kg[index, s] >= now + 1).only_enforce_if(moved_in)
                transfers.append(moved_in)
                moved_in_at[index, s] = moved_in
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
    # Silos that are empty now and alike (capacity, mixing) are interchangeable in every target:
    # use them in file order, so that the search does not visit every permutation of them.
    previous: dict[tuple[int, bool], int] = {}
    for s, silo in enumerate(silos):
        if silo.contents:
            continue
        kind = (silo.capacity_kg, silo.allow_mixing)
        if kind in previous:
            model.add(in_use[previous[kind]] >= in_use[s])
        previous[kind] = s
    tail_weight = len(silos) + 1
    weight = (len(part) + 1) * tail_weight
    model.minimize(weight * sum(transfers) + tail_weight * sum(part.values()) + sum(in_use))
    return _Model(model, kg, part, transfers, moved_in_at, dedicated, keys, in_use, weight)


def solve_silos(
    instance: SiloInstance, time_limit_s: float, seed: int = 1, max_targets: int = MAX_TARGETS
) -> SolveResult:
    """Allocate lots to silos and order the operations; transfers count per (stored lot, receiving silo).

    Loop: solve for a target, try to order it. If it cannot be ordered,

    * and no grain can move at all from the present contents, fix every stored lot where it is
      (a proof: no transfer will ever be possible) - if that is infeasible the status is
      ``infeasible`` with the reason in ``plan["reason"]``;
    * otherwise forbid that target's occupancy pattern (which lots in which silos) and re-solve.
      This is a heuristic exclusion, so running out of targets or time then gives ``timeout``
      (no plan, reason given), never ``infeasible``.

    ``objective`` is the plan's ``transfer_count``: (lot, receiving silo) pairs over the whole
    sequence, buffer hops included. ``bound`` is the model's lower bound on transfers from the
    last solve without heuristic exclusions, valid for every executable plan; the status is
    ``optimal`` only when the objective meets it.
    """
    require_positive_time_limit(time_limit_s)
    started = time.perf_counter()
    deadline = started + time_limit_s
    built = _build(instance)
    lots, silos = instance.lots, instance.silos
    initial = {(lot, s): kg for s, silo in enumerate(silos) for lot, kg in silo.contents}
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = 1  # deterministic for a given seed
    bound: int | None = None
    greedy = greedy_target(instance)
    if greedy is None or _transfers_in(instance, initial, greedy):
        # Stored grain has to move: choose which silos serve which key first (a small model).
        budget = min(REGROUP_SHARE * time_limit_s, REGROUP_MAX_S)
        regrouped = regrouped_target(instance, budget, seed, hint=greedy)
        if regrouped is not None and (
            greedy is None or _transfers_in(instance, initial, regrouped) < _transfers_in(instance, initial, greedy)
        ):
            greedy = regrouped
    if greedy is not None:
        built.hint(instance, greedy)
    proven = True  # every exclusion so far is a proof
    stuck: list[str] = []
    tried = 0
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0 or tried >= max_targets:
            if greedy is None or tried:
                return _no_plan(instance, SolveStatus.TIMEOUT, started, tried, stuck)
            code = cp_model.UNKNOWN  # no time left for CP-SAT at all: the quick target below
        else:
            solver.parameters.max_time_in_seconds = remaining
            code = solver.solve(built.model)
        if code == cp_model.INFEASIBLE:
            status = SolveStatus.INFEASIBLE if proven else SolveStatus.TIMEOUT
            return _no_plan(instance, status, started, tried, stuck)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if greedy is None or tried:
                return _no_plan(instance, SolveStatus.TIMEOUT, started, tried, stuck)
            # CP-SAT found nothing in time, not even the hinted target: that target is still a plan.
            final, greedy = greedy, None
            target_transfers = _transfers_in(instance, initial, final)
            bound = 0 if target_transfers == 0 else None  # none is the fewest possible
        else:
            final = {
                (lots[i].lot_id, s): solver.value(var) for (i, s), var in built.kg.items() if solver.value(var) > 0
            }
            target_transfers = sum(1 for var in built.moved_in if solver.value(var))
        tried += 1
        if proven and code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # weight·transfers + rest ≥ B and rest < weight ⇒ transfers ≥ ⌈(B − weight + 1)/weight⌉.
            combined_bound = math.ceil(solver.best_objective_bound - 1e-6)
            bound = max(0, min(target_transfers, -(-(combined_bound - built.weight + 1) // built.weight)))
        sequence = sequence_plan(instance, final, deadline)
        if sequence.complete:
            plan = plan_from_target(instance, initial, final, sequence)
            if stuck:
                plan["retargeted"] = f"{tried - 1} cheaper target(s) could not be ordered: {stuck[0]}"
            objective = plan["transfer_count"]
            status = SolveStatus.OPTIMAL if objective == bound else SolveStatus.FEASIBLE
            return SolveResult(instance.name, status, objective, bound, plan, time.perf_counter() - started)
        stuck.append(f"target with {target_transfers} transfer(s): {sequence.reason}")
        if proven and not transfers_possible(instance):
            for var in built.moved_in:
                built.model.add(var == 0)
            stuck[-1] += "; no grain can move at all from the present contents"
            continue
        proven = False
        chosen = [var for (i, s), var in built.part.items() if (lots[i].lot_id, s) in final]
        others = [var for (i, s), var in built.part.items() if (lots[i].lot_id, s) not in final]
        built.model.add(sum(1 - var for var in chosen) + sum(others) >= 1)


def _transfers_in(
    instance: SiloInstance, initial: dict[tuple[str, int], int], final: dict[tuple[str, int], int]
) -> int:
    """(Stored lot, silo) pairs where the target holds more than the silo does now."""
    return sum(1 for pair, kg in final.items() if kg > initial.get(pair, 0) and pair in _stored(instance))


def _no_plan(instance: SiloInstance, status: SolveStatus, started: float, tried: int, stuck: list[str]) -> SolveResult:
    """A result without a plan; when targets were found but not orderable, say why."""
    plan: dict[str, Any] = {}
    if stuck:
        plan = {
            "problem": "silo",
            "targets_tried": tried,
            "reason": (
                "no executable order: "
                + stuck[0]
                + ("" if status == SolveStatus.INFEASIBLE else " (other targets not proven impossible)")
            ),
        }
    return SolveResult(instance.name, status, None, None, plan, time.perf_counter() - started)


def plan_from_target(
    instance: SiloInstance,
    initial: dict[tuple[str, int], int],
    final: dict[tuple[str, int], int],
    sequence: Sequence,
) -> dict[str, Any]:
    """Plan JSON for a target ((lot, silo index) -> kg) and its complete sequence.

    ``transfers`` and ``intake`` repeat the sequence's steps without numbers, so readers of the
    older plan format still find every movement. ``transfer_count`` counts (lot, receiving silo)
    pairs over the sequence - buffer hops included, since each is a conveyor run the operator pays
    for; ``target_transfers`` counts those the allocation alone needs.
    """
    silos = instance.silos
    steps: list[dict[str, Any]] = []
    for number, operation in enumerate(sequence.operations, start=1):
        steps.append(
            {
                "step": number,
                "op": "intake" if operation.source is None else "transfer",
                "lot": operation.lot_id,
                "from": None if operation.source is None else silos[operation.source].silo_id,
                "to": silos[operation.target].silo_id,
                "mass_kg": operation.mass_kg,
            }
        )
    transfers = [
        {"lot": row["lot"], "from": row["from"], "to": row["to"], "mass_kg": row["mass_kg"]}
        for row in steps
        if row["op"] == "transfer"
    ]
    intake = [{"lot": row["lot"], "to": row["to"], "mass_kg": row["mass_kg"]} for row in steps if row["op"] == "intake"]
    target_pairs = {pair for pair, kg in final.items() if kg > initial.get(pair, 0) and pair in _stored(instance)}
    receiving = {(row["lot"], row["to"]) for row in transfers}
    allocation = [
        {"silo": silos[s].silo_id, "lot": lot_id, "mass_kg": amount}
        for (lot_id, s), amount in sorted(final.items(), key=lambda r: (r[0][1], r[0][0]))
    ]
    return {
        "problem": "silo",
        "allocation": allocation,
        "sequence": steps,
        "intake": intake,
        "transfers": transfers,
        "transfer_count": len(receiving),
        "target_transfers": len(target_pairs),
        "buffer_hops": len(receiving) - len(target_pairs),
        "transfer_steps": len(transfers),
        "transferred_kg": sum(t["mass_kg"] for t in transfers),
        "portions": len(final),
        "silos_in_use": len({s for _, s in final}),
    }


def _stored(instance: SiloInstance) -> set[tuple[str, int]]:
    """(lot, silo) pairs of stored lots, for every silo: only stored lots are transferred."""
    stored = {lot.lot_id for lot in instance.lots if instance.stored_kg(lot.lot_id)}
    return {(lot_id, s) for lot_id in stored for s in range(len(instance.silos))}
