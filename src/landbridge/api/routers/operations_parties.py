"""Parties and consignments: who ships what — the basis of what a shipper may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import ConsignmentIn, ContainerRef, OwnerCodesIn, PartyIn, PartyOut, respond
from landbridge.api.schemas_ops_out import ConsignmentOut, ContainerStateOut
from landbridge.services.authz import Action
from landbridge.services.operations import parties

router = APIRouter(prefix="/api/v1", tags=["parties"])
PartyWriter = Annotated[Principal, Depends(Authorized(Action.PARTY_WRITE))]
ConsignmentWriter = Annotated[Principal, Depends(Authorized(Action.CONSIGNMENT_WRITE))]


@router.post("/parties", status_code=201, response_model=PartyOut)
def create_party(body: PartyIn, uow: UowDep, who: PartyWriter, key: IdempotencyDep) -> JSONResponse:
    """Register a party."""
    return respond(
        parties.create_party(
            uow,
            who.actor,
            code=body.code,
            name=body.name,
            role=body.role,
            country=body.country,
            occurred_at=body.occurred_at,
            owner_codes=body.owner_codes,
            idempotency=key,
        )
    )


@router.put(
    "/parties/{code}/owner-codes",
    response_model=PartyOut,
    responses={
        404: {"description": "No party with this code"},
        409: {"description": "An owner code belongs to another party (named in the body)"},
        422: {"description": "An owner code is not three letters A–Z (field owner_codes)"},
    },
)
def set_owner_codes(code: str, body: OwnerCodesIn, uow: UowDep, who: PartyWriter, key: IdempotencyDep) -> JSONResponse:
    """Replace a party's ISO 6346 owner codes: a shipping line sees the boxes whose numbers start with them."""
    return respond(parties.set_owner_codes(uow, who.actor, code=code, owner_codes=body.owner_codes, idempotency=key))


@router.post("/consignments", status_code=201, response_model=ConsignmentOut)
def create_consignment(body: ConsignmentIn, uow: UowDep, who: ConsignmentWriter, key: IdempotencyDep) -> JSONResponse:
    """Book a consignment with its goods lines."""
    goods = [parties.GoodsLineSpec(**line.model_dump()) for line in body.goods]
    return respond(
        parties.create_consignment(
            uow,
            who.actor,
            booking_reference=body.booking_reference,
            shipper_code=body.shipper_code,
            consignee_code=body.consignee_code,
            origin=body.origin,
            destination=body.destination,
            goods=goods,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/consignments/{booking_reference}/containers", response_model=ContainerStateOut)
def assign_container(
    booking_reference: str, body: ContainerRef, uow: UowDep, who: ConsignmentWriter, key: IdempotencyDep
) -> JSONResponse:
    """Attach a container to a consignment (its shipper can then follow it)."""
    return respond(
        parties.assign_container(
            uow,
            who.actor,
            booking_reference=booking_reference,
            container=body.container,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )
