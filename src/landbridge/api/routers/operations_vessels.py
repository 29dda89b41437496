"""Vessel visits: announce, berth, discharge, load, depart."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import (
    ERRORS,
    BerthIn,
    CommandIn,
    ContainerRef,
    DischargeIn,
    VesselCorrectionIn,
    VesselIn,
    VesselOut,
    VesselVisitCorrectionIn,
    VesselVisitIn,
    respond,
)
from landbridge.api.schemas_ops_out import ContainerStateOut, VesselVisitOut
from landbridge.domain.errors import NotFound
from landbridge.services.authz import Action
from landbridge.services.operations import corrections, vessel

router = APIRouter(prefix="/api/v1/vessel-visits", tags=["vessel visits"])
ships = APIRouter(prefix="/api/v1/vessels", tags=["vessel visits"])
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
            occurred_at=body.occurred_at,
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
            uow,
            who.actor,
            reference=reference,
            berth_code=body.berth_code,
            etb=body.etb,
            scope=who.scope,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/discharge", response_model=ContainerStateOut)
def discharge(reference: str, body: DischargeIn, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """Discharge a container into the yard (slot proposed when omitted)."""
    return respond(
        vessel.discharge_container(
            uow,
            who.actor,
            reference=reference,
            container=body.container,
            slot=body.slot,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/load", response_model=ContainerStateOut)
def load(reference: str, body: ContainerRef, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """Load a container from the yard onto the vessel."""
    return respond(
        vessel.load_container_on_vessel(
            uow, who.actor, reference=reference, container=body.container, occurred_at=body.occurred_at, idempotency=key
        )
    )


@router.post("/{reference}/depart", response_model=VesselVisitOut)
def depart(
    reference: str, uow: UowDep, who: Planner, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """The vessel leaves with the boxes on board."""
    return respond(
        vessel.depart_vessel(
            uow,
            who.actor,
            reference=reference,
            scope=who.scope,
            occurred_at=None if body is None else body.occurred_at,
            idempotency=key,
        )
    )


@router.patch("/{reference}", response_model=VesselVisitOut, responses=ERRORS)
def correct(
    reference: str, body: VesselVisitCorrectionIn, uow: UowDep, who: Planner, key: IdempotencyDep
) -> JSONResponse:
    """Correct a call's ETA/ETB/ETD, or while announced which ship it is (``vessel.visit_corrected``)."""
    return respond(
        corrections.correct_vessel_visit(
            uow,
            who.actor,
            reference=reference,
            changes=body.changes(),
            reason=body.reason,
            scope=who.scope,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@ships.post("", status_code=201, response_model=VesselOut, responses=ERRORS)
def register(body: VesselIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Record a ship's master data: IMO number (unique), name, call sign, LOA, beam, draft, operator."""
    return respond(
        vessel.register_vessel(
            uow,
            who.actor,
            imo_number=body.imo_number,
            name=body.name,
            call_sign=body.call_sign,
            loa_m=body.loa_m,
            beam_m=body.beam_m,
            draft_m=body.draft_m,
            operator=body.operator,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@ships.get("", response_model=list[VesselOut], responses=ERRORS)
def list_vessels(uow: UowDep, who: Reader) -> list[VesselOut]:
    """Every known ship by name."""
    with uow:
        return [VesselOut(**vessel.vessel_view(row)) for row in uow.vessels.vessels()]


@ships.get("/{imo_number}", response_model=VesselOut, responses=ERRORS)
def get_vessel(imo_number: str, uow: UowDep, who: Reader) -> VesselOut:
    """One ship by IMO number."""
    with uow:
        row = uow.vessels.vessel(imo_number)
        if row is None:
            raise NotFound("imo_number", f"no vessel with IMO {imo_number!r}")
        return VesselOut(**vessel.vessel_view(row))


@ships.patch("/{imo_number}", response_model=VesselOut, responses=ERRORS)
def correct_vessel(
    imo_number: str, body: VesselCorrectionIn, uow: UowDep, who: Planner, key: IdempotencyDep
) -> JSONResponse:
    """Correct a ship's master data; a new name is recorded as a rename of the same ship (IMO cannot change)."""
    return respond(
        vessel.correct_vessel(
            uow,
            who.actor,
            imo_number=imo_number,
            changes=body.changes(),
            reason=body.reason,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )
