"""The gate: appointments (book, list own, cancel), delivery orders, and trucks in and out."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.paging import NEXT_LINK, PAGE_DEFAULT, After, Limit, link_next
from landbridge.api.schemas_ops import (
    ERRORS,
    AppointmentIn,
    CommandIn,
    DeliveryOrderIn,
    DeliveryOrderOut,
    TruckInIn,
    respond,
)
from landbridge.api.schemas_ops_out import AppointmentOut, GateWindowOut, TruckVisitOut
from landbridge.api.types import HourStart
from landbridge.domain.gate import AppointmentStatus
from landbridge.services.authz import Action
from landbridge.services.operations import gate

router = APIRouter(prefix="/api/v1/gate", tags=["gate"])
releases = APIRouter(prefix="/api/v1/delivery-orders", tags=["gate"])
Booker = Annotated[Principal, Depends(Authorized(Action.GATE_BOOK))]
Clerk = Annotated[Principal, Depends(Authorized(Action.GATE_WRITE))]
Reader = Annotated[Principal, Depends(Authorized(Action.GATE_READ))]
Releaser = Annotated[Principal, Depends(Authorized(Action.RELEASE_WRITE))]


@router.get("/appointments", response_model=GateWindowOut, responses=ERRORS)
def window(uow: UowDep, who: Reader, hour_start: Annotated[HourStart, Query()]) -> dict[str, Any]:
    """One hourly window: capacity, bookings and free places."""
    return gate.window(uow, who.scope, hour_start)


@router.get(
    "/appointments/mine",
    response_model=list[AppointmentOut],
    responses={**ERRORS, 200: {"headers": NEXT_LINK, "description": "A page"}},
)
def my_appointments(
    request: Request,
    response: Response,
    uow: UowDep,
    who: Booker,
    status: Annotated[AppointmentStatus | None, Query(description="booked, used or cancelled")] = None,
    limit: Limit = PAGE_DEFAULT,
    after: After = None,
) -> list[AppointmentOut]:
    """The caller's party's appointments (gate staff: all), by window, ``limit`` at a time after the
    appointment ``after`` (a full page links the next one in ``Link``; an unknown ``after`` gives an
    empty page)."""
    views = [AppointmentOut(**view) for view in gate.appointments(uow, who.scope, status, after=after, limit=limit)]
    link_next(request, response, views[-1].reference if views else None, len(views), limit)
    return views


@router.post("/appointments", status_code=201, response_model=AppointmentOut, responses=ERRORS)
def book(body: AppointmentIn, uow: UowDep, who: Booker, key: IdempotencyDep) -> JSONResponse:
    """Book a truck into an hourly window for a box or booking the caller may see.

    Refused when the window is full (409), over or beyond the booking horizon, or the party's daily
    quota is used (422).
    """
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
            booking_reference=body.booking_reference,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/appointments/{reference}/cancel", response_model=AppointmentOut, responses=ERRORS)
def cancel(
    reference: str, uow: UowDep, who: Booker, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """Cancel a booked appointment (its owner, or gate staff); the window gets the place back."""
    return respond(
        gate.cancel_appointment(
            uow,
            who.actor,
            who.scope,
            reference=reference,
            occurred_at=None if body is None else body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/trucks", status_code=201, response_model=TruckVisitOut, responses=ERRORS)
def truck_in(body: TruckInIn, uow: UowDep, who: Clerk, key: IdempotencyDep) -> JSONResponse:
    """A truck enters: drop-offs need a booking, pick-ups a delivery order and its PIN, the truck its
    appointment window (or the clerk's ``override_reason``)."""
    return respond(
        gate.truck_in(
            uow,
            who.actor,
            reference=body.reference,
            plate=body.plate,
            drop_off=body.drop_off,
            pick_up=body.pick_up,
            appointment_reference=body.appointment_reference,
            delivery_order=body.delivery_order,
            pin=body.pin,
            override_reason=body.override_reason,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/trucks/{reference}/out", response_model=TruckVisitOut, responses=ERRORS)
def truck_out(
    reference: str, uow: UowDep, who: Clerk, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """The truck leaves with its pick-ups (refused while one of them is held)."""
    return respond(
        gate.truck_out(
            uow, who.actor, reference=reference, occurred_at=None if body is None else body.occurred_at, idempotency=key
        )
    )


@releases.post("", status_code=201, response_model=DeliveryOrderOut, responses=ERRORS)
def issue(body: DeliveryOrderIn, uow: UowDep, who: Releaser, key: IdempotencyDep) -> JSONResponse:
    """Release import boxes for pick-up (the line or the planner): valid from/to, with a PIN shown once."""
    return respond(
        gate.issue_delivery_order(
            uow,
            who.actor,
            reference=body.reference,
            containers=body.containers,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            pin=body.pin,
            scope=who.scope,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@releases.get("/{reference}", response_model=DeliveryOrderOut, responses=ERRORS)
def get_order(reference: str, uow: UowDep, who: Reader) -> DeliveryOrderOut:
    """A delivery order: its boxes, validity and which were picked up (never the PIN)."""
    return DeliveryOrderOut(**gate.delivery_order(uow, reference))


@releases.post("/{reference}/cancel", response_model=DeliveryOrderOut, responses=ERRORS)
def cancel_order(
    reference: str, uow: UowDep, who: Releaser, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """Withdraw a delivery order."""
    return respond(
        gate.cancel_delivery_order(
            uow,
            who.actor,
            reference=reference,
            scope=who.scope,
            occurred_at=None if body is None else body.occurred_at,
            idempotency=key,
        )
    )
