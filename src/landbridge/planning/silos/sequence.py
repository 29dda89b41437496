"""Order the operations that turn the present silo contents into a target allocation.

CP-SAT chooses *where* every lot ends; this module chooses *in which order* the elevator moves the
grain so that every intermediate state is one an elevator may be in: no silo above its capacity,
no silo holding two owners/crops/classes unless it allows mixing, and grain leaving a silo only if
it is there. A silo emptied of its last kilogram of a lot is free for another key again.

Method (greedy with cycle breaking):

1. **Direct moves** - while some stored lot has *surplus* in a silo (more there now than in the
   target) and a *deficit* in another silo that has room and accepts its key now, move it. Whole
   moves (surplus or deficit cleared at once) go before partial ones, because a part is an extra
   conveyor run. Every direct move lowers the total deficit, so this phase terminates.
2. **Cycle breaking** - when no direct move is possible but deficits remain, silos wait for each
   other (A needs B's grain out, B needs A's). Pick a waiting silo and park just the grain that
   blocks it (other keys, then as much same-key surplus as its deliveries need) in other silos
   that have room and accept it now - silos empty in the target first, so the parked grain never
   blocks their own deliveries. The waiting silo then takes a direct move, so the total deficit
   still falls after each break and the method terminates. Parking is a *buffer hop*: an extra
   transfer reported in the plan.
3. **Intake last** - arriving lots go in after all transfers. Once the transfers are done every
   silo holds a subset of its target, so intake always fits; taking it in earlier could fill room
   that a cycle break needs.

4. **Search when stuck** - the greedy method only parks surplus grain of a waiting silo. When that
   is not enough (e.g. the only possible buffer is full of grain that stays), a breadth-first
   search over single transfers (amounts: all of it, what fits, the surplus, the deficit) looks
   for the shortest first moves after which the greedy method succeeds, within ``SEARCH_STATES``.

If neither finds an order the result says so (``complete`` false, with the reason): the target is
not reachable by this method, which is not a proof. :func:`transfers_possible` gives the one case the solver
can turn into a proof: when no grain can move at all from the present contents, no target that
needs a transfer is reachable, because intake only takes room and narrows keys.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from landbridge.planning.silos.problem import SiloInstance


@dataclass(frozen=True)
class Operation:
    """One elevator operation: a transfer (``source`` is a silo index) or an intake (``source`` None)."""

    lot_id: str
    source: int | None
    target: int
    mass_kg: int


@dataclass
class Sequence:
    """Ordered operations and whether they reach the target; ``reason`` explains a failure."""

    operations: list[Operation] = field(default_factory=list)
    complete: bool = True
    reason: str | None = None


class _State:
    """Silo contents while replaying; knows capacities, keys and the target."""

    def __init__(self, instance: SiloInstance, target: dict[tuple[str, int], int]) -> None:
        self.instance = instance
        self.key = {lot.lot_id: lot.key for lot in instance.lots}
        self.stored = {lot.lot_id for lot in instance.lots if instance.stored_kg(lot.lot_id)}
        self.held: list[dict[str, int]] = [dict(silo.contents) for silo in instance.silos]
        self.target = target
        self.operations: list[Operation] = []

    def copy(self) -> _State:
        twin = _State.__new__(_State)
        twin.instance, twin.key, twin.stored, twin.target = self.instance, self.key, self.stored, self.target
        twin.held = [dict(contents) for contents in self.held]
        twin.operations = list(self.operations)
        return twin

    def signature(self) -> tuple[tuple[tuple[str, int], ...], ...]:
        return tuple(tuple(sorted(contents.items())) for contents in self.held)

    def room(self, s: int) -> int:
        return self.instance.silos[s].capacity_kg - sum(self.held[s].values())

    def accepts(self, s: int, lot_id: str) -> bool:
        """Silo s may take this lot now: it mixes, or everything in it has the lot's key."""
        if self.instance.silos[s].allow_mixing:
            return True
        return all(self.key[other] == self.key[lot_id] for other, kg in self.held[s].items() if kg > 0)

    def surplus(self, lot_id: str, s: int) -> int:
        return max(0, self.held[s].get(lot_id, 0) - self.target.get((lot_id, s), 0))

    def deficit(self, lot_id: str, s: int) -> int:
        return max(0, self.target.get((lot_id, s), 0) - self.held[s].get(lot_id, 0))

    def apply(self, operation: Operation) -> None:
        if operation.source is not None:
            left = self.held[operation.source][operation.lot_id] - operation.mass_kg
            assert left >= 0, operation
            if left:
                self.held[operation.source][operation.lot_id] = left
            else:
                del self.held[operation.source][operation.lot_id]
        assert self.accepts(operation.target, operation.lot_id), operation
        assert self.room(operation.target) >= operation.mass_kg, operation
        self.held[operation.target][operation.lot_id] = (
            self.held[operation.target].get(operation.lot_id, 0) + operation.mass_kg
        )
        self.operations.append(operation)

    def deficits(self) -> list[tuple[str, int, int]]:
        """(lot, silo, kg) still to be delivered by transfers, in a fixed order."""
        return [
            (lot_id, s, self.deficit(lot_id, s))
            for (lot_id, s) in sorted(self.target, key=lambda pair: (pair[1], pair[0]))
            if lot_id in self.stored and self.deficit(lot_id, s) > 0
        ]

    def surpluses(self, lot_id: str) -> list[tuple[int, int]]:
        return [(s, self.surplus(lot_id, s)) for s in range(len(self.held)) if self.surplus(lot_id, s) > 0]


def _direct_move(state: _State) -> Operation | None:
    """The best transfer from a surplus to a deficit that is possible now, or None."""
    best: tuple[tuple[int, int, int], Operation] | None = None
    for lot_id, t, need in state.deficits():
        room = state.room(t)
        if room <= 0 or not state.accepts(t, lot_id):
            continue
        for s, spare in state.surpluses(lot_id):
            wanted = min(spare, need)
            amount = min(wanted, room)
            # Whole moves first (a part is an extra run), then ones that clear the source, then larger.
            score = (int(amount == wanted), int(amount == spare), amount)
            if best is None or score > best[0]:
                best = (score, Operation(lot_id, s, t, amount))
    return None if best is None else best[1]


def _blockers(state: _State, t: int, room_goal: int) -> list[tuple[str, int]]:
    """Grain that must leave silo t (lot, kg) before t can take its deliveries.

    Every lot of another key leaves whole (it has nothing in t's target); then same-key surplus,
    largest first, until t has ``room_goal`` kg free.
    """
    needed = {lot_id for lot_id, s, _ in state.deficits() if s == t}
    silo = state.instance.silos[t]
    wanted_key = state.key[min(needed)]
    out: list[tuple[str, int]] = []
    room = state.room(t)
    if not silo.allow_mixing:
        for lot_id, kg in sorted(state.held[t].items()):
            if state.key[lot_id] != wanted_key:
                out.append((lot_id, kg))
                room += kg
    leaving = {lot_id for lot_id, _ in out}
    same = sorted(
        ((lot_id, state.surplus(lot_id, t)) for lot_id in state.held[t] if lot_id not in leaving),
        key=lambda item: (-item[1], item[0]),
    )
    for lot_id, spare in same:
        if room >= room_goal:
            break
        if spare <= 0:
            continue
        amount = min(spare, room_goal - room)
        out.append((lot_id, amount))
        room += amount
    return out if room >= room_goal else []


def _park(state: _State, t: int, blockers: list[tuple[str, int]]) -> list[Operation] | None:
    """Buffer hops that take ``blockers`` out of silo t, or None if they do not all fit anywhere.

    Simulated on copies of the contents so that a failed attempt leaves the state untouched.
    Buffers: silos empty in the target first (parked grain cannot block their deliveries), then
    silos whose target has the same key, then any; within a class, one that takes the whole
    amount, then the roomiest.
    """
    held = [dict(contents) for contents in state.held]
    target_keys = [
        {state.key[lot_id] for (lot_id, s), kg in state.target.items() if s == b and kg > 0} for b in range(len(held))
    ]
    silos = state.instance.silos
    hops: list[Operation] = []
    for lot_id, amount in blockers:
        left = amount
        while left > 0:
            choices = []
            for b, silo in enumerate(silos):
                room = silo.capacity_kg - sum(held[b].values())
                if b == t or room <= 0:
                    continue
                if not silo.allow_mixing and any(
                    state.key[other] != state.key[lot_id] for other, kg in held[b].items() if kg > 0
                ):
                    continue
                kind = 0 if not target_keys[b] else 1 if target_keys[b] == {state.key[lot_id]} else 2
                choices.append(((kind, int(room < left), -room, b), b, room))
            if not choices:
                return None
            _, b, room = min(choices)
            step = min(left, room)
            held[t][lot_id] -= step
            if not held[t][lot_id]:
                del held[t][lot_id]
            held[b][lot_id] = held[b].get(lot_id, 0) + step
            hops.append(Operation(lot_id, t, b, step))
            left -= step
    return hops


def _break_cycle(state: _State) -> bool:
    """Park the grain blocking one waiting silo; False if no waiting silo can be freed."""
    waiting: dict[int, int] = {}
    for _, t, need in state.deficits():
        waiting[t] = waiting.get(t, 0) + need
    attempts: list[tuple[int, int, list[Operation]]] = []
    for t, need in waiting.items():
        # Room for all deliveries; failing that, room for at least one kilogram of progress.
        for goal in (need, 1):
            blockers = _blockers(state, t, goal)
            hops = _park(state, t, blockers) if blockers else None
            if hops:
                attempts.append((len(hops), sum(h.mass_kg for h in hops), hops))
                break
    if not attempts:
        return False
    _, _, hops = min(attempts, key=lambda item: (item[0], item[1]))
    for hop in hops:
        state.apply(hop)
    return True


def transfers_possible(instance: SiloInstance) -> bool:
    """Whether any grain can be transferred at all from the present contents.

    If not, no transfer will ever be possible (intake only takes room and narrows keys), so the
    only reachable allocations keep every stored lot where it is.
    """
    keys = {lot.lot_id: lot.key for lot in instance.lots}
    for s, silo in enumerate(instance.silos):
        for lot_id, kg in silo.contents:
            if kg <= 0:
                continue
            for b, other in enumerate(instance.silos):
                if b == s or other.capacity_kg - sum(k for _, k in other.contents) <= 0:
                    continue
                if other.allow_mixing or all(keys[x] == keys[lot_id] for x, k in other.contents if k > 0):
                    return True
    return False


SEARCH_STATES = 400
"""States the fallback search visits before the sequencer gives up on a target."""


def _greedy(state: _State) -> str | None:
    """Run the greedy method on ``state`` in place; None when it reached the target, else why not."""
    instance = state.instance
    # Each direct move clears a surplus, a deficit or fills a silo; the cap only guards bugs.
    cap = len(state.operations) + 50 * (len(instance.lots) + 1) * (len(instance.silos) + 1) + 100
    while state.deficits():
        if len(state.operations) > cap:
            return f"gave up after {cap} operations"
        move = _direct_move(state)
        if move is not None:
            state.apply(move)
            continue
        if not _break_cycle(state):
            waiting = sorted({instance.silos[t].silo_id for _, t, _ in state.deficits()})
            return (
                f"silos {', '.join(waiting)} wait for each other and no silo has room for a compatible "
                "temporary hop (a free silo would be needed)"
            )
    for (lot_id, t), kg in sorted(state.target.items(), key=lambda item: (item[0][1], item[0][0])):
        if lot_id not in state.stored:
            state.apply(Operation(lot_id, None, t, kg - state.held[t].get(lot_id, 0)))
    return None


def _moves(state: _State) -> list[Operation]:
    """Transfers possible now, with the amounts that matter: all of it, what fits, surplus, deficit."""
    moves: list[Operation] = []
    for s, contents in enumerate(state.held):
        for lot_id, kg in sorted(contents.items()):
            if lot_id not in state.stored:
                continue
            for t in range(len(state.held)):
                room = state.room(t)
                if t == s or room <= 0 or not state.accepts(t, lot_id):
                    continue
                amounts = {kg, room, state.surplus(lot_id, s), state.deficit(lot_id, t)}
                moves += [Operation(lot_id, s, t, a) for a in sorted(amounts) if 0 < a <= min(kg, room)]
    return moves


def _search(
    instance: SiloInstance, target: dict[tuple[str, int], int], deadline: float | None
) -> list[Operation] | None:
    """Breadth-first over single transfers from the present contents, finishing each state greedily.

    The greedy method only parks grain that is surplus in a waiting silo. Some targets need other
    first moves - e.g. moving target grain of a lot out of a full mixing silo so it can serve as
    the buffer, then putting the same lot's kilograms back. Breadth-first finds the shortest such
    prefix after which greedy succeeds, within ``SEARCH_STATES`` states and the solver's deadline
    (``time.perf_counter()`` value), so that sequencing never overruns the time limit by much.
    """
    start = _State(instance, target)
    queue = deque([start])
    seen = {start.signature()}
    while queue and len(seen) <= SEARCH_STATES:
        node = queue.popleft()
        if deadline is not None and time.perf_counter() > deadline:
            return None
        for move in _moves(node):
            child = node.copy()
            child.apply(move)
            signature = child.signature()
            if signature in seen:
                continue
            seen.add(signature)
            trial = child.copy()
            if _greedy(trial) is None:
                return trial.operations
            queue.append(child)
    return None


def sequence_plan(
    instance: SiloInstance, target: dict[tuple[str, int], int], deadline: float | None = None
) -> Sequence:
    """Order transfers and intake from the present contents to ``target`` ((lot, silo) -> kg).

    ``target`` must be a valid allocation (capacity, no mixing, every lot whole). Greedy first; if
    it gets stuck, a small breadth-first search for a prefix that unsticks it. The returned
    sequence is complete, or says why it stopped (the greedy method's reason; not a proof).
    """
    target = {pair: kg for pair, kg in target.items() if kg > 0}
    state = _State(instance, target)
    reason = _greedy(state)
    if reason is None:
        return Sequence(state.operations)
    found = _search(instance, target, deadline)
    if found is not None:
        return Sequence(found)
    return Sequence(state.operations, False, f"{reason}; a search of {SEARCH_STATES} states found no order either")
