"""Customs holds: place and release; a train with a held box on board cannot depart."""

from __future__ import annotations

from typing import Any

from landbridge.domain.errors import Conflict, NotFound
from landbridge.domain.events import EventType, utc_now
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, locked_container, parse_container, subject_event
from landbridge.store import tables
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork


def hold_view(row: tables.CustomsHoldRow) -> dict[str, Any]:
    """The JSON answer describing a hold."""
    return {
        "id": row.id,
        "container": row.container_number,
        "reason": row.reason,
        "placed_by": row.placed_by,
        "placed_at": row.placed_at.isoformat(),
        "released_at": None if row.released_at is None else row.released_at.isoformat(),
        "open": row.released_at is None,
    }


def place_hold(
    uow: UnitOfWork, actor: Actor, *, container: str, reason: str, idempotency: IdempotencyKey | None = None
) -> Outcome:
    """Place a customs hold on a container."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container)
        hold = tables.CustomsHoldRow(
            container_number=row.number, reason=reason, placed_by=actor.name, placed_at=utc_now()
        )
        uow.customs.add(hold)
        view = hold_view(hold)
        subject_event(uow, EventType.HOLD_PLACED, "container", row.number, actor, None, {"hold": view})
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency)


def release_hold(uow: UnitOfWork, actor: Actor, *, hold_id: int, idempotency: IdempotencyKey | None = None) -> Outcome:
    """Release a hold still in force."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        hold = uow.customs.get(hold_id, lock=True)
        if hold is None:
            raise NotFound("hold_id", f"no customs hold {hold_id}")
        if hold.released_at is not None:
            raise Conflict("hold_id", f"hold {hold_id} was already released")
        before = hold_view(hold)
        hold.released_at = utc_now()
        uow.session.flush()
        view = hold_view(hold)
        subject_event(
            uow, EventType.HOLD_RELEASED, "container", hold.container_number, actor, {"hold": before}, {"hold": view}
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency)


def holds_of(uow: UnitOfWork, scope: Scope, container: str) -> list[dict[str, Any]]:
    """Holds on a container the scope may see (404 otherwise)."""
    number = parse_container(container)
    with uow:
        if uow.containers.get_visible(number, scope) is None:
            raise NotFound("number", f"no container {number}")
        return [hold_view(h) for h in uow.customs.for_container(number)]
