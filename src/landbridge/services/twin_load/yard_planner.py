"""Where the loader stacks each box: a yard planner that knows when every box will leave.

The loader plays a finished twin run, so it knows each box's departure when the box arrives; it
uses that the way a good yard planner uses booking data: a box goes on a stack whose top box
leaves *after* it (so nothing has to be dug out), else on a free ground position, else on the
stack whose top leaves soonest after it. Stacks are kept to one length class (20 ft bays 31–41,
40 ft pairs on bays 1–30) and one load state (laden up to the block's laden limit, empties up to
the empty limit), which is what the stacking rules of ``yard_rules`` allow.

Pure and deterministic: no I/O; the same arrivals in the same order give the same slots.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

StackKey = tuple[str, int, int]  # block, addressed bay, row
FORTY_FT_BAYS = tuple(range(2, 31, 2))  # a 40/45 ft box at even bay b covers b-1 and b
TWENTY_FT_BAYS = tuple(range(31, 42))
NEVER = float("inf")


@dataclass(frozen=True)
class BlockShape:
    """A block as the planner needs it."""

    code: str
    bays: int
    rows: int
    max_tiers_full: int
    max_tiers_empty: int


@dataclass
class Stack:
    """Boxes on one ground position, bottom first, with the hour each leaves."""

    key: StackKey
    long: bool
    laden: bool
    boxes: list[str] = field(default_factory=list)
    leaves_h: list[float] = field(default_factory=list)


class YardPlanner:
    """The occupancy the loader has created, and the next slot for each box."""

    def __init__(self, blocks: list[BlockShape]) -> None:
        self.limits = {block.code: block for block in blocks}
        self.free: dict[bool, list[StackKey]] = {False: [], True: []}  # long → free ground positions
        for block in sorted(blocks, key=lambda b: b.code):
            for bay in FORTY_FT_BAYS:
                if bay <= block.bays:
                    self.free[True] += [(block.code, bay, row) for row in range(1, block.rows + 1)]
            for bay in TWENTY_FT_BAYS:
                if bay <= block.bays:
                    self.free[False] += [(block.code, bay, row) for row in range(1, block.rows + 1)]
        for positions in self.free.values():
            positions.reverse()  # pop() hands them out in block, bay, row order
        self.stacks: dict[StackKey, Stack] = {}
        self.where: dict[str, StackKey] = {}
        # Stacks with room, per (long, laden), ordered by the hour their top box leaves.
        self._open: dict[tuple[bool, bool], list[tuple[float, StackKey]]] = {}

    def _limit(self, stack: Stack) -> int:
        block = self.limits[stack.key[0]]
        return block.max_tiers_full if stack.laden else block.max_tiers_empty

    def _open_list(self, long: bool, laden: bool) -> list[tuple[float, StackKey]]:
        return self._open.setdefault((long, laden), [])

    def _forget(self, stack: Stack) -> None:
        entries = self._open_list(stack.long, stack.laden)
        entry = (stack.leaves_h[-1], stack.key)
        index = bisect.bisect_left(entries, entry)
        if index < len(entries) and entries[index] == entry:
            del entries[index]

    def _remember(self, stack: Stack) -> None:
        if stack.boxes and len(stack.boxes) < self._limit(stack):
            bisect.insort(self._open_list(stack.long, stack.laden), (stack.leaves_h[-1], stack.key))

    def choose(self, long: bool, laden: bool, leaves_h: float | None, avoid: StackKey | None = None) -> StackKey:
        """The ground position for a box (not yet placed); raises ``LookupError`` when the yard is full."""
        leaves = NEVER if leaves_h is None else leaves_h
        entries = self._open_list(long, laden)
        index = bisect.bisect_left(entries, (leaves, ("", 0, 0)))
        for candidate in entries[index:] if index < len(entries) else []:
            if candidate[1] != avoid:
                return candidate[1]  # its top leaves after this box: no digging later
        if self.free[long]:
            return self.free[long][-1]
        for candidate in reversed(entries[:index]):
            if candidate[1] != avoid:
                return candidate[1]  # the least bad: its top leaves soonest before this box
        raise LookupError("the yard has no room for this box")

    def tier_at(self, key: StackKey) -> int:
        """The tier a box placed on ``key`` now would stand on."""
        stack = self.stacks.get(key)
        return 1 + (len(stack.boxes) if stack else 0)

    def put(self, key: StackKey, number: str, long: bool, laden: bool, leaves_h: float | None) -> int:
        """Record the box placed on ``key``; returns its tier."""
        stack = self.stacks.get(key)
        if stack is None:
            free = self.free[long]
            free.remove(key)
            stack = self.stacks[key] = Stack(key, long, laden)
        else:
            self._forget(stack)
        stack.boxes.append(number)
        stack.leaves_h.append(NEVER if leaves_h is None else leaves_h)
        self.where[number] = key
        self._remember(stack)
        return len(stack.boxes)

    def above(self, number: str) -> list[str]:
        """Boxes standing on ``number``, top first (they must move before it can leave)."""
        stack = self.stacks[self.where[number]]
        index = stack.boxes.index(number)
        return list(reversed(stack.boxes[index + 1 :]))

    def take(self, number: str) -> None:
        """Record the box (the top of its stack) leaving the yard."""
        key = self.where.pop(number)
        stack = self.stacks[key]
        assert stack.boxes[-1] == number, f"{number} is not on top of {key}"
        self._forget(stack)
        stack.boxes.pop()
        stack.leaves_h.pop()
        if stack.boxes:
            self._remember(stack)
        else:
            del self.stacks[key]
            bisect.insort(self.free[stack.long], key, key=lambda k: _descending(k))

    def __contains__(self, number: str) -> bool:
        return number in self.where


def _descending(key: StackKey) -> tuple[int, ...]:
    """Sort key that keeps the free list in reverse block, bay, row order (pop() takes the first)."""
    block, bay, row = key
    return (-ord(block[0]), -bay, -row)


def slot_text(key: StackKey, tier: int) -> str:
    """The slot as the yard commands take it (``A-02-03-1``)."""
    block, bay, row = key
    return f"{block}-{bay:02d}-{row:02d}-{tier}"
