"""SOLAS VI/2 verified gross mass: declare a box's VGM; the vessel load checks it (``check_for_vessel``).

A valid VGM lifts the box's automatic ``vgm_missing`` hold, if it has one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType, as_utc, checked_occurred_at, utc_now
from landbridge.domain.holds import GONE, HoldKind
from landbridge.domain.vgm import Vgm, VgmMethod, check_loadable_on_vessel, check_vgm_mass
from landbridge.services.containers import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, locked_container, parse_container, subject_event
from landbridge.services.operations.holds import add_hold, end_hold
from landbridge.store import tables
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork


def vgm_view(row: tables.VgmRow) -> dict[str, Any]:
    """The JSON answer describing a VGM."""
    return {
        "id": row.id,
        "container": row.container_number,
        "mass_kg": row.mass_kg,
        "method": row.method,
        "verified_by": row.verified_by,
        "verified_at": as_utc(row.verified_at).isoformat(),
        "recorded_by": row.recorded_by,
    }


def _vgm(row: tables.VgmRow) -> Vgm:
    return Vgm(row.container_number, row.mass_kg, VgmMethod(row.method), row.verified_by, as_utc(row.verified_at))


def declare_vgm(
    uow: UnitOfWork,
    actor: Actor,
    scope: Scope,
    *,
    container: str,
    mass_kg: int,
    method: int,
    verified_by: str,
    verified_at: datetime,
    weighed_at_base: bool = False,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Record a box's VGM (0 or above the ISO type's rating → 422 at mass_kg); lifts a vgm_missing hold.

    ``weighed_at_base``: the base's own scale measured it (method 1 only) — billed as a weighing.
    """
    try:
        vgm_method = VgmMethod(method)
    except ValueError:
        raise RuleViolation("method", "1 (the packed box weighed) or 2 (contents weighed, tare added)") from None
    verified = checked_occurred_at(verified_at, utc_now(), "verified_at")
    if weighed_at_base and vgm_method is not VgmMethod.WEIGHED_PACKED:
        raise RuleViolation("weighed_at_base", "the base weighs the packed box: method 1, not 2")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        if not scope.everything and uow.containers.get_visible(parse_container(container), scope) is None:
            raise NotFound("container", f"no container {container}")
        row = locked_container(uow, container)
        check_vgm_mass(mass_kg, row.iso_type)
        vgm = tables.VgmRow(
            container_number=row.number,
            mass_kg=mass_kg,
            method=vgm_method.value,
            verified_by=verified_by,
            verified_at=verified,
            recorded_by=actor.name,
            source_reference=actor.source,
        )
        uow.vgm.add(vgm)
        view = vgm_view(vgm)
        after: dict[str, Any] = {"vgm": view, **({"weighed_at_base": True} if weighed_at_base else {})}
        subject_event(uow, EventType.CONTAINER_VGM_DECLARED, "container", row.number, actor, None, after)
        for hold in uow.customs.open_on([row.number]):
            if hold.kind == HoldKind.VGM_MISSING.value:
                end_hold(uow, actor, hold, f"VGM {mass_kg:,} kg declared by {verified_by}", automatic=True)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def vgms_of(uow: UnitOfWork, scope: Scope, container: str) -> list[dict[str, Any]]:
    """Every VGM declared for a box the scope may see (404 otherwise), oldest first."""
    number = parse_container(container)
    with uow:
        if uow.containers.get_visible(number, scope) is None:
            raise NotFound("number", f"no container {number}")
        return [vgm_view(row) for row in uow.vgm.for_container(number)]


def check_for_vessel(uow: UnitOfWork, row: tables.ContainerRow, field: str = "container") -> None:
    """Refuse a vessel load of a packed box without a VGM, or with one outside the tolerance (422)."""
    latest = uow.vgm.latest(row.number)
    check_loadable_on_vessel(
        row.number, row.load_state == "full", row.gross_mass_kg, None if latest is None else _vgm(latest), field
    )


MISSING_VGM = "no verified gross mass declared: a packed box is not loaded on a ship without one (SOLAS VI/2)"


def _missing_vgm_holds(uow: UnitOfWork, number: str) -> list[tables.CustomsHoldRow]:
    return [h for h in uow.customs.open_on([number]) if h.kind == HoldKind.VGM_MISSING.value]


def _dated_after_command(uow: UnitOfWork, number: str) -> bool:
    """The box has an event later than this command (a back-dated list): no automatic event before it."""
    latest = uow.events.latest_for("container", number)
    return latest is not None and as_utc(latest.occurred_at) > command_time()


def hold_until_vgm(uow: UnitOfWork, actor: Actor, numbers: list[str]) -> None:
    """Place the automatic ``vgm_missing`` hold on each packed box of ``numbers`` without a VGM (inside a
    command that puts them on a ship's load list); a box not yet registered, empty, weighed, gone or
    already so held is left alone. The vessel load checks the VGM in any case."""
    rows = uow.containers.rows(numbers)
    for number in numbers:
        row = rows.get(number)
        if row is None or row.load_state != "full" or row.position_kind in GONE:
            continue
        if uow.vgm.latest(number) is not None or _missing_vgm_holds(uow, number) or _dated_after_command(uow, number):
            continue
        add_hold(uow, actor, number, HoldKind.VGM_MISSING, MISSING_VGM, automatic=True)


def release_vgm_wait(uow: UnitOfWork, actor: Actor, numbers: list[str], reason: str) -> None:
    """Lift the automatic ``vgm_missing`` hold of boxes taken off a ship's load list."""
    for number in numbers:
        for hold in _missing_vgm_holds(uow, number):
            end_hold(uow, actor, hold, reason, automatic=True)
