"""Rail: train visits, wagon loading, departure, border, gauge change, arrival."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.paging import NEXT_LINK, PAGE_DEFAULT, After, Limit, link_next
from landbridge.api.schemas_ops import (
    ERRORS,
    BorderIn,
    CommandIn,
    EmptyReturnIn,
    GaugeTransferIn,
    TrainArrivalIn,
    TrainCancelIn,
    TrainVisitCorrectionIn,
    TrainVisitIn,
    UnloadIn,
    WagonListChangeIn,
    WagonLoadIn,
    WagonOut,
    respond,
)
from landbridge.api.schemas_ops_out import ContainerStateOut, TrainVisitOut
from landbridge.domain.errors import NotFound
from landbridge.services.authz import Action
from landbridge.services.operations import corrections, rail, wagon_list

router = APIRouter(prefix="/api/v1/train-visits", tags=["rail"])
wagons = APIRouter(prefix="/api/v1/wagons", tags=["rail"])
Planner = Annotated[Principal, Depends(Authorized(Action.RAIL_PLAN))]
Handler = Annotated[Principal, Depends(Authorized(Action.RAIL_HANDLE))]
Reader = Annotated[Principal, Depends(Authorized(Action.RAIL_READ))]


@router.post("", status_code=201, response_model=TrainVisitOut)
def announce(body: TrainVisitIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Announce a train visit with its wagon list."""
    wagons = [rail.WagonSpec(w.number, w.wagon_type) for w in body.wagons]
    return respond(
        rail.announce_train(
            uow,
            who.actor,
            reference=body.reference,
            direction=body.direction,
            route_code=body.route_code,
            gauge_mm=body.gauge_mm,
            train_type_code=body.train_type_code,
            wagons=wagons,
            track_code=body.track_code,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.get("", response_model=list[TrainVisitOut], responses={200: {"headers": NEXT_LINK, "description": "A page"}})
def list_trains(
    request: Request, response: Response, uow: UowDep, who: Reader, limit: Limit = PAGE_DEFAULT, after: After = None
) -> JSONResponse:
    """Train visits by reference with their wagons and loads, ``limit`` at a time after the reference ``after``
    (a full page links the next one in ``Link``)."""
    with uow:
        views = rail.train_views(uow, uow.rail.trains_page(after, limit))
    link_next(request, response, views[-1]["reference"] if views else None, len(views), limit)
    # Built by train_views in the response model's shape: answered as is, not validated a second time
    # (validating 100 trains × ≈ 50 wagons cost more than reading them).
    return JSONResponse(views, headers=dict(response.headers))


@router.get("/{reference}", response_model=TrainVisitOut)
def get_train(reference: str, uow: UowDep, who: Reader) -> dict[str, Any]:
    """A train visit with its wagons and loads."""
    with uow:
        row = uow.rail.train(reference)
        if row is None:
            raise NotFound("reference", f"no train visit {reference!r}")
        return rail.train_view(uow, row)


@router.post("/{reference}/load", response_model=ContainerStateOut)
def load(reference: str, body: WagonLoadIn, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """Load a container onto a wagon slot."""
    return respond(
        rail.load_on_wagon(
            uow,
            who.actor,
            train=reference,
            container=body.container,
            wagon_number=body.wagon_number,
            slot=body.slot,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/unload", response_model=ContainerStateOut)
def unload(reference: str, body: UnloadIn, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """Unload a container into the yard."""
    return respond(
        rail.unload_from_wagon(
            uow,
            who.actor,
            train=reference,
            container=body.container,
            slot=body.slot,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/depart", response_model=TrainVisitOut)
def depart(
    reference: str, uow: UowDep, who: Handler, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """The train departs (refused while a box on it has an open customs hold)."""
    return respond(
        rail.depart_train(
            uow, who.actor, train=reference, occurred_at=None if body is None else body.occurred_at, idempotency=key
        )
    )


@router.post("/{reference}/receive", response_model=TrainVisitOut, responses=ERRORS)
def receive(reference: str, body: TrainArrivalIn, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """An announced eastbound train arrives at the base with its boxes on its wagons (``train.arrived``);
    unload them with ``…/unload``, then ``…/release``."""
    boxes = [rail.ArrivingBox(b.container, b.wagon_number, b.slot) for b in body.boxes]
    return respond(
        rail.receive_train(uow, who.actor, train=reference, boxes=boxes, occurred_at=body.occurred_at, idempotency=key)
    )


@router.post("/{reference}/cancel", response_model=TrainVisitOut, responses=ERRORS)
def cancel(reference: str, body: TrainCancelIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Call off a train visit at the base before it leaves (``train.cancelled``): its track is free.

    409 naming the state when it has left or still has boxes on board (unload them first)."""
    return respond(
        rail.cancel_train_visit(
            uow, who.actor, train=reference, reason=body.reason, occurred_at=body.occurred_at, idempotency=key
        )
    )


@router.post("/{reference}/border", response_model=TrainVisitOut)
def border(reference: str, body: BorderIn, uow: UowDep, who: Handler, key: IdempotencyDep) -> JSONResponse:
    """The train reached its border crossing."""
    return respond(
        rail.arrive_at_border(
            uow,
            who.actor,
            train=reference,
            crossing_code=body.crossing_code,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/gauge-transfer", response_model=ContainerStateOut)
def gauge_transfer(
    reference: str, body: GaugeTransferIn, uow: UowDep, who: Handler, key: IdempotencyDep
) -> JSONResponse:
    """Transship a container from this 1435 mm train to a 1520 mm train's wagon."""
    return respond(
        rail.gauge_transfer(
            uow,
            who.actor,
            train=reference,
            container=body.container,
            to_train=body.to_train,
            wagon_number=body.wagon_number,
            slot=body.slot,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/arrive", response_model=TrainVisitOut)
def arrive(
    reference: str, uow: UowDep, who: Handler, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """The train reached its destination; its boxes are delivered."""
    return respond(
        rail.arrive_at_destination(
            uow, who.actor, train=reference, occurred_at=None if body is None else body.occurred_at, idempotency=key
        )
    )


@router.patch("/{reference}", response_model=TrainVisitOut, responses=ERRORS)
def correct(
    reference: str, body: TrainVisitCorrectionIn, uow: UowDep, who: Planner, key: IdempotencyDep
) -> JSONResponse:
    """Correct a train's route, direction or track while it is at the base (``train.corrected``, before/after)."""
    return respond(
        corrections.correct_train_visit(
            uow,
            who.actor,
            reference=reference,
            changes=body.changes(),
            reason=body.reason,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/wagons", response_model=TrainVisitOut, responses=ERRORS)
def change_wagons(
    reference: str, body: WagonListChangeIn, uow: UowDep, who: Planner, key: IdempotencyDep
) -> JSONResponse:
    """Swap wagons into or out of a train at the base, with a reason (``train.wagons_changed``, list before/after)."""
    return respond(
        wagon_list.change_wagons(
            uow,
            who.actor,
            train=reference,
            add=[rail.WagonSpec(w.number, w.wagon_type) for w in body.add],
            remove=body.remove,
            reason=body.reason,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.post("/{reference}/release", response_model=TrainVisitOut, responses=ERRORS)
def release(
    reference: str, uow: UowDep, who: Handler, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """Release an emptied train at the border or its destination (``train.released``)."""
    return respond(
        rail.release_train(
            uow, who.actor, train=reference, occurred_at=None if body is None else body.occurred_at, idempotency=key
        )
    )


@router.post("/{reference}/return-empty", status_code=201, response_model=TrainVisitOut, responses=ERRORS)
def return_empty(reference: str, body: EmptyReturnIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Send a released 1520 mm train's wagons back to its border station as an empty-return train visit."""
    return respond(
        rail.return_empty_wagons(
            uow, who.actor, train=reference, reference=body.reference, occurred_at=body.occurred_at, idempotency=key
        )
    )


@wagons.get(
    "", response_model=list[WagonOut], responses={**ERRORS, 200: {"headers": NEXT_LINK, "description": "A page"}}
)
def list_wagons(
    request: Request, response: Response, uow: UowDep, who: Reader, limit: Limit = PAGE_DEFAULT, after: After = None
) -> list[WagonOut]:
    """The wagons the base has seen, by number, ``limit`` at a time after the number ``after`` (a full page
    links the next one in ``Link``): where each is and its latest turnaround (loaded out → back empty)."""
    views = [WagonOut(**view) for view in rail.wagon_cycles(uow, after=after, limit=limit)]
    link_next(request, response, views[-1].number if views else None, len(views), limit)
    return views


@wagons.get("/{number}", response_model=WagonOut, responses=ERRORS)
def get_wagon(number: str, uow: UowDep, who: Reader) -> WagonOut:
    """One wagon by number."""
    found = rail.wagon_cycles(uow, number.replace(" ", "").replace("-", ""))
    if not found:
        raise NotFound("number", f"no wagon {number!r}")
    return WagonOut(**found[0])
