"""Independent checker for silo plans: re-reads the instance, rebuilds every silo's final contents.

Shares nothing with problem.py or solve.py. It checks each lot is wholly stored, capacities, that
no silo mixes owners, crops or classes, that the listed intake and transfers turn the present
contents into the final allocation kilogram for kilogram, and recounts the transfers.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any


def check_silos(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Violations of a silo plan (empty list = valid)."""
    instance = json.loads(instance_path.read_text(encoding="utf-8"))
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
    problems += _flows(plan, lots, silos, before, after, stored)
    received = {(lot, s) for (lot, s), kg in after.items() if lot in stored and kg > before.get((lot, s), 0)}
    if plan.get("objective") != len(received):
        problems.append(f"objective {plan.get('objective')} but {len(received)} transfers (stored lot, receiving silo)")
    if "transfer_count" in plan and plan["transfer_count"] != len(received):
        problems.append(f"transfer_count {plan['transfer_count']} but recounted {len(received)}")
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
