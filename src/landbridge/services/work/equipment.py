"""Machines: read the fleet, change a machine's status or pools (its jobs re-planned), sign a driver on or off."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.equipment import EquipmentKind, EquipmentStatus, check_status_change
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.scenarios.loader import current_scenario
from landbridge.services.actor import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.work.dispatching import redispatch
from landbridge.services.work.fleet import base_plan, machine_view
from landbridge.services.work.views import instruction_view
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


def _machine(uow: UnitOfWork, code: str, *, lock: bool = False) -> tables.EquipmentRow:
    row = uow.equipment.machine(code, lock=lock)
    if row is None:
        raise NotFound("code", f"no machine {code!r}")
    return row


def fleet(uow: UnitOfWork, *, kind: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    """Every machine (optionally of one kind or status) with the job it holds."""
    plan = base_plan(current_scenario())
    with uow:
        held = {r.machine: r.id for r in uow.work.live() if r.machine is not None}
        return [{**machine_view(m, plan), "job": held.get(m.code)} for m in uow.equipment.machines(kind, status)]


def machine(uow: UnitOfWork, code: str) -> dict[str, Any]:
    """One machine with its live jobs."""
    with uow:
        row = _machine(uow, code)
        jobs = [instruction_view(r) for r in uow.work.of_machine(code)]
        return {**machine_view(row, base_plan(current_scenario())), "jobs": jobs}


def set_status(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    status: EquipmentStatus,
    reason: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Working, break or out of service (with the reason). Out of service gives its jobs back to the
    queues and every queue is re-planned; back to working, it gets work again."""
    kept_reason = check_status_change(status, reason)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = _machine(uow, code, lock=True)
        before = {"status": row.status, "reason": row.status_reason}
        row.status, row.status_reason, row.status_since = status.value, kept_reason, command_time()
        uow.session.flush()
        requeued = [r.id for r in uow.work.of_machine(code)] if status is EquipmentStatus.OUT_OF_SERVICE else []
        assigned = redispatch(uow) if status is not EquipmentStatus.BREAK else {}
        subject_event(
            uow,
            EventType.EQUIPMENT_STATUS_CHANGED,
            "equipment",
            code,
            actor,
            before,
            {"status": row.status, "reason": kept_reason, "requeued": requeued},
        )
        return {
            **machine_view(row, base_plan(current_scenario())),
            "requeued": requeued,
            "assigned": assigned,
        }

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _check_pools(row: tables.EquipmentRow, pools: list[str]) -> list[str]:
    """The pools a machine may be given: places of this base, each once; a quay crane works berths, the
    grain gear the grain berth (each 422 at ``pools[i]``)."""
    scenario = current_scenario()
    places = {f"berth:{b.code}" for b in scenario.port.berths} | {"gate"}
    places |= {f"block:{b.code}" for b in scenario.base.yard.blocks}
    places |= {f"track:{t.code}" for t in scenario.base.rail.loading_tracks}
    if not pools:
        raise RuleViolation("pools", "name at least one pool (berth:<code>, block:<code>, track:<code>, gate)")
    for index, pool in enumerate(pools):
        where = f"pools[{index}]"
        if pool not in places:
            raise RuleViolation(
                where, f"{pool!r} is no place of this base (berth:<code>, block:<code>, track:<code>, gate)"
            )
        if pool in pools[:index]:
            raise RuleViolation(where, f"{pool} is listed twice")
        if row.kind == EquipmentKind.QUAY_CRANE.value and not pool.startswith("berth:"):
            raise RuleViolation(where, f"{row.code} is a quay crane: it works a berth, not {pool}")
        if row.kind == EquipmentKind.GRAIN_LOADER.value and pool != f"berth:{scenario.grain.berth}":
            raise RuleViolation(where, f"{row.code} is grain gear: it works the grain berth {scenario.grain.berth}")
    return pools


def set_pools(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    pools: list[str],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Where a machine works from now on (say, tractors moved to serve a loading track or the gate).

    A job it holds in a pool it no longer serves goes back to its queue; every queue is re-planned, so
    work of the new pools reaches it and the legs that need a tractor appear in the next generation.
    """

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = _machine(uow, code, lock=True)
        wanted = _check_pools(row, pools)
        before = {"pools": list(row.pools or [])}
        row.pools = wanted
        requeued = []
        for job in uow.work.of_machine(code):
            if job.pool not in wanted:
                job.status, job.machine, job.assigned_at = "open", None, None
                job.version += 1
                requeued.append(job.id)
        uow.session.flush()
        assigned = redispatch(uow)
        subject_event(
            uow,
            EventType.EQUIPMENT_POOLS_CHANGED,
            "equipment",
            code,
            actor,
            before,
            {"pools": wanted, "requeued": requeued},
        )
        return {**machine_view(row, base_plan(current_scenario())), "requeued": requeued, "assigned": assigned}

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def sign_on(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The caller drives this machine from now on (one driver per machine; another's seat is a 409)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = _machine(uow, code, lock=True)
        if row.driver not in (None, actor.name):
            raise Conflict("code", f"{code} is driven by {row.driver}; they sign off first")
        for other in uow.equipment.driven_by(actor.name):
            if other.code != code:
                other.driver = None
        before = {"driver": row.driver}
        row.driver = actor.name
        subject_event(uow, EventType.EQUIPMENT_DRIVER_CHANGED, "equipment", code, actor, before, {"driver": actor.name})
        return machine_view(row, base_plan(current_scenario()))

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def sign_off(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The caller leaves the machine (its job stays with the machine for the next driver)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = _machine(uow, code, lock=True)
        if row.driver != actor.name:
            raise Conflict("code", f"{code} is driven by {row.driver or 'nobody'}, not by {actor.name}")
        row.driver = None
        subject_event(
            uow, EventType.EQUIPMENT_DRIVER_CHANGED, "equipment", code, actor, {"driver": actor.name}, {"driver": None}
        )
        return machine_view(row, base_plan(current_scenario()))

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def my_machine(uow: UnitOfWork, actor: Actor) -> dict[str, Any] | None:
    """The machine the caller drives, with its current job (what the driver's screen shows)."""
    with uow:
        driven = uow.equipment.driven_by(actor.name)
        if not driven:
            return None
        row = driven[0]
        jobs = uow.work.of_machine(row.code)
        return {
            "machine": machine_view(row, base_plan(current_scenario())),
            "job": instruction_view(jobs[0]) if jobs else None,
        }
