"""Customs holds: place, release, and read (a shipper sees the holds on its own containers)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import HoldIn, respond
from landbridge.api.schemas_ops_out import HoldOut
from landbridge.services.authz import Action
from landbridge.services.operations import customs

router = APIRouter(prefix="/api/v1", tags=["customs"])
Officer = Annotated[Principal, Depends(Authorized(Action.CUSTOMS_WRITE))]
Reader = Annotated[Principal, Depends(Authorized(Action.CUSTOMS_READ))]


@router.post("/customs/holds", status_code=201, response_model=HoldOut)
def place(body: HoldIn, uow: UowDep, who: Officer, key: IdempotencyDep) -> JSONResponse:
    """Place a hold on a container."""
    return respond(customs.place_hold(uow, who.actor, container=body.container, reason=body.reason, idempotency=key))


@router.post("/customs/holds/{hold_id}/release", response_model=HoldOut)
def release(hold_id: int, uow: UowDep, who: Officer, key: IdempotencyDep) -> JSONResponse:
    """Release a hold."""
    return respond(customs.release_hold(uow, who.actor, hold_id=hold_id, idempotency=key))


@router.get("/containers/{number}/holds", response_model=list[HoldOut])
def holds(number: str, uow: UowDep, who: Reader) -> list[dict[str, Any]]:
    """Holds on a container the caller may see."""
    return customs.holds_of(uow, who.scope, number)
