"""Independent checkers for relocation and pre-marshalling plans.

Shares no code with the readers or solvers on purpose: it re-reads the instance file itself,
replays the plan JSON move by move, and recomputes the objective. A checker that reused the
solver's parsing would repeat its mistakes.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any


def _read_instance(path: Path) -> tuple[list[list[int]], int]:
    """Stacks (bottom→top) and height limit, read independently of problem.py."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
        return [list(map(int, s)) for s in data["stacks"]], int(data["max_height"])
    rows = [line.split() for line in text.splitlines() if line.strip()]
    n_stacks, n_items = int(rows[0][0]), int(rows[0][1])
    stacks = [[int(v) for v in row[1:]] for row in rows[1 : 1 + n_stacks]]
    while len(stacks) < n_stacks:
        stacks.append([])  # BF files may end with an empty stack written as a bare newline
    if path.suffix == ".bay":
        match = re.match(r"cpmp_\d+_(\d+)_", path.name)
        if match is None:
            raise ValueError(f"cannot read the height limit from {path.name}")
        return stacks, int(match.group(1))
    return stacks, math.ceil(n_items / n_stacks) + 2


def _common(plan: dict[str, Any], counted: int) -> list[str]:
    problems: list[str] = []
    objective = plan.get("objective")
    if objective is None or int(objective) != counted or float(objective) != float(counted):
        problems.append(f"objective {objective} but the plan makes {counted} counted moves")
    bound = plan.get("bound")
    if bound is not None and objective is not None and float(bound) > float(objective):
        problems.append(f"bound {bound} above objective {objective}")
    if plan.get("status") == "optimal" and bound is not None and objective is not None and bound != objective:
        problems.append(f"status optimal but bound {bound} differs from objective {objective}")
    return problems


def _on_top(stacks: list[list[int]], stack: Any, what: str) -> tuple[int | None, str | None]:
    if not isinstance(stack, int) or not 0 <= stack < len(stacks):
        return None, f"{what} stack {stack!r} does not exist"
    if not stacks[stack]:
        return None, f"{what} stack {stack} is empty"
    return stacks[stack][-1], None


def check_relocation(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Violations of a restricted-BRP plan against an instance file (see :func:`check_relocation_stacks`)."""
    stacks, height = _read_instance(instance_path)
    return check_relocation_stacks(stacks, height, plan)


def check_relocation_stacks(stacks: list[list[int]], height: int, plan: dict[str, Any]) -> list[str]:
    """Violations of a restricted-BRP plan on ``stacks`` (bottom→top, not changed) of at most ``height``."""
    stacks = [list(stack) for stack in stacks]
    problems: list[str] = []
    relocations = 0
    for number, move in enumerate(plan.get("moves", [])):
        where = f"move {number}"
        remaining = [v for s in stacks for v in s]
        if not remaining:
            problems.append(f"{where}: the bay is already empty")
            break
        target = min(remaining)
        target_stack = next(i for i, s in enumerate(stacks) if target in s)
        top, error = _on_top(stacks, move.get("from"), where)
        if error is not None or top is None:
            problems.append(f"{where}: {error}")
            break
        if move.get("container") != top:
            problems.append(f"{where}: container {move.get('container')} is not on top of stack {move['from']}")
            break
        if move.get("kind") == "retrieve":
            if top != target:
                problems.append(f"{where}: retrieves {top} but {target} must leave first")
                break
            stacks[move["from"]].pop()
        elif move.get("kind") == "relocate":
            relocations += 1
            if move["from"] != target_stack:
                problems.append(f"{where}: relocates {top} which is not above the next container {target}")
                break
            if top == target:
                problems.append(f"{where}: relocates the container that should be retrieved")
                break
            to = move.get("to")
            if not isinstance(to, int) or not 0 <= to < len(stacks) or to == move["from"]:
                problems.append(f"{where}: bad destination stack {to!r}")
                break
            if len(stacks[to]) >= height:
                problems.append(f"{where}: stack {to} is at the height limit {height}")
                break
            stacks[to].append(stacks[move["from"]].pop())
        else:
            problems.append(f"{where}: unknown kind {move.get('kind')!r}")
            break
    if not problems and any(stacks):
        problems.append("plan ends with containers still in the bay")
    if "relocations" in plan and plan["relocations"] != relocations:
        problems.append(f"plan says {plan['relocations']} relocations, moves contain {relocations}")
    return problems + _common(plan, relocations)


def check_premarshalling(instance_path: Path, plan: dict[str, Any]) -> list[str]:
    """Violations of a pre-marshalling plan against an instance file (see :func:`check_premarshalling_stacks`)."""
    stacks, height = _read_instance(instance_path)
    return check_premarshalling_stacks(stacks, height, plan)


def check_premarshalling_stacks(stacks: list[list[int]], height: int, plan: dict[str, Any]) -> list[str]:
    """Violations of a pre-marshalling plan on ``stacks`` (bottom→top, not changed) of at most ``height``."""
    stacks = [list(stack) for stack in stacks]
    problems: list[str] = []
    moves = plan.get("moves", [])
    for number, move in enumerate(moves):
        where = f"move {number}"
        top, error = _on_top(stacks, move.get("from"), where)
        if error is not None or top is None:
            problems.append(f"{where}: {error}")
            break
        if "container" in move and move["container"] != top:
            problems.append(f"{where}: container {move['container']} is not on top of stack {move['from']}")
            break
        to = move.get("to")
        if not isinstance(to, int) or not 0 <= to < len(stacks) or to == move["from"]:
            problems.append(f"{where}: bad destination stack {to!r}")
            break
        if len(stacks[to]) >= height:
            problems.append(f"{where}: stack {to} is at the height limit {height}")
            break
        stacks[to].append(stacks[move["from"]].pop())
    if not problems:
        for index, stack in enumerate(stacks):
            for tier in range(1, len(stack)):
                if stack[tier] > stack[tier - 1]:
                    problems.append(f"stack {index}: {stack[tier]} above {stack[tier - 1]}, which leaves earlier")
                    break
        if "final_stacks" in plan and plan["final_stacks"] != stacks:
            problems.append("final_stacks differ from the replayed bay")
    return problems + _common(plan, len(moves))
