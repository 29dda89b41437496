"""Constructive plans for the tidal continuous-quay problem, so CP-SAT never starts empty-handed.

A vessel only ever needs the quay for the last P hours before its departure: any plan in which it
berths earlier can be shifted to that just-in-time occupation without touching anyone else or the
objective (the rectangle only shrinks). So a placement is (position, departure) with the occupied
time span [departure − P, departure), and the heuristic searches departures tide by tide.

Vessels are inserted one by one, each at the earliest departure inside a tide window at which some
quay stretch is free for its occupation span (bottom-left: the lowest free position). The insertion
order decides the quality; several orders are tried and the cheapest complete plan wins. An order
can fail only when a vessel is pushed past the last listed window; that is why there are several.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

Placement = tuple[int, int, int]
"""(position in scaled quay units, start, departure) of one vessel."""


@dataclass(frozen=True)
class ScaledInstance:
    """Integer data the heuristic, the bound and the CP-SAT model share (positions scaled)."""

    quay: int
    sizes: tuple[int, ...]
    processing: tuple[int, ...]
    arrivals: tuple[int, ...]
    departures: tuple[tuple[int, ...], ...]
    """Per vessel, every integer departure time inside a tide window and >= arrival + processing."""


def _lowest_free(
    quay: int, size: int, start: int, departure: int, placed: list[tuple[int, int, int, int]]
) -> int | None:
    """Lowest position where [position, position + size) is free during [start, departure)."""
    if size == 0:
        return 0
    busy = sorted((x0, x1) for x0, x1, t0, t1 in placed if t0 < departure and start < t1)
    position = 0
    for x0, x1 in busy:  # sweep left to right: first gap wide enough
        if position + size <= x0:
            break
        position = max(position, x1)
    return position if position + size <= quay else None


def _place(inst: ScaledInstance, vessel: int, placed: list[tuple[int, int, int, int]]) -> Placement | None:
    """Earliest tidal departure (then lowest position) with a free quay stretch, or None."""
    size, processing = inst.sizes[vessel], inst.processing[vessel]
    for departure in inst.departures[vessel]:
        position = _lowest_free(inst.quay, size, departure - processing, departure, placed)
        if position is not None:
            return (position, departure - processing, departure)
    return None


def pack_departures(inst: ScaledInstance, departures: Sequence[int]) -> list[Placement] | None:
    """Positions for fixed departures (e.g. from the cumulative relaxation), first fit; or None.

    Vessels go in order of berthing, longest first among equals, each at the lowest free stretch.
    For vessels of equal length this is interval-graph colouring and never fails when the lengths
    alongside fit the quay; for mixed lengths it can fail, and then CP-SAT gets the departures only.
    """
    placed: list[tuple[int, int, int, int]] = []
    plan: list[Placement | None] = [None] * len(inst.sizes)
    order = sorted(range(len(inst.sizes)), key=lambda v: (departures[v] - inst.processing[v], -inst.sizes[v], v))
    for vessel in order:
        start = departures[vessel] - inst.processing[vessel]
        position = _lowest_free(inst.quay, inst.sizes[vessel], start, departures[vessel], placed)
        if position is None:
            return None
        plan[vessel] = (position, start, departures[vessel])
        if inst.sizes[vessel] > 0:
            placed.append((position, position + inst.sizes[vessel], start, departures[vessel]))
    return [p for p in plan if p is not None]


def _insert(inst: ScaledInstance, order: Sequence[int]) -> tuple[list[Placement] | None, int | None]:
    """(plan, None) by inserting vessels in ``order``, or (None, the vessel that missed every tide)."""
    placed: list[tuple[int, int, int, int]] = []
    plan: list[Placement | None] = [None] * len(inst.sizes)
    for vessel in order:
        choice = _place(inst, vessel, placed)
        if choice is None:
            return None, vessel
        plan[vessel] = choice
        if inst.sizes[vessel] > 0:
            placed.append((choice[0], choice[0] + inst.sizes[vessel], choice[1], choice[2]))
    return [p for p in plan if p is not None], None


def insert_in_order(inst: ScaledInstance, order: Sequence[int]) -> list[Placement] | None:
    """Plan by inserting vessels in ``order``; None when one misses the last tide window."""
    return _insert(inst, order)[0]


def repair_order(inst: ScaledInstance, order: Sequence[int], tries: int) -> list[int] | None:
    """Squeaky wheel: move the vessel that missed the last tide halfway to the front, and retry.

    Used only when every order failed: the vessel left without a tide is usually a long one that
    needs the quay to itself, and giving it priority makes room for it while the tides still run.
    """
    current = list(order)
    for _ in range(tries):
        plan, failed = _insert(inst, current)
        if plan is not None:
            return current
        assert failed is not None
        index = current.index(failed)
        if index == 0:
            return None
        current.insert(index // 2, current.pop(index))
    return None


def plan_cost(inst: ScaledInstance, plan: Sequence[Placement]) -> int:
    """Σ(departure − arrival), the objective."""
    return sum(d - a for (_, _, d), a in zip(plan, inst.arrivals, strict=True))


def constructive_plan(inst: ScaledInstance, seed: int, extra_orders: int = 40) -> list[Placement] | None:
    """The best plan of :func:`constructive_orders`, or None if every order failed."""
    return best_order(inst, constructive_orders(inst, seed, extra_orders))[0]


def repaired_orders(inst: ScaledInstance, orders: Sequence[Sequence[int]]) -> list[list[int]]:
    """Orders made feasible by :func:`repair_order` from the first four (deterministic) orders."""
    repaired = [repair_order(inst, order, 4 * len(inst.sizes)) for order in orders[:4]]
    return [order for order in repaired if order is not None]


def best_order(
    inst: ScaledInstance, orders: Sequence[Sequence[int]]
) -> tuple[list[Placement] | None, list[int] | None]:
    """The cheapest complete plan over ``orders`` and the order that gave it."""
    best: list[Placement] | None = None
    best_seq: list[int] | None = None
    for order in orders:
        plan = insert_in_order(inst, order)
        if plan is not None and (best is None or plan_cost(inst, plan) < plan_cost(inst, best)):
            best, best_seq = plan, list(order)
    return best, best_seq


def constructive_orders(inst: ScaledInstance, seed: int, extra_orders: int = 40) -> list[list[int]]:
    """Best plan over a few deterministic orders plus randomly perturbed arrival orders.

    Arrival order is the natural dispatching rule; ordering by the first tide each vessel can make
    (arrival + P rounded up to a window) keeps quick vessels from being blocked by slow ones; big
    vessels first packs the quay better when it is crowded. The perturbed orders swap neighbours
    with similar ready times, which is cheap and often repairs a vessel that missed the last tide.
    """
    n = len(inst.sizes)
    first_tide = [inst.departures[v][0] if inst.departures[v] else 10**9 for v in range(n)]
    orders: list[list[int]] = [
        sorted(range(n), key=lambda v: (inst.arrivals[v], v)),
        sorted(range(n), key=lambda v: (first_tide[v], inst.arrivals[v], v)),
        sorted(range(n), key=lambda v: (first_tide[v], -inst.sizes[v] * inst.processing[v], v)),
        sorted(range(n), key=lambda v: (inst.arrivals[v] + inst.processing[v], -inst.sizes[v], v)),
    ]
    rng = random.Random(seed)
    for _ in range(extra_orders):
        keys = [first_tide[v] + rng.uniform(-12.0, 12.0) for v in range(n)]
        orders.append(sorted(range(n), key=lambda v: (keys[v], v)))
    return orders


def improve_order(inst: ScaledInstance, order: list[int], deadline: float, seed: int) -> list[Placement] | None:
    """Local search over insertion orders until ``deadline`` (time.monotonic()); best plan found.

    Moves: swap two vessels, or take one out and reinsert it elsewhere, preferring nearby positions
    (vessels far apart in the order rarely compete for the same tide). A move is kept when the plan
    is complete and no dearer, so the search can drift across plateaus of equal cost.
    """
    rng = random.Random(seed)
    current = list(order)
    best = insert_in_order(inst, current)
    if best is None:
        return None
    best_cost = current_cost = plan_cost(inst, best)
    n = len(current)
    if n < 2:
        return best
    while time.monotonic() < deadline:
        candidate = list(current)
        i = rng.randrange(n)
        j = min(max(i + int(rng.gauss(0.0, 4.0)), 0), n - 1)
        if i == j:
            continue
        if rng.random() < 0.5:
            candidate[i], candidate[j] = candidate[j], candidate[i]
        else:
            candidate.insert(j, candidate.pop(i))
        plan = insert_in_order(inst, candidate)
        if plan is None:
            continue
        cost = plan_cost(inst, plan)
        if cost <= current_cost:
            current, current_cost = candidate, cost
            if cost < best_cost:
                best, best_cost = plan, cost
    return best
