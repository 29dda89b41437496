"""Yard: the map of blocks by occupancy, dwell time, destination, outbound visit or hold, and the boxes of one stack."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
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
    destination: str = ""  # the booking's destination (UN/LOCODE)
    outbound: str = ""  # the train or ship whose list the box is on
    held: bool = False  # an open hold of any kind


@dataclass
class Stack:
    """One ground slot (bay, row) of a block with its tiers."""

    bay: int
    row: int
    tiers: int
    max_tiers: int
    mean_dwell_days: float | None
    numbers: list[str] = field(default_factory=list)  # the boxes covering the stack, bottom tier first

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


WHOLE_YARD = 200
"""Above this many boxes a query names "the boxes in the yard" by a subquery rather than binding each number:
binding the whole yard's numbers one by one was a fifth of the yard map's CPU (issue #19)."""


def _among(column: Any, numbers: list[str]) -> ColumnElement[bool]:
    """``column`` is one of ``numbers`` — all of them boxes in the yard (a subquery when they are many)."""
    if len(numbers) <= WHOLE_YARD:
        listed: ColumnElement[bool] = column.in_(numbers)
        return listed
    in_yard = select(tables.YardSlotRow.container_number).union(select(tables.YardCellRow.container_number))
    condition: ColumnElement[bool] = column.in_(in_yard.scalar_subquery())
    return condition


def _yard_since(session: Session, numbers: list[str]) -> dict[str, datetime]:
    """When each container last came into the yard (for its dwell time)."""
    if not numbers:
        return {}
    rows = session.execute(
        select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
        .where(
            tables.EventRow.subject_type == CONTAINER_SUBJECT,
            _among(tables.EventRow.subject_id, numbers),
            # ``|| ''`` keeps the planner off the (event_type, occurred_at) index: the yard's boxes are a
            # few thousand, their entries into the yard hundreds of thousands a year. SQLite (no table
            # statistics) read every one of those by type; by box it reads a handful each (issue #19).
            tables.EventRow.event_type.op("||")("").in_(YARD_EVENTS),
        )
        .group_by(tables.EventRow.subject_id)
    ).all()
    wanted = set(numbers)
    return {str(number): stamp for number, at in rows if (stamp := utc(at)) is not None and number in wanted}


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
    numbers: dict[tuple[str, int, int], dict[int, str]] = defaultdict(dict)
    for block, bay, yard_row, tier, number in cells:
        numbers[(block, bay, yard_row)][tier] = number
        entered = since.get(number)
        per_stack[(block, bay, yard_row)][tier] = None if entered is None else (now - entered).total_seconds() / 86400
    occupied = occupied_positions(session)
    by_block: dict[str, list[tuple[int, int, dict[int, float | None]]]] = defaultdict(list)
    for (block, bay, yard_row), tiers in per_stack.items():
        by_block[block].append((bay, yard_row, tiers))
    blocks = []
    for row in session.scalars(select(tables.YardBlockRow).order_by(tables.YardBlockRow.code)):
        stacks = {}
        block = row.code
        for bay, yard_row, tiers in by_block.get(block, []):
            known = [d for d in tiers.values() if d is not None]
            stacks[(bay, yard_row)] = Stack(
                bay,
                yard_row,
                len(tiers),
                row.max_tiers_full,
                sum(known) / len(known) if known else None,
                [numbers[(block, bay, yard_row)][tier] for tier in sorted(tiers)],
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
    about = {mode: box_labels(session, list(in_stack.values()), mode) for mode in CATEGORY_MODES}
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
                about["destination"].get(container.number, ""),
                about["outbound"].get(container.number, ""),
                bool(about["hold"].get(container.number)),
            )
        )
    return boxes


CATEGORY_MODES = ("destination", "outbound", "hold")
"""Map modes that colour a stack by what its boxes are for rather than by a measure."""
MAX_CATEGORIES = 8  # distinct colours a person can tell apart on the map; the rest share "other"
MIXED, OTHER = "mixed", "other"


def box_labels(session: Session, numbers: list[str], mode: str) -> dict[str, str]:
    """Per box, what the mode colours by: the booking's destination, the train or ship whose list it is on
    (a train's planned boxes first), or "held" for a box with an open hold. Boxes without one are left out."""
    if not numbers:
        return {}
    wanted = set(numbers)
    if mode == "destination":
        query = (
            select(tables.ContainerRow.number, tables.ConsignmentRow.destination)
            .join(
                tables.ConsignmentRow,
                tables.ConsignmentRow.booking_reference == tables.ContainerRow.booking_reference,
            )
            .where(_among(tables.ContainerRow.number, numbers))
        )
        return {str(n): str(d) for n, d in session.execute(query) if d and n in wanted}
    if mode == "outbound":
        entries = session.execute(
            select(
                tables.ManifestEntryRow.container_number,
                tables.ManifestEntryRow.visit_kind,
                tables.ManifestEntryRow.visit_reference,
            ).where(
                _among(tables.ManifestEntryRow.container_number, numbers), tables.ManifestEntryRow.list_kind == "load"
            )
        ).all()
        found: dict[str, str] = {}
        for number, _kind, reference in sorted(entries, key=lambda e: e[1] != "train"):  # a train's list first
            if number in wanted:
                found.setdefault(str(number), str(reference))
        return found
    if mode == "hold":
        held = session.scalars(
            select(tables.CustomsHoldRow.container_number).where(
                _among(tables.CustomsHoldRow.container_number, numbers), tables.CustomsHoldRow.released_at.is_(None)
            )
        )
        return {str(number): "held" for number in held if number in wanted}
    return {}


def stack_categories(
    session: Session, blocks: list[BlockView], mode: str
) -> tuple[dict[tuple[str, int, int], str], list[tuple[str, int]]]:
    """Each occupied stack's category for a category mode (one label, "mixed", or absent when its boxes have
    none) and the legend: (label, colour index), the most frequent first, the rest as "other"."""
    numbers = [n for b in blocks for s in b.stacks.values() for n in s.numbers]
    labels = box_labels(session, numbers, mode)
    per_stack: dict[tuple[str, int, int], str] = {}
    for block in blocks:
        for (bay, row), stack in block.stacks.items():
            found = {labels[n] for n in stack.numbers if n in labels}
            if found:
                per_stack[(block.code, bay, row)] = found.pop() if len(found) == 1 else MIXED
    ranked = [label for label, _count in Counter(per_stack.values()).most_common() if label != MIXED]
    kept = ranked[:MAX_CATEGORIES]
    if len(ranked) > MAX_CATEGORIES:
        per_stack = {key: (label if label in kept or label == MIXED else OTHER) for key, label in per_stack.items()}
    legend = [(label, index) for index, label in enumerate(kept)]
    if len(ranked) > MAX_CATEGORIES:
        legend.append((OTHER, MAX_CATEGORIES))
    if MIXED in per_stack.values():
        legend.append((MIXED, MAX_CATEGORIES + 1))
    return per_stack, legend
