"""Holds: place, release and list holds of every kind; the customs routes place customs holds.

A shipper sees the holds on its own containers only (the scope is applied in the query).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import ERRORS, HoldIn, HoldReleaseIn, KindedHoldIn, respond
from landbridge.api.schemas_ops_out import HoldOut
from landbridge.domain.holds import HoldKind
from landbridge.services.authz import Action
from landbridge.services.operations import holds

router = APIRouter(prefix="/api/v1", tags=["holds"])
Officer = Annotated[Principal, Depends(Authorized(Action.CUSTOMS_WRITE))]
Reader = Annotated[Principal, Depends(Authorized(Action.CUSTOMS_READ))]
HoldWriter = Annotated[Principal, Depends(Authorized(Action.HOLD_WRITE))]
HoldReader = Annotated[Principal, Depends(Authorized(Action.HOLD_READ))]
# A hold's id: an integer column, so an id past it is a 422, not a database error (PostgreSQL).
HoldId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/customs/holds", status_code=201, response_model=HoldOut, responses=ERRORS)
def place(body: HoldIn, uow: UowDep, who: Officer, key: IdempotencyDep) -> JSONResponse:
    """Place a customs hold on a container."""
    return respond(
        holds.place_hold(
            uow,
            who.actor,
            container=body.container,
            reason=body.reason,
            kind=HoldKind.CUSTOMS,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/customs/holds/{hold_id}/release", response_model=HoldOut, responses=ERRORS)
def release(
    hold_id: HoldId, uow: UowDep, who: Officer, key: IdempotencyDep, body: HoldReleaseIn | None = None
) -> JSONResponse:
    """Release a customs hold."""
    return _release(hold_id, uow, who, key, body)


@router.get("/containers/{number}/holds", response_model=list[HoldOut], responses=ERRORS)
def holds_on(number: str, uow: UowDep, who: Reader) -> list[HoldOut]:
    """Holds on a container the caller may see."""
    return [HoldOut(**view) for view in holds.holds_of(uow, who.scope, number)]


@router.post("/holds", status_code=201, response_model=HoldOut, responses=ERRORS)
def place_any(body: KindedHoldIn, uow: UowDep, who: HoldWriter, key: IdempotencyDep) -> JSONResponse:
    """Place a hold: customs (customs officer), line (shipping line), terminal or damage (terminal staff).

    ``vgm_missing`` holds are placed and lifted by the hub itself (403 here).
    """
    return respond(
        holds.place_hold(
            uow,
            who.actor,
            container=body.container,
            reason=body.reason,
            kind=body.kind,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/holds/{hold_id}/release", response_model=HoldOut, responses=ERRORS)
def release_any(
    hold_id: HoldId, uow: UowDep, who: HoldWriter, key: IdempotencyDep, body: HoldReleaseIn | None = None
) -> JSONResponse:
    """Release a hold (by the authority of its kind)."""
    return _release(hold_id, uow, who, key, body)


@router.get("/holds", response_model=list[HoldOut], responses=ERRORS)
def list_holds(
    uow: UowDep,
    who: HoldReader,
    open: Annotated[bool | None, Query(description="true: in force; false: released; omitted: all")] = None,
    kind: Annotated[HoldKind | None, Query()] = None,
    container: Annotated[str | None, Query()] = None,
) -> list[HoldOut]:
    """Holds the caller may see (a shipper: those on its own boxes), oldest first."""
    views = holds.list_holds(uow, who.scope, open_only=open, kind=kind, container=container)
    return [HoldOut(**view) for view in views]


def _release(
    hold_id: int, uow: UowDep, who: Principal, key: IdempotencyDep, body: HoldReleaseIn | None
) -> JSONResponse:
    return respond(
        holds.release_hold(
            uow,
            who.actor,
            hold_id=hold_id,
            reason=None if body is None else body.reason,
            occurred_at=None if body is None else body.occurred_at,
            idempotency=key,
        )
    )
