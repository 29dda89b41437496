"""Constructive pre-marshalling rule and plan-shortening passes.

The rule exists so that *some* valid plan is on the table within milliseconds, before the heavier
searches start: dense bays (Caserta–Voß 10x6 has exactly one stack height of free slots) defeated
the old rule, which then left the solver without any plan.

It is target-guided, in the spirit of Bortfeldt & Forster (2012) and the lowest-priority-first
heuristic of Expósito-Izquierdo et al. (2012), written from their descriptions:

1. **Place well** — move a badly placed top container onto a sorted stack whose top leaves no
   earlier, tightest fit first (a container that lands well never has to move again).
2. **Open a home** — when no such move exists, pick a badly placed top ``x`` and a destination
   stack ``d`` whose sorted base can take ``x`` once the containers above that base are moved
   away; the pair with the fewest (and least harmful) removals wins, larger ``x`` on ties because
   a larger base accepts more later. The removed containers go where they land well, else onto
   unsorted stacks, else where they do least damage; then ``x`` moves onto ``d``.
3. **Escape** — if no destination can be opened for lack of room, move a top container to the
   stack with the most room (never straight back), which frees space for step 2.

A move cap guarantees termination; randomised tie-breaking (``rng``) turns the rule into a cheap
restart method. ``shorten_plan`` then removes redundant moves from any plan (merging two moves of
one container, dropping a container's trip there and back), checked by replay so it can only
return a valid plan that is no longer than its input.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

Move = tuple[int, int]
_NO_TOP = 1 << 30  # the top value of an empty stack: everything lands well on it
TIGHT = 1.0  # cost, in moves, of a home whose base is the whole value range above x
OPEN = 0.25  # worth of each slot a cleared stack opens, in moves


def well_placed_count(stack: Sequence[int]) -> int:
    """Length of the bottom part already in retrieval order (non-increasing upwards).

    The one definition for the whole pre-marshalling package: the bound, the searches and the rule
    must agree on what "well placed" means."""
    count = 0
    below = _NO_TOP
    for item in stack:
        if item > below:
            break
        below = item
        count += 1
    return count


class _Bay:
    """Mutable bay with per-stack well-placed counts kept up to date move by move."""

    def __init__(self, stacks: Sequence[Sequence[int]], max_height: int) -> None:
        self.st = [list(s) for s in stacks]
        self.h = max_height
        self.wp = [well_placed_count(s) for s in self.st]
        self.vmax = max((v for s in self.st for v in s), default=1)
        self.moves: list[Move] = []
        self.last_escape: Move | None = None

    def copy(self) -> _Bay:
        twin = _Bay.__new__(_Bay)
        twin.st = [list(s) for s in self.st]
        twin.h, twin.vmax, twin.last_escape = self.h, self.vmax, self.last_escape
        twin.wp = list(self.wp)
        twin.moves = list(self.moves)
        return twin

    def is_sorted(self, i: int) -> bool:
        return self.wp[i] == len(self.st[i])

    def top(self, i: int) -> int:
        return self.st[i][-1] if self.st[i] else _NO_TOP

    def room(self, i: int) -> int:
        return self.h - len(self.st[i])

    def lands_well(self, item: int, target: int) -> bool:
        return self.is_sorted(target) and len(self.st[target]) < self.h and self.top(target) >= item

    def move(self, source: int, target: int) -> None:
        item = self.st[source].pop()
        self.wp[source] = min(self.wp[source], len(self.st[source]))
        if self.is_sorted(target) and self.top(target) >= item:
            self.wp[target] += 1
        self.st[target].append(item)
        self.moves.append((source, target))


class _Kick(random.Random):
    """Random source used after a state repeats: its noise outweighs the rule's scores."""


def _noise(rng: random.Random | None, scale: float) -> float:
    if rng is None:
        return 0.0
    return rng.random() * scale * (40.0 if isinstance(rng, _Kick) else 1.0)


def _place_well(bay: _Bay, rng: random.Random | None, k: int = 1) -> list[tuple[float, int, int]]:
    """The ``k`` tightest moves of a badly placed top onto a sorted stack where it stays.

    Tightest fit first (the slot a container takes is lost to larger ones); empty stacks last,
    and then for the largest container.
    """
    ranked: list[tuple[float, int, int]] = []
    n = len(bay.st)
    for source in range(n):
        if bay.is_sorted(source):
            continue
        item = bay.st[source][-1]
        # Emptying or sorting the source as a side effect is worth a little.
        bonus = 0.5 if bay.wp[source] == len(bay.st[source]) - 1 else 0.0
        for target in range(n):
            if target == source or not bay.lands_well(item, target):
                continue
            score = float(bay.top(target) - item) - bonus if bay.st[target] else 1e6 - item - bonus
            ranked.append((score + _noise(rng, 0.9), source, target))
    return _smallest(ranked, k)


def _smallest(ranked: list[tuple[float, int, int]], k: int) -> list[tuple[float, int, int]]:
    return [min(ranked)] if k == 1 and ranked else sorted(ranked)[:k]


def _dump_target(bay: _Bay, item: int, forbid: tuple[int, ...], rng: random.Random | None) -> int | None:
    """Where a container that must get out of the way does least harm."""
    best: tuple[float, int] | None = None
    for target in range(len(bay.st)):
        if target in forbid or bay.room(target) <= 0:
            continue
        top = bay.top(target)
        if bay.is_sorted(target) and top >= item:
            # Lands well: tightest fit, empty stacks only when nothing else takes it well.
            score = -1000.0 + (top - item if bay.st[target] else 500.0) / 1e3
        elif not bay.is_sorted(target):
            # Already unsorted: one more bad container there costs no well-placed one. Prefer a
            # stack whose top leaves later (the pile stays in order), then the one with most room.
            score = (0.0 if top >= item else 1.0) - bay.room(target) / 100.0
        else:
            # Spoils a sorted stack: the fewer well-placed containers, the cheaper.
            score = 10.0 + bay.wp[target] - bay.room(target) / 100.0
        score += _noise(rng, 0.5)
        if best is None or score < best[0]:
            best = (score, target)
    return None if best is None else best[1]


def _open_home(bay: _Bay, rng: random.Random | None, k: int = 1) -> list[tuple[float, int, int]]:
    """(cost, source of x, destination) of the ``k`` cheapest destinations to open.

    The destination keeps its sorted base up to the last container that leaves no earlier than
    ``x``; everything above goes elsewhere (not onto ``x``, not back onto the destination).
    """
    n = len(bay.st)
    total_room = sum(bay.room(i) for i in range(n))
    ranked: list[tuple[float, int, int]] = []
    for source in range(n):
        if bay.is_sorted(source):
            continue
        item = bay.st[source][-1]
        for dest in range(n):
            if dest == source:
                continue
            stack = bay.st[dest]
            keep = _base_for(bay, dest, item)
            if keep >= bay.h:
                continue
            removals = len(stack) - keep
            if removals == 0:
                continue  # a place-well move, which step 1 found impossible for this pair
            room_elsewhere = total_room - bay.room(dest) - bay.room(source)
            if removals > room_elsewhere:
                continue
            good_removed = bay.wp[dest] - keep
            # Each removal is a move; a well-placed one will have to come back (a second move).
            # A loose home (base far above x) wastes the values in between: they could have
            # sat on that base below x.
            base = stack[keep - 1] if keep else bay.vmax + 1
            cost = removals + good_removed + TIGHT * (base - item) / bay.vmax
            ranked.append((cost + _noise(rng, 1.5), source, dest))
    return _smallest(ranked, k)


def _base_for(bay: _Bay, dest: int, item: int) -> int:
    """Height of the sorted base of ``dest`` that ``item`` may stand on."""
    stack = bay.st[dest]
    keep = 0
    while keep < bay.wp[dest] and stack[keep] >= item:
        keep += 1
    return keep


# A compound step: ("move", s, t), ("home", x's stack, destination), ("clear", stack, base height)
Step = tuple[str, int, int]


def _steps(bay: _Bay, rng: random.Random | None, k: int = 1) -> list[Step]:
    """The rule's ``k`` preferred compound steps, best first (the rule itself takes the first).

    Place-well moves when there are any (plus the best home to open, as an alternative for a
    look-ahead), else homes to open, else stacks to clear, else escape moves.
    """
    steps: list[Step] = [("move", s, t) for _, s, t in _place_well(bay, rng, k)]
    if steps and k == 1:
        return steps
    if steps:
        homes = [("home", s, d) for _, s, d in _open_home(bay, rng, 1)]
        return steps[: k - len(homes)] + homes
    steps = [("home", s, d) for _, s, d in _open_home(bay, rng, k)]
    if steps:
        return steps
    clears = _clear_stack(bay, rng, k)
    if clears:
        return [("clear", d, keep) for _, d, keep in clears]
    # Escape: nothing can be cleared for lack of room. Move a badly placed top to the stack with
    # most room (not undoing the previous escape), so the next round has space.
    options: list[tuple[float, int, int]] = []
    n = len(bay.st)
    for source in range(n):
        if bay.is_sorted(source):
            continue
        for target in range(n):
            if target == source or bay.room(target) <= 0 or bay.last_escape == (target, source):
                continue
            options.append((-bay.room(target) + bay.room(source) + _noise(rng, 2.0), source, target))
    return [("escape", s, t) for _, s, t in _smallest(options, k)]


def _execute(bay: _Bay, step: Step, rng: random.Random | None, cap: int) -> None:
    """Carry out one compound step (stops early at the move cap)."""
    kind, a, b = step
    if kind == "move":
        bay.move(a, b)
    elif kind == "escape":
        bay.last_escape = (a, b)
        bay.move(a, b)
    elif kind == "home":
        source, dest = a, b
        keep = _base_for(bay, dest, bay.st[source][-1])
        while len(bay.st[dest]) > keep and len(bay.moves) < cap:
            target = _dump_target(bay, bay.st[dest][-1], (dest, source), rng)
            if target is None:  # cannot happen: room was checked, but stay safe
                return
            bay.move(dest, target)
        if len(bay.st[dest]) == keep and len(bay.moves) < cap:
            bay.move(source, dest)
    else:
        dest, keep = a, b
        while len(bay.st[dest]) > keep and len(bay.moves) < cap:
            target = _dump_target(bay, bay.st[dest][-1], (dest,), rng)
            if target is None:
                return
            bay.move(dest, target)


def construct_plan(
    stacks: Sequence[Sequence[int]], max_height: int, rng: random.Random | None = None, max_moves: int | None = None
) -> list[Move] | None:
    """Moves that sort the bay, or None when the move cap is reached first.

    ``max_moves`` defaults to a generous multiple of the bay size; pass the length of the best
    known plan to stop restarts early that cannot beat it.
    """
    bay = _Bay(stacks, max_height)
    return _finish(bay, rng, max_moves)


def _finish(
    bay: _Bay, rng: random.Random | None, max_moves: int | None, deadline: float = float("inf")
) -> list[Move] | None:
    """Run the rule from the bay's current state; all moves (earlier ones included) or None.

    None also when ``deadline`` passes (a rollout that cycles can take a good part of a second).
    """
    n = len(bay.st)
    n_containers = sum(len(s) for s in bay.st)
    cap = max_moves if max_moves is not None else len(bay.moves) + 20 * n_containers + 50
    seen: set[tuple[tuple[int, ...], ...]] = set()
    base_rng = rng
    kick = _Kick(n_containers)  # deterministic, so the rule stays reproducible
    rounds = 0
    while True:
        if all(bay.is_sorted(i) for i in range(n)):
            return bay.moves
        rounds += 1
        if len(bay.moves) >= cap or (rounds & 31 == 0 and time.perf_counter() > deadline):
            return None
        # A greedy rule without memory can cycle; when a state comes back, decide this step with
        # strong random noise instead (different choice, different continuation).
        state = tuple(tuple(s) for s in bay.st)
        rng = kick if state in seen else base_rng
        seen.add(state)
        steps = _steps(bay, rng)
        if not steps:
            return None  # no legal move at all: the bay cannot be sorted
        _execute(bay, steps[0], rng, cap)


def _clear_stack(bay: _Bay, rng: random.Random | None, k: int = 1) -> list[tuple[float, int, int]]:
    """(cost, stack, base height) of the ``k`` cheapest stacks to cut down to their sorted base, or empty.

    Used when no single badly placed top can be given a home: in a bay with one stack height of
    free slots (CV 10x6) every home costs more removals than there is room for until some stack
    has been emptied. The removed containers may go anywhere else.
    """
    n = len(bay.st)
    total_room = sum(bay.room(i) for i in range(n))
    ranked: list[tuple[float, int, int]] = []
    for dest in range(n):
        for keep in {bay.wp[dest], 0}:
            removals = len(bay.st[dest]) - keep
            if removals <= 0 or keep >= bay.h or removals > total_room - bay.room(dest):
                continue
            good_removed = bay.wp[dest] - keep
            # Cheap, and opening many slots on a base that accepts much (large top) is worth it.
            base_top = bay.st[dest][keep - 1] if keep else bay.vmax + 1
            opened = (bay.h - keep) * min(1.0, base_top / (bay.vmax + 1))
            cost = removals + good_removed - OPEN * opened
            ranked.append((cost + _noise(rng, 1.5), dest, keep))
    return _smallest(ranked, k)


def pilot_plan(
    stacks: Sequence[Sequence[int]], max_height: int, deadline: float, k: int = 3, rng: random.Random | None = None
) -> list[Move] | None:
    """Pilot method over the rule: at every step try its ``k`` preferred compound steps, finish
    each with the plain rule, and take the step whose finished plan is shortest.

    A classic way to buy quality with time for a greedy rule (Duin & Voß's pilot method): it is
    never worse than the rule alone, because the rule's own choice is always among the tried
    steps and the shortest finished plan seen is kept. Returns the best plan found when the
    deadline passes (or None if none was finished yet).
    """
    bay = _Bay(stacks, max_height)
    n = len(bay.st)
    best: list[Move] | None = None
    while not all(bay.is_sorted(i) for i in range(n)):
        if time.perf_counter() > deadline:
            return best
        choice: tuple[int, _Bay] | None = None
        steps = _steps(bay, rng, k)
        for step in steps:
            if choice is not None and time.perf_counter() > deadline:
                break
            twin = bay.copy()
            _execute(twin, step, None, len(twin.moves) + 10 * max_height * n)
            cap = len(best) if best is not None else None  # ties kept: the incumbent's own path
            finished = _finish(twin.copy(), None, cap, deadline)
            if finished is None:
                continue
            if best is None or len(finished) < len(best):
                best = list(finished)
            if choice is None or len(finished) < choice[0]:
                choice = (len(finished), twin)
        if choice is None:
            # No step beats the incumbent when finished greedily: the incumbent stands.
            return best
        bay = choice[1]
    return bay.moves if best is None or len(bay.moves) < len(best) else best


def replay_sorted(stacks: Sequence[Sequence[int]], max_height: int, moves: Sequence[Move]) -> bool:
    """True when ``moves`` are legal from ``stacks`` and leave every stack in retrieval order."""
    st = [list(s) for s in stacks]
    for source, target in moves:
        if source == target or not st[source] or len(st[target]) >= max_height:
            return False
        st[target].append(st[source].pop())
    return all(well_placed_count(s) == len(s) for s in st)


def shorten_plan(stacks: Sequence[Sequence[int]], max_height: int, moves: Sequence[Move]) -> list[Move]:
    """Drop redundant moves: a container moved twice in a row moves once (or not at all).

    For a container moved ``a → b`` by move i and ``b → c`` by move j, with no move touching
    ``b`` in between (so it stays on top there): if no move in between touches ``c`` either, the
    single move ``a → c`` at position i gives the same bay after move j; if none touches ``a``,
    the same move at position j does; when ``c == a`` both moves go. The bay after move j is
    unchanged, so the rest of the plan stays valid — checked locally in O(j - i), and the result
    is replayed once at the end (the input is returned if that ever failed). Repeats until
    nothing changes; never longer than the input.
    """
    plan = list(moves)
    if not replay_sorted(stacks, max_height, plan):
        return plan
    changed = True
    while changed:
        changed = False
        i = 0
        while i < len(plan):
            merged = _merge_at(plan, i)
            if merged is None:
                i += 1
                continue
            plan = merged
            changed = True
    if not replay_sorted(stacks, max_height, plan):  # cannot happen; never return a broken plan
        return list(moves)
    return plan


def _merge_at(plan: list[Move], i: int) -> list[Move] | None:
    """The plan with move i merged into the next move of the same container, or None."""
    a, b = plan[i]
    touched: set[int] = set()
    for j in range(i + 1, len(plan)):
        source, target = plan[j]
        if target == b:
            return None  # something was put on top of it: not a simple double move
        if source == b:
            c = target
            if c == a and a not in touched:
                return plan[:i] + plan[i + 1 : j] + plan[j + 1 :]
            if c != a and c not in touched:
                return [*plan[:i], (a, c), *plan[i + 1 : j], *plan[j + 1 :]]
            if c != a and a not in touched:
                return [*plan[:i], *plan[i + 1 : j], (a, c), *plan[j + 1 :]]
            return None
        touched.add(source)
        touched.add(target)
    return None


def replay(stacks: Sequence[Sequence[int]], moves: Sequence[Move]) -> tuple[tuple[int, ...], ...]:
    """The bay after ``moves`` (assumed legal)."""
    st = [list(s) for s in stacks]
    for source, target in moves:
        st[target].append(st[source].pop())
    return tuple(tuple(s) for s in st)


def reconstruct_suffix(
    stacks: Sequence[Sequence[int]], max_height: int, plan: Sequence[Move], rng: random.Random
) -> list[Move] | None:
    """Keep a random prefix of ``plan`` and let the randomised rule redo the rest.

    An iterated-greedy step: the rule's early decisions are often fine and its late ones poor
    (or the reverse), so re-deciding only a tail explores plans near a good one. Returns a
    strictly shorter valid plan, or None.
    """
    if len(plan) < 2:
        return None
    cut = rng.randrange(len(plan))
    middle = replay(stacks, plan[:cut])
    tail = construct_plan(middle, max_height, rng, max_moves=len(plan) - cut - 1)
    if tail is None:
        return None
    return shorten_plan(stacks, max_height, [*plan[:cut], *tail])


def pilot_suffix(
    stacks: Sequence[Sequence[int]],
    max_height: int,
    plan: Sequence[Move],
    deadline: float,
    k: int,
    rng: random.Random,
) -> list[Move] | None:
    """Keep a random prefix of ``plan`` and redo the rest with the (randomised) pilot method.

    Cheaper than a whole pilot run and aimed where a good plan still has slack; returns a valid
    plan (shortened) or None, never a longer one than ``plan`` unless nothing better was found.
    """
    if len(plan) < 2:
        return None
    cut = rng.randrange(len(plan))
    tail = pilot_plan(replay(stacks, plan[:cut]), max_height, deadline, k, rng)
    if tail is None or cut + len(tail) >= len(plan):
        return None
    return shorten_plan(stacks, max_height, [*plan[:cut], *tail])
