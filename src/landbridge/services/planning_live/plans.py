"""The plans a client posts back to be applied, as typed models instead of hand validation.

A plan is what ``POST /api/v1/plans/{kind}`` returned; the client may post it back unchanged, so
every model keeps the fields it does not name (``extra="allow"``) and the answer echoes them. A
malformed plan is refused naming the field as the rest of the API does: ``plan.assignments[0].etb``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from landbridge.domain.errors import RuleViolation
from landbridge.services.planning_live.common import as_utc

_Plan = TypeVar("_Plan", bound=BaseModel)


class _Open(BaseModel):
    """Fields not named here are kept (a plan is posted back as it was returned)."""

    model_config = ConfigDict(extra="allow")


def _iso_timestamp(value: Any) -> datetime:
    """An ISO 8601 text (``Z`` or an offset; no offset means UTC), never a number of seconds."""
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 timestamp")
    try:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        raise ValueError(f"not an ISO 8601 timestamp: {value!r}") from None


class BerthAssignment(_Open):
    """One vessel of a berth plan: where and when it berths."""

    vessel: str = Field(description="vessel visit reference")
    berth: str = Field(description="berth code")
    etb: datetime = Field(description="planned time of berthing (a whole hour after reference_time)")

    _etb = field_validator("etb", mode="before")(_iso_timestamp)


class BerthPlan(_Open):
    """A berth plan as ``POST /api/v1/plans/berth`` returned it."""

    kind: Literal["berth"]
    reference_time: datetime = Field(description="hour 0 of the plan")
    assignments: list[BerthAssignment] = Field(min_length=1, description="every vessel of the plan")
    objective: float | None = None
    bound: float | None = None

    _reference_time = field_validator("reference_time", mode="before")(_iso_timestamp)


class PlannedSlot(_Open):
    """One solver slot of a wagon layout and the container in it (None: empty)."""

    slot: int = Field(ge=0)
    container: str | None = None


class PlannedWagon(_Open):
    """One wagon of a train plan: its slot layout (None: left empty) and what fills the slots."""

    wagon: str
    pattern: list[int] | None = None
    slots: list[PlannedSlot] = Field(default_factory=list)


class TrainPlan(_Open):
    """A train load plan as ``POST /api/v1/plans/train`` returned it."""

    kind: Literal["train"]
    train_reference: str
    container_numbers: list[str]
    wagons: list[PlannedWagon]


def _where(loc: tuple[int | str, ...]) -> str:
    path = "plan"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def parse_plan(model: type[_Plan], plan: dict[str, Any]) -> _Plan:
    """The posted plan as ``model``; the first problem is refused naming its field (``plan.…``)."""
    try:
        return model.model_validate(plan)
    except ValidationError as error:
        first = error.errors()[0]
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise RuleViolation(_where(tuple(first["loc"])), reason) from None
