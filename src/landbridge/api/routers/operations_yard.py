"""Yard and CFS: place or move a container, propose a slot, stuff and strip goods lines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import ContainerRef, GoodsLineRef, YardMoveIn, respond
from landbridge.api.schemas_ops_out import ContainerStateOut, SlotProposalOut
from landbridge.services.authz import Action
from landbridge.services.operations import cfs, yard

router = APIRouter(prefix="/api/v1", tags=["yard and CFS"])
YardWriter = Annotated[Principal, Depends(Authorized(Action.YARD_WRITE))]
YardReader = Annotated[Principal, Depends(Authorized(Action.YARD_READ))]
CfsWriter = Annotated[Principal, Depends(Authorized(Action.CFS_WRITE))]


@router.post("/yard/moves", response_model=ContainerStateOut)
def move(body: YardMoveIn, uow: UowDep, who: YardWriter, key: IdempotencyDep) -> JSONResponse:
    """Place a container in the yard or move it (every stacking rule checked; slot proposed when omitted)."""
    return respond(
        yard.place_container(
            uow,
            who.actor,
            container=body.container,
            slot=body.slot,
            expected_version=body.expected_version,
            caused_by_party=body.caused_by_party,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.get("/yard/proposal", response_model=SlotProposalOut)
def proposal(uow: UowDep, who: YardReader, container: Annotated[str, Query()]) -> dict[str, Any]:
    """The slot the simple rule would choose for the container now (nothing reserved)."""
    return yard.propose_slot(uow, who.actor, container=container)


@router.post("/cfs/receive", response_model=ContainerStateOut)
def cfs_receive(body: ContainerRef, uow: UowDep, who: CfsWriter, key: IdempotencyDep) -> JSONResponse:
    """Bring a container into the CFS."""
    return respond(
        cfs.receive_into_cfs(uow, who.actor, container=body.container, occurred_at=body.occurred_at, idempotency=key)
    )


@router.post("/cfs/stuff", response_model=ContainerStateOut)
def cfs_stuff(body: GoodsLineRef, uow: UowDep, who: CfsWriter, key: IdempotencyDep) -> JSONResponse:
    """Stuff a goods line into a container in the CFS."""
    return respond(
        cfs.stuff(
            uow,
            who.actor,
            container=body.container,
            goods_line_id=body.goods_line_id,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/cfs/strip", response_model=ContainerStateOut)
def cfs_strip(body: GoodsLineRef, uow: UowDep, who: CfsWriter, key: IdempotencyDep) -> JSONResponse:
    """Strip a goods line out of a container in the CFS."""
    return respond(
        cfs.strip(
            uow,
            who.actor,
            container=body.container,
            goods_line_id=body.goods_line_id,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )
