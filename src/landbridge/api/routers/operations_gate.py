"""The gate: appointments and trucks in and out."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import AppointmentIn, TruckInIn, respond
from landbridge.api.schemas_ops_out import AppointmentOut, GateWindowOut, TruckVisitOut
from landbridge.services.authz import Action
from landbridge.services.operations import gate

router = APIRouter(prefix="/api/v1/gate", tags=["gate"])
Booker = Annotated[Principal, Depends(Authorized(Action.GATE_BOOK))]
Clerk = Annotated[Principal, Depends(Authorized(Action.GATE_WRITE))]
Reader = Annotated[Principal, Depends(Authorized(Action.GATE_READ))]


@router.get("/appointments", response_model=GateWindowOut)
def window(uow: UowDep, who: Reader, hour_start: Annotated[datetime, Query()]) -> dict[str, Any]:
    """One hourly window: capacity, bookings and free places."""
    return gate.window(uow, who.scope, hour_start)


@router.post("/appointments", status_code=201, response_model=AppointmentOut)
def book(body: AppointmentIn, uow: UowDep, who: Booker, key: IdempotencyDep) -> JSONResponse:
    """Book a truck into an hourly window (refused when the window is full)."""
    return respond(
        gate.book_appointment(
            uow,
            who.actor,
            who.scope,
            reference=body.reference,
            hour_start=body.hour_start,
            plate=body.plate,
            kind=body.kind,
            container=body.container,
            idempotency=key,
        )
    )


@router.post("/trucks", status_code=201, response_model=TruckVisitOut)
def truck_in(body: TruckInIn, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """A truck enters with boxes to drop off and/or to pick up."""
    return respond(
        gate.truck_in(
            uow,
            who.actor,
            reference=body.reference,
            plate=body.plate,
            drop_off=body.drop_off,
            pick_up=body.pick_up,
            appointment_reference=body.appointment_reference,
            idempotency=key,
        )
    )


@router.post("/trucks/{reference}/out", response_model=TruckVisitOut)
def truck_out(reference: str, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """The truck leaves with its pick-ups."""
    return respond(gate.truck_out(uow, who.actor, reference=reference, idempotency=key))
