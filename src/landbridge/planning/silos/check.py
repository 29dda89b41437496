"""Independent checker for silo plans: re-reads the instance, rebuilds every silo's final contents.

Shares nothing with problem.py, solve.py or sequence.py. It checks each lot is wholly stored,
capacities, that no silo mixes owners, crops or classes, and recounts the figures. A plan's
``sequence`` is replayed step by step from the present contents: a transfer may not take more of a
lot than the source holds at that moment, intake only of arriving lots and only up to their mass,
no silo above capacity or holding two keys (unless it mixes) after any step, and the replay must
end exactly in the allocation.

A plan without a ``sequence`` (written before sequencing existed) is refused by default, because
nothing then shows it can be executed; ``require_sequence=False`` checks it as a target state the
old way (present contents + intake + transfers = allocation).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def check_silos(instance_path: Path, plan: dict[str, Any], require_sequence: bool = True) -> list[str]:
    """Violations of a silo plan against an instance file (see :func:`check_silo_data`)."""
    return check_silo_data(json.loads(instance_path.read_text(encoding="utf-8")), plan, require_sequence)


# Complexity above the limit on purpose: the checker: one flat branch per rule, audited top to bottom.
def check_silo_data(instance: dict[str, Any], plan: dict[str, Any], require_sequence: bool = True) -> list[str]:  # noqa: C901
    """Violations of a silo plan (empty list = valid); the instance as parsed JSON, not a file.

    See the module docstring for plans without a sequence.
    """
    lots = {lot["id"]: lot for lot in instance["lots"]}
    silos = {silo["id"]: silo for silo in instance["silos"]}
    problems: list[str] = []
    before: dict[tuple[str, str], int] = defaultdict(int)
    for silo in instance["silos"]:
        for item in silo.get("contents", []):
            before[item["lot"], silo["id"]] += int(item["mass_kg"])
    stored = {lot for lot, _ in before}
    after: dict[tuple[str, str], int] = defaultdict(int)
    for row in plan.get("allocation", []):
        lot, silo, mass = row.get("lot"), row.get("silo"), row.get("mass_kg")
        if lot not in lots or silo not in silos:
            problems.append(f"allocation row {row}: unknown lot or silo")
            continue
        if not isinstance(mass, int) or mass <= 0:
            problems.append(f"allocation row {row}: mass must be a positive whole number of kg")
            continue
        after[lot, silo] += mass
    for lot_id, lot in lots.items():
        total = sum(kg for (lot_key, _), kg in after.items() if lot_key == lot_id)
        if total != lot["mass_kg"]:
            problems.append(f"lot {lot_id}: {total} kg allocated, lot has {lot['mass_kg']} kg")
    for silo_id, silo in silos.items():
        held = {lot: kg for (lot, s), kg in after.items() if s == silo_id}
        if sum(held.values()) > silo["capacity_kg"]:
            problems.append(f"silo {silo_id}: {sum(held.values())} kg over capacity {silo['capacity_kg']} kg")
        if not silo.get("allow_mixing", False):
            kinds = {(lots[lot]["owner"], lots[lot]["crop"], lots[lot].get("grain_class", "")) for lot in held}
            if len(kinds) > 1:
                problems.append(f"silo {silo_id}: mixes {sorted(kinds)}")
    received = {(lot, s) for (lot, s), kg in after.items() if lot in stored and kg > before.get((lot, s), 0)}
    sequence = plan.get("sequence")
    if sequence is None:
        if require_sequence:
            return [
                *problems,
                "plan has no sequence: the order of operations cannot be checked (plans from before"
                " sequencing: re-plan, or check with require_sequence=False)",
            ]
        problems += _flows(plan, lots, silos, before, after, stored)
        counted = len(received)
    else:
        replay_problems, runs = _replay(sequence, lots, silos, before, after, stored)
        problems += replay_problems
        problems += _lists_match(plan, sequence)
        counted = len(runs)
        hops = len(runs - received)
        if "target_transfers" in plan and plan["target_transfers"] != len(received):
            problems.append(f"target_transfers {plan['target_transfers']} but the allocation needs {len(received)}")
        if "buffer_hops" in plan and plan["buffer_hops"] != hops:
            problems.append(f"buffer_hops {plan['buffer_hops']} but the sequence has {hops}")
        steps = sum(1 for row in sequence if isinstance(row, dict) and row.get("op") == "transfer")
        if "transfer_steps" in plan and plan["transfer_steps"] != steps:
            problems.append(f"transfer_steps {plan['transfer_steps']} but the sequence has {steps}")
    if plan.get("objective") != counted:
        problems.append(f"objective {plan.get('objective')} but {counted} transfers (stored lot, receiving silo)")
    if "transfer_count" in plan and plan["transfer_count"] != counted:
        problems.append(f"transfer_count {plan['transfer_count']} but recounted {counted}")
    if "portions" in plan and plan["portions"] != len(after):
        problems.append(f"portions {plan['portions']} but the allocation has {len(after)} (lot, silo) pairs")
    in_use = len({silo for _, silo in after})
    if "silos_in_use" in plan and plan["silos_in_use"] != in_use:
        problems.append(f"silos_in_use {plan['silos_in_use']} but the allocation uses {in_use}")
    bound = plan.get("bound")
    if bound is not None and plan.get("objective") is not None and bound > plan["objective"]:
        problems.append(f"bound {bound} above objective {plan['objective']} of a minimisation")
    return problems


def _flows(
    plan: dict[str, Any],
    lots: dict[str, Any],
    silos: dict[str, Any],
    before: dict[tuple[str, str], int],
    after: dict[tuple[str, str], int],
    stored: set[str],
) -> list[str]:
    problems: list[str] = []
    change: dict[tuple[str, str], int] = defaultdict(int)
    out: dict[tuple[str, str], int] = defaultdict(int)
    for row in plan.get("intake", []):
        lot, to, mass = row.get("lot"), row.get("to"), row.get("mass_kg")
        if lot not in lots or to not in silos or not isinstance(mass, int) or mass <= 0:
            problems.append(f"intake row {row} is malformed")
            continue
        if lot in stored:
            problems.append(f"intake of lot {lot}, which is already stored")
        change[lot, to] += mass
    for row in plan.get("transfers", []):
        lot, source, to, mass = row.get("lot"), row.get("from"), row.get("to"), row.get("mass_kg")
        if lot not in lots or source not in silos or to not in silos or not isinstance(mass, int) or mass <= 0:
            problems.append(f"transfer row {row} is malformed")
            continue
        if source == to:
            problems.append(f"transfer of lot {lot} from silo {source} to itself")
        change[lot, to] += mass
        change[lot, source] -= mass
        out[lot, source] += mass
    for (lot, source), mass in out.items():
        if mass > before.get((lot, source), 0):
            problems.append(
                f"transfers take {mass} kg of lot {lot} out of {source}, which holds {before.get((lot, source), 0)}"
            )
    for pair in set(before) | set(after) | set(change):
        if before.get(pair, 0) + change.get(pair, 0) != after.get(pair, 0):
            lot, silo = pair
            problems.append(
                f"lot {lot} in silo {silo}: {before.get(pair, 0)} kg now + {change.get(pair, 0)} kg moved"
                f" ≠ {after.get(pair, 0)} kg allocated"
            )
    return problems


# Complexity above the limit on purpose: the checker's step replay: one branch per step kind and rule.
def _replay(  # noqa: C901
    sequence: Any,
    lots: dict[str, Any],
    silos: dict[str, Any],
    before: dict[tuple[str, str], int],
    after: dict[tuple[str, str], int],
    stored: set[str],
) -> tuple[list[str], set[tuple[str, str]]]:
    """Apply the steps in order; violations, and the (lot, receiving silo) pairs of transfers."""
    if not isinstance(sequence, list):
        return ["sequence must be a list of steps"], set()
    problems: list[str] = []
    held: dict[str, dict[str, int]] = {silo_id: {} for silo_id in silos}
    for (lot_id, silo_id), kg in before.items():
        held[silo_id][lot_id] = kg
    taken_in: dict[str, int] = defaultdict(int)
    runs: set[tuple[str, str]] = set()
    for number, row in enumerate(sequence, start=1):
        if not isinstance(row, dict):
            problems.append(f"step {number}: not an object")
            continue
        if row.get("step") != number:
            problems.append(f"step {number}: numbered {row.get('step')!r}")
        op, lot, source, to, mass = row.get("op"), row.get("lot"), row.get("from"), row.get("to"), row.get("mass_kg")
        if lot not in lots or to not in silos or not isinstance(mass, int) or isinstance(mass, bool) or mass <= 0:
            problems.append(f"step {number}: malformed {row}")
            continue
        if op == "transfer":
            if source not in silos or source == to:
                problems.append(f"step {number}: transfer needs another known source silo, got {source!r}")
                continue
            there = held[source].get(lot, 0)
            if mass > there:
                problems.append(f"step {number}: takes {mass} kg of lot {lot} out of {source}, which holds {there} kg")
                mass = there
            if there - mass:
                held[source][lot] = there - mass
            else:
                held[source].pop(lot, None)
            runs.add((lot, to))
        elif op == "intake":
            if source is not None:
                problems.append(f"step {number}: intake comes from outside, not from silo {source!r}")
            if lot in stored:
                problems.append(f"step {number}: intake of lot {lot}, which is already stored")
            taken_in[lot] += mass
            if taken_in[lot] > lots[lot]["mass_kg"]:
                problems.append(
                    f"step {number}: {taken_in[lot]} kg of lot {lot} taken in, the lot has {lots[lot]['mass_kg']} kg"
                )
        else:
            problems.append(f"step {number}: unknown op {op!r}")
            continue
        if mass:
            held[to][lot] = held[to].get(lot, 0) + mass
        total = sum(held[to].values())
        if total > silos[to]["capacity_kg"]:
            problems.append(f"step {number}: silo {to} holds {total} kg, over capacity {silos[to]['capacity_kg']} kg")
        if not silos[to].get("allow_mixing", False):
            kinds = {
                (lots[x]["owner"], lots[x]["crop"], lots[x].get("grain_class", "")) for x, kg in held[to].items() if kg
            }
            if len(kinds) > 1:
                problems.append(f"step {number}: silo {to} mixes {sorted(kinds)}")
    ended = {(lot, silo_id): kg for silo_id, contents in held.items() for lot, kg in contents.items() if kg}
    for pair in sorted(set(ended) | set(after)):
        if ended.get(pair, 0) != after.get(pair, 0):
            lot, silo_id = pair
            problems.append(
                f"lot {lot} in silo {silo_id}: the sequence ends with {ended.get(pair, 0)} kg,"
                f" the allocation has {after.get(pair, 0)} kg"
            )
    return problems, runs


def _lists_match(plan: dict[str, Any], sequence: list[Any]) -> list[str]:
    """The summary lists ``transfers`` and ``intake``, if given, must be the sequence's steps."""
    rows = [row for row in sequence if isinstance(row, dict)]
    problems: list[str] = []
    if "transfers" in plan:
        wanted = [
            {"lot": r.get("lot"), "from": r.get("from"), "to": r.get("to"), "mass_kg": r.get("mass_kg")}
            for r in rows
            if r.get("op") == "transfer"
        ]
        if plan["transfers"] != wanted:
            problems.append("transfers list differs from the transfer steps of the sequence")
    if "intake" in plan:
        taken = [
            {"lot": r.get("lot"), "to": r.get("to"), "mass_kg": r.get("mass_kg")}
            for r in rows
            if r.get("op") == "intake"
        ]
        if plan["intake"] != taken:
            problems.append("intake list differs from the intake steps of the sequence")
    return problems
