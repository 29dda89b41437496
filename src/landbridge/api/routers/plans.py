"""Planning on live data: ``POST /api/v1/plans/{kind}`` (berth | train | silo) and ``…/{kind}/apply``.

Asking for a plan writes nothing; the plan comes back checked by the planner's independent checker.
Applying (``"apply": true`` or posting a returned plan to ``/apply``) re-checks it on the data as it
is now and applies it in one transaction through the operations services, so a refused step leaves
nothing behind (a train plan also relocates boxes that stand on its boxes, and is retried as a whole
when a concurrent writer clashes: see docs/planning-live.md). A silo plan is advice only: its steps
are run through ``/grain/lots``. Planner and admin hold ``plan.run``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from landbridge.api.deps import Authorized, IdempotencyDep, Principal, UowDep
from landbridge.api.schemas_ops import respond
from landbridge.api.schemas_plans import (
    AppliedBerthPlan,
    AppliedTrainPlan,
    BerthPlanOut,
    SiloPlanOut,
    TrainPlanOut,
    plan_body_schema,
)
from landbridge.api.types import Instant
from landbridge.domain.errors import RuleViolation
from landbridge.services import planning_live
from landbridge.services.authz import Action
from landbridge.services.planning_bounds import MAX_LIST_ITEMS
from landbridge.services.planning_live import silos as silo_planning

router = APIRouter(prefix="/api/v1/plans", tags=["planning"])
Planner = Annotated[Principal, Depends(Authorized(Action.PLAN_RUN))]
Kind = Literal["berth", "train", "silo"]
Text = Annotated[str, Field(min_length=1, max_length=32)]


class ArrivingLotIn(BaseModel):
    """A grain lot expected at the elevator (not received yet); like the receiving rule, the plan keeps
    owners and crops apart, not grain classes."""

    model_config = ConfigDict(extra="forbid")

    reference: Text
    owner_code: Text
    crop: Text
    mass_kg: Annotated[int, Field(gt=0, le=10**9)]


class PlanIn(BaseModel):
    """What to plan; the fields that do not apply to the kind are ignored."""

    model_config = ConfigDict(extra="forbid")

    time_limit_s: Annotated[float, Field(gt=0, le=planning_live.MAX_TIME_LIMIT_S)] = 5.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 1
    apply: bool = False
    reference_time: Instant | None = None
    berth_codes: Annotated[list[Text], Field(max_length=MAX_LIST_ITEMS)] | None = None
    vessel_lengths_m: (
        Annotated[dict[Text, Annotated[float, Field(gt=0, le=10_000)]], Field(max_length=MAX_LIST_ITEMS)] | None
    ) = None
    train_reference: Text | None = None
    container_numbers: (
        Annotated[list[Annotated[str, Field(max_length=11)]], Field(max_length=MAX_LIST_ITEMS)] | None
    ) = None
    arriving_lots: Annotated[list[ArrivingLotIn], Field(max_length=MAX_LIST_ITEMS)] | None = None


def _plan(kind: Kind, body: PlanIn, uow: UowDep) -> dict[str, Any]:
    if kind == "silo":
        arriving = [silo_planning.ArrivingLot(**lot.model_dump()) for lot in body.arriving_lots or []]
        return silo_planning.plan_silos(uow, arriving=arriving, time_limit_s=body.time_limit_s, seed=body.seed)
    if kind == "berth":
        return planning_live.plan_berths(
            uow,
            time_limit_s=body.time_limit_s,
            seed=body.seed,
            reference_time=body.reference_time,
            berth_codes=body.berth_codes,
            vessel_lengths_m=body.vessel_lengths_m,
        )
    if body.train_reference is None:
        raise RuleViolation("train_reference", "required for a train load plan")
    return planning_live.plan_train(
        uow,
        train_reference=body.train_reference,
        time_limit_s=body.time_limit_s,
        seed=body.seed,
        container_numbers=body.container_numbers,
    )


def _require_applicable(kind: Kind) -> None:
    if kind == "silo":
        raise RuleViolation(
            "kind",
            "a silo plan is advice: run its steps through /api/v1/grain/lots (receive, transfer), which check each one",
        )


def _apply(kind: Kind, plan: dict[str, Any], who: Principal, uow: UowDep, key: IdempotencyDep) -> JSONResponse:
    _require_applicable(kind)
    if kind == "berth":
        return respond(planning_live.apply_berth_plan(uow, who.actor, plan, idempotency=key))
    return respond(planning_live.apply_train_plan(uow, who.actor, plan, idempotency=key))


@router.post(
    "/{kind}",
    response_model=BerthPlanOut | TrainPlanOut | SiloPlanOut | AppliedBerthPlan | AppliedTrainPlan,
    responses={403: {"description": "Not a planner"}, 422: {"description": "Bad input, or no plan found"}},
)
def plan(kind: Kind, body: PlanIn, uow: UowDep, who: Planner, key: IdempotencyDep) -> JSONResponse:
    """Ask for a berth, train load or silo plan on live data; with ``apply`` (berth, train) it is applied at once."""
    if body.apply:
        _require_applicable(kind)  # before the solver runs, not after
    result = _plan(kind, body, uow)
    if not body.apply:
        return JSONResponse(result)
    return _apply(kind, result, who, uow, key)


@router.post(
    "/{kind}/apply",
    response_model=AppliedBerthPlan | AppliedTrainPlan,
    openapi_extra={"requestBody": plan_body_schema()},
    responses={
        403: {"description": "Not a planner"},
        409: {"description": "The plan kept clashing with concurrent changes"},
        422: {"description": "A malformed plan, or one that no longer holds on live data"},
    },
)
def apply(
    kind: Kind, plan: Annotated[dict[str, Any], Body()], uow: UowDep, who: Planner, key: IdempotencyDep
) -> JSONResponse:
    """Apply a plan this API returned, after checking it again on the data as it is now."""
    return _apply(kind, plan, who, uow, key)
