"""Vessel visits: announce, berth, discharge, load, depart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import BerthIn, ContainerRef, DischargeIn, VesselVisitIn, respond
from landbridge.api.schemas_ops_out import ContainerStateOut, VesselVisitOut
from landbridge.domain.errors import NotFound
from landbridge.services.authz import Action
from landbridge.services.operations import vessel

router = APIRouter(prefix="/api/v1/vessel-visits", tags=["vessel visits"])
Planner = Annotated[Principal, Depends(Authorized(Action.VESSEL_PLAN))]
Handler = Annotated[Principal, Depends(Authorized(Action.VESSEL_HANDLE))]
Reader = Annotated[Principal, Depends(Authorized(Action.VESSEL_READ))]


@router.post("", status_code=201, response_model=VesselVisitOut)
def announce(body: VesselVisitIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Announce a vessel call with its ETA."""
    return respond(
        vessel.announce_vessel(
            uow,
            who.actor,
            reference=body.reference,
            vessel_name=body.vessel_name,
            eta=body.eta,
            imo_number=body.imo_number,
            operator_code=body.operator_code,
            idempotency=key,
        )
    )


@router.get("", response_model=list[VesselVisitOut])
def list_visits(uow: UowDep, who: Reader) -> list[dict[str, Any]]:
    """The vessel visits the caller may see by ETA (a shipping line: the calls it operates)."""
    with uow:
        return [vessel.visit_view(row) for row in uow.vessels.all(who.scope)]


@router.get("/{reference}", response_model=VesselVisitOut)
def get_visit(reference: str, uow: UowDep, who: Reader) -> dict[str, Any]:
    """One vessel visit (404 for a call the caller may not see, as for an unknown one)."""
    with uow:
        row = uow.vessels.get_visible(reference, who.scope)
        if row is None:
            raise NotFound("reference", f"no vessel visit {reference!r}")
        return vessel.visit_view(row)


@router.post("/{reference}/berth", response_model=VesselVisitOut)
def berth(reference: str, body: BerthIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Bring the vessel alongside a free berth."""
    return respond(
        vessel.berth_vessel(
            uow, who.actor, reference=reference, berth_code=body.berth_code, etb=body.etb, idempotency=key
        )
    )


@router.post("/{reference}/discharge", response_model=ContainerStateOut)
def discharge(reference: str, body: DischargeIn, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """Discharge a container into the yard (slot proposed when omitted)."""
    return respond(
        vessel.discharge_container(
            uow, who.actor, reference=reference, container=body.container, slot=body.slot, idempotency=key
        )
    )


@router.post("/{reference}/load", response_model=ContainerStateOut)
def load(reference: str, body: ContainerRef, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """Load a container from the yard onto the vessel."""
    return respond(
        vessel.load_container_on_vessel(uow, who.actor, reference=reference, container=body.container, idempotency=key)
    )


@router.post("/{reference}/depart", response_model=VesselVisitOut)
def depart(reference: str, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """The vessel leaves with the boxes on board."""
    return respond(vessel.depart_vessel(uow, who.actor, reference=reference, idempotency=key))
