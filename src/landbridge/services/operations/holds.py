"""Holds: place and release (customs, line, terminal, damage; vgm_missing by the hub), list, and check exits.

Every exit of the base calls :func:`check_exit` inside its own transaction: a box with an open hold
that blocks the exit (see ``domain.holds``) is refused with a message naming the hold and its owner.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from landbridge.domain import holds as rules
from landbridge.domain.errors import Conflict, NotFound
from landbridge.domain.events import EventType, as_utc
from landbridge.domain.holds import Exit, Hold, HoldKind
from landbridge.scenarios import current_scenario
from landbridge.services.containers import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, locked_container, parse_container, subject_event
from landbridge.store import tables
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork

# Customs holds keep their first event names (the DCSA feed and the dashboard know them).
_PLACED = {HoldKind.CUSTOMS: EventType.HOLD_PLACED}
_RELEASED = {HoldKind.CUSTOMS: EventType.HOLD_RELEASED}


def hold_from_row(row: tables.CustomsHoldRow) -> Hold:
    """The domain hold of a row."""
    return Hold(
        id=row.id,
        container=row.container_number,
        kind=HoldKind(row.kind),
        reason=row.reason,
        owner=row.owner,
        placed_at=as_utc(row.placed_at),
        released_at=None if row.released_at is None else as_utc(row.released_at),
    )


def hold_view(row: tables.CustomsHoldRow) -> dict[str, Any]:
    """The JSON answer describing a hold."""
    return {
        "id": row.id,
        "container": row.container_number,
        "kind": row.kind,
        "owner": row.owner,
        "reason": row.reason,
        "placed_by": row.placed_by,
        "placed_at": as_utc(row.placed_at).isoformat(),
        "released_at": None if row.released_at is None else as_utc(row.released_at).isoformat(),
        "released_by": row.released_by,
        "release_reason": row.release_reason,
        "open": row.released_at is None,
    }


def add_hold(
    uow: UnitOfWork, actor: Actor, number: str, kind: HoldKind, reason: str, automatic: bool = False
) -> tables.CustomsHoldRow:
    """Place a hold inside an open command (the caller's transaction); appends its event."""
    rules.check_may_place(kind, actor.role, automatic)
    row = tables.CustomsHoldRow(
        container_number=number,
        kind=kind.value,
        owner=rules.owner_of(kind, actor.party),
        reason=reason,
        placed_by=actor.name,
        placed_at=command_time(),
    )
    uow.customs.add(row)
    view = hold_view(row)
    event_type = _PLACED.get(kind, EventType.CONTAINER_HELD)
    subject_event(uow, event_type, "container", number, actor, None, {"hold": view})
    return row


def end_hold(
    uow: UnitOfWork, actor: Actor, hold: tables.CustomsHoldRow, reason: str | None, automatic: bool = False
) -> None:
    """Release a hold inside an open command; appends its event."""
    kind = HoldKind(hold.kind)
    rules.check_may_release(hold_from_row(hold), actor.role, actor.party, automatic)
    before = hold_view(hold)
    hold.released_at, hold.released_by, hold.release_reason = command_time(), actor.name, reason
    uow.session.flush()
    event_type = _RELEASED.get(kind, EventType.CONTAINER_HOLD_RELEASED)
    subject_event(
        uow, event_type, "container", hold.container_number, actor, {"hold": before}, {"hold": hold_view(hold)}
    )


def place_hold(
    uow: UnitOfWork,
    actor: Actor,
    *,
    container: str,
    reason: str,
    kind: HoldKind = HoldKind.CUSTOMS,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Place a hold of ``kind`` on a container (customs by customs officers, line by the line, …)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container)
        rules.check_can_hold(row.number, row.position_kind)
        return hold_view(add_hold(uow, actor, row.number, kind, reason))

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def release_hold(
    uow: UnitOfWork,
    actor: Actor,
    *,
    hold_id: int,
    reason: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Release a hold still in force (by the authority of its kind)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        hold = uow.customs.get(hold_id, lock=True)
        if hold is None:
            raise NotFound("hold_id", f"no hold {hold_id}")
        if hold.released_at is not None:
            raise Conflict("hold_id", f"hold {hold_id} was already released")
        end_hold(uow, actor, hold, reason)
        return hold_view(hold)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def holds_of(uow: UnitOfWork, scope: Scope, container: str) -> list[dict[str, Any]]:
    """Holds on a container the scope may see (404 otherwise)."""
    number = parse_container(container)
    with uow:
        if uow.containers.get_visible(number, scope) is None:
            raise NotFound("number", f"no container {number}")
        return [hold_view(h) for h in uow.customs.for_container(number)]


def list_holds(
    uow: UnitOfWork,
    scope: Scope,
    *,
    open_only: bool | None = None,
    kind: HoldKind | None = None,
    container: str | None = None,
) -> list[dict[str, Any]]:
    """Holds the scope may see (a shipper: on its own boxes), filtered by open/kind/container."""
    number = None if container is None else str(parse_container(container))
    with uow:
        rows = uow.customs.listed(
            scope, open_only=open_only, kind=None if kind is None else kind.value, container=number
        )
        return [hold_view(row) for row in rows]


def open_holds(uow: UnitOfWork, numbers: Iterable[str]) -> list[Hold]:
    """Holds in force on any of the containers (inside the caller's transaction)."""
    return [hold_from_row(row) for row in uow.customs.open_on(numbers)]


def rail_load_kinds() -> frozenset[HoldKind] | None:
    """The kinds of hold the site lets stop a rail load (scenario ``rail.hold_kinds_blocking_load``), or
    None for the default table of ``domain.holds``."""
    chosen = current_scenario().base.rail.hold_kinds_blocking_load
    return None if chosen is None else frozenset(HoldKind(kind) for kind in chosen)


def check_exit(uow: UnitOfWork, numbers: Iterable[str], exit_: Exit, subject: str, field: str = "container") -> None:
    """Refuse ``exit_`` while any of the boxes has an open hold that blocks it (422 naming ``field``)."""
    kinds = rail_load_kinds() if exit_ is Exit.RAIL_LOAD else None
    rules.check_exit(open_holds(uow, numbers), exit_, subject, field, kinds)
