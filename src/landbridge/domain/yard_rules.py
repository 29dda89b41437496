"""Yard stacking rules, pure (no I/O): where a container may stand, and a simple slot proposal.

The rules (see docs/operations.md):

* A 20 ft box covers one bay. A 40/45 ft box is addressed by an even bay ``b`` and covers bays
  ``b-1`` and ``b`` (the pair ISO 9711 bay plans address by the even number).
* A box stands on the ground or on exactly one box of the same length class (20 on 20, 40/45 on
  40/45 covering the same bays) that is not open-top. Nothing floats, nothing bridges.
* Stack height: ``max_tiers_full`` when any box of the stack is laden, else ``max_tiers_empty``.
* A laden reefer needs a plug: the block must have one free (``reefer_plugs``).
* Dangerous goods only in blocks that take them, and segregated from other classes by a minimum
  distance in ground positions (a coarse yard reading of the IMDG 7.2.4 table, not a substitute).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from landbridge.domain.errors import Conflict, RuleViolation
from landbridge.domain.yard import YardSlot

# Minimum Chebyshev distance (in 20 ft ground positions over bay and row) between two primary
# IMDG classes: 1 = "away from" (not in the same stack), 2 = "separated from" (not in the same or
# an adjacent stack), 4 = "separated by a complete compartment" (four positions apart).
_PAIRS: dict[tuple[str, str], int] = {
    ("1", "2"): 4, ("1", "3"): 4, ("1", "4"): 4, ("1", "5"): 4, ("1", "7"): 4, ("1", "8"): 4, ("1", "6"): 2,
    ("2", "3"): 2, ("2", "4"): 2, ("2", "5"): 2, ("2", "7"): 2, ("2", "6"): 1, ("2", "8"): 1,
    ("3", "4"): 1, ("3", "5"): 2, ("3", "7"): 2, ("3", "6"): 1, ("3", "8"): 1,
    ("4", "5"): 2, ("4", "7"): 2, ("4", "6"): 1, ("4", "8"): 1,
    ("5", "6"): 1, ("5", "7"): 1, ("5", "8"): 2,
    ("6", "7"): 1, ("6", "8"): 1,
    ("7", "8"): 2,
}  # fmt: skip


def segregation_distance(class_a: str, class_b: str) -> int:
    """Minimum ground distance between two IMDG classes/divisions (0: no restriction; class 9 never)."""
    a, b = sorted((class_a.split(".")[0], class_b.split(".")[0]))
    if a == b:
        return 0
    return _PAIRS.get((a, b), 0)


@dataclass(frozen=True)
class BlockLimits:
    """What a yard block allows."""

    code: str
    bays: int
    rows: int
    max_tiers_full: int
    max_tiers_empty: int
    reefer_plugs: int
    dangerous_goods: bool

    @property
    def max_tiers(self) -> int:
        """The highest tier any stack may reach."""
        return max(self.max_tiers_full, self.max_tiers_empty)


@dataclass(frozen=True)
class Box:
    """A container as the stacking rules see it."""

    number: str
    length_ft: int
    laden: bool
    open_top: bool = False
    needs_power: bool = False
    dg_classes: frozenset[str] = field(default_factory=frozenset)

    @property
    def long(self) -> bool:
        """A 40 or 45 ft box (covers two bays)."""
        return self.length_ft >= 40


@dataclass(frozen=True)
class StoredBox:
    """A box already in the block, at its addressed slot."""

    box: Box
    slot: YardSlot


def covered_bays(bay: int, length_ft: int) -> tuple[int, ...]:
    """Bays a box addressed at ``bay`` covers."""
    return (bay - 1, bay) if length_ft >= 40 else (bay,)


def cells_of(slot: YardSlot, length_ft: int) -> list[tuple[int, int, int]]:
    """The (bay, row, tier) cells a box at ``slot`` covers."""
    return [(bay, slot.row, slot.tier) for bay in covered_bays(slot.bay, length_ft)]


class BlockState:
    """The occupancy of one block, indexed by cell."""

    def __init__(self, block: BlockLimits, stored: Iterable[StoredBox]) -> None:
        self.block = block
        self.stored = [s for s in stored]
        self.by_cell: dict[tuple[int, int, int], StoredBox] = {}
        for item in self.stored:
            for cell in cells_of(item.slot, item.box.length_ft):
                self.by_cell[cell] = item

    def powered(self) -> int:
        """Reefer plugs in use."""
        return sum(1 for s in self.stored if s.box.needs_power)

    def check(self, box: Box, slot: YardSlot) -> list[tuple[int, int, int]]:
        """The cells ``box`` would cover at ``slot``; raises naming the rule it breaks."""
        block = self.block
        if slot.block != block.code:
            raise RuleViolation("slot", f"slot {slot} is not in block {block.code}")
        if box.long and (slot.bay % 2 != 0 or not 2 <= slot.bay <= block.bays):
            raise RuleViolation(
                "slot",
                f"a {box.length_ft} ft container is addressed by an even bay 2-{block.bays - block.bays % 2} "
                f"(it covers bays b-1 and b), got bay {slot.bay}",
            )
        slot.check_within(block)
        cells = cells_of(slot, box.length_ft)
        for cell in cells:
            occupant = self.by_cell.get(cell)
            if occupant is not None and occupant.box.number != box.number:
                raise Conflict("slot", f"slot {slot} is occupied by {occupant.box.number}")
        stack = self._stack_below(box, slot)
        limit = block.max_tiers_full if box.laden or any(s.box.laden for s in stack) else block.max_tiers_empty
        if slot.tier > limit:
            raise RuleViolation(
                "slot",
                f"tier {slot.tier} exceeds the stack height {limit} for {'laden' if box.laden else 'this'} "
                f"stack in block {block.code}",
            )
        if box.needs_power and block.reefer_plugs - self.powered() <= 0:
            raise RuleViolation("slot", f"block {block.code} has no free reefer plug ({block.reefer_plugs} plugs)")
        if box.dg_classes:
            self._check_dangerous_goods(box, slot)
        return cells

    def _stack_below(self, box: Box, slot: YardSlot) -> list[StoredBox]:
        stack: list[StoredBox] = []
        for tier in range(slot.tier - 1, 0, -1):
            below = {self.by_cell.get((bay, slot.row, tier)) for bay in covered_bays(slot.bay, box.length_ft)}
            item = below.pop() if len(below) == 1 else None
            if item is None or item.box.number == box.number:
                raise RuleViolation(
                    "slot", f"slot {slot} has no container of the same length to stand on at tier {tier}"
                )
            if item.box.long != box.long or item.slot.bay != slot.bay:
                raise RuleViolation(
                    "slot",
                    f"a {box.length_ft} ft container cannot stand on the {item.box.length_ft} ft {item.box.number}",
                )
            if tier == slot.tier - 1 and item.box.open_top:
                raise RuleViolation("slot", f"{item.box.number} below is open-top; nothing may stand on it")
            stack.append(item)
        return stack

    def _check_dangerous_goods(self, box: Box, slot: YardSlot) -> None:
        if not self.block.dangerous_goods:
            raise RuleViolation("slot", f"block {self.block.code} does not take dangerous goods")
        mine = covered_bays(slot.bay, box.length_ft)
        for other in self.stored:
            if other.box.number == box.number or not other.box.dg_classes:
                continue
            theirs = covered_bays(other.slot.bay, other.box.length_ft)
            distance = min(max(abs(a - b), abs(slot.row - other.slot.row)) for a in mine for b in theirs)
            for mine_class in box.dg_classes:
                for their_class in other.box.dg_classes:
                    required = segregation_distance(mine_class, their_class)
                    if distance < required:
                        raise RuleViolation(
                            "slot",
                            f"class {mine_class} must be at least {required} ground positions from class "
                            f"{their_class} ({other.box.number} at {other.slot})",
                        )

    def propose(self, box: Box) -> YardSlot | None:
        """The first slot that passes every rule, lowest tier first, then bay and row order."""
        first_bay, step = (2, 2) if box.long else (1, 1)
        for tier in range(1, self.block.max_tiers + 1):
            for bay in range(first_bay, self.block.bays + 1, step):
                for row in range(1, self.block.rows + 1):
                    slot = YardSlot(self.block.code, bay, row, tier)
                    if any(cell in self.by_cell for cell in cells_of(slot, box.length_ft)):
                        continue
                    try:
                        self.check(box, slot)
                    except (RuleViolation, Conflict):
                        continue
                    return slot
        return None


def block_preference(blocks: list[BlockLimits], box: Box) -> list[BlockLimits]:
    """Blocks to try for a box: DG blocks for DG, plugged blocks for laden reefers, plain blocks first else."""
    if box.dg_classes:
        return [b for b in blocks if b.dangerous_goods]
    if box.needs_power:
        return [b for b in blocks if b.reefer_plugs > 0]
    return sorted(blocks, key=lambda b: (b.dangerous_goods or b.reefer_plugs > 0, b.code))
