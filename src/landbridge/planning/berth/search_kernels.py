"""Compiled inner loops of the DBAP local search (Numba): moves, deltas, descent, kicks, acceptance.

Why compiled: the search is a long run of tiny integer operations over berth sequences, which
is the worst case for the interpreter. The same algorithm in plain Python made about 500 kick
and descent iterations in 10 s on a 60×7 instance; here it makes tens of thousands, and on the
f60x7 files the gap left after 10 s is what decides whether a plan reaches the best-known value
(figures in ``docs/planning-berth-cranes.md``).

State layout (all int64 arrays, berths × vessels): ``seq[b, :count[b]]`` is berth b's vessel
sequence, served left-shifted; ``ends[b, i]`` the completion of its i-th vessel; ``costs[b]`` the
berth's Σ(completion − arrival); ``berth_of[v]`` where vessel v is. Instance data: ``arrival[v]``,
``opening[b]``, ``handling[v, b]`` and ``latest[v, b]`` (latest start; −1 where the berth is
forbidden, so every start is too late). Random numbers come from a splitmix64 state in ``rng[0]``,
so a seed gives the same search on every platform and in every process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
Rng = npt.NDArray[np.uint64]

_F = TypeVar("_F", bound=Callable[..., Any])

INFEASIBLE = 1 << 60
"""Delta of a move that misses a deadline or a berth window (larger than any real cost)."""
RUIN_SIZE = (3, 12)
"""Fewest and most vessels one ruin-and-recreate kick removes. Measured on f60x7 with the former
interpreted search (10 s, three seeds): up to 8 and up to 12–16 gave the same mean gap within noise;
fewer than 3 rarely leaves a local optimum."""
BERTH_PAIR_RUIN_SHARE = 0.5
"""Share of ruin kicks that remove vessels from two berths only (the chosen vessel's and a random
one), the rest across all berths. Interpreted search on f60x7, 10 s, seeds 1–4: mean gap 0.089 %
and 11 of 40 hits against 0.117 % and 8 of 40 with every kick across all berths."""
TAIL_EXCHANGE = True
"""Whether the descent also exchanges berth tails (``tail_exchange_pass``)."""
RELOCATION_KICK_SHARE = 0.5
"""Share of kicks that relocate two to four random vessels instead of ruin and recreate: ruin and
recreate alone got stuck in one basin on f60x5-08 and f55x5-04, where random relocations did not."""


def _compiled(function: _F) -> _F:
    """Numba-compile a kernel, cached on disk so that later processes load it instead of compiling."""
    return cast(_F, numba.njit(cache=True, nogil=True)(function))


@_compiled
def next_random(rng: Rng) -> int:
    """splitmix64: the next 64-bit value of the generator in ``rng[0]``, as a non-negative int."""
    rng[0] += np.uint64(0x9E3779B97F4A7C15)
    z = rng[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return int(z >> np.uint64(1))


@_compiled
def random_below(rng: Rng, bound: int) -> int:
    """Uniform integer in [0, bound)."""
    return next_random(rng) % bound


@_compiled
def random_unit(rng: Rng) -> float:
    """Uniform float in [0, 1)."""
    return float(next_random(rng) >> 10) / float(1 << 53)


@_compiled
def refresh(
    b: int,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    handling: Ints,
) -> None:
    """Recompute completions and cost of one berth after its sequence changed."""
    now = opening[b]
    total = 0
    for i in range(count[b]):
        v = seq[b, i]
        if now < arrival[v]:
            now = arrival[v]
        now += handling[v, b]
        ends[b, i] = now
        total += now - arrival[v]
        berth_of[v] = b
    costs[b] = total


@_compiled
def served_end(v: int, b: int, free_from: int, arrival: Ints, latest: Ints, handling: Ints) -> int:
    """Completion of vessel v at berth b when the berth is free from ``free_from``; −1 if too late."""
    start = free_from if free_from > arrival[v] else arrival[v]
    if start > latest[v, b]:
        return -1
    return int(start + handling[v, b])


@_compiled
def walk(
    b: int,
    index: int,
    now: int,
    delta: int,
    seq: Ints,
    count: Ints,
    ends: Ints,
    arrival: Ints,
    latest: Ints,
    handling: Ints,
) -> int:
    """Propagate a new free time into the suffix from ``index``; the change usually dies out within a
    few vessels (idle time absorbs it), so the walk stops as soon as a completion is unchanged."""
    for i in range(index, count[b]):
        end = served_end(seq[b, i], b, now, arrival, latest, handling)
        if end < 0:
            return INFEASIBLE
        if end == ends[b, i]:
            return delta
        delta += end - ends[b, i]
        now = end
    return delta


@_compiled
def free_at(b: int, index: int, ends: Ints, opening: Ints) -> int:
    """When berth b is free for the vessel at position ``index``."""
    return int(ends[b, index - 1]) if index > 0 else int(opening[b])


@_compiled
def placement_delta(
    v: int,
    b: int,
    index: int,
    replacing: bool,
    seq: Ints,
    count: Ints,
    ends: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> int:
    """Cost change of putting v before position ``index`` of berth b, or in place of the vessel there."""
    end = served_end(v, b, free_at(b, index, ends, opening), arrival, latest, handling)
    if end < 0:
        return INFEASIBLE
    delta = end - arrival[v]
    if not replacing:
        return walk(b, index, end, delta, seq, count, ends, arrival, latest, handling)
    old = seq[b, index]
    delta -= ends[b, index] - arrival[old]
    return walk(b, index + 1, end, delta, seq, count, ends, arrival, latest, handling)


@_compiled
def sequence_cost(
    b: int, vessels: Ints, length: int, arrival: Ints, opening: Ints, latest: Ints, handling: Ints
) -> int:
    """Σ(completion − arrival) of a sequence at berth b served left-shifted; INFEASIBLE if a window is missed."""
    now = opening[b]
    total = 0
    for i in range(length):
        end = served_end(vessels[i], b, now, arrival, latest, handling)
        if end < 0:
            return INFEASIBLE
        now = end
        total += end - arrival[vessels[i]]
    return total


@_compiled
def position_of(v: int, b: int, seq: Ints, count: Ints) -> int:
    """Index of vessel v in berth b's sequence."""
    for i in range(count[b]):
        if seq[b, i] == v:
            return i
    return -1


@_compiled
def remove_at(b: int, index: int, seq: Ints, count: Ints) -> None:
    """Take the vessel at ``index`` out of berth b's sequence (completions are refreshed by the caller)."""
    for i in range(index, count[b] - 1):
        seq[b, i] = seq[b, i + 1]
    count[b] -= 1


@_compiled
def insert_at(b: int, index: int, v: int, seq: Ints, count: Ints) -> None:
    """Put vessel v before position ``index`` of berth b's sequence."""
    for i in range(count[b], index, -1):
        seq[b, i] = seq[b, i - 1]
    seq[b, index] = v
    count[b] += 1


@_compiled
def best_relocation(
    v: int,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
    buffer: Ints,
) -> tuple[int, int, int, int]:
    """(source berth, index, target berth, target position) of v's best improving move; target −1 if none."""
    source = berth_of[v]
    index = position_of(v, source, seq, count)
    removal = walk(
        source,
        index + 1,
        free_at(source, index, ends, opening),
        -(ends[source, index] - arrival[v]),
        seq,
        count,
        ends,
        arrival,
        latest,
        handling,
    )
    best_delta = 0
    best_berth = -1
    best_position = -1
    for b in range(seq.shape[0]):
        if latest[v, b] < 0:
            continue
        if b == source:
            reduced = count[b] - 1
            for position in range(reduced + 1):
                if position == index:
                    continue
                k = 0
                for i in range(count[b]):
                    if k == position:
                        buffer[k] = v
                        k += 1
                    if i != index:
                        buffer[k] = seq[b, i]
                        k += 1
                if k == position:
                    buffer[k] = v
                    k += 1
                delta = sequence_cost(b, buffer, k, arrival, opening, latest, handling) - costs[b]
                if delta < best_delta:
                    best_delta, best_berth, best_position = delta, b, position
            continue
        for position in range(count[b] + 1):
            delta = removal + placement_delta(
                v, b, position, False, seq, count, ends, arrival, opening, latest, handling
            )
            if delta < best_delta:
                best_delta, best_berth, best_position = delta, b, position
    return source, index, best_berth, best_position


@_compiled
def swap_pass(
    touched: Flags,
    changed: Flags,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> bool:
    """Exchange two vessels on different berths (one of them touched) where it helps; True if any did."""
    berths = seq.shape[0]
    any_change = False
    for first in range(berths):
        for second in range(first + 1, berths):
            if not touched[first] and not touched[second]:
                continue
            for i in range(count[first]):
                u = seq[first, i]
                for j in range(count[second]):
                    w = seq[second, j]
                    delta = placement_delta(w, first, i, True, seq, count, ends, arrival, opening, latest, handling)
                    if delta >= INFEASIBLE:
                        continue
                    delta += placement_delta(u, second, j, True, seq, count, ends, arrival, opening, latest, handling)
                    if delta < 0:
                        seq[first, i] = w
                        seq[second, j] = u
                        refresh(first, seq, count, ends, costs, berth_of, arrival, opening, handling)
                        refresh(second, seq, count, ends, costs, berth_of, arrival, opening, handling)
                        changed[first] = True
                        changed[second] = True
                        any_change = True
                        break
    return any_change


@_compiled
def tail_cost(
    target: int,
    free_from: int,
    source: int,
    index: int,
    seq: Ints,
    count: Ints,
    arrival: Ints,
    latest: Ints,
    handling: Ints,
) -> int:
    """Σ(completion − arrival) of berth ``source``'s vessels from ``index`` on, served at berth ``target``
    from ``free_from``; INFEASIBLE if one misses its window."""
    now = free_from
    total = 0
    for k in range(index, count[source]):
        end = served_end(seq[source, k], target, now, arrival, latest, handling)
        if end < 0:
            return INFEASIBLE
        now = end
        total += end - arrival[seq[source, k]]
    return total


@_compiled
def tail_exchange_pass(
    touched: Flags,
    changed: Flags,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> bool:
    """Exchange the tails of two berths (one of them touched) at the best pair of cut points, where it
    helps (the 2-opt* move of vehicle routing); True if any pair changed.

    Why: relocations and swaps move one or two vessels, and their deltas stop where idle time
    absorbs a change; a tail exchange moves a whole later part of the day to the other berth."""
    berths = seq.shape[0]
    row = np.empty(seq.shape[1], dtype=np.int64)
    any_change = False
    for first in range(berths):
        for second in range(first + 1, berths):
            if not touched[first] and not touched[second]:
                continue
            best_delta = 0
            best_i = -1
            best_j = -1
            prefix_first = 0
            for i in range(count[first] + 1):
                if i > 0:
                    prefix_first += ends[first, i - 1] - arrival[seq[first, i - 1]]
                free_first = free_at(first, i, ends, opening)
                prefix_second = 0
                for j in range(count[second] + 1):
                    if j > 0:
                        prefix_second += ends[second, j - 1] - arrival[seq[second, j - 1]]
                    if i == count[first] and j == count[second]:
                        continue
                    new_first = tail_cost(first, free_first, second, j, seq, count, arrival, latest, handling)
                    if new_first >= INFEASIBLE:
                        continue
                    new_second = tail_cost(
                        second, free_at(second, j, ends, opening), first, i, seq, count, arrival, latest, handling
                    )
                    if new_second >= INFEASIBLE:
                        continue
                    delta = prefix_first + new_first + prefix_second + new_second - costs[first] - costs[second]
                    if delta < best_delta:
                        best_delta, best_i, best_j = delta, i, j
            if best_i < 0:
                continue
            tail_first = count[first] - best_i
            row[:tail_first] = seq[first, best_i : count[first]]
            tail_second = count[second] - best_j
            seq[first, best_i : best_i + tail_second] = seq[second, best_j : count[second]]
            seq[second, best_j : best_j + tail_first] = row[:tail_first]
            count[first] = best_i + tail_second
            count[second] = best_j + tail_first
            refresh(first, seq, count, ends, costs, berth_of, arrival, opening, handling)
            refresh(second, seq, count, ends, costs, berth_of, arrival, opening, handling)
            changed[first] = True
            changed[second] = True
            any_change = True
    return any_change


@_compiled
def enqueue_berth(b: int, size: int, queue: Ints, queued: Flags, seq: Ints, count: Ints) -> int:
    """Put the vessels of berth b on the descent's stack unless already there; returns the new size."""
    for i in range(count[b]):
        v = seq[b, i]
        if not queued[v]:
            queued[v] = True
            queue[size] = v
            size += 1
    return size


@_compiled
def descend(
    touched: Flags,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> None:
    """Best relocation of each vessel on a touched berth, then swaps and tail exchanges between
    berths, until none helps; then one sweep over every vessel and berth pair before stopping.

    Vessels on untouched berths were at a local optimum before the kick; looking at them again after
    every move costs most of the time and rarely finds anything (the classic "don't look bits"), so
    they are looked at once, at the end. ``touched`` is updated with every berth changed.
    """
    berths, vessels = seq.shape[0], berth_of.shape[0]
    queue = np.empty(vessels, dtype=np.int64)
    queued = np.zeros(vessels, dtype=np.bool_)
    buffer = np.empty(vessels + 1, dtype=np.int64)
    changed = np.zeros(berths, dtype=np.bool_)
    size = 0
    for b in range(berths):
        if touched[b]:
            size = enqueue_berth(b, size, queue, queued, seq, count)
    swept = False  # every vessel looked at since the last change
    while True:
        while size > 0:
            size -= 1
            v = queue[size]
            queued[v] = False
            source, index, target, position = best_relocation(
                v, seq, count, ends, costs, berth_of, arrival, opening, latest, handling, buffer
            )
            if target < 0:
                continue
            swept = False
            remove_at(source, index, seq, count)
            insert_at(target, position, v, seq, count)
            refresh(source, seq, count, ends, costs, berth_of, arrival, opening, handling)
            refresh(target, seq, count, ends, costs, berth_of, arrival, opening, handling)
            for b in (source, target):
                touched[b] = True
                size = enqueue_berth(b, size, queue, queued, seq, count)
        changed[:] = False
        if swap_pass(touched, changed, seq, count, ends, costs, berth_of, arrival, opening, latest, handling) or (
            TAIL_EXCHANGE
            and tail_exchange_pass(
                touched, changed, seq, count, ends, costs, berth_of, arrival, opening, latest, handling
            )
        ):
            swept = False
            for b in range(berths):
                if changed[b]:
                    touched[b] = True
                    size = enqueue_berth(b, size, queue, queued, seq, count)
            continue
        if swept:
            return
        # A berth that changed may now suit vessels on berths nobody looked at again: one sweep over
        # all vessels and berth pairs before stopping makes the result a true local optimum of every move.
        swept = True
        touched[:] = True
        for b in range(berths):
            size = enqueue_berth(b, size, queue, queued, seq, count)


@_compiled
def ruin_and_recreate(
    rng: Rng,
    touched: Flags,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> bool:
    """Remove vessels close in time to a random one (on all berths or two) and put each back where it
    costs least. False if one fits nowhere (the state is then spoiled and the caller restores it)."""
    berths, vessels = seq.shape[0], berth_of.shape[0]
    start = np.empty(vessels, dtype=np.int64)
    for b in range(berths):
        for i in range(count[b]):
            start[seq[b, i]] = ends[b, i] - handling[seq[b, i], b]
    chosen = random_below(rng, vessels)
    centre = start[chosen]
    pair = random_unit(rng) < BERTH_PAIR_RUIN_SHARE
    other = random_below(rng, berths) if pair else -1
    candidates = np.empty(vessels, dtype=np.int64)
    distance = np.empty(vessels, dtype=np.int64)
    size = 0
    for v in range(vessels):
        if pair and berth_of[v] != berth_of[chosen] and berth_of[v] != other:
            continue
        candidates[size] = v
        distance[size] = abs(start[v] - centre)
        size += 1
    order = np.argsort(distance[:size], kind="mergesort")
    take = min(size, RUIN_SIZE[0] + random_below(rng, RUIN_SIZE[1] - RUIN_SIZE[0] + 1))
    removed = np.empty(take, dtype=np.int64)
    for k in range(take):
        v = candidates[order[k]]
        removed[k] = v
        b = berth_of[v]
        remove_at(b, position_of(v, b, seq, count), seq, count)
        touched[b] = True
    for b in range(berths):
        if touched[b]:
            refresh(b, seq, count, ends, costs, berth_of, arrival, opening, handling)
    if random_unit(rng) < 0.5:
        for k in range(take - 1, 0, -1):
            j = random_below(rng, k + 1)
            removed[k], removed[j] = removed[j], removed[k]
    else:
        removed = removed[np.argsort(arrival[removed], kind="mergesort")]
    for k in range(take):
        v = removed[k]
        best_delta = INFEASIBLE
        best_berth = -1
        best_position = -1
        for b in range(berths):
            if latest[v, b] < 0:
                continue
            for position in range(count[b] + 1):
                delta = placement_delta(v, b, position, False, seq, count, ends, arrival, opening, latest, handling)
                if delta < best_delta:
                    best_delta, best_berth, best_position = delta, b, position
        if best_berth < 0:
            return False
        insert_at(best_berth, best_position, v, seq, count)
        refresh(best_berth, seq, count, ends, costs, berth_of, arrival, opening, handling)
        touched[best_berth] = True
    return True


@_compiled
def random_relocations(
    rng: Rng,
    touched: Flags,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> None:
    """Move two to four random vessels to a random allowed berth and position, where they fit."""
    berths, vessels = seq.shape[0], berth_of.shape[0]
    trial = np.empty(vessels + 1, dtype=np.int64)
    for _ in range(2 + random_below(rng, 3)):
        v = random_below(rng, vessels)
        allowed = 0
        for b in range(berths):
            if latest[v, b] >= 0:
                allowed += 1
        pick = random_below(rng, allowed)
        target = -1
        for b in range(berths):
            if latest[v, b] >= 0:
                if pick == 0:
                    target = b
                    break
                pick -= 1
        source = berth_of[v]
        index = position_of(v, source, seq, count)
        length = count[target] - 1 if target == source else count[target]
        position = random_below(rng, length + 1)
        k = 0
        for i in range(count[target]):
            if k == position:
                trial[k] = v
                k += 1
            if target != source or i != index:
                trial[k] = seq[target, i]
                k += 1
        if k == position:
            trial[k] = v
            k += 1
        if sequence_cost(target, trial, k, arrival, opening, latest, handling) >= INFEASIBLE:
            continue
        remove_at(source, index, seq, count)
        insert_at(target, position, v, seq, count)
        refresh(source, seq, count, ends, costs, berth_of, arrival, opening, handling)
        refresh(target, seq, count, ends, costs, berth_of, arrival, opening, handling)
        touched[source] = True
        touched[target] = True


@_compiled
def restore(
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    from_seq: Ints,
    from_count: Ints,
    arrival: Ints,
    opening: Ints,
    handling: Ints,
) -> None:
    """Make the state equal to a saved one."""
    seq[:, :] = from_seq
    count[:] = from_count
    for b in range(seq.shape[0]):
        refresh(b, seq, count, ends, costs, berth_of, arrival, opening, handling)


@_compiled
def iterate(
    iterations: int,
    rng: Rng,
    counters: Ints,
    history: Ints,
    seq: Ints,
    count: Ints,
    ends: Ints,
    costs: Ints,
    berth_of: Ints,
    current_seq: Ints,
    current_count: Ints,
    best_seq: Ints,
    best_count: Ints,
    visited: npt.NDArray[np.uint8],
    arrival: Ints,
    opening: Ints,
    latest: Ints,
    handling: Ints,
) -> None:
    """Run kick, descent and late-acceptance iterations.

    ``counters`` holds [best total, current total, iterations so far]; ``history`` the late-acceptance
    list (a new local optimum is kept if no worse than the one ``len(history)`` iterations ago). The
    (vessel, berth, start) of every local optimum reached is marked in ``visited`` if it is not empty.
    """
    berths = seq.shape[0]
    touched = np.zeros(berths, dtype=np.bool_)
    record = visited.shape[0] > 0
    for _ in range(iterations):
        touched[:] = False
        if random_unit(rng) < RELOCATION_KICK_SHARE:
            random_relocations(rng, touched, seq, count, ends, costs, berth_of, arrival, opening, latest, handling)
        elif not ruin_and_recreate(rng, touched, seq, count, ends, costs, berth_of, arrival, opening, latest, handling):
            restore(seq, count, ends, costs, berth_of, current_seq, current_count, arrival, opening, handling)
            continue
        descend(touched, seq, count, ends, costs, berth_of, arrival, opening, latest, handling)
        total = 0
        for b in range(berths):
            total += costs[b]
        if record:
            for b in range(berths):
                for i in range(count[b]):
                    v = seq[b, i]
                    visited[v, b, ends[b, i] - handling[v, b]] = 1
        if total <= counters[0]:
            counters[0] = total
            best_seq[:, :] = seq
            best_count[:] = count
        slot = counters[2] % history.shape[0]
        counters[2] += 1
        if total <= history[slot] or total <= counters[1]:
            counters[1] = total
            history[slot] = total
            current_seq[:, :] = seq
            current_count[:] = count
        else:
            restore(seq, count, ends, costs, berth_of, current_seq, current_count, arrival, opening, handling)
