"""The fleet over HTTP: machines with kind, pools, attributes, status, position and driver.

Reading needs ``equipment.read``; a status or pool change ``equipment.manage`` (out of service gives
the machine's jobs back and re-plans); signing on to drive a machine ``work.drive``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import ERRORS, CommandIn, respond
from landbridge.api.schemas_work import (
    MachineDetailOut,
    MachineOut,
    MyMachineOut,
    PoolsIn,
    StatusChangeOut,
    StatusIn,
)
from landbridge.domain.equipment import EquipmentKind, EquipmentStatus
from landbridge.services.authz import Action
from landbridge.services.work import equipment

router = APIRouter(prefix="/api/v1", tags=["equipment"])
Reader = Annotated[Principal, Depends(Authorized(Action.EQUIPMENT_READ))]
Manager = Annotated[Principal, Depends(Authorized(Action.EQUIPMENT_MANAGE))]
Driver = Annotated[Principal, Depends(Authorized(Action.WORK_DRIVE))]


@router.get("/equipment", response_model=list[MachineOut], responses=ERRORS)
def fleet(
    uow: UowDep,
    who: Reader,
    kind: Annotated[EquipmentKind | None, Query()] = None,
    status: Annotated[EquipmentStatus | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Every machine of the base (optionally of one kind or status) with the job it holds."""
    return equipment.fleet(
        uow, kind=None if kind is None else kind.value, status=None if status is None else status.value
    )


@router.get("/equipment/mine", response_model=MyMachineOut, responses=ERRORS)
def mine(uow: UowDep, who: Driver) -> dict[str, Any]:
    """The machine the caller drives and its job (the driver's screen)."""
    return equipment.my_machine(uow, who.actor) or {"machine": None, "job": None}


@router.get("/equipment/{code}", response_model=MachineDetailOut, responses=ERRORS)
def machine(code: str, uow: UowDep, who: Reader) -> dict[str, Any]:
    """One machine with its live jobs."""
    return equipment.machine(uow, code)


@router.put("/equipment/{code}/status", response_model=StatusChangeOut, responses=ERRORS)
def set_status(code: str, body: StatusIn, uow: UowDep, who: Manager, key: IdempotencyDep) -> JSONResponse:
    """Working, break or out of service (with the reason); out of service re-queues its jobs."""
    return respond(
        equipment.set_status(
            uow,
            who.actor,
            code=code,
            status=body.status,
            reason=body.reason,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.put("/equipment/{code}/pools", response_model=StatusChangeOut, responses=ERRORS)
def set_pools(code: str, body: PoolsIn, uow: UowDep, who: Manager, key: IdempotencyDep) -> JSONResponse:
    """Where the machine works from now on (``berth:<code>``, ``block:<code>``, ``track:<code>``, ``gate``);
    a job it holds outside them goes back to its queue."""
    return respond(
        equipment.set_pools(uow, who.actor, code=code, pools=body.pools, occurred_at=body.occurred_at, idempotency=key)
    )


@router.post("/equipment/{code}/sign-on", response_model=MachineOut, responses=ERRORS)
def sign_on(code: str, uow: UowDep, who: Driver, key: IdempotencyDep, body: CommandIn | None = None) -> JSONResponse:
    """The caller drives this machine from now on (409 when another driver is signed on)."""
    at = None if body is None else body.occurred_at
    return respond(equipment.sign_on(uow, who.actor, code=code, occurred_at=at, idempotency=key))


@router.post("/equipment/{code}/sign-off", response_model=MachineOut, responses=ERRORS)
def sign_off(code: str, uow: UowDep, who: Driver, key: IdempotencyDep, body: CommandIn | None = None) -> JSONResponse:
    """The caller leaves the machine."""
    at = None if body is None else body.occurred_at
    return respond(equipment.sign_off(uow, who.actor, code=code, occurred_at=at, idempotency=key))
