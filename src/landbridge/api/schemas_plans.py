"""Response models of the planning routes (and the plan bodies' schema for OpenAPI).

The answers are built by ``services.planning_live`` and sent as they are; these models say what
they hold, so ``/docs`` shows real schemas. Every model keeps fields it does not name.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from landbridge.services.planning_live.plans import BerthPlan, PlannedWagon, TrainPlan


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Solved(_Out):
    status: str = Field(description="optimal, feasible, infeasible or timeout")
    objective: float | None
    bound: float | None
    runtime_s: float
    checked: bool = Field(description="the planner's independent checker accepted the plan")
    applied: bool


class PlannedBerth(_Out):
    """One vessel of a berth plan, in live identifiers and hub times."""

    vessel: str
    berth: str
    etb: str
    etd: str
    start_h: int
    arrival_h: int
    handling_h: int
    moves: int
    moves_source: str = Field(description="announced containers, or the scenario's average call")


class BerthPlanOut(_Solved):
    """A checked berth plan (post it to ``/api/v1/plans/berth/apply`` to record it)."""

    kind: Literal["berth"]
    reference_time: str
    time_unit: Literal["h"]
    berths: list[str]
    assignments: list[PlannedBerth]


class TrainPlanOut(_Solved):
    """A checked train load plan (post it to ``/api/v1/plans/train/apply`` to load it)."""

    kind: Literal["train"]
    train_reference: str
    container_numbers: list[str]
    wagons: list[PlannedWagon]
    assignments: list[dict[str, Any]] = Field(description="each box's wagon and rail slot, in load order")
    relocations_needed: int
    blockers: list[dict[str, Any]] = Field(description="boxes outside the plan that stand on a box of it")


class SiloPlanOut(_Solved):
    """A checked silo plan: advice, run step by step through ``/api/v1/grain/lots``."""

    kind: Literal["silo"]
    sequence: list[dict[str, Any]]
    allocation: list[dict[str, Any]]
    transfer_count: int
    silos_in_use: int


class AppliedBerthPlan(BerthPlanOut):
    """The berth plan as applied: every vessel visit with its planned berth, ETB and ETD."""

    vessel_visits: list[dict[str, Any]]


class AppliedTrainPlan(TrainPlanOut):
    """The train plan as applied: what was loaded and which blockers were relocated where."""

    loaded: list[dict[str, Any]]
    relocations: list[dict[str, Any]]
    relocation_count: int


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its ``$defs`` references replaced by the definitions themselves (no cycles here)."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return resolve(definitions[node["$ref"].rsplit("/", 1)[-1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


def plan_body_schema() -> dict[str, Any]:
    """The request body of ``…/apply`` for OpenAPI: a berth or a train plan.

    The route reads the body itself (so a malformed plan is refused naming ``plan.…`` like every
    other plan error); the models it validates with are documented here, nested models inlined.
    """
    schemas = [_inlined(model.model_json_schema()) for model in (BerthPlan, TrainPlan)]
    return {"required": True, "content": {"application/json": {"schema": {"oneOf": schemas}}}}


__all__ = [
    "AppliedBerthPlan",
    "AppliedTrainPlan",
    "BerthPlanOut",
    "SiloPlanOut",
    "TrainPlanOut",
    "plan_body_schema",
]
