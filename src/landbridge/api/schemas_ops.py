"""Request bodies of the operations API (pydantic, unknown fields refused so typos are 422, not ignored)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from landbridge.domain.units import Direction, PartyRole
from landbridge.services.idempotency import Outcome

Code = Annotated[str, Field(min_length=1, max_length=32)]


class Body(BaseModel):
    """Strict base: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


def respond(outcome: Outcome) -> JSONResponse:
    """The HTTP answer of a command; a replayed idempotent answer says so in a header."""
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


class PartyIn(Body):
    code: Code
    name: Annotated[str, Field(min_length=1, max_length=200)]
    role: PartyRole
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    # ISO 6346 owner codes of a shipping line's boxes (three letters): the line sees those boxes.
    owner_codes: list[Annotated[str, Field(pattern=r"^[A-Z]{3}$")]] = Field(default_factory=list, max_length=50)


OwnerCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class OwnerCodesIn(Body):
    # ISO 6346 owner codes (three letters); they replace the party's codes.
    owner_codes: list[OwnerCode] = Field(max_length=50)


class PartyOut(BaseModel):
    """A party as the API shows it."""

    code: str
    name: str
    role: str
    country: str | None
    owner_codes: list[str]


class GoodsLineIn(Body):
    hs_code: str
    description: Annotated[str, Field(min_length=1, max_length=350)]
    packages: Annotated[int, Field(gt=0)]
    mass_kg: Annotated[int, Field(gt=0, le=36_000)]
    imdg_class: str | None = None
    un_number: str | None = None
    packing_group: str | None = None


class ConsignmentIn(Body):
    booking_reference: Annotated[str, Field(min_length=1, max_length=35)]
    shipper_code: Code
    consignee_code: Code | None = None
    origin: str
    destination: str
    goods: list[GoodsLineIn] = Field(default_factory=list, max_length=200)


class ContainerRef(Body):
    container: str


class VesselVisitIn(Body):
    reference: Code
    vessel_name: Annotated[str, Field(min_length=1, max_length=100)]
    imo_number: str | None = None
    eta: datetime
    # The shipping line (party code) operating the call; a shipping line user announces for its own party.
    operator_code: str | None = None


class BerthIn(Body):
    berth_code: Code
    etb: datetime


class DischargeIn(Body):
    container: str
    slot: str | None = None


class YardMoveIn(Body):
    container: str
    slot: str | None = Field(default=None, description="block-bay-row-tier, e.g. A-04-02-1; proposed when omitted")
    expected_version: int | None = Field(default=None, description="refuse (409) if the container has moved since")


class WagonIn(Body):
    number: str
    wagon_type: Code


class TrainVisitIn(Body):
    reference: Code
    direction: Direction
    route_code: Code
    gauge_mm: Literal[1435, 1520]
    train_type_code: Code
    track_code: Code | None = None
    wagons: list[WagonIn] = Field(min_length=1, max_length=80)


class WagonLoadIn(Body):
    container: str
    wagon_number: str
    slot: Annotated[int, Field(ge=1, le=4)] = 1


class UnloadIn(Body):
    container: str
    slot: str | None = None


class BorderIn(Body):
    crossing_code: Code | None = None


class GaugeTransferIn(Body):
    container: str
    to_train: Code
    wagon_number: str
    slot: Annotated[int, Field(ge=1, le=4)] = 1


class AppointmentIn(Body):
    reference: Code
    hour_start: datetime
    plate: Annotated[str, Field(min_length=1, max_length=16)]
    kind: Literal["pick_up", "drop_off"]
    container: str | None = None


class TruckInIn(Body):
    reference: Code
    plate: Annotated[str, Field(min_length=1, max_length=16)]
    appointment_reference: Code | None = None
    drop_off: list[str] = Field(default_factory=list, max_length=2)
    pick_up: list[str] = Field(default_factory=list, max_length=2)


class GoodsLineRef(Body):
    container: str
    goods_line_id: int


class GrainLotIn(Body):
    reference: Code
    owner_code: Code
    crop: Annotated[str, Field(min_length=1, max_length=32)]
    grain_class: Annotated[str, Field(min_length=1, max_length=16)]
    mass_kg: Annotated[int, Field(gt=0)]
    moisture_pct: Annotated[float, Field(ge=0, le=40)]
    silo_code: Code
    source_kind: Literal["hopper_wagons", "containers"]
    sources: list[str] = Field(min_length=1, max_length=100)


class GrainTransferIn(Body):
    to_silo: Code
    mass_kg: Annotated[int, Field(gt=0)] | None = None
    new_reference: Code | None = None


class GrainShipIn(Body):
    mass_kg: Annotated[int, Field(gt=0)]
    vessel_visit: Code


class ContainerFillIn(Body):
    container: str
    mass_kg: Annotated[int, Field(gt=0)]


class GrainContainersIn(Body):
    containers: list[ContainerFillIn] = Field(min_length=1, max_length=100)


class HoldIn(Body):
    container: str
    reason: Annotated[str, Field(min_length=1, max_length=200)]
