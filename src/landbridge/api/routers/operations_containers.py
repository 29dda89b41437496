"""Containers: SOLAS VGM declarations and corrections of a box's recorded facts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import ERRORS, ContainerCorrectionIn, VgmIn, VgmOut, respond
from landbridge.api.schemas_ops_out import ContainerStateOut
from landbridge.services.authz import Action
from landbridge.services.operations import corrections, vgm

router = APIRouter(prefix="/api/v1/containers", tags=["containers"])
VgmWriter = Annotated[Principal, Depends(Authorized(Action.VGM_WRITE))]
Reader = Annotated[Principal, Depends(Authorized(Action.CONTAINER_READ))]
Corrector = Annotated[Principal, Depends(Authorized(Action.CONTAINER_CORRECT))]


@router.post("/{number}/vgm", status_code=201, response_model=VgmOut, responses=ERRORS)
def declare_vgm(number: str, body: VgmIn, uow: UowDep, who: VgmWriter, key: IdempotencyDep) -> JSONResponse:
    """Declare the box's SOLAS VI/2 verified gross mass (a shipper: for its own boxes); lifts a vgm_missing hold."""
    return respond(
        vgm.declare_vgm(
            uow,
            who.actor,
            who.scope,
            container=number,
            mass_kg=body.mass_kg,
            method=body.method,
            verified_by=body.verified_by,
            verified_at=body.verified_at,
            weighed_at_base=body.weighed_at_base,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.get("/{number}/vgm", response_model=list[VgmOut], responses=ERRORS)
def list_vgm(number: str, uow: UowDep, who: Reader) -> list[VgmOut]:
    """Every VGM declared for the box, oldest first (the latest counts)."""
    return [VgmOut(**view) for view in vgm.vgms_of(uow, who.scope, number)]


@router.patch("/{number}", response_model=ContainerStateOut, responses=ERRORS)
def correct(number: str, body: ContainerCorrectionIn, uow: UowDep, who: Corrector, key: IdempotencyDep) -> JSONResponse:
    """Correct gross mass, full/empty, ISO type, seals, reefer set point or booking, with a reason.

    Recorded as ``container.corrected`` with before/after; the number or position cannot be corrected (422).
    """
    return respond(
        corrections.correct_container(
            uow,
            who.actor,
            container=number,
            changes=body.changes(),
            reason=body.reason,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )
