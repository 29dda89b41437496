"""Where a box goes and what stands on it: yard targets promised apart, and the boxes to dig out first.

A work instruction names its yard slot when it is made, so the driver sees it and the box lands
there. A slot promised to a live instruction counts as taken (a promised box stands there): two
cranes working in parallel never get the same slot. The proposal rule fills tier 1 everywhere
before it stacks, so a promise on tier 2 or higher only comes when the ground is full; it then
stands on a promised box and its instruction depends on that one (the box below goes first).
"""

from __future__ import annotations

from dataclasses import dataclass

from landbridge.domain.iso_types import size_type
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import BlockState, Box, StoredBox, block_preference, cells_of, covered_bays
from landbridge.services.operations import yard
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

_RESERVED = "RESERVED"

Stack = tuple[str, int, int]  # block, bay, row


@dataclass(frozen=True)
class Promise:
    """A slot promised to a live instruction (its box is not there yet)."""

    slot: YardSlot
    length_ft: int
    instruction_id: int


def promised_slots(uow: UnitOfWork) -> list[Promise]:
    """Slots promised to live instructions (their target slots)."""
    promises = []
    for row in uow.work.live():
        slot_text = (row.target or {}).get("slot")
        if slot_text:
            promises.append(Promise(YardSlot.parse(slot_text), row.length_ft, row.id))
    return promises


def reserved_stacks(uow: UnitOfWork) -> set[Stack]:
    """Ground stacks with a promised slot (kept for callers that keep whole stacks clear)."""
    return {
        (p.slot.block, bay, p.slot.row) for p in promised_slots(uow) for bay in covered_bays(p.slot.bay, p.length_ft)
    }


def box_for(uow: UnitOfWork, number: str, iso_type: str | None) -> Box:
    """The box as the stacking rules see it (registered or only listed)."""
    row = uow.containers.rows([number]).get(number)
    if row is not None:
        return yard.box_of(row, uow.containers.dangerous_classes([number]).get(number))
    length = size_type(iso_type or "42G1").length_ft
    return Box(number=number, length_ft=length, laden=True)


def choose_target(
    uow: UnitOfWork,
    box: Box,
    keep_clear: set[Stack],
    prefer_block: str | None = None,
    promises: list[Promise] | None = None,
    stored_cache: dict[str, list[StoredBox]] | None = None,
) -> tuple[YardSlot, list[int]] | None:
    """A slot passing every stacking rule, off the ``keep_clear`` stacks and the promised slots (the
    yard's proposal rule), and the instructions whose promised boxes it would stand on.

    ``stored_cache`` keeps each block's stored boxes between calls of one command (it does not move
    boxes while it makes instructions), so a long list reads every block once.
    """
    promised = promised_slots(uow) if promises is None else promises
    blocks = block_preference([yard.limits(b) for b in uow.yard.blocks()], box)
    blocks.sort(key=lambda b: prefer_block is None or b.code != prefer_block)
    for limits in blocks:
        cached = None if stored_cache is None else stored_cache.get(limits.code)
        if cached is None:
            block_row = uow.yard.block(limits.code)
            assert block_row is not None
            cached = yard.block_state(uow, block_row).stored
            if stored_cache is not None:
                stored_cache[limits.code] = cached
        stored = [s for s in cached if s.box.number != box.number]
        mine = [p for p in promised if p.slot.block == limits.code]
        phantoms = [_phantom(p) for p in mine]
        reserved = [
            StoredBox(Box(_RESERVED, 20, laden=False), YardSlot(code, bay, ground_row, tier))
            for code, bay, ground_row in sorted(keep_clear)
            if code == limits.code
            for tier in range(1, limits.max_tiers + 1)
        ]
        found = BlockState(limits, [*stored, *phantoms, *reserved]).propose(box)
        if found is not None:
            below = {(found.block, bay, found.row, found.tier - 1) for bay in covered_bays(found.bay, box.length_ft)}
            depends = sorted(
                {
                    p.instruction_id
                    for p in mine
                    for bay in covered_bays(p.slot.bay, p.length_ft)
                    if (p.slot.block, bay, p.slot.row, p.slot.tier) in below
                }
            )
            return found, depends
    return None


class TargetPlanner:
    """Promised slots for the instructions of one command, with each block's state built once.

    Boxes do not move while a command makes instructions, so each block's stored boxes and the
    promises so far are kept as one :class:`BlockState`, and each new promise is added to it: a
    long discharge list costs one proposal per box, not one rebuild of every block per box.
    A relocation (which keeps its own stack clear) takes the slower :func:`choose_target`.
    """

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow
        self.promises: list[Promise] = promised_slots(uow)
        self.stored: dict[str, list[StoredBox]] = {}
        self._states: dict[str, BlockState] = {}
        self._limits = {b.code: yard.limits(b) for b in uow.yard.blocks()}

    def _state(self, code: str) -> BlockState:
        state = self._states.get(code)
        if state is None:
            block_row = self.uow.yard.block(code)
            assert block_row is not None
            self.stored[code] = yard.block_state(self.uow, block_row).stored
            phantoms = [_phantom(p) for p in self.promises if p.slot.block == code]
            state = self._states[code] = BlockState(self._limits[code], [*self.stored[code], *phantoms])
        return state

    def promise(self, promise: Promise) -> None:
        """Count a new promise as a taken slot."""
        self.promises.append(promise)
        state = self._states.get(promise.slot.block)
        if state is not None:
            item = _phantom(promise)
            state.stored.append(item)
            for cell in cells_of(promise.slot, promise.length_ft):
                state.by_cell[cell] = item

    def choose(
        self, box: Box, keep_clear: set[Stack], prefer_block: str | None = None
    ) -> tuple[YardSlot, list[int]] | None:
        """A slot for the box by the yard's proposal rule, and the instructions it would stand on."""
        if keep_clear:
            return choose_target(self.uow, box, keep_clear, prefer_block, self.promises, self.stored)
        blocks = block_preference(list(self._limits.values()), box)
        blocks.sort(key=lambda b: prefer_block is None or b.code != prefer_block)
        for limits in blocks:
            state = self._state(limits.code)
            found = state.propose(box)
            if found is not None:
                below = {
                    state.by_cell.get((bay, found.row, found.tier - 1))
                    for bay in covered_bays(found.bay, box.length_ft)
                }
                depends = sorted(
                    int(item.box.number.removeprefix(f"{_RESERVED}-"))
                    for item in below
                    if item is not None and item.box.number.startswith(f"{_RESERVED}-")
                )
                return found, depends
        return None


def _phantom(promise: Promise) -> StoredBox:
    return StoredBox(Box(f"{_RESERVED}-{promise.instruction_id}", promise.length_ft, laden=True), promise.slot)


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
