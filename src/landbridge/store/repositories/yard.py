"""Yard blocks, addressed slots and the cells each stored container covers."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Select, Table, and_, bindparam, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from landbridge.domain.iso_types import size_type
from landbridge.store import tables
from landbridge.store.repositories.statements import KEY, row_by
from landbridge.store.repositories.transaction_cache import transaction_cache

_CELL = tables.YardCellRow


def _occupants_of(cells: int) -> Select[str]:
    """The boxes filling any of ``cells`` (bay, row, tier) cells of a block: built once per count."""
    return select(_CELL.container_number).where(
        _CELL.block == bindparam("block"),
        or_(
            *(
                and_(
                    _CELL.bay == bindparam(f"bay{i}"),
                    _CELL.row == bindparam(f"row{i}"),
                    _CELL.tier == bindparam(f"tier{i}"),
                )
                for i in range(cells)
            )
        ),
    )


# A box covers one or two stacks, so lookups name one or two cells; built once each (issue #19).
_OCCUPANTS = {cells: _occupants_of(cells) for cells in (1, 2)}

# What the stacking rules need of the boxes on a stack, in one statement: each box's slot, type and
# load state, and the IMDG class of each dangerous goods line in it (one row per line; NULL: none).
_STACK_BOXES = (
    select(
        tables.YardSlotRow.block,
        tables.YardSlotRow.bay,
        tables.YardSlotRow.row,
        tables.YardSlotRow.tier,
        tables.ContainerRow.number,
        tables.ContainerRow.iso_type,
        tables.ContainerRow.load_state,
        tables.GoodsLineRow.imdg_class,
    )
    .join(tables.ContainerRow, tables.ContainerRow.number == tables.YardSlotRow.container_number)
    .outerjoin(
        tables.GoodsLineRow,
        (tables.GoodsLineRow.container_number == tables.ContainerRow.number)
        & tables.GoodsLineRow.imdg_class.is_not(None),
    )
    .where(
        tables.YardSlotRow.container_number.in_(
            select(_CELL.container_number).where(
                _CELL.block == bindparam("block"),
                _CELL.row == bindparam("row"),
                _CELL.bay.in_(bindparam("bays", expanding=True)),
            )
        )
    )
)


# ``SELECT pg_advisory_xact_lock(:key0), pg_advisory_xact_lock(:key1), …`` for 1–4 keys (a move locks
# one or two stacks at each end): PostgreSQL evaluates a select list left to right, so the keys,
# given sorted, are taken in key order, as one statement per key took them.
_ADVISORY_LOCKS = [
    select(*(func.pg_advisory_xact_lock(bindparam(f"key{i}")) for i in range(count))) for count in range(1, 5)
]

_INSERT_SLOT = insert(cast(Table, tables.YardSlotRow.__table__))
_INSERT_CELL = insert(cast(Table, tables.YardCellRow.__table__))


@dataclass(frozen=True)
class StackedBox:
    """A box on a stack as the stacking rules see it: where it stands, its type, load state and DG classes."""

    block: str
    bay: int
    row: int
    tier: int
    number: str
    iso_type: str
    load_state: str
    dg_classes: frozenset[str]


_SLOTS_ON_STACKS = select(tables.YardSlotRow).where(
    tables.YardSlotRow.container_number.in_(
        select(_CELL.container_number).where(
            _CELL.block == bindparam("block"),
            _CELL.row == bindparam("row"),
            _CELL.bay.in_(bindparam("bays", expanding=True)),
        )
    )
)


class YardRepository:
    """Yard blocks, the addressed slot of each stored container and the cells it covers."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def block(self, code: str, lock: bool = False, *, shared: bool = False) -> tables.YardBlockRow | None:
        """A block; ``lock`` holds it on PostgreSQL — exclusively (``FOR UPDATE``: a change that reads
        the whole block, DG segregation or reefer plugs) or, with ``shared``, ``FOR SHARE`` (a change
        that reads only its own stacks: many of those run at once, none beside an exclusive one)."""
        return self._session.scalar(
            row_by(tables.YardBlockRow, tables.YardBlockRow.code, lock=lock, shared=shared), {KEY: code}
        )

    def lock_stacks(self, stacks: Iterable[tuple[str, int, int]]) -> None:
        """Hold these (block, bay, row) stacks until the transaction ends (PostgreSQL advisory locks,
        in key order so two moves cannot deadlock; SQLite serialises writers anyway).

        Two moves on one stack queue here; moves on different stacks of a block run side by side.
        A key is a hash of the stack: two stacks sharing one only queue needlessly, never wrongly.
        """
        if self._session.get_bind().dialect.name != "postgresql":
            return
        # A move locks its stacks up to three times (move, take out, put in) and a batch of commands
        # the same stacks often: a lock this transaction holds is not asked for again (any rollback,
        # which may release it, forgets the cache). The rest go in one statement, in key order.
        held: dict[int, bool] = transaction_cache(self._session, "locked_yard_stacks")
        wanted = {zlib.crc32(f"yard-stack/{block}/{bay}/{row}".encode()) for block, bay, row in stacks}
        keys = sorted(wanted - held.keys())
        for start in range(0, len(keys), len(_ADVISORY_LOCKS)):
            part = keys[start : start + len(_ADVISORY_LOCKS)]
            self._session.execute(_ADVISORY_LOCKS[len(part) - 1], {f"key{i}": key for i, key in enumerate(part)})
        cache = transaction_cache(self._session, "locked_yard_stacks")  # after a statement ran: kept
        cache.update(dict.fromkeys(keys, True))

    def blocks(self) -> list[tables.YardBlockRow]:
        """Every block, by code."""
        return list(self._session.scalars(select(tables.YardBlockRow).order_by(tables.YardBlockRow.code)))

    def slots_in_block(self, code: str) -> list[tables.YardSlotRow]:
        """Addressed slots of the containers stored in a block."""
        return list(self._session.scalars(select(tables.YardSlotRow).where(tables.YardSlotRow.block == code)))

    def slots_on_stacks(self, block: str, row: int, bays: Iterable[int]) -> list[tables.YardSlotRow]:
        """Addressed slots of the boxes covering any tier of the given bays of one row (a stack's neighbourhood)."""
        return list(self._session.scalars(_SLOTS_ON_STACKS, {"block": block, "row": row, "bays": list(bays)}))

    def boxes_on_stacks(self, block: str, row: int, bays: Iterable[int]) -> list[StackedBox]:
        """The boxes covering any tier of the given bays of one row, with what the stacking rules read of them.

        One statement for what :meth:`slots_on_stacks`, the containers' rows and their goods lines
        took three (a yard move's hot path, issue #19).
        """
        found: dict[str, tuple[tuple[str, int, int, int, str, str, str], set[str]]] = {}
        values = {"block": block, "row": row, "bays": list(bays)}
        for at_block, bay, at_row, tier, number, iso_type, load_state, imdg in self._session.execute(
            _STACK_BOXES, values
        ):
            entry = found.setdefault(number, ((at_block, bay, at_row, tier, number, iso_type, load_state), set()))
            if imdg is not None:
                entry[1].add(str(imdg))
        return [StackedBox(*fields, dg_classes=frozenset(dg)) for fields, dg in found.values()]

    def all_slots(self) -> list[tables.YardSlotRow]:
        """Addressed slots of every stored container."""
        return list(self._session.scalars(select(tables.YardSlotRow).order_by(tables.YardSlotRow.id)))

    def cells_in_block(self, code: str) -> list[tables.YardCellRow]:
        """Occupied cells of a block."""
        return list(self._session.scalars(select(tables.YardCellRow).where(tables.YardCellRow.block == code)))

    def occupants(self, block: str, cells: Iterable[tuple[int, int, int]]) -> set[str]:
        """Containers filling any of the (bay, row, tier) cells of a block."""
        wanted = list(cells)
        if not wanted:
            return set()
        prebuilt = _OCCUPANTS.get(len(wanted))
        if prebuilt is not None:
            values: dict[str, object] = {"block": block}
            for i, (bay, row, tier) in enumerate(wanted):
                values.update({f"bay{i}": bay, f"row{i}": row, f"tier{i}": tier})
            return set(self._session.scalars(prebuilt, values))
        conditions = [
            (tables.YardCellRow.bay == bay) & (tables.YardCellRow.row == row) & (tables.YardCellRow.tier == tier)
            for bay, row, tier in wanted
        ]
        found = self._session.scalars(
            select(tables.YardCellRow.container_number).where(tables.YardCellRow.block == block, or_(*conditions))
        )
        return set(found)

    def all_cells(self) -> list[tables.YardCellRow]:
        """Every occupied cell of the yard."""
        return list(self._session.scalars(select(tables.YardCellRow).order_by(tables.YardCellRow.id)))

    def occupied_positions_by_block(self) -> dict[str, int]:
        """20 ft positions × tiers in use per block — the unit of the blocks' capacity, so a 40 ft box counts two.

        A box's cells (``yard_cells``) are its positions; a box stored without cell rows counts by its
        ISO length (a 40 or 45 ft box covers two 20 ft positions).
        """
        result: dict[str, int] = {}
        for block, count in self._session.execute(
            select(tables.YardCellRow.block, func.count()).group_by(tables.YardCellRow.block)
        ):
            result[str(block)] = int(count)
        with_cells = select(tables.YardCellRow.container_number)
        for block, iso_type in self._session.execute(
            select(tables.YardSlotRow.block, tables.ContainerRow.iso_type)
            .join(tables.ContainerRow, tables.ContainerRow.number == tables.YardSlotRow.container_number)
            .where(tables.YardSlotRow.container_number.not_in(with_cells))
        ):
            result[str(block)] = result.get(str(block), 0) + (2 if size_type(iso_type).length_ft >= 40 else 1)
        return result

    def slot_of(self, number: str) -> tables.YardSlotRow | None:
        """The addressed slot of a stored container."""
        return self._session.scalar(row_by(tables.YardSlotRow, tables.YardSlotRow.container_number), {KEY: number})

    def occupy(self, number: str, block: str, bay: int, row: int, tier: int, cells: list[tuple[int, int, int]]) -> None:
        """Store a container at its slot, covering ``cells`` (bay, row, tier), written at once so constraints fire now.

        Core INSERTs (prebuilt): nothing reads these rows back as objects in the same command, so the
        ORM's bookkeeping for them (and its fetch of each cell's id) was pure cost (issue #19).
        """
        self._session.execute(
            _INSERT_SLOT, [{"block": block, "bay": bay, "row": row, "tier": tier, "container_number": number}]
        )
        if cells:
            self._session.execute(
                _INSERT_CELL,
                [
                    {"block": block, "bay": cell_bay, "row": cell_row, "tier": cell_tier, "container_number": number}
                    for cell_bay, cell_row, cell_tier in cells
                ],
            )

    def vacate(self, number: str) -> None:
        """Take a container out of the yard."""
        self._session.execute(delete(tables.YardCellRow).where(tables.YardCellRow.container_number == number))
        self._session.execute(delete(tables.YardSlotRow).where(tables.YardSlotRow.container_number == number))
        self._session.flush()
