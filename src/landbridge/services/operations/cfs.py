"""Container freight station: receive a box from the yard, stuff and strip goods lines.

Stuffing happens only in the CFS so a box never gains dangerous goods while standing in a yard
block that does not take them; it goes back to the yard through ``place`` (every rule rechecked).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind, check_gross_mass, mass_or_tare_kg
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    container_event,
    container_view,
    execute,
    locked_container,
    peek_version,
    set_position,
    snapshot,
)
from landbridge.services.operations.yard import take_out_of_yard
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

CFS_REFERENCE = "CFS"


def receive_into_cfs(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Bring a container from the yard or a truck into the CFS."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        if row.position_kind not in (PositionKind.YARD.value, PositionKind.TRUCK.value):
            raise RuleViolation("container", f"{row.number} is {row.position_kind}; only yard or truck boxes enter")
        before = snapshot(row)
        take_out_of_yard(uow, row)
        set_position(row, PositionKind.CFS, CFS_REFERENCE)
        container_event(uow, EventType.CONTAINER_PLACED, row, actor, before, location=CFS_REFERENCE)
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _line(uow: UnitOfWork, line_id: int) -> tables.GoodsLineRow:
    line = uow.parties.goods_line(line_id, lock=True)
    if line is None:
        raise NotFound("goods_line_id", f"no goods line {line_id}")
    return line


def _in_cfs(row: tables.ContainerRow) -> None:
    if row.position_kind != PositionKind.CFS.value:
        raise RuleViolation(
            "container", f"{row.number} is {row.position_kind}; stuffing and stripping happen in the CFS"
        )


def stuff(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    goods_line_id: int,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Stuff a goods line into a container in the CFS (gross mass limit checked)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container)
        _in_cfs(row)
        line = _line(uow, goods_line_id)
        if line.container_number is not None:
            raise Conflict("goods_line_id", f"goods line {goods_line_id} is already in {line.container_number}")
        before = snapshot(row)
        base = row.gross_mass_kg if row.load_state == "full" and row.gross_mass_kg else None
        tare = mass_or_tare_kg(None, row.iso_type)
        gross = (base if base is not None else tare) + line.mass_kg
        check_gross_mass(gross, row.iso_type, "goods_line_id")
        line.container_number = row.number
        row.load_state, row.gross_mass_kg = "full", gross
        row.version += 1
        uow.session.flush()
        container_event(
            uow,
            EventType.CONTAINER_STUFFED,
            row,
            actor,
            before,
            {"goods_line_id": goods_line_id, "imdg_class": line.imdg_class},
            location=CFS_REFERENCE,
        )
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def strip(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    goods_line_id: int,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Strip a goods line out of a container in the CFS; the box is empty when its last line leaves."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container)
        _in_cfs(row)
        line = _line(uow, goods_line_id)
        if line.container_number != row.number:
            raise Conflict("goods_line_id", f"goods line {goods_line_id} is not in {row.number}")
        before = snapshot(row)
        line.container_number = None
        uow.session.flush()
        remaining = uow.parties.lines_in(row.number)
        if remaining:
            row.gross_mass_kg = max(0, (row.gross_mass_kg or 0) - line.mass_kg) or None
        else:
            row.load_state, row.gross_mass_kg = "empty", None
        row.version += 1
        uow.session.flush()
        container_event(
            uow,
            EventType.CONTAINER_STRIPPED,
            row,
            actor,
            before,
            {"goods_line_id": goods_line_id},
            location=CFS_REFERENCE,
        )
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)
