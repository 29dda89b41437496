"""Grain: receive lots into silos, transfer, ship, load into containers; lots and mass balance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.paging import NEXT_LINK, PAGE_DEFAULT, After, Limit, link_next
from landbridge.api.schemas_ops import GrainContainersIn, GrainLotIn, GrainShipIn, GrainTransferIn, respond
from landbridge.api.schemas_ops_out import GrainBalanceOut, GrainIntoContainersOut, GrainLotOut, GrainTransferOut
from landbridge.domain.grain import HopperWagon
from landbridge.services.authz import Action
from landbridge.services.operations import grain

router = APIRouter(prefix="/api/v1/grain", tags=["grain"])
Writer = Annotated[Principal, Depends(Authorized(Action.GRAIN_WRITE))]
Reader = Annotated[Principal, Depends(Authorized(Action.GRAIN_READ))]


@router.post("/lots", status_code=201, response_model=GrainLotOut)
def receive(body: GrainLotIn, uow: UowDep, who: Writer, key: IdempotencyDep) -> JSONResponse:
    """Receive a lot into a silo from hopper wagons (each with its mass, one gauge) or bulk containers."""
    return respond(
        grain.receive_grain(
            uow,
            who.actor,
            **body.model_dump(exclude={"wagons"}),
            wagons=[HopperWagon(w.number, w.mass_kg) for w in body.wagons],
            idempotency=key,
        )
    )


@router.get("/lots", response_model=list[GrainLotOut], responses={200: {"headers": NEXT_LINK, "description": "A page"}})
def list_lots(
    request: Request, response: Response, uow: UowDep, who: Reader, limit: Limit = PAGE_DEFAULT, after: After = None
) -> list[dict[str, Any]]:
    """Lots the caller may see (a shipper: its own) by reference, ``limit`` at a time after the reference
    ``after`` (a full page links the next one in ``Link``)."""
    found = grain.lots(uow, who.scope, after=after, limit=limit)
    link_next(request, response, found[-1]["reference"] if found else None, len(found), limit)
    return found


@router.get("/lots/{reference}", response_model=GrainLotOut)
def get_lot(reference: str, uow: UowDep, who: Reader) -> dict[str, Any]:
    """One lot the caller may see."""
    return grain.lot(uow, who.scope, reference)


@router.get("/balance", response_model=dict[str, GrainBalanceOut])
def balance(uow: UowDep, who: Reader) -> dict[str, dict[str, int]]:
    """Per owner: kg received, shipped and in stock."""
    return grain.balance(uow, who.scope)


@router.post("/lots/{reference}/transfer", response_model=GrainTransferOut)
def transfer(reference: str, body: GrainTransferIn, uow: UowDep, who: Writer, key: IdempotencyDep) -> JSONResponse:
    """Move a lot (or part of it, as a new lot) to another silo."""
    return respond(
        grain.transfer_grain(
            uow,
            who.actor,
            lot=reference,
            to_silo=body.to_silo,
            mass_kg=body.mass_kg,
            new_reference=body.new_reference,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/lots/{reference}/ship", response_model=GrainLotOut)
def ship(reference: str, body: GrainShipIn, uow: UowDep, who: Writer, key: IdempotencyDep) -> JSONResponse:
    """Load grain onto a berthed vessel."""
    return respond(
        grain.ship_grain(
            uow,
            who.actor,
            lot=reference,
            mass_kg=body.mass_kg,
            vessel_visit=body.vessel_visit,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/lots/{reference}/containers", response_model=GrainIntoContainersOut)
def into_containers(
    reference: str, body: GrainContainersIn, uow: UowDep, who: Writer, key: IdempotencyDep
) -> JSONResponse:
    """Fill empty boxes with grain from the lot."""
    fills = [grain.ContainerFill(f.container, f.mass_kg) for f in body.containers]
    return respond(
        grain.load_grain_into_containers(
            uow, who.actor, lot=reference, fills=fills, occurred_at=body.occurred_at, idempotency=key
        )
    )
