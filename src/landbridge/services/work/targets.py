"""Where a box goes and what stands on it: yard targets kept apart, and the boxes to dig out first.

A work instruction names its yard slot when it is made, so the driver sees it and the box lands
there. Slots promised to other live instructions are reserved as whole ground stacks (every tier):
two cranes working in parallel never get the same slot, and no promised box ever has to land on a
box that is not there yet.
"""

from __future__ import annotations

from landbridge.domain.iso_types import size_type
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import BlockState, Box, StoredBox, block_preference, covered_bays
from landbridge.services.operations import yard
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

_RESERVED = "RESERVED"

Stack = tuple[str, int, int]  # block, bay, row


def reserved_stacks(uow: UnitOfWork) -> set[Stack]:
    """Ground stacks promised to live instructions (their target slots)."""
    stacks: set[Stack] = set()
    for row in uow.work.live():
        slot_text = (row.target or {}).get("slot")
        if slot_text:
            slot = YardSlot.parse(slot_text)
            stacks.update((slot.block, bay, slot.row) for bay in covered_bays(slot.bay, row.length_ft))
    return stacks


def box_for(uow: UnitOfWork, number: str, iso_type: str | None) -> Box:
    """The box as the stacking rules see it (registered or only listed)."""
    row = uow.containers.rows([number]).get(number)
    if row is not None:
        return yard.box_of(row, uow.containers.dangerous_classes([number]).get(number))
    length = size_type(iso_type or "42G1").length_ft
    return Box(number=number, length_ft=length, laden=True)


def choose_target(
    uow: UnitOfWork, box: Box, keep_clear: set[Stack], prefer_block: str | None = None
) -> YardSlot | None:
    """A slot passing every stacking rule, off the ``keep_clear`` stacks (the yard's proposal rule)."""
    blocks = block_preference([yard.limits(b) for b in uow.yard.blocks()], box)
    blocks.sort(key=lambda b: prefer_block is None or b.code != prefer_block)
    for limits in blocks:
        block_row = uow.yard.block(limits.code)
        assert block_row is not None
        stored = [s for s in yard.block_state(uow, block_row).stored if s.box.number != box.number]
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


def boxes_on_top(uow: UnitOfWork, row: tables.ContainerRow) -> tuple[YardSlot | None, list[str]]:
    """The box's yard slot and the boxes standing on it, top-most first."""
    slot = uow.yard.slot_of(row.number)
    if slot is None:
        return None, []
    bays = covered_bays(slot.bay, size_type(row.iso_type).length_ft)
    block = uow.yard.block(slot.block)
    top = block.max_tiers_empty if block is not None else slot.tier + 5
    above: list[str] = []
    for tier in range(slot.tier + 1, max(top, slot.tier) + 1):
        for number in sorted(uow.yard.occupants(slot.block, [(bay, slot.row, tier) for bay in bays])):
            if number not in above and number != row.number:
                above.append(number)
    return YardSlot(slot.block, slot.bay, slot.row, slot.tier), list(reversed(above))
