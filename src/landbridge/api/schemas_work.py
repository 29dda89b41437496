"""Bodies and answers of the equipment and work API (unknown fields refused, answers typed for /docs)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from landbridge.api.schemas_ops import Body, Code, CommandIn, ContainerFillIn, HopperWagonIn
from landbridge.domain.equipment import EquipmentStatus
from landbridge.services.work.grain_work import GrainStep
from landbridge.services.work.jobs import Problem


class MachineOut(BaseModel):
    """A machine: kind, pools, attributes, status with its reason, position, driver and the job it holds."""

    code: str
    kind: str
    pools: list[str]
    moves_per_h: float
    allowed_lengths_ft: list[int]
    max_lift_kg: int
    twin_lift: bool
    status: str
    status_reason: str | None
    status_since: str | None
    position: str | None
    x_m: float
    y_m: float
    driver: str | None
    job: int | None = None


class InstructionOut(BaseModel):
    """One work instruction (one move): of a box (``container``) or, for the grain gear, of a grain
    lot (``lot``, with the ``silo`` the grain leaves or enters) — exactly one of the two."""

    id: int
    container: str | None
    lot: str | None = None
    silo: str | None = None
    kind: str
    queue: str
    pool: str
    visit: str | None
    from_place: str
    to_place: str
    target: dict[str, Any]
    length_ft: int
    mass_kg: int
    priority: int
    sequence: int
    earliest: str | None
    latest: str | None
    depends_on: list[int]
    status: str
    machine: str | None
    pinned_machine: str | None
    excluded_machines: list[str]
    problem: str | None
    created_at: str | None
    assigned_at: str | None
    done_at: str | None
    done_by: str | None
    version: int


class MachineDetailOut(MachineOut):
    """A machine with its live jobs."""

    jobs: list[InstructionOut]


class StatusChangeOut(MachineOut):
    """A machine after a status change: the jobs it gave back and the new assignments."""

    requeued: list[int]
    assigned: dict[str, int]


class MyMachineOut(BaseModel):
    """What the driver's screen shows: the caller's machine and its job."""

    machine: MachineOut | None
    job: InstructionOut | None


class QueueOut(BaseModel):
    """A work queue with its controls and its counts."""

    code: str
    pool: str
    sequenced: bool
    suspended: bool
    pinned_machine: str | None
    open: int
    assigned: int
    done: int
    cancelled: int


class QueueChangeOut(QueueOut):
    """A queue after a planner's change, with the new assignments."""

    assigned_jobs: dict[str, int] = Field(default_factory=dict)


class GeneratedOut(BaseModel):
    """Instructions made by one generation, and the machines that got a job."""

    created: list[InstructionOut]
    assigned: dict[str, int]


class ConfirmOut(BaseModel):
    """A confirmed job, the move it recorded and the machine's next job."""

    done: InstructionOut
    move: dict[str, Any] | None
    next: InstructionOut | None


class ProblemOut(BaseModel):
    """A job given back with its problem, and the machine's next job."""

    reported: InstructionOut
    next: InstructionOut | None


class CraneFigures(BaseModel):
    machine: str
    kind: str
    moves: int
    gross_hours: float
    net_hours: float
    gross_moves_per_h: float | None
    net_moves_per_h: float | None


class TrackFigures(BaseModel):
    track: str
    boxes: int
    wagons: int
    hours: float
    boxes_per_h: float | None
    wagons_per_h: float | None


class TruckFigures(BaseModel):
    count: int
    mean_turn_min: float | None
    p90_turn_min: float | None


class ShiftFigures(BaseModel):
    shift_start: str
    moves: int


class DayFigures(BaseModel):
    day: str
    moves: int


class ProductivityOut(BaseModel):
    """Productivity of a period from the confirmed moves (see docs/equipment.md for the definitions)."""

    start: str
    end: str
    moves: int
    quay_cranes: list[CraneFigures]
    yard_machines: list[CraneFigures]
    tracks: list[TrackFigures]
    trucks: TruckFigures
    per_shift: list[ShiftFigures]
    per_day: list[DayFigures]


Reference = Annotated[str, Field(min_length=1, max_length=32)]


class GrainOrderIn(Body):
    """A grain order for the grain gear; which fields a step needs is in docs/equipment.md.

    ``receive``: lot (the new lot), mass_kg, silo_code (omitted: the silo planner's allocation), owner_code,
    crop, grain_class, moisture_pct,
    source_kind and its wagons or sources. ``transfer``: lot, silo_code (the target silo), mass_kg
    and new_reference for a part. ``ship``: lot, mass_kg, vessel_visit. ``stuff``: lot, containers.
    """

    step: GrainStep
    lot: Code
    mass_kg: Annotated[int, Field(gt=0)] | None = None
    silo_code: Annotated[str, Field(min_length=1, max_length=8)] | None = None
    owner_code: Code | None = None
    crop: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    grain_class: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    moisture_pct: Annotated[float, Field(ge=0, le=40)] | None = None
    source_kind: Literal["hopper_wagons", "containers"] | None = None
    sources: list[Annotated[str, Field(max_length=11)]] = Field(default_factory=list, max_length=100)
    wagons: list[HopperWagonIn] = Field(default_factory=list, max_length=100)
    new_reference: Code | None = None
    vessel_visit: Code | None = None
    containers: list[ContainerFillIn] = Field(default_factory=list, max_length=100)


class GenerateIn(CommandIn):
    """What to make instructions for: exactly one of a vessel visit, a train visit, a truck visit or a
    grain order."""

    vessel_visit: Reference | None = None
    train: Reference | None = None
    truck: Reference | None = None
    grain: GrainOrderIn | None = None
    caused_by_party: Code | None = Field(
        default=None,
        description="the customer who asked for this work (a box dug out for an inspection, a delivery out of"
        " turn): each relocation it needs records the party on its yard move and is billed to it as an extra"
        " move (404 if unknown); default: the caller's party, none for hub staff (the hub's own rehandling)",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> GenerateIn:
        given = [name for name in ("vessel_visit", "train", "truck", "grain") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of vessel_visit, train, truck, grain")
        return self


class PoolsIn(CommandIn):
    """Where a machine works: ``berth:<code>``, ``block:<code>``, ``track:<code>`` or ``gate``, each once."""

    pools: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(min_length=1, max_length=64)


class StatusIn(CommandIn):
    """A machine's new status; a break or out of service needs the reason."""

    status: EquipmentStatus
    reason: Annotated[str, Field(max_length=200)] | None = None


class ProblemIn(CommandIn):
    """Why the driver cannot do the job."""

    problem: Problem
    note: Annotated[str, Field(max_length=200)] | None = None


class QueueControlIn(CommandIn):
    """A planner's change to a queue: suspend/resume, pin/unpin (``null`` unpins), reorder."""

    suspended: bool | None = None
    pinned_machine: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    unpin: bool = False
    order: list[Annotated[int, Field(ge=1, le=2_147_483_647)]] | None = Field(default=None, max_length=2000)
