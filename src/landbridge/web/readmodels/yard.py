"""Yard: the heat map of blocks by occupancy or dwell time, and the boxes of one stack."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
from landbridge.store import tables
from landbridge.store.repositories import YardRepository
from landbridge.web.readmodels.common import CONTAINER_SUBJECT, utc

YARD_EVENTS = tuple(
    event.value
    for event in (
        EventType.CONTAINER_PLACED,
        EventType.CONTAINER_DISCHARGED,
        EventType.CONTAINER_GATE_IN,
        EventType.CONTAINER_UNLOADED_WAGON,
    )
)
"""Events after which a box is (again) in the yard: its dwell time counts from the latest."""


@dataclass
class StackBox:
    """A container in a yard stack."""

    tier: int
    number: str
    iso_type: str
    load_state: str
    gross_mass_kg: int | None
    dwell_days: float | None


@dataclass
class Stack:
    """One ground slot (bay, row) of a block with its tiers."""

    bay: int
    row: int
    tiers: int
    max_tiers: int
    mean_dwell_days: float | None

    @property
    def share(self) -> float:
        """How full the stack is, 0..1."""
        return min(1.0, self.tiers / self.max_tiers) if self.max_tiers else 0.0


@dataclass
class BlockView:
    """A yard block with its occupied stacks."""

    code: str
    bays: int
    rows: int
    max_tiers: int
    reefer_plugs: int
    dangerous_goods: bool
    stacks: dict[tuple[int, int], Stack]
    occupied: int  # 20 ft positions × tiers in use: a 40 ft box counts two, as in /api/v1/yard/blocks

    @property
    def capacity(self) -> int:
        """Full-box positions in the block (20 ft bays × rows × tiers)."""
        return self.bays * self.rows * self.max_tiers

    @property
    def share(self) -> float:
        """Occupied share of the block."""
        return self.occupied / self.capacity if self.capacity else 0.0


def _yard_since(session: Session, numbers: list[str]) -> dict[str, datetime]:
    """When each container last came into the yard (for its dwell time)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
        .where(
            tables.EventRow.subject_type == CONTAINER_SUBJECT,
            tables.EventRow.subject_id.in_(numbers),
            tables.EventRow.event_type.in_(YARD_EVENTS),
        )
        .group_by(tables.EventRow.subject_id)
    ).all()
    return {str(number): stamp for number, at in rows if (stamp := utc(at)) is not None}


def _cells(session: Session, block: str | None = None) -> list[tuple[str, int, int, int, str]]:
    """(block, bay, row, tier, container) of every physical cell in use.

    A 40 ft box covers two 20 ft bays (``yard_cells``); a box stored without cell rows counts at its
    addressed slot, so the picture is right for both ways of writing the yard.
    """
    cell_query = select(
        tables.YardCellRow.block,
        tables.YardCellRow.bay,
        tables.YardCellRow.row,
        tables.YardCellRow.tier,
        tables.YardCellRow.container_number,
    )
    slot_query = select(
        tables.YardSlotRow.block,
        tables.YardSlotRow.bay,
        tables.YardSlotRow.row,
        tables.YardSlotRow.tier,
        tables.YardSlotRow.container_number,
    )
    if block is not None:
        cell_query = cell_query.where(tables.YardCellRow.block == block)
        slot_query = slot_query.where(tables.YardSlotRow.block == block)
    cells = [(str(b), int(bay), int(r), int(t), str(n)) for b, bay, r, t, n in session.execute(cell_query)]
    with_cells = {cell[4] for cell in cells}
    cells += [
        (str(b), int(bay), int(r), int(t), str(n))
        for b, bay, r, t, n in session.execute(slot_query)
        if n not in with_cells
    ]
    return cells


def occupied_positions(session: Session) -> dict[str, int]:
    """20 ft positions × tiers in use per block: a box's cells, or — stored without cells — 2 for a 40/45 ft box."""
    return YardRepository(session).occupied_positions_by_block()


def yard_blocks(session: Session, now: datetime) -> list[BlockView]:
    """Every block with the tiers in use and the mean dwell of each occupied stack."""
    cells = _cells(session)
    since = _yard_since(session, sorted({cell[4] for cell in cells}))
    per_stack: dict[tuple[str, int, int], dict[int, float | None]] = defaultdict(dict)
    for block, bay, yard_row, tier, number in cells:
        entered = since.get(number)
        per_stack[(block, bay, yard_row)][tier] = None if entered is None else (now - entered).total_seconds() / 86400
    occupied = occupied_positions(session)
    blocks = []
    for row in session.scalars(select(tables.YardBlockRow).order_by(tables.YardBlockRow.code)):
        stacks = {}
        for (block, bay, yard_row), tiers in per_stack.items():
            if block != row.code:
                continue
            known = [d for d in tiers.values() if d is not None]
            stacks[(bay, yard_row)] = Stack(
                bay, yard_row, len(tiers), row.max_tiers_full, sum(known) / len(known) if known else None
            )
        blocks.append(
            BlockView(
                row.code,
                row.bays,
                row.rows,
                row.max_tiers_full,
                row.reefer_plugs,
                row.dangerous_goods,
                stacks,
                occupied.get(row.code, 0),
            )
        )
    return blocks


def stack_boxes(session: Session, block: str, bay: int, row: int, now: datetime) -> list[StackBox]:
    """The containers covering one stack (ground position), top tier first."""
    in_stack = {
        tier: number
        for b, cell_bay, cell_row, tier, number in _cells(session, block)
        if cell_bay == bay and cell_row == row
    }
    containers = {
        c.number: c
        for c in session.scalars(
            select(tables.ContainerRow).where(tables.ContainerRow.number.in_(list(in_stack.values())))
        )
    }
    since = _yard_since(session, list(in_stack.values()))
    boxes = []
    for tier in sorted(in_stack, reverse=True):
        container = containers[in_stack[tier]]
        entered = since.get(container.number)
        boxes.append(
            StackBox(
                tier,
                container.number,
                container.iso_type,
                container.load_state,
                container.gross_mass_kg,
                None if entered is None else (now - entered).total_seconds() / 86400,
            )
        )
    return boxes
