"""Container pre-marshalling: reorder a bay so no container sits above one that leaves earlier.

A move takes the top container of one stack to another stack below the height limit; every
container must end up *well placed* (nothing below it leaves later than it does — values are
retrieval priorities, smaller leaves first). Minimise the number of moves.

Lower bound: the badly placed containers (each moves at least once) plus the well-placed
containers that must move to open enough well-placed slots for the large-valued bad containers
(the demand/supply argument of Bortfeldt & Forster 2012), or one extra move when every stack holds
a badly placed container. Search: a beam search on ``g + LB`` with growing width gives plans
quickly; iterative-deepening A* then tries to close the gap to the bound while time remains.
"""

from __future__ import annotations

import contextlib
import heapq
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from landbridge.planning.common import SolveStatus
from landbridge.planning.yard.premarshalling_heuristic import (
    construct_plan,
    pilot_plan,
    pilot_suffix,
    reconstruct_suffix,
    shorten_plan,
    well_placed_count,
)
from landbridge.planning.yard.problem import YardBay

_TOP = 1 << 30  # the "top value" of an empty stack: accepts any container
State = tuple[tuple[int, ...], ...]
# Above this many containers wide beams cost more than they find (measured on BF 16x8 classes).
BEAM_LIMIT_CONTAINERS = 70
# Compound steps the pilot method tries per decision (measured on CV 6x6-10x10 and BF13/29: 3 is
# clearly better than 1, 6 a little better than 3 at well under a second per run).
PILOT_STEPS = 6
# Seeded restarts of the rule before the complete search takes over (most bays need none).
RULE_RESTARTS = 10
MIN_RULE_RESTARTS = 3  # all 1480 CV and BF bays need at most this many
SEARCH_WEIGHT = 3
SMALL_BAY_CONTAINERS = 30
LOW_BAY_TIERS = 5


@dataclass(frozen=True)
class PremarshallingOutcome:
    """Search result: moves as (from stack, to stack), 0-based."""

    status: SolveStatus
    moves: tuple[tuple[int, int], ...] | None
    bound: int
    nodes: int


class _TimeUp(Exception):
    pass


def lower_bound(stacks: State, max_height: int) -> int:
    """Badly placed containers plus well-placed ones that must move to make room (valid bound)."""
    bad_values: list[int] = []
    wells: list[tuple[int, ...]] = []
    for stack in stacks:
        n_well = well_placed_count(stack)
        wells.append(stack[:n_well])
        bad_values.extend(stack[n_well:])
    n_bad = len(bad_values)
    if n_bad == 0:
        return 0
    extra = 1 if all(len(w) < len(s) for w, s in zip(wells, stacks, strict=True)) else 0
    for threshold in sorted(set(bad_values)):
        demand = sum(1 for v in bad_values if v >= threshold)
        supply = 0
        costs: list[int] = []
        gains: list[int] = []
        for well in wells:
            free = max_height - len(well)
            if not well or well[-1] >= threshold:
                supply += free
                continue
            # Remove the well-placed containers below the threshold (the top of the sorted part).
            small = sum(1 for v in well if v < threshold)
            costs.append(small)
            gains.append(free + small)
        deficit = demand - supply
        if deficit <= 0:
            continue
        gains.sort(reverse=True)
        costs.sort()
        covered, stacks_needed = 0, 0
        while covered < deficit and stacks_needed < len(gains):
            covered += gains[stacks_needed]
            stacks_needed += 1
        if covered < deficit:
            return n_bad + len(bad_values) * max_height  # cannot be sorted at all: any large bound
        extra = max(extra, sum(costs[:stacks_needed]))
    return n_bad + extra


def _bad_count(stacks: State) -> int:
    return sum(len(stack) - well_placed_count(stack) for stack in stacks)


def _flexibility(stacks: State, max_height: int) -> int:
    """Tie-break: free slots on sorted stacks, weighted by how many values they accept."""
    score = 0
    for stack in stacks:
        if well_placed_count(stack) == len(stack):
            top = stack[-1] if stack else 1 << 10
            score += (max_height - len(stack)) * min(top, 1 << 10)
    return score


def _children(stacks: State, max_height: int, last: int) -> list[tuple[int, int, int]]:
    """(bad-count delta, from, to) of every sensible move.

    Skips moving again the container that was just moved (two moves of one container can always
    be merged) and all but one empty destination (empty stacks are interchangeable).
    """
    result: list[tuple[int, int, int]] = []
    info = [(len(s), well_placed_count(s)) for s in stacks]
    empty_done = False
    targets: list[int] = []
    for index, (height, _) in enumerate(info):
        if height < max_height:
            if height == 0:
                if empty_done:
                    continue
                empty_done = True
            targets.append(index)
    for source, stack in enumerate(stacks):
        height, n_well = info[source]
        if height == 0 or source == last:
            continue
        item = stack[-1]
        was_bad = height > n_well
        for target in targets:
            if target == source:
                continue
            t_height, t_well = info[target]
            lands_well = t_height == t_well and (t_height == 0 or stacks[target][-1] >= item)
            delta = (0 if lands_well else 1) - (1 if was_bad else 0)
            result.append((delta, source, target))
    return result


def _apply(stacks: State, source: int, target: int) -> State:
    item = stacks[source][-1]
    new = list(stacks)
    new[source] = stacks[source][:-1]
    new[target] = (*stacks[target], item)
    return tuple(new)


def _key(stacks: State) -> State:
    return tuple(sorted(stacks))


def beam_search(
    stacks: State, max_height: int, width: int, deadline: float, cutoff: int
) -> list[tuple[int, int]] | None:
    """One beam pass of the given width; returns the first complete move list or None."""
    beam: list[tuple[State, int, list[tuple[int, int]]]] = [(stacks, -1, [])]
    seen: set[State] = {_key(stacks)}
    depth = 0
    while beam and depth < cutoff:
        if time.perf_counter() > deadline:
            raise _TimeUp
        depth += 1
        cheap: list[tuple[int, int, int, int]] = []
        for number, (state, _last, _moves) in enumerate(beam):
            bad = _bad_count(state)
            for delta, source, target in _children(state, max_height, beam[number][1]):
                cheap.append((bad + delta, number, source, target))
        cheap.sort()
        scored: list[tuple[int, int, State, int, list[tuple[int, int]]]] = []
        for count, (bad, number, source, target) in enumerate(cheap[: width * 6]):
            if count & 63 == 63 and time.perf_counter() > deadline:
                raise _TimeUp  # one depth of a wide beam on a big bay takes about a second
            state, _, moves = beam[number]
            child = _apply(state, source, target)
            key = _key(child)
            if key in seen:
                continue
            seen.add(key)
            if bad == 0:
                return [*moves, (source, target)]
            bound = lower_bound(child, max_height)
            if depth + bound > cutoff:
                continue
            scored.append((bound, -_flexibility(child, max_height), child, target, [*moves, (source, target)]))
        scored.sort(key=lambda row: (row[0], row[1]))
        beam = [(child, target, moves) for _, _, child, target, moves in scored[:width]]
    return None


# Complexity above the limit on purpose: the published heuristic's cases, kept as written.
def greedy_premarshalling(  # noqa: C901
    stacks: State, max_height: int, rng: random.Random | None = None, max_moves: int = 10_000
) -> list[tuple[int, int]] | None:
    """Constructive rule: place badly placed tops well, else clear the cheapest unsorted stack.

    1. If some badly placed top container can land well on another stack (on a sorted stack
       whose top leaves no earlier), make the tightest such move (empty stacks last).
    2. Otherwise open a home for the latest-leaving badly placed top: cut the cheapest stack
       down to a sorted base whose top leaves no earlier (or to empty). Its boxes go where they
       land well, else onto unsorted stacks (bad there anyway), else where they do least harm.
    ``rng`` randomises ties and, now and then, the choice itself (for restarts). Returns the
    moves, or None when ``max_moves`` is reached.
    """
    st = [list(x) for x in stacks]
    n_stacks = len(st)
    moves: list[tuple[int, int]] = []
    last_target = -1
    clearing = -1
    # Tabu: (container, stack it just left) — sending it straight back is how the rule cycles.
    tabu: dict[tuple[int, int], int] = {}

    def noise() -> float:
        return rng.random() if rng is not None else 0.0

    while len(moves) < max_moves:
        wells = [well_placed_count(x) for x in st]
        sorted_stack = [wells[i] == len(st[i]) for i in range(n_stacks)]
        if all(sorted_stack):
            return moves
        if clearing >= 0 and _base_ready(st[clearing], _latest_bad_top(st, sorted_stack), max_height):
            clearing = -1  # its base is open: step 1 may now fill it
        best_move = _place_well(st, sorted_stack, max_height, last_target, clearing, noise)
        if best_move is None and any(
            i != clearing and _base_ready(st[i], _latest_bad_top(st, sorted_stack), max_height) for i in range(n_stacks)
        ):
            # A home exists but only the box just moved can use it: let it go on (merges two moves).
            best_move = _place_well(st, sorted_stack, max_height, -1, clearing, noise)
        if best_move is None:
            # Step 2: open a home for the latest-leaving badly placed top. Pick the stack that is
            # cheapest to cut down to a sorted base whose top leaves no earlier (or to empty), and
            # stick with it until done, or the rule would shuffle boxes in circles.
            demand = _latest_bad_top(st, sorted_stack)
            if clearing < 0:
                best_cost: tuple[float, int] | None = None
                for i in range(n_stacks):
                    if _base_ready(st[i], demand, max_height):
                        continue  # already a home; step 1 just could not use it this turn
                    keep = sum(1 for v in st[i][: wells[i]] if v >= demand)
                    if keep >= max_height:
                        continue
                    room_elsewhere = sum(max_height - len(st[j]) for j in range(n_stacks) if j != i)
                    if len(st[i]) - keep > room_elsewhere:
                        continue  # cannot be cut down: in a dense bay this is where the rule cycled
                    cost = len(st[i]) - keep + 2 * noise()
                    if best_cost is None or cost < best_cost[0]:
                        best_cost = (cost, i)
                if best_cost is None:
                    return None
                clearing = best_cost[1]
            clear = clearing
            item = st[clear][-1]
            options: list[tuple[float, int]] = []
            for target in range(n_stacks):
                if target == clear or len(st[target]) >= max_height:
                    continue
                top = st[target][-1] if st[target] else None
                if sorted_stack[target] and (top is None or top >= item):
                    harm = -1.0 + (0.0 if top is None else (top - item) / 1000.0)  # lands well
                    if top is None:
                        harm = 0.5  # keep empty stacks for later unless nothing else
                elif not sorted_stack[target]:
                    harm = 0.0  # already unsorted: one more bad container costs nothing new
                else:
                    harm = 1.0 + wells[target] / max(1, max_height)
                if tabu.get((item, target), -1) >= len(moves):
                    harm += 100.0  # allowed only when nothing else is
                options.append((harm + 0.3 * noise(), target))
            if not options:
                return None
            best_move = (0.0, clear, min(options)[1])
        _, source, target = best_move
        st[target].append(st[source].pop())
        tabu[st[target][-1], source] = len(moves) + 2 * n_stacks
        moves.append((source, target))
        last_target = target
    return None


def _place_well(
    st: list[list[int]],
    sorted_stack: list[bool],
    max_height: int,
    skip_source: int,
    skip_target: int,
    noise: Callable[[], float],
) -> tuple[float, int, int] | None:
    """The tightest move of a badly placed top onto a sorted stack where it is well placed."""
    best_move: tuple[float, int, int] | None = None
    for source in range(len(st)):
        if sorted_stack[source] or source == skip_source:
            continue
        item = st[source][-1]
        for target in range(len(st)):
            if target in (source, skip_target) or not sorted_stack[target] or len(st[target]) >= max_height:
                continue
            top = st[target][-1] if st[target] else None
            if top is not None and top < item:
                continue
            gap = (top - item) if top is not None else 10_000  # empty stacks last
            score = gap + noise()
            if best_move is None or score < best_move[0]:
                best_move = (score, source, target)
    return best_move


def _latest_bad_top(st: list[list[int]], sorted_stack: list[bool]) -> int:
    return max(st[i][-1] for i in range(len(st)) if not sorted_stack[i])


def _base_ready(stack: list[int], demand: int, max_height: int) -> bool:
    """True when the stack is sorted, has room, and its top leaves no earlier than ``demand``."""
    return well_placed_count(stack) == len(stack) and len(stack) < max_height and (not stack or stack[-1] >= demand)


class _Ida:
    """Exact iterative-deepening A* with a table of failed (state, budget) pairs."""

    def __init__(self, max_height: int, deadline: float) -> None:
        self.h = max_height
        self.deadline = deadline
        self.nodes = 0
        self.failed: dict[State, int] = {}
        self.path: list[tuple[int, int]] = []
        self.next_bound = _TOP

    def dfs(self, stacks: State, g: int, bound: int, last: int) -> bool:
        self.nodes += 1
        if self.nodes & 1023 == 0 and time.perf_counter() > self.deadline:
            raise _TimeUp
        lb = lower_bound(stacks, self.h)
        if lb == 0:
            return True
        if g + lb > bound:
            self.next_bound = min(self.next_bound, g + lb)
            return False
        key = _key(stacks)
        budget = bound - g
        known = self.failed.get(key, -1)
        if known >= budget:
            self.next_bound = min(self.next_bound, g + known + 1)
            return False
        children = _children(stacks, self.h, last)
        children.sort()
        for _, source, target in children:
            self.path.append((source, target))
            if self.dfs(_apply(stacks, source, target), g + 1, bound, target):
                return True
            self.path.pop()
        self.failed[key] = budget
        return False


def _no_move_possible(stacks: State, max_height: int) -> bool:
    """True when no container can move at all (every stack full, or only one stack holds boxes)."""
    occupied = [i for i, stack in enumerate(stacks) if stack]
    with_room = [i for i, stack in enumerate(stacks) if len(stack) < max_height]
    return not any(source != target for source in occupied for target in with_room)


def search_any_plan(
    stacks: State, max_height: int, deadline: float, max_states: int = 200_000
) -> tuple[list[tuple[int, int]] | None, bool]:
    """Weighted A* (``g + 3·LB``) over distinct bays: the complete fallback behind the rule.

    It never revisits a bay, so it finds a plan whenever one is reachable and it is given the
    states and time, and when it runs out of bays to visit it has *proven* that none is (second
    value True). The weight trades plan length for speed: on a three-stack bay the rule cannot
    sort, weight 1 (plain A*) exhausted 200 000 bays, weight 3 found a plan after 3 000.
    """
    start_key = _key(stacks)
    parents: dict[State, tuple[State, tuple[int, int]] | None] = {start_key: None}
    actual: dict[State, State] = {start_key: stacks}
    heap: list[tuple[int, int, State, int]] = [(0, 0, start_key, 0)]
    counter = 0
    while heap:
        if counter & 255 == 0 and time.perf_counter() > deadline:
            return None, False
        _, _, key, depth = heapq.heappop(heap)
        state = actual[key]
        if _bad_count(state) == 0:
            path: list[tuple[int, int]] = []
            link = parents[key]
            while link is not None:
                path.append(link[1])
                link = parents[link[0]]
            return path[::-1], False
        for _, source, target in _children(state, max_height, -1):
            child = _apply(state, source, target)
            child_key = _key(child)
            if child_key in parents:
                continue
            if len(parents) >= max_states:
                return None, False
            parents[child_key] = (key, (source, target))
            actual[child_key] = child
            counter += 1
            priority = depth + 1 + SEARCH_WEIGHT * lower_bound(child, max_height)
            heapq.heappush(heap, (priority, counter, child_key, depth + 1))
    return None, True


def prove_infeasible(stacks: State, max_height: int, max_states: int = 200_000) -> bool:
    """True only when no sorted bay is reachable (an exhaustive proof, not a guess)."""
    return search_any_plan(stacks, max_height, float("inf"), max_states) == (None, True)


def first_plan(
    stacks: State, max_height: int, deadline: float, seed: int = 1
) -> tuple[list[tuple[int, int]] | None, bool]:
    """A valid plan as fast as possible: the rule, seeded restarts, then the complete search.

    Returns (plan, proven infeasible). The rule sorts 1468 of the 1480 CV and BF benchmark bays
    at once and the rest within three restarts; the search catches what the rule misses on
    small awkward bays (three stacks, one of them needed as a buffer).
    """
    plan = construct_plan(stacks, max_height)
    rng = random.Random(seed)
    for restart in range(RULE_RESTARTS):
        # The first few restarts run even past the deadline: milliseconds each on a quiet
        # machine, and no plan at all is worse than a late one on a starved CPU.
        if plan is not None or (restart >= MIN_RULE_RESTARTS and time.perf_counter() > deadline):
            break
        plan = construct_plan(stacks, max_height, rng)
    if plan is not None:
        return plan, False
    return search_any_plan(stacks, max_height, deadline)


# Complexity above the limit on purpose: solver driver: bounds, heuristic, search and result.
def solve_premarshalling(bay: YardBay, time_limit_s: float, seed: int = 1) -> PremarshallingOutcome:  # noqa: C901
    """Best plan found within the time limit, with the best proven lower bound.

    Order matters: the constructive rule runs first (milliseconds) so that a plan exists before
    the searches start; restarts of the rule, beams, exact IDA* and shortening passes then only
    ever replace it by a shorter checked plan.
    """
    started = time.perf_counter()
    deadline = started + time_limit_s
    stacks: State = bay.stacks
    height = bay.max_height
    root = lower_bound(stacks, height)
    if root == 0:
        return PremarshallingOutcome(SolveStatus.OPTIMAL, (), 0, 0)
    if _no_move_possible(stacks, height):
        return PremarshallingOutcome(SolveStatus.INFEASIBLE, None, root, 0)
    nodes = 0
    proven = root
    rng = random.Random(seed)
    best: list[tuple[int, int]] | None = None

    def offer(found: list[tuple[int, int]] | None) -> None:
        nonlocal best
        if found is not None and (best is None or len(found) < len(best)):
            best = shorten_plan(stacks, height, found)

    found, infeasible = first_plan(stacks, height, started + 0.5 * time_limit_s, seed)
    if infeasible:
        return PremarshallingOutcome(SolveStatus.INFEASIBLE, None, root, 0)
    offer(found)
    # The older rule: its randomised restarts still pay on the medium BF classes. On dense CV
    # bays it cycles to its cap, so its first run is cut off at twice the new rule's plan.
    old_rule = greedy_premarshalling(stacks, height, max_moves=2 * len(best) if best is not None else 10_000)
    offer(old_rule)
    # On small bays (CV up to 4x7 and 5x4) wide beams and IDA* find the optima; they keep all
    # the time they want there, as before the pilot method existed.
    small = bay.n_containers <= SMALL_BAY_CONTAINERS
    try:
        cutoff = (len(best) - 1) if best is not None else 4 * root + 4 * bay.n_containers
        # A first narrow beam: it finds the optima on the small classes and the best plans on the
        # 5-tier BF classes (BF5-8, BF21-24: 42 and 49 moves on BF7 where the pilot gives 47 and
        # 51), so there it keeps all the time it wants, as before the pilot existed; on taller
        # bays it is slow and rarely beats the pilot (BF11: 79 against 62).
        share = 1.0 if small or height <= LOW_BAY_TIERS else 0.2
        first_beam = min(deadline, time.perf_counter() + share * (deadline - time.perf_counter()))
        with contextlib.suppress(_TimeUp):
            offer(beam_search(stacks, height, 8, first_beam, cutoff))
        # The pilot method over the rule: the biggest single gain on dense bays, and fast.
        if best is None or len(best) > root:
            pilot_deadline = min(deadline, time.perf_counter() + 0.3 * (deadline - time.perf_counter()))
            offer(pilot_plan(stacks, height, pilot_deadline, PILOT_STEPS))
        if best is not None and len(best) > proven and (len(best) - root <= 6 or bay.n_containers <= 30):
            # Exact search when the gap is small enough to hope; it gets at most half the time left.
            ida = _Ida(height, time.perf_counter() + 0.5 * (deadline - time.perf_counter()))
            bound = root
            try:
                while bound < len(best):
                    ida.next_bound = _TOP
                    solved = ida.dfs(stacks, 0, bound, -1)
                    nodes = ida.nodes
                    if solved:
                        best = list(ida.path)
                        break
                    proven = bound = min(ida.next_bound, len(best))
                proven = len(best)
            except _TimeUp:
                pass
        width = 32
        while best is None or len(best) > proven:
            # Anytime improvement: a randomised pilot run over the whole plan, one over a random
            # tail of the best plan, a burst of randomised restarts of both rules and of the best
            # plan's tail (milliseconds each) and, on bays small enough for it to pay, a wider
            # beam with a quarter of the time left.
            offer(pilot_plan(stacks, height, deadline, PILOT_STEPS, rng))
            if best is not None:
                offer(pilot_suffix(stacks, height, best, deadline, PILOT_STEPS, rng))
            for _ in range(10):
                if time.perf_counter() > deadline:
                    raise _TimeUp
                cap = len(best) - 1 if best is not None else 20 * bay.n_containers
                offer(construct_plan(stacks, height, rng, max_moves=cap))
                if old_rule is not None and time.perf_counter() < deadline:  # pays where it works
                    offer(greedy_premarshalling(stacks, height, rng, max_moves=cap))
                for _ in range(4):
                    if time.perf_counter() > deadline:
                        raise _TimeUp  # each restart is cheap, a round of them is not on a busy CPU
                    if best is not None:
                        offer(reconstruct_suffix(stacks, height, best, rng))
            if bay.n_containers <= BEAM_LIMIT_CONTAINERS:
                cutoff = len(best) - 1 if best is not None else 4 * root + 4 * bay.n_containers
                with contextlib.suppress(_TimeUp):
                    share = 1.0 if small or height <= LOW_BAY_TIERS else 0.25
                    beam_deadline = time.perf_counter() + share * (deadline - time.perf_counter())
                    offer(beam_search(stacks, height, width, beam_deadline, cutoff))
                width *= 2
    except _TimeUp:
        pass
    if best is None:
        return PremarshallingOutcome(SolveStatus.TIMEOUT, None, proven, nodes)
    status = SolveStatus.OPTIMAL if len(best) <= proven else SolveStatus.FEASIBLE
    return PremarshallingOutcome(status, tuple(best), min(proven, len(best)), nodes)
