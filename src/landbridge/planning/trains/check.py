"""Independent checker for train load and gauge-change transfer plans.

Re-reads the instance JSON itself and shares nothing with problem.py or solve.py: it walks the
plan's wagons slot by slot, re-adds every mass, length and count, and compares the totals and the
objective the plan claims with what it recomputed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_TEU = {20: 1, 40: 2, 45: 2}
_ACCEPTS = {20: {20}, 40: {40}, 45: {40, 45}}


def check_train(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Violations of a train plan against an instance file (see :func:`check_train_data`)."""
    return check_train_data(json.loads(instance_path.read_text(encoding="utf-8")), plan)


def check_train_data(instance: dict[str, Any], plan: dict[str, Any]) -> list[str]:
    """Violations of a train plan (empty list = valid); the instance as parsed JSON, not a file."""
    limits = instance["limits"]
    wagons = {w["id"]: w for w in instance["wagons"]}
    boxes = {c["id"]: c for c in instance["containers"]}
    problems: list[str] = []
    placed: dict[str, str] = {}
    seen_wagons: set[str] = set()
    running_length_m = 0.0
    for row in plan.get("wagons", []):
        wagon_id = row.get("wagon")
        if wagon_id not in wagons:
            problems.append(f"wagon {wagon_id!r} is not in the instance")
            continue
        if wagon_id in seen_wagons:
            problems.append(f"wagon {wagon_id} appears twice")
            continue
        seen_wagons.add(wagon_id)
        wagon = wagons[wagon_id]
        pattern = row.get("pattern")
        slots = row.get("slots", [])
        if pattern is None:
            if slots:
                problems.append(f"wagon {wagon_id}: slots used but no pattern chosen")
            continue
        if list(pattern) not in [list(p) for p in wagon["patterns"]]:
            problems.append(f"wagon {wagon_id}: pattern {pattern} is not one of its layouts {wagon['patterns']}")
            continue
        running_length_m += float(wagon["length_m"])
        cargo_kg = 0
        used_slots: set[int] = set()
        for slot in slots:
            index, box_id = slot.get("slot"), slot.get("container")
            if not isinstance(index, int) or not 0 <= index < len(pattern) or index in used_slots:
                problems.append(f"wagon {wagon_id}: bad or repeated slot {index!r}")
                continue
            used_slots.add(index)
            if slot.get("length_ft") != pattern[index]:
                problems.append(
                    f"wagon {wagon_id} slot {index}: length {slot.get('length_ft')} ≠ pattern {pattern[index]}"
                )
            if box_id is None:
                continue
            if box_id not in boxes:
                problems.append(f"wagon {wagon_id} slot {index}: unknown container {box_id!r}")
                continue
            if box_id in placed:
                problems.append(f"container {box_id} loaded twice ({placed[box_id]} and {wagon_id})")
                continue
            placed[box_id] = wagon_id
            box = boxes[box_id]
            if box["length_ft"] not in _ACCEPTS[pattern[index]]:
                problems.append(f"container {box_id} ({box['length_ft']} ft) does not fit a {pattern[index]} ft slot")
            cargo_kg += int(box["gross_mass_kg"])
        if cargo_kg > wagon["payload_kg"]:
            problems.append(f"wagon {wagon_id}: cargo {cargo_kg} kg over payload {wagon['payload_kg']} kg")
        axle_kg = (wagon["tare_kg"] + cargo_kg) / wagon["axles"]
        if axle_kg > limits["axle_load_kg"] + 1e-9:
            problems.append(f"wagon {wagon_id}: axle load {axle_kg:.0f} kg over {limits['axle_load_kg']} kg")
    loaded = [boxes[b] for b in placed]
    mass_kg = sum(int(b["gross_mass_kg"]) for b in loaded)
    if limits.get("train_cargo_mass_kg") is not None and mass_kg > limits["train_cargo_mass_kg"]:
        problems.append(f"train cargo {mass_kg} kg over {limits['train_cargo_mass_kg']} kg")
    if limits.get("train_length_m") is not None and running_length_m > limits["train_length_m"] + 1e-6:
        problems.append(f"train length {running_length_m:.2f} m over {limits['train_length_m']} m")
    problems += _totals(instance, plan, placed, loaded, mass_kg, running_length_m)
    return problems


def _relocations(instance: dict[str, Any], placed: dict[str, str]) -> int:
    """Boxes left behind that sit above a loaded box in the same yard stack."""
    stacks: dict[str, list[tuple[int, str]]] = {}
    for box in instance["containers"]:
        yard = box.get("yard")
        if yard:
            stacks.setdefault(yard["stack"], []).append((yard["tier"], box["id"]))
    count = 0
    for members in stacks.values():
        members.sort()
        lowest_loaded = min((tier for tier, box_id in members if box_id in placed), default=None)
        if lowest_loaded is None:
            continue
        count += sum(1 for tier, box_id in members if tier > lowest_loaded and box_id not in placed)
    return count


def _totals(
    instance: dict[str, Any],
    plan: dict[str, Any],
    placed: dict[str, str],
    loaded: list[dict[str, Any]],
    mass_kg: int,
    length_m: float,
) -> list[str]:
    problems: list[str] = []
    teu = sum(_TEU[b["length_ft"]] for b in loaded)
    priority = sum(int(b.get("priority", 1)) for b in loaded)
    running = sum(1 for row in plan.get("wagons", []) if row.get("pattern") is not None)
    expected = {
        "loaded_teu": teu,
        "loaded_priority": priority,
        "train_cargo_mass_kg": mass_kg,
        "wagons_used": running,
        "yard_relocations": _relocations(instance, placed),
    }
    for key, value in expected.items():
        if key in plan and plan[key] != value:
            problems.append(f"{key}: plan says {plan[key]}, recomputed {value}")
    if "train_length_m" in plan and abs(float(plan["train_length_m"]) - length_m) > 0.01:
        problems.append(f"train_length_m: plan says {plan['train_length_m']}, recomputed {length_m:.2f}")
    not_loaded = sorted(b["id"] for b in instance["containers"] if b["id"] not in placed)
    if "not_loaded" in plan and sorted(plan["not_loaded"]) != not_loaded:
        problems.append("not_loaded does not list exactly the containers left behind")
    primary = teu if instance.get("objective", "teu") == "teu" else priority
    if plan.get("objective") != primary:
        problems.append(f"objective {plan.get('objective')} but the plan loads {primary}")
    bound = plan.get("bound")
    if bound is not None and bound < primary:
        problems.append(f"bound {bound} below the loaded value {primary} of a maximisation")
    if plan.get("status") == "optimal" and bound is not None and bound != primary:
        problems.append(f"status optimal but bound {bound} ≠ objective {primary}")
    return problems
