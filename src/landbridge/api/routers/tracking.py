"""Container tracking for shippers: where the box is, what happened to it, and when it should arrive."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from landbridge.api.deps import UowDep
from landbridge.api.routers.dcsa import ViewerDep
from landbridge.api.types import Instant
from landbridge.corridor.eta import ArrivalEstimate
from landbridge.corridor.network import locodes
from landbridge.domain.errors import InvalidIdentifier, NotFound
from landbridge.domain.identifiers import ContainerNumber
from landbridge.interchange.dcsa import rfc3339
from landbridge.scenarios import current_scenario
from landbridge.services import tracking

router = APIRouter(prefix="/api/v1/tracking", tags=["tracking"])


class EtaOut(BaseModel):
    """Arrival at destination as P10 / P50 / P90 (RFC 3339) and the P90 − P10 spread in hours."""

    route: str
    destination: str | None
    stage: str
    as_of: str
    p10: str
    p50: str
    p90: str
    spread_h: float = Field(description="P90 − P10 in hours: how uncertain the estimate still is")
    overdue: bool = Field(description="the current leg is past its P99; the estimate assumes a fresh delay")
    basis: str
    statement: str


class TrackingOut(BaseModel):
    """One container as its shipper follows it."""

    container_number: str
    iso_type: str
    load_state: str
    booking_reference: str | None
    position: dict[str, Any]
    last_event: dict[str, Any] | None
    timeline: list[dict[str, Any]]
    train: str | None
    eta: EtaOut | None
    eta_unavailable_reason: str | None
    eta_history: list[dict[str, Any]] = Field(description="the estimate made at each milestone, oldest first")
    customs_holds: list[dict[str, Any]] = Field(description="customs holds on the box, open ones first")


def _eta_out(estimate: ArrivalEstimate, destination: str | None, locode: str | None) -> EtaOut:
    p10, p50, p90 = (rfc3339(moment, locode) for moment in (estimate.p10, estimate.p50, estimate.p90))
    spread = estimate.spread_h
    statement = (
        f"arrived {p50}"
        if spread == 0
        else f"80 % likely between {p10} and {p90} (spread {spread:.0f} h), most likely {p50}"
    )
    return EtaOut(
        route=estimate.route_code,
        destination=destination,
        stage=estimate.stage.value,
        as_of=rfc3339(estimate.as_of),
        p10=p10,
        p50=p50,
        p90=p90,
        spread_h=round(spread, 1),
        overdue=estimate.overdue,
        basis=estimate.basis,
        statement=statement,
    )


@router.get(
    "/{container_number}",
    response_model=TrackingOut,
    responses={404: {"description": "Unknown container, or not one of the caller's"}},
)
def track(container_number: str, uow: UowDep, viewer: ViewerDep, as_of: Instant | None = None) -> TrackingOut:
    """Current position, DCSA timeline and the arrival estimate (P10/P50/P90) of one container."""
    try:
        number = str(ContainerNumber(container_number))
    except InvalidIdentifier as error:
        raise NotFound("container_number", f"no container {container_number!r} ({error.reason})") from None
    view = tracking.track_container(uow, number, viewer, as_of)
    locode = None
    if view.route_code is not None:
        locode = locodes(current_scenario()).get(view.route_code)
    return TrackingOut(
        container_number=view.number,
        iso_type=view.iso_type,
        load_state=view.load_state,
        booking_reference=view.booking_reference,
        position={"kind": view.position_kind, "reference": view.position_reference},
        last_event=view.last_event,
        timeline=view.timeline,
        train=view.train_reference,
        eta=None if view.eta is None else _eta_out(view.eta, view.destination, locode),
        eta_unavailable_reason=view.eta_unavailable_reason,
        eta_history=view.eta_history,
        customs_holds=view.customs_holds,
    )
