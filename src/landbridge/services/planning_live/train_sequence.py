"""The order a checked train plan is worked in on the yard as it is: stack by stack, top-down, with
the blockers of each stack relocated as they come up, and where a blocker goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import BlockState, Box, StoredBox, block_preference, covered_bays
from landbridge.services.operations import yard
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class YardStep:
    """One move of an applied plan, in order: load a box of the plan, or relocate a blocker out of its way."""

    container: str
    yard_slot: str | None
    assignment: dict[str, Any] | None = None
    """The load (wagon, slot…) for a box of the plan; None for a blocker to relocate."""
    over: str | None = None
    """For a blocker: the nearest box of the plan under it (named when the relocation is refused)."""


@dataclass(frozen=True)
class YardSequence:
    """The moves that apply a train plan on the yard as it is now, and the ground positions to keep clear."""

    steps: tuple[YardStep, ...]
    keep_clear: frozenset[tuple[str, int, int]]
    """(block, bay, row) under every box of the plan: no blocker is relocated onto a stack still to be dug."""

    @property
    def loads(self) -> list[dict[str, Any]]:
        """The assignments in the order they are loaded."""
        return [step.assignment for step in self.steps if step.assignment is not None]

    @property
    def blockers(self) -> list[dict[str, Any]]:
        """The boxes not in the plan that stand over a box of it, in the order they are moved."""
        return [
            {"container": step.container, "yard_slot": step.yard_slot, "over": step.over}
            for step in self.steps
            if step.assignment is None
        ]


def _slot_text(row: tables.YardSlotRow | None) -> str | None:
    return None if row is None else str(YardSlot(row.block, row.bay, row.row, row.tier))


_RESERVED = "(keep clear)"
"""Number of the stand-in boxes that mark the plan's stacks as taken when a blocker's slot is proposed."""


def yard_sequence(uow: UnitOfWork, assignments: list[dict[str, Any]]) -> YardSequence:
    """Order the loads stack by stack, top-down, with the blockers of each stack moved as they come up.

    Why: the yard refuses to take out a box with another on top, and the solver's second phase only
    minimises such relocations among the plan's candidates; boxes that are not candidates at all
    may stand on a planned box too. So each yard stack holding a box of the plan is read from its
    lowest planned box upwards (the cells that box covers, tier by tier, as the yard rules stack
    them) and worked from the top: a box of the plan is loaded, any other box is relocated. Stacks
    go in yard order (block, bay, row); boxes without a yard slot load last.
    """
    repo = uow.yard
    planned = {a["container"]: a for a in assignments}
    slots = {
        slot.container_number: slot
        for slot in uow.session.scalars(
            select(tables.YardSlotRow).where(tables.YardSlotRow.container_number.in_(list(planned)))
        )
    }
    lowest: dict[tuple[str, int, int], tuple[int, str]] = {}
    keep_clear: set[tuple[str, int, int]] = set()
    loose: list[YardStep] = []
    for number, assignment in planned.items():
        slot = slots.get(number)
        if slot is None:
            loose.append(YardStep(number, None, assignment))
            continue
        key = (slot.block, slot.bay, slot.row)
        lowest[key] = min(lowest.get(key, (slot.tier, number)), (slot.tier, number))
        keep_clear.update((slot.block, bay, slot.row) for bay in covered_bays(slot.bay, int(assignment["length_ft"])))
    heights = {block.code: yard.limits(block).max_tiers for block in repo.blocks()}
    steps: list[YardStep] = []
    for (block, bay, row), (ground_tier, ground_box) in sorted(lowest.items()):
        bays = covered_bays(bay, int(planned[ground_box]["length_ft"]))
        column: list[tuple[int, str]] = [(ground_tier, ground_box)]
        for tier in range(ground_tier + 1, heights.get(block, ground_tier) + 1):
            above = repo.occupants(block, [(b, row, tier) for b in bays])
            if not above:
                break  # nothing floats: an empty tier ends the stack
            column.extend((tier, number) for number in sorted(above))
        below_of: dict[int, str] = {}
        planned_below: str | None = None
        for tier, number in column:  # bottom-up: the nearest planned box under each tier
            below_of[tier] = planned_below or ground_box
            if number in planned:
                planned_below = number
        for tier, number in reversed(column):
            where = _slot_text(slots.get(number) or repo.slot_of(number))
            if number in planned:
                steps.append(YardStep(number, where, planned[number]))
            else:
                steps.append(YardStep(number, where, over=below_of[tier]))
    loose.sort(key=lambda step: (step.assignment["wagon"], step.assignment["slot"]) if step.assignment else ("", 0))
    return YardSequence(tuple(steps + loose), frozenset(keep_clear))


def relocation_target(
    uow: UnitOfWork, row: tables.ContainerRow, keep_clear: frozenset[tuple[str, int, int]]
) -> YardSlot | None:
    """Where the yard's proposal rule would put a blocker, its own block first, off the plan's stacks.

    The rule itself is the yard service's (:func:`yard_rules.block_preference` and
    :meth:`BlockState.propose`: every stacking, reefer and dangerous-goods rule, lowest tier, then
    bay, then row); this only changes the block order (the blocker's own block first, so the
    gantry stays in its block) and marks every ground position under a box of the plan as taken,
    so a blocker is never put back on a stack the apply still has to dig or has just emptied.
    """
    repo = uow.yard
    current = repo.slot_of(row.number)
    box = yard.box_of(row, uow.containers.dangerous_classes([row.number]).get(row.number))
    blocks = block_preference([yard.limits(b) for b in repo.blocks()], box)
    blocks.sort(key=lambda b: current is None or b.code != current.block)  # stable: the rest keep the rule's order
    for limits in blocks:
        block_row = repo.block(limits.code)
        assert block_row is not None
        stored = [s for s in yard.block_state(uow, block_row).stored if s.box.number != row.number]
        reserved = [
            StoredBox(Box(_RESERVED, 20, laden=False), YardSlot(code, bay, ground_row, tier))
            for code, bay, ground_row in sorted(keep_clear)
            if code == limits.code
            for tier in range(1, limits.max_tiers + 1)
        ]
        found = BlockState(limits, [*stored, *reserved]).propose(box)
        if found is not None:
            return found
    return None
