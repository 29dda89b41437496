"""Containers by number, scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from landbridge.domain.containers import Container, LoadState, Position, PositionKind
from landbridge.domain.identifiers import ContainerNumber
from landbridge.store import tables
from landbridge.store.repositories.scope import Scope, visible_containers
from landbridge.store.repositories.statements import KEY, KEYS, row_by, rows_in
from landbridge.store.repositories.transaction_cache import transaction_cache

_LOCKED = "locked_containers"  # this transaction's locked container rows by number

_IN_POSITION = (
    select(tables.ContainerRow)
    .where(
        tables.ContainerRow.position_kind == bindparam("kind"),
        tables.ContainerRow.position_reference == bindparam("reference"),
    )
    .order_by(tables.ContainerRow.number)
)

_DANGEROUS_CLASSES = select(tables.GoodsLineRow.container_number, tables.GoodsLineRow.imdg_class).where(
    tables.GoodsLineRow.container_number.in_(bindparam(KEYS, expanding=True)),
    tables.GoodsLineRow.imdg_class.is_not(None),
)


def container_from_row(row: tables.ContainerRow) -> Container:
    """Rebuild the domain object from its row."""
    return Container(
        number=ContainerNumber(row.number),
        iso_type=row.iso_type,
        load_state=LoadState(row.load_state),
        gross_mass_kg=row.gross_mass_kg,
        seals=list(row.seals or []),
        reefer_setpoint_c=row.reefer_setpoint_c,
        booking_reference=row.booking_reference,
        position=Position(PositionKind(row.position_kind), row.position_reference),
    )


def _values(container: Container) -> dict[str, Any]:
    return {
        "number": str(container.number),
        "iso_type": container.iso_type,
        "load_state": container.load_state.value,
        "gross_mass_kg": container.gross_mass_kg,
        "seals": list(container.seals),
        "reefer_setpoint_c": container.reefer_setpoint_c,
        "booking_reference": container.booking_reference,
        "position_kind": container.position.kind.value,
        "position_reference": container.position.reference,
        "version": 1,
    }


class ContainerRepository:
    """Containers by number."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, number: str) -> Container | None:
        """The container, or None when unknown."""
        row = self._session.get(tables.ContainerRow, number)
        return None if row is None else container_from_row(row)

    def exists(self, number: str) -> bool:
        """Whether the number is registered."""
        return self._session.get(tables.ContainerRow, number) is not None

    def add(self, container: Container) -> None:
        """Register a new container.

        Its row is this transaction's until it commits (nobody else sees it), so it counts as locked:
        the transaction's next command on the box (booking it, its truck in) need not lock it again.
        """
        row = tables.ContainerRow(**_values(container))
        self._session.add(row)
        self._session.flush()
        transaction_cache(self._session, _LOCKED)[row.number] = row

    def add_many(self, containers: Sequence[Container]) -> None:
        """Register new containers with one multi-row INSERT (a batch import)."""
        if containers:
            rows = [_values(container) for container in containers]
            self._session.execute(insert(cast(Table, tables.ContainerRow.__table__)), rows)

    def known(self, numbers: Iterable[str]) -> set[str]:
        """Which of ``numbers`` are registered, in one query per 500."""
        wanted = sorted(set(numbers))
        found: set[str] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                self._session.scalars(select(tables.ContainerRow.number).where(tables.ContainerRow.number.in_(chunk)))
            )
        return found

    def count(self) -> int:
        """How many containers the hub knows."""
        return int(self._session.scalar(select(func.count()).select_from(tables.ContainerRow)) or 0)

    def get_visible(self, number: str, scope: Scope) -> Container | None:
        """The container if it exists and the scope may see it."""
        if scope.everything:
            row = self._session.get(tables.ContainerRow, number)  # hub staff: by key (from the session if loaded)
        else:
            row = self._session.scalar(
                visible_containers(select(tables.ContainerRow).where(tables.ContainerRow.number == number), scope)
            )
        return None if row is None else container_from_row(row)

    def list_visible(
        self, scope: Scope, position_kind: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[Container]:
        """Containers the scope may see, by number."""
        query = visible_containers(select(tables.ContainerRow), scope)
        if position_kind is not None:
            query = query.where(tables.ContainerRow.position_kind == position_kind)
        rows = self._session.scalars(query.order_by(tables.ContainerRow.number).limit(limit).offset(offset)).all()
        return [container_from_row(row) for row in rows]

    def row_for_update(self, number: str) -> tables.ContainerRow | None:
        """The container's row, locked until commit on PostgreSQL (SQLite already serialises writers).

        A row this transaction has locked already is handed back without asking again: the lock
        holds until the transaction ends, so nobody else has changed it (a rollback, even to a
        savepoint, forgets it — see :mod:`.transaction_cache`).
        """
        locked = transaction_cache(self._session, _LOCKED).get(number)
        if locked is not None:
            return locked  # type: ignore[no-any-return]
        row = self._session.scalar(row_by(tables.ContainerRow, tables.ContainerRow.number, lock=True), {KEY: number})
        if row is not None:
            transaction_cache(self._session, _LOCKED)[number] = row
        return row

    def rows(self, numbers: Iterable[str]) -> dict[str, tables.ContainerRow]:
        """Rows of several containers by number."""
        wanted = list(numbers)
        if not wanted:
            return {}
        found = self._session.scalars(rows_in(tables.ContainerRow, tables.ContainerRow.number), {KEYS: wanted})
        return {row.number: row for row in found}

    def all_rows(self) -> list[tables.ContainerRow]:
        """Every container row (for invariant checks and replay comparisons)."""
        return list(self._session.scalars(select(tables.ContainerRow).order_by(tables.ContainerRow.number)))

    def in_position(self, kind: str, reference: str | None = None) -> list[tables.ContainerRow]:
        """Containers at one kind of place (optionally one reference, e.g. a vessel visit)."""
        if reference is not None:  # a truck's or a call's boxes: every truck out asks
            return list(self._session.scalars(_IN_POSITION, {"kind": kind, "reference": reference}))
        query = select(tables.ContainerRow).where(tables.ContainerRow.position_kind == kind)
        return list(self._session.scalars(query.order_by(tables.ContainerRow.number)))

    def dangerous_classes(self, numbers: Iterable[str]) -> dict[str, set[str]]:
        """IMDG classes of the goods stuffed in each container (containers without DG are absent)."""
        wanted = list(numbers)
        if not wanted:
            return {}
        rows = self._session.execute(_DANGEROUS_CLASSES, {KEYS: wanted}).all()
        result: dict[str, set[str]] = {}
        for number, imdg_class in rows:
            result.setdefault(str(number), set()).add(str(imdg_class))
        return result
