"""Yard commands: place or move a container to a slot (every stacking rule checked), propose a slot.

Concurrency: the container's row is locked (``SELECT … FOR UPDATE`` on PostgreSQL); every block
touched is locked in code order (shared, or exclusive when the box's rules read the whole block:
dangerous goods, a laden reefer) and then every stack touched (advisory locks in key order), so two
moves on one stack queue while moves on other stacks of the block run side by side; SQLite
serialises writers anyway. The unique constraint on ``yard_cells`` stays the last line of defence:
a lost race is a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.iso_types import size_type
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import BlockLimits, BlockState, Box, StoredBox, block_preference
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    check_version,
    container_event,
    container_view,
    execute,
    locked_container,
    peek_version,
    set_position,
    snapshot,
)
from landbridge.store import tables
from landbridge.store.repositories.transaction_cache import transaction_cache
from landbridge.store.unit_of_work import UnitOfWork

# Where a container may come from when the yard operator places it (moves within the yard, drop-offs
# from trucks, boxes leaving the CFS). Vessel and wagon moves have their own commands.
PLACEABLE_FROM = frozenset({PositionKind.YARD, PositionKind.TRUCK, PositionKind.CFS})


class Unread:
    """A value the caller has not read (as opposed to None, read and absent)."""


UNREAD = Unread()


def limits(row: tables.YardBlockRow) -> BlockLimits:
    """The stacking limits of a block row."""
    return BlockLimits(
        code=row.code,
        bays=row.bays,
        rows=row.rows,
        max_tiers_full=row.max_tiers_full,
        max_tiers_empty=row.max_tiers_empty,
        reefer_plugs=row.reefer_plugs,
        dangerous_goods=row.dangerous_goods,
    )


def box_of(row: tables.ContainerRow, dg_classes: set[str] | None = None) -> Box:
    """The container as the stacking rules see it."""
    return _box(row.number, row.iso_type, row.load_state, frozenset(dg_classes or ()))


def _box(number: str, iso_type: str, load_state: str, dg_classes: frozenset[str]) -> Box:
    iso = size_type(iso_type)
    laden = load_state == "full"
    return Box(
        number=number,
        length_ft=iso.length_ft,
        laden=laden,
        open_top=iso.is_open_top,
        needs_power=iso.is_reefer and laden,
        dg_classes=dg_classes,
    )


def block_state(uow: UnitOfWork, block: tables.YardBlockRow) -> BlockState:
    """The occupancy of a block with every stored box's properties."""
    return _state_of(uow, block, uow.yard.slots_in_block(block.code))


def state_for(uow: UnitOfWork, block: tables.YardBlockRow, box: Box, slot: YardSlot) -> BlockState:
    """What the stacking rules need to check ``box`` at ``slot``, loading no more of the block than that.

    For a box without dangerous goods that needs no plug, :meth:`BlockState.check` looks only at the
    cells of the target stack (the bays the box covers, in its row, every tier): those boxes are
    loaded, not the block's hundreds (a full block made every move read every box in it). A
    dangerous-goods box (segregation from every other DG box of the block) or a laden reefer (the
    block's plugs in use) still gets the whole block.
    """
    if box.dg_classes or box.needs_power:
        return block_state(uow, block)
    bays = (slot.bay - 1, slot.bay) if box.long else (slot.bay,)
    stored = [
        StoredBox(_box(s.number, s.iso_type, s.load_state, s.dg_classes), YardSlot(s.block, s.bay, s.row, s.tier))
        for s in uow.yard.boxes_on_stacks(block.code, slot.row, bays)
    ]
    return BlockState(limits(block), stored)


def _state_of(uow: UnitOfWork, block: tables.YardBlockRow, slots: list[tables.YardSlotRow]) -> BlockState:
    numbers = [s.container_number for s in slots]
    rows = uow.containers.rows(numbers)
    dangerous = uow.containers.dangerous_classes(numbers)
    stored = [
        StoredBox(
            box_of(rows[s.container_number], dangerous.get(s.container_number)), YardSlot(s.block, s.bay, s.row, s.tier)
        )
        for s in slots
    ]
    return BlockState(limits(block), stored)


def _locked_block(uow: UnitOfWork, code: str, *, exclusive: bool = False) -> tables.YardBlockRow:
    # A move locks the same block up to three times (move, take out, put in), and a batch of commands
    # many times: ask the database once per transaction and mode — the lock holds until the
    # transaction ends, and any rollback (a savepoint's releases its locks) forgets the cache.
    locked = transaction_cache(uow.session, "locked_yard_blocks")
    if code in locked and (locked[code][1] or not exclusive):
        return locked[code][0]  # type: ignore[no-any-return]
    block = uow.yard.block(code, lock=True, shared=not exclusive)
    if block is None:
        raise NotFound("slot", f"no yard block {code!r}")
    transaction_cache(uow.session, "locked_yard_blocks")[code] = (block, exclusive)
    return block


def lock_blocks(uow: UnitOfWork, codes: set[str], *, exclusive: bool = False) -> dict[str, tables.YardBlockRow]:
    """Lock the blocks a command touches, in code order (no deadlock between two moves).

    Shared by default: a move that reads only its own stacks locks those (:func:`lock_stacks`), so
    cranes filling one block do not queue behind each other; ``exclusive`` for a move whose rules
    read the whole block (dangerous goods, a laden reefer).
    """
    return {code: _locked_block(uow, code, exclusive=exclusive) for code in sorted(codes)}


def stacks_of(slot: YardSlot, length_ft: int) -> list[tuple[str, int, int]]:
    """The (block, bay, row) stacks a box of this length covers at this slot."""
    bays = (slot.bay - 1, slot.bay) if length_ft >= 40 else (slot.bay,)
    return [(slot.block, bay, slot.row) for bay in bays]


def take_out_of_yard(
    uow: UnitOfWork, row: tables.ContainerRow, slot: tables.YardSlotRow | Unread | None = UNREAD
) -> str | None:
    """Free the container's yard cells; refuse while a box stands on it. Returns the slot it left.

    ``slot`` is the box's slot when the caller has read it already, under the box's row lock (only a
    command holding that lock moves the box, so it cannot have changed): not read again.
    """
    yard = uow.yard
    if isinstance(slot, Unread):
        slot = yard.slot_of(row.number)
    if slot is None:
        return None
    lock_blocks(uow, {slot.block})
    yard.lock_stacks((slot.block, bay, slot.row) for bay in _bays(slot, row))
    on_top = yard.occupants(slot.block, [(bay, slot.row, slot.tier + 1) for bay in _bays(slot, row)])
    if on_top:
        raise RuleViolation("container", f"{row.number} has {', '.join(sorted(on_top))} on top; move that first")
    yard.vacate(row.number)
    return str(YardSlot(slot.block, slot.bay, slot.row, slot.tier))


def _bays(slot: tables.YardSlotRow, row: tables.ContainerRow) -> tuple[int, ...]:
    return (slot.bay - 1, slot.bay) if size_type(row.iso_type).length_ft >= 40 else (slot.bay,)


def choose_slot(uow: UnitOfWork, row: tables.ContainerRow, slot_text: str | None) -> YardSlot:
    """The slot asked for, or the first one the proposal rule finds."""
    if slot_text is not None:
        return YardSlot.parse(slot_text)
    proposal = propose(uow, row)
    if proposal is None:
        raise RuleViolation("slot", f"no yard slot fits {row.number}")
    return proposal


def propose(uow: UnitOfWork, row: tables.ContainerRow) -> YardSlot | None:
    """A slot that passes every rule for this container (simple rule: lowest tier, first block/bay/row)."""
    box = box_of(row, uow.containers.dangerous_classes([row.number]).get(row.number))
    yard = uow.yard
    for block in block_preference([limits(b) for b in yard.blocks()], box):
        block_row = yard.block(block.code)
        assert block_row is not None
        found = block_state(uow, block_row).propose(box)
        if found is not None:
            return found
    return None


def fail_fast_if_taken(uow: UnitOfWork, row: tables.ContainerRow, slot: YardSlot) -> None:
    """Refuse at once (409) when another box fills the target cells, without loading the whole block."""
    length_ft = size_type(row.iso_type).length_ft
    bays = (slot.bay - 1, slot.bay) if length_ft >= 40 else (slot.bay,)
    taken = uow.yard.occupants(slot.block, [(bay, slot.row, slot.tier) for bay in bays]) - {row.number}
    if taken:
        raise Conflict("slot", f"slot {slot} is occupied by {', '.join(sorted(taken))}")


def put_in_yard(
    uow: UnitOfWork, row: tables.ContainerRow, slot_text: str | None, *, fail_fast: bool = True
) -> YardSlot:
    """Store the container at a slot (checked) — it must already be out of its previous place.

    ``fail_fast=False`` when the caller has just refused an occupied target (:func:`fail_fast_if_taken`):
    the cells are read once more anyway under the stack locks, by the stacking rules.
    """
    slot = choose_slot(uow, row, slot_text)
    if fail_fast:
        fail_fast_if_taken(uow, row, slot)
    box = box_of(row, uow.containers.dangerous_classes([row.number]).get(row.number))
    # The rules of a plain box read only its stacks; a DG box or a laden reefer reads the whole block.
    block = lock_blocks(uow, {slot.block}, exclusive=bool(box.dg_classes or box.needs_power))[slot.block]
    uow.yard.lock_stacks(stacks_of(slot, size_type(row.iso_type).length_ft))
    cells = state_for(uow, block, box, slot).check(box, slot)
    uow.yard.occupy(row.number, slot.block, slot.bay, slot.row, slot.tier, cells)
    set_position(row, PositionKind.YARD, str(slot))
    return slot


def yard_payload(slot: YardSlot, row: tables.ContainerRow) -> dict[str, Any]:
    """The ``after`` fields replay needs to rebuild yard occupancy."""
    length = size_type(row.iso_type).length_ft
    bays = (slot.bay - 1, slot.bay) if length >= 40 else (slot.bay,)
    return {"slot": str(slot), "cells": [[slot.block, bay, slot.row, slot.tier] for bay in bays]}


def place_container(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    slot: str | None,
    expected_version: int | None = None,
    caused_by_party: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Place a container in the yard or move it within the yard (slot proposed when not given).

    ``caused_by_party`` names the customer who asked for the move (a box dug out for an inspection, a
    shift out of turn): the event records it and billing charges it as an extra move to that party.
    """

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        check_version(row, expected_version)
        if PositionKind(row.position_kind) not in PLACEABLE_FROM:
            raise RuleViolation(
                "container",
                f"{row.number} is {row.position_kind}; only boxes in the yard, on a truck or in the CFS "
                "can be placed (use discharge or unload for vessels and wagons)",
            )
        if caused_by_party is not None and uow.parties.party(caused_by_party) is None:
            raise NotFound("caused_by_party", f"no party {caused_by_party!r}")
        before = snapshot(row)
        target = YardSlot.parse(slot) if slot is not None else None
        current: tables.YardSlotRow | Unread | None = UNREAD
        if target is not None:
            fail_fast_if_taken(uow, row, target)  # most contested moves end here, before queueing for a block lock
            current = uow.yard.slot_of(row.number)
            lock_blocks(uow, {target.block} | ({current.block} if current else set()))
            # Both ends' stacks at once, in key order (taking out and putting in lock them again: a no-op).
            length_ft = size_type(row.iso_type).length_ft
            here = (
                stacks_of(YardSlot(current.block, current.bay, current.row, current.tier), length_ft) if current else []
            )
            uow.yard.lock_stacks([*here, *stacks_of(target, length_ft)])
        take_out_of_yard(uow, row, current)  # read once: the box's row is locked, only this command moves it
        placed = put_in_yard(uow, row, slot, fail_fast=target is None)
        payload = yard_payload(placed, row)
        if caused_by_party is not None:
            payload["caused_by_party"] = caused_by_party
        container_event(uow, EventType.CONTAINER_PLACED, row, actor, before, payload, location=str(placed))
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def propose_slot(uow: UnitOfWork, actor: Actor, *, container: str) -> dict[str, Any]:
    """Read-only: the slot the simple rule would choose now (nothing is reserved or written)."""
    from landbridge.services.operations.common import parse_container

    number = str(parse_container(container))
    with uow:
        row = uow.containers.rows([number]).get(number)
        if row is None:
            raise NotFound("container", f"no container {container}")
        found = propose(uow, row)
    if found is None:
        raise RuleViolation("slot", f"no yard slot fits {number}")
    return {"container": number, "slot": str(found)}
