"""Work instructions over HTTP: generate them, list queues and jobs, confirm or report a job, steer a
queue, read productivity.

``work.read`` to read, ``work.plan`` to generate and steer queues, ``work.drive`` to confirm or
report a job (only the driver signed on to the machine holding it).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import ERRORS, CommandIn, respond
from landbridge.api.schemas_work import (
    ConfirmOut,
    GeneratedOut,
    GenerateIn,
    GrainOrderIn,
    InstructionOut,
    ProblemIn,
    ProblemOut,
    ProductivityOut,
    QueueChangeOut,
    QueueControlIn,
    QueueOut,
)
from landbridge.api.types import Instant
from landbridge.domain.events import utc_now
from landbridge.domain.grain import HopperWagon
from landbridge.services.authz import Action
from landbridge.services.operations.grain import ContainerFill
from landbridge.services.work import generate, jobs, kpis, queues
from landbridge.services.work.grain_work import GrainOrder

router = APIRouter(prefix="/api/v1/work", tags=["work"])
Reader = Annotated[Principal, Depends(Authorized(Action.WORK_READ))]
Planner = Annotated[Principal, Depends(Authorized(Action.WORK_PLAN))]
Driver = Annotated[Principal, Depends(Authorized(Action.WORK_DRIVE))]
InstructionId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the work instruction's id")]


@router.post("/instructions/generate", response_model=GeneratedOut, status_code=201, responses=ERRORS)
def make(body: GenerateIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Instructions from a vessel visit's lists, a train's planned boxes, a truck that is in, or a grain
    order (jobs for the grain gear: tip a train into a silo, move a lot, load a ship, fill boxes)."""
    common: dict[str, Any] = {
        "occurred_at": body.occurred_at,
        "idempotency": key,
        "caused_by_party": body.caused_by_party,
    }
    by_reference = (
        (body.vessel_visit, generate.for_vessel_visit),
        (body.train, generate.for_train),
        (body.truck, generate.for_truck),
    )
    for reference, generator in by_reference:
        if reference is not None:
            return respond(generator(uow, who.actor, reference=reference, **common))
    assert body.grain is not None
    return respond(generate.for_grain(uow, who.actor, order=grain_order(body.grain), **common))


@router.get("/instructions", response_model=list[InstructionOut], responses=ERRORS)
def listed(
    uow: UowDep,
    who: Reader,
    queue: Annotated[str | None, Query(max_length=48)] = None,
    status: Annotated[str | None, Query(pattern="^(open|assigned|done|cancelled)$")] = None,
    machine: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> list[dict[str, Any]]:
    """Instructions by queue and sequence, filtered by queue, status and machine."""
    return queues.instructions(uow, queue=queue, status=status, machine=machine, limit=limit)


@router.get("/instructions/{instruction_id:int}", response_model=InstructionOut, responses=ERRORS)
def one(instruction_id: InstructionId, uow: UowDep, who: Reader) -> dict[str, Any]:
    """One instruction."""
    return queues.instruction(uow, instruction_id)


@router.post("/instructions/{instruction_id:int}/confirm", response_model=ConfirmOut, responses=ERRORS)
def confirm(
    instruction_id: InstructionId, uow: UowDep, who: Driver, key: IdempotencyDep, body: CommandIn | None = None
) -> JSONResponse:
    """The driver did the move: it is recorded with the machine and ``occurred_at``; the next job follows.

    409 when the job is not the caller's, done or cancelled (the body names the job and its state);
    the move's own 422 (naming the rule) when it breaks an operating rule — the job then stays open.
    """
    at = None if body is None else body.occurred_at
    return respond(jobs.confirm(uow, who.actor, instruction_id=instruction_id, occurred_at=at, idempotency=key))


@router.post("/instructions/{instruction_id:int}/problem", response_model=ProblemOut, responses=ERRORS)
def problem(
    instruction_id: InstructionId, body: ProblemIn, uow: UowDep, who: Driver, key: IdempotencyDep
) -> JSONResponse:
    """The driver cannot do the job: it goes back to the queue with the reason (not to this machine)."""
    return respond(
        jobs.report_problem(
            uow,
            who.actor,
            instruction_id=instruction_id,
            problem=body.problem,
            note=body.note,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.get("/queues", response_model=list[QueueOut], responses=ERRORS)
def all_queues(uow: UowDep, who: Reader) -> list[dict[str, Any]]:
    """Every work queue (per berth, loading track and block) with its counts."""
    return queues.queues(uow)


@router.patch("/queues/{code:path}", response_model=QueueChangeOut, responses=ERRORS)
def steer(code: str, body: QueueControlIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Suspend or resume a queue, pin it to a machine (``unpin`` to free it), or reorder it."""
    pinned: Any = queues.UNSET
    if body.unpin:
        pinned = None
    elif body.pinned_machine is not None:
        pinned = body.pinned_machine
    return respond(
        queues.control(
            uow,
            who.actor,
            code=code,
            suspended=body.suspended,
            pinned_machine=pinned,
            order=body.order,
            occurred_at=body.occurred_at,
            idempotency=key,
        )
    )


@router.get("/productivity", response_model=ProductivityOut, responses=ERRORS)
def productivity(
    uow: UowDep,
    who: Reader,
    start: Annotated[Instant | None, Query()] = None,
    end: Annotated[Instant | None, Query()] = None,
) -> dict[str, Any]:
    """Moves per crane hour (gross, net), yard machine moves per hour, truck turn time, wagon loading
    rate per track, moves per shift and per day — from the confirmed moves of ``[start, end)``
    (default: the last 24 hours)."""
    finish: datetime = end or utc_now() + timedelta(seconds=1)
    begin: datetime = start or finish - timedelta(hours=24)
    return kpis.productivity(uow, start=begin, end=finish)


def grain_order(body: GrainOrderIn) -> GrainOrder:
    """The grain order the body describes."""
    return GrainOrder(
        step=body.step,
        lot=body.lot,
        mass_kg=body.mass_kg,
        silo_code=body.silo_code,
        owner_code=body.owner_code,
        crop=body.crop,
        grain_class=body.grain_class,
        moisture_pct=body.moisture_pct,
        source_kind=body.source_kind,
        sources=tuple(body.sources),
        wagons=tuple(HopperWagon(w.number, w.mass_kg) for w in body.wagons),
        new_reference=body.new_reference,
        vessel_visit=body.vessel_visit,
        fills=tuple(ContainerFill(f.container, f.mass_kg) for f in body.containers),
    )
