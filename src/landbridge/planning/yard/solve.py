"""Yard solvers behind one interface: instance in, :class:`SolveResult` with plan JSON out.

The plan JSON lists moves in order, stacks numbered from 0 in file order, containers by the
priority number they carry in the instance file (see docs/planning-yard-trains-silos.md).
"""

from __future__ import annotations

import time
from typing import Any

from landbridge.planning.common import SolveResult, SolveStatus, require_positive_time_limit
from landbridge.planning.yard.premarshalling import solve_premarshalling
from landbridge.planning.yard.problem import YardBay
from landbridge.planning.yard.relocation import solve_relocation


def _replay_relocation_moves(bay: YardBay, relocations: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """Interleave the retrievals the relocations imply, so the plan reads as a crane would work."""
    stacks = [list(stack) for stack in bay.stacks]
    pending = list(relocations)
    moves: list[dict[str, Any]] = []
    while any(stacks):
        target = min(min(stack) for stack in stacks if stack)
        source = next(i for i, stack in enumerate(stacks) if target in stack)
        while stacks[source][-1] != target:
            container, origin, destination = pending.pop(0)
            stacks[origin].pop()
            stacks[destination].append(container)
            moves.append({"kind": "relocate", "container": container, "from": origin, "to": destination})
        stacks[source].pop()
        moves.append({"kind": "retrieve", "container": target, "from": source})
    return moves


def solve_relocation_plan(bay: YardBay, time_limit_s: float, seed: int = 1) -> SolveResult:
    """Restricted BRP; ``seed`` is accepted for the common interface (the search is deterministic)."""
    require_positive_time_limit(time_limit_s)
    del seed
    started = time.perf_counter()
    outcome = solve_relocation(bay, time_limit_s)
    runtime = time.perf_counter() - started
    if outcome.relocations is None:
        return SolveResult(bay.name, outcome.status, None, outcome.bound, {"max_height": bay.max_height}, runtime)
    triples = [(r.container, r.source, r.target) for r in outcome.relocations]
    plan = {
        "problem": "relocation",
        "max_height": bay.max_height,
        "relocations": len(triples),
        "nodes": outcome.nodes,
        "moves": _replay_relocation_moves(bay, triples),
    }
    return SolveResult(bay.name, outcome.status, len(triples), outcome.bound, plan, runtime)


def solve_premarshalling_plan(bay: YardBay, time_limit_s: float, seed: int = 1) -> SolveResult:
    """Pre-marshalling; ``seed`` drives the randomised restarts (same seed, same restarts)."""
    require_positive_time_limit(time_limit_s)
    started = time.perf_counter()
    outcome = solve_premarshalling(bay, time_limit_s, seed)
    runtime = time.perf_counter() - started
    if outcome.moves is None:
        status = SolveStatus.TIMEOUT if outcome.status == SolveStatus.TIMEOUT else SolveStatus.INFEASIBLE
        return SolveResult(bay.name, status, None, outcome.bound, {"max_height": bay.max_height}, runtime)
    stacks = [list(stack) for stack in bay.stacks]
    moves: list[dict[str, Any]] = []
    for source, target in outcome.moves:
        container = stacks[source].pop()
        stacks[target].append(container)
        moves.append({"container": container, "from": source, "to": target})
    plan = {
        "problem": "premarshalling",
        "max_height": bay.max_height,
        "moves": moves,
        "final_stacks": stacks,
    }
    return SolveResult(bay.name, outcome.status, len(moves), outcome.bound, plan, runtime)
