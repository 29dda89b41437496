"""The hub's invariants checked on a whole database with set-based queries, fit for a year of data.

These are the invariants the Hypothesis state machine (``tests/property/test_operations_stateful.py``)
asserts after every random command, written so they run on a database the twin has filled for a
year (hundreds of thousands of boxes, millions of events) instead of a dozen boxes:

* **one place**: a box in the yard has exactly one addressed slot, its position names that slot and
  it covers one yard cell per 20 ft; a box on a wagon covers one wagon cell per 20 ft; a box
  anywhere else covers neither;
* **capacity**: no yard stack above its block's tier limit (laden or empty), no wagon above its
  payload, no silo above its capacity;
* **conservation**: every box in the tables was registered in the log (and vice versa), and for each
  grain owner the kilograms received equal those in stock plus those shipped;
* **replay**: folding the event log rebuilds the same positions, yard cells, wagon cells and lots —
  after old months were archived, from the state snapshot at the archive boundary plus the events
  still attached (``services/state_snapshots.py``), and every snapshot is checked against its log.

Each check returns the problems it found (empty when the invariant holds), so the command line can
print them and a test can assert there are none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from landbridge.domain.iso_types import size_type
from landbridge.services.operations.rail import box_mass_kg
from landbridge.services.operations.replay import current_state
from landbridge.services.state_snapshots import replay_with_snapshots
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

MAX_PROBLEMS_PER_CHECK = 20  # enough to see the pattern; a broken year would otherwise print millions


@dataclass(frozen=True)
class InvariantReport:
    """What one invariant check found: its name, how many objects it looked at, and the problems."""

    name: str
    checked: int
    problems: tuple[str, ...]
    detail: str = ""

    @property
    def holds(self) -> bool:
        """No problem found."""
        return not self.problems


def _covers(iso_type: str) -> int:
    return 2 if size_type(iso_type).length_ft >= 40 else 1


def _slot_text(block: str, bay: int, row: int, tier: int) -> str:
    return f"{block}-{bay:02d}-{row:02d}-{tier}"


def each_container_in_one_place(session: Session) -> tuple[int, list[str]]:
    """Slots, yard cells and wagon cells agree with every box's recorded position."""
    slots = {
        number: _slot_text(block, bay, row, tier)
        for number, block, bay, row, tier in session.execute(
            select(
                tables.YardSlotRow.container_number,
                tables.YardSlotRow.block,
                tables.YardSlotRow.bay,
                tables.YardSlotRow.row,
                tables.YardSlotRow.tier,
            )
        )
    }
    yard_cells = dict(
        session.execute(
            select(tables.YardCellRow.container_number, func.count()).group_by(tables.YardCellRow.container_number)
        ).all()
    )
    wagon_cells = dict(
        session.execute(
            select(tables.WagonCellRow.container_number, func.count()).group_by(tables.WagonCellRow.container_number)
        ).all()
    )
    problems: list[str] = []
    numbers: set[str] = set()
    rows = session.execute(
        select(
            tables.ContainerRow.number,
            tables.ContainerRow.iso_type,
            tables.ContainerRow.position_kind,
            tables.ContainerRow.position_reference,
        )
    )
    for number, iso_type, kind, reference in rows:
        numbers.add(number)
        covers = _covers(iso_type)
        in_yard, on_wagon = kind == "yard", kind == "wagon"
        if (number in slots) != in_yard:
            problems.append(f"{number} is {kind} but {'has' if number in slots else 'has no'} yard slot")
        if yard_cells.get(number, 0) != (covers if in_yard else 0):
            problems.append(f"{number} ({kind}) covers {yard_cells.get(number, 0)} yard cells")
        if wagon_cells.get(number, 0) != (covers if on_wagon else 0):
            problems.append(f"{number} ({kind}) covers {wagon_cells.get(number, 0)} wagon cells")
        if in_yard and number in slots and reference != slots[number]:
            problems.append(f"{number} says {reference} but stands at {slots[number]}")
    strays = (set(slots) | set(yard_cells) | set(wagon_cells)) - numbers
    problems.extend(f"{number} fills a cell but is not a registered box" for number in sorted(strays))
    return len(numbers), problems


def _numbers(session: Session) -> set[str]:
    return set(session.scalars(select(tables.ContainerRow.number)))


def nothing_over_capacity(session: Session) -> tuple[int, list[str]]:
    """Stacks within their tier limit, wagons within payload, silos within capacity."""
    problems: list[str] = []
    blocks = {block.code: block for block in session.scalars(select(tables.YardBlockRow))}
    laden = func.max(case((tables.ContainerRow.load_state == "full", 1), else_=0))
    stacks = session.execute(
        select(tables.YardCellRow.block, tables.YardCellRow.bay, tables.YardCellRow.row, func.count(), laden)
        .join(tables.ContainerRow, tables.ContainerRow.number == tables.YardCellRow.container_number)
        .group_by(tables.YardCellRow.block, tables.YardCellRow.bay, tables.YardCellRow.row)
    ).all()
    for block, bay, row, height, any_laden in stacks:
        limits = blocks[block]
        limit = limits.max_tiers_full if any_laden else limits.max_tiers_empty
        if height > limit:
            problems.append(f"stack {block}-{bay:02d}-{row:02d} holds {height} boxes, limit {limit}")
    payload = {w.code: w.payload_kg for w in session.scalars(select(tables.WagonTypeRow))}
    on_wagons: dict[int, set[str]] = defaultdict(set)
    wagon_type: dict[int, str] = {}
    for wagon_id, number, type_code in session.execute(
        select(tables.WagonCellRow.wagon_id, tables.WagonCellRow.container_number, tables.WagonRow.wagon_type_code)
        .join(tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id)
        .distinct()
    ):
        on_wagons[wagon_id].add(number)
        wagon_type[wagon_id] = type_code
    loaded = {
        row.number: row
        for row in session.scalars(
            select(tables.ContainerRow).where(
                tables.ContainerRow.number.in_(select(tables.WagonCellRow.container_number).distinct())
            )
        )
    }
    for wagon_id, numbers in on_wagons.items():
        mass_kg = sum(box_mass_kg(loaded[number]) for number in numbers)
        if mass_kg > payload[wagon_type[wagon_id]]:
            problems.append(f"wagon {wagon_id} carries {mass_kg} kg over its payload {payload[wagon_type[wagon_id]]}")
    stock = session.execute(
        select(tables.SiloRow.code, tables.SiloRow.capacity_kg, func.coalesce(func.sum(tables.GrainLotRow.mass_kg), 0))
        .join(tables.GrainLotRow, tables.GrainLotRow.silo_code == tables.SiloRow.code, isouter=True)
        .group_by(tables.SiloRow.code, tables.SiloRow.capacity_kg)
    ).all()
    for code, capacity_kg, mass_kg in stock:
        if int(mass_kg) > int(capacity_kg):
            problems.append(f"silo {code} holds {int(mass_kg)} kg over its capacity {capacity_kg}")
    return len(stacks) + len(on_wagons) + len(stock), problems


def teu_and_grain_conserved(session: Session, registered: set[str]) -> tuple[int, list[str]]:
    """Boxes in the tables are the boxes registered in the log; grain received = in stock + shipped.

    ``registered`` comes from the replay's fold: the registrations in the attached log plus, after
    archiving, those the snapshot at the archive boundary had folded.
    """
    problems: list[str] = []
    present = _numbers(session)
    for number in sorted(present - registered)[:MAX_PROBLEMS_PER_CHECK]:
        problems.append(f"{number} is in the tables but was never registered in the event log")
    for number in sorted(registered - present)[:MAX_PROBLEMS_PER_CHECK]:
        problems.append(f"{number} was registered but is gone from the tables")
    received: dict[str, int] = defaultdict(int)
    shipped: dict[str, int] = defaultdict(int)
    for owner, kind, total in session.execute(
        select(
            tables.GrainMovementRow.owner_code, tables.GrainMovementRow.kind, func.sum(tables.GrainMovementRow.mass_kg)
        ).group_by(tables.GrainMovementRow.owner_code, tables.GrainMovementRow.kind)
    ):
        if kind == "received":
            received[str(owner)] += int(total)
        elif kind == "shipped":
            shipped[str(owner)] += int(total)
    in_stock = {
        str(owner): int(total or 0)
        for owner, total in session.execute(
            select(tables.GrainLotRow.owner_code, func.sum(tables.GrainLotRow.mass_kg)).group_by(
                tables.GrainLotRow.owner_code
            )
        )
    }
    owners = set(received) | set(shipped) | set(in_stock)
    for owner in sorted(owners):
        if received[owner] != in_stock.get(owner, 0) + shipped[owner]:
            problems.append(
                f"grain of {owner}: received {received[owner]} kg ≠ in stock {in_stock.get(owner, 0)} kg "
                f"+ shipped {shipped[owner]} kg"
            )
    return len(present) + len(owners), problems


def check_invariants(uow: UnitOfWork) -> list[InvariantReport]:
    """Every invariant of the state machine, on the whole database (replay from a snapshot after archiving)."""
    replayed = replay_with_snapshots(uow)
    registered = replayed.state.registered
    checks: list[tuple[str, Callable[[Session], tuple[int, list[str]]]]] = [
        ("each container in exactly one place", each_container_in_one_place),
        ("nothing over capacity", nothing_over_capacity),
        ("TEU and grain conserved", lambda session: teu_and_grain_conserved(session, registered)),
    ]
    reports = []
    for name, check in checks:
        with uow:
            checked, problems = check(uow.session)
        reports.append(InvariantReport(name, checked, tuple(problems[:MAX_PROBLEMS_PER_CHECK])))
    stored = current_state(uow)
    differences = [
        f"the events of {gap} are not in the log and no snapshot covers them: restore them or attach them again"
        for gap in replayed.gaps
    ]
    differences += _differences(replayed.state.positions, stored.positions, "position")
    differences += _differences(replayed.state.yard_cells, stored.yard_cells, "yard cell")
    differences += _differences(replayed.state.wagon_cells, stored.wagon_cells, "wagon cell")
    differences += _differences(replayed.state.lots, stored.lots, "grain lot")
    reports.append(
        InvariantReport(
            "replay rebuilds the state",
            len(stored.positions),
            tuple(differences[:MAX_PROBLEMS_PER_CHECK]),
            detail=replayed.origin,
        )
    )
    if replayed.snapshots_checked or replayed.problems:
        reports.append(
            InvariantReport(
                "state snapshots match the log",
                replayed.snapshots_checked,
                tuple(replayed.problems[:MAX_PROBLEMS_PER_CHECK]),
            )
        )
    return reports


def _differences(replayed: Mapping[Any, object], stored: Mapping[Any, object], what: str) -> list[str]:
    found = []
    for key in sorted(set(replayed) | set(stored), key=str):
        if replayed.get(key) != stored.get(key):
            found.append(f"{what} {key}: the log says {replayed.get(key)!r}, the tables {stored.get(key)!r}")
            if len(found) >= MAX_PROBLEMS_PER_CHECK:
                break
    return found
