"""Request bodies of the operations API (pydantic, unknown fields refused so typos are 422, not ignored)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from landbridge.api.types import HourStart, Instant
from landbridge.domain.gate import DeliveryOrderStatus
from landbridge.domain.holds import HoldKind
from landbridge.domain.iso_types import MAX_RATING_KG
from landbridge.domain.units import Direction, PartyRole
from landbridge.services.idempotency import Outcome

Code = Annotated[str, Field(min_length=1, max_length=32)]


# Error answers every command documents (the body names the field: {"detail": [{"loc", "msg", "type"}]}).
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or unknown bearer token"},
    403: {"description": "The caller's role may not do this (loc names role or kind)"},
    404: {"description": "Unknown (or not visible) object; loc names the field"},
    409: {"description": "Clashes with the current state; loc names the field"},
    422: {"description": "Invalid input or a broken operating rule; loc names the field"},
}


class Body(BaseModel):
    """Strict base: unknown fields are an error."""

    model_config = ConfigDict(extra="forbid")


class CommandIn(Body):
    """A command's body: ``occurred_at`` says when it happened (ISO 8601 with offset; default now).

    A late report is an ordinary event with both times; refused with 422 when the time has no
    offset, lies more than 5 minutes ahead, or precedes the subject's latest event.
    """

    occurred_at: Instant | None = Field(
        default=None,
        description="when it happened, ISO 8601 with offset (default: now); not in the future, not before "
        "the subject's previous event",
        examples=["2026-12-07T08:30:00+08:00"],
    )


def respond(outcome: Outcome) -> JSONResponse:
    """The HTTP answer of a command; a replayed idempotent answer says so in a header."""
    headers = {"Idempotent-Replayed": "true"} if outcome.replayed else None
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


class PartyIn(CommandIn):
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
    mass_kg: Annotated[int, Field(gt=0, le=MAX_RATING_KG)]
    imdg_class: str | None = None
    un_number: str | None = None
    packing_group: str | None = None


Locode = Annotated[str, Field(pattern=r"^[A-Z]{2}[A-Z2-9]{3}$", description="UN/LOCODE, e.g. CNLYG")]


class ConsignmentIn(CommandIn):
    booking_reference: Annotated[str, Field(min_length=1, max_length=35)]
    shipper_code: Code
    consignee_code: Code | None = None
    origin: Locode
    destination: Locode
    goods: list[GoodsLineIn] = Field(default_factory=list, max_length=200)


class ContainerRef(CommandIn):
    container: str


class VesselVisitIn(CommandIn):
    reference: Code
    vessel_name: Annotated[str, Field(min_length=1, max_length=100)]
    imo_number: str | None = None
    eta: Instant
    # The shipping line (party code) operating the call; a shipping line user announces for its own party.
    operator_code: str | None = None


class BerthIn(CommandIn):
    berth_code: Code
    etb: Instant


class DischargeIn(CommandIn):
    container: str
    slot: str | None = None


class YardMoveIn(CommandIn):
    container: str
    slot: str | None = Field(default=None, description="block-bay-row-tier, e.g. A-04-02-1; proposed when omitted")
    expected_version: int | None = Field(default=None, description="refuse (409) if the container has moved since")
    caused_by_party: Code | None = Field(
        default=None, description="the customer who asked for this move (billed to it as an extra move); 404 if unknown"
    )


class WagonIn(Body):
    number: str
    wagon_type: Code


class TrainVisitIn(CommandIn):
    reference: Code
    direction: Direction
    route_code: Code
    gauge_mm: Literal[1435, 1520]
    train_type_code: Code
    track_code: Code | None = None
    wagons: list[WagonIn] = Field(min_length=1, max_length=80)


class WagonLoadIn(CommandIn):
    container: str
    wagon_number: str
    slot: Annotated[int, Field(ge=1, le=4)] = 1


class UnloadIn(CommandIn):
    container: str
    slot: str | None = None


class ArrivingBoxIn(Body):
    container: str = Field(description="ISO 6346 number of a registered box not at the base")
    wagon_number: str = Field(description="the wagon it stands on (from the wagon list / SMGS note)")
    slot: Annotated[int, Field(ge=1, le=4)] = 1


class TrainArrivalIn(CommandIn):
    boxes: list[ArrivingBoxIn] = Field(
        default_factory=list, max_length=400, description="every box on the train and its wagon slot"
    )


class TrainCancelIn(CommandIn):
    reason: Annotated[str, Field(min_length=1, max_length=200)] = Field(
        description="why the visit is called off (kept in the audit trail)", examples=["too few boxes booked"]
    )


class BorderIn(CommandIn):
    crossing_code: Code | None = None


class GaugeTransferIn(CommandIn):
    container: str
    to_train: Code
    wagon_number: str
    slot: Annotated[int, Field(ge=1, le=4)] = 1


class AppointmentIn(CommandIn):
    reference: Code
    hour_start: HourStart
    plate: Annotated[str, Field(min_length=1, max_length=16)]
    kind: Literal["pick_up", "drop_off"]
    container: str | None = Field(default=None, description="the box (required for a pick-up)")
    booking_reference: Annotated[str, Field(min_length=1, max_length=35)] | None = Field(
        default=None, description="the booking a drop-off delivers (or give its box)"
    )


class TruckInIn(CommandIn):
    reference: Code
    plate: Annotated[str, Field(min_length=1, max_length=16)]
    appointment_reference: Code | None = None
    drop_off: list[str] = Field(default_factory=list, max_length=2)
    pick_up: list[str] = Field(default_factory=list, max_length=2)
    delivery_order: Code | None = Field(default=None, description="the delivery order releasing the pick-ups")
    pin: Annotated[str, Field(min_length=1, max_length=12)] | None = Field(
        default=None, description="the delivery order's PIN as the trucker quotes it"
    )
    override_reason: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="the gate clerk lets the truck in outside its window or without an appointment"
    )


class GoodsLineRef(CommandIn):
    container: str
    goods_line_id: int


class HopperWagonIn(Body):
    number: str
    mass_kg: Annotated[int, Field(gt=0)]


class GrainLotIn(CommandIn):
    reference: Code
    owner_code: Code
    crop: Annotated[str, Field(min_length=1, max_length=32)]
    grain_class: Annotated[str, Field(min_length=1, max_length=16)]
    mass_kg: Annotated[int, Field(gt=0)]
    moisture_pct: Annotated[float, Field(ge=0, le=40)]
    silo_code: Code
    source_kind: Literal["hopper_wagons", "containers"]
    sources: list[str] = Field(default_factory=list, max_length=100, description="the bulk containers emptied")
    wagons: list[HopperWagonIn] = Field(
        default_factory=list, max_length=100, description="the hopper wagons, each with the mass it brought"
    )


class GrainTransferIn(CommandIn):
    to_silo: Code
    mass_kg: Annotated[int, Field(gt=0)] | None = None
    new_reference: Code | None = None


class GrainShipIn(CommandIn):
    mass_kg: Annotated[int, Field(gt=0)]
    vessel_visit: Code


class ContainerFillIn(Body):
    container: str
    mass_kg: Annotated[int, Field(gt=0)]


class GrainContainersIn(CommandIn):
    containers: list[ContainerFillIn] = Field(min_length=1, max_length=100)


class HoldIn(CommandIn):
    container: str
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class KindedHoldIn(HoldIn):
    kind: HoldKind = Field(description="customs, line, terminal or damage (vgm_missing is automatic)")


class HoldReleaseIn(CommandIn):
    reason: Annotated[str, Field(min_length=1, max_length=200)] | None = None


class VgmIn(CommandIn):
    """A SOLAS VI/2 verified gross mass."""

    mass_kg: int = Field(description="verified gross mass in kg (0 or above the ISO type's rating → 422)")
    method: Literal[1, 2] = Field(description="1: the packed box weighed; 2: contents weighed, tare added")
    verified_by: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="the shipper's person who signed the VGM"
    )
    verified_at: Instant = Field(description="when it was verified, ISO 8601 with offset")
    weighed_at_base: bool = Field(
        default=False, description="the base's scale weighed the packed box (method 1): billed as a weighing"
    )


class VgmOut(BaseModel):
    id: int
    container: str
    mass_kg: int
    method: int
    verified_by: str
    verified_at: str
    recorded_by: str


class Correction(BaseModel):
    """A correction: the fields to change, a reason, and when. Other fields are refused by name (422)."""

    model_config = ConfigDict(extra="allow")

    reason: Annotated[str, Field(min_length=1, max_length=200)]
    occurred_at: Instant | None = None

    def changes(self) -> dict[str, Any]:
        """The fields given besides reason and time (unknown ones included, so the service names them)."""
        given = self.model_dump(exclude_unset=True, exclude={"reason", "occurred_at"})
        return {**given, **(self.model_extra or {})}


class ContainerCorrectionIn(Correction):
    gross_mass_kg: Annotated[int, Field(gt=0, le=MAX_RATING_KG)] | None = None
    load_state: Literal["full", "empty"] | None = None
    iso_type: str | None = None
    seals: list[Annotated[str, Field(min_length=1, max_length=20)]] | None = Field(default=None, max_length=5)
    reefer_setpoint_c: Annotated[float, Field(ge=-40, le=40)] | None = None
    booking_reference: Annotated[str, Field(min_length=1, max_length=35)] | None = None


class VesselVisitCorrectionIn(Correction):
    eta: Instant | None = None
    etb: Instant | None = None
    etd: Instant | None = None
    imo_number: str | None = None
    vessel_name: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class TrainVisitCorrectionIn(Correction):
    route_code: Code | None = None
    direction: Direction | None = None
    track_code: Code | None = None


class VesselIn(CommandIn):
    imo_number: str
    name: Annotated[str, Field(min_length=1, max_length=100)]
    call_sign: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    loa_m: Annotated[float, Field(gt=0, le=500)] | None = None
    beam_m: Annotated[float, Field(gt=0, le=100)] | None = None
    draft_m: Annotated[float, Field(gt=0, le=30)] | None = None
    operator: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class VesselCorrectionIn(Correction):
    name: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    call_sign: Annotated[str, Field(min_length=1, max_length=16)] | None = None
    loa_m: Annotated[float, Field(gt=0, le=500)] | None = None
    beam_m: Annotated[float, Field(gt=0, le=100)] | None = None
    draft_m: Annotated[float, Field(gt=0, le=30)] | None = None
    operator: Annotated[str, Field(min_length=1, max_length=100)] | None = None


class VesselOut(BaseModel):
    imo_number: str
    name: str
    call_sign: str | None
    loa_m: float | None
    beam_m: float | None
    draft_m: float | None
    operator: str | None


class ManifestEntryIn(Body):
    container: str
    iso_type: str | None = None
    gross_mass_kg: Annotated[int, Field(gt=0, le=MAX_RATING_KG)] | None = None


class ManifestIn(CommandIn):
    """A whole list: it replaces the visit's list."""

    entries: list[ManifestEntryIn] = Field(max_length=10_000)


class ManifestAddIn(CommandIn):
    """Boxes the planner adds to a list, and why."""

    entries: list[ManifestEntryIn] = Field(min_length=1, max_length=10_000)
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class WagonListChangeIn(CommandIn):
    """Wagons the planner swaps into or out of a train at the base, and why."""

    add: list[WagonIn] = Field(default_factory=list, max_length=80)
    remove: list[str] = Field(default_factory=list, max_length=80)
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class ManifestRemoveIn(CommandIn):
    containers: list[str] = Field(min_length=1, max_length=10_000)
    reason: Annotated[str, Field(min_length=1, max_length=200)]


class ManifestEntryOut(BaseModel):
    container: str
    iso_type: str | None
    gross_mass_kg: int | None


class ManifestOut(BaseModel):
    visit: str
    visit_kind: str
    list_kind: str
    name: str
    entries: list[ManifestEntryOut]


class DeliveryOrderIn(CommandIn):
    reference: Code
    containers: list[str] = Field(min_length=1, max_length=50)
    valid_from: Instant
    valid_to: Instant
    pin: Annotated[str, Field(min_length=4, max_length=12, pattern=r"^[A-Za-z0-9]+$")] | None = Field(
        default=None, description="the PIN the trucker will quote (made up and returned once when omitted)"
    )


class DeliveryOrderOut(BaseModel):
    reference: str
    containers: list[str]
    picked_up: dict[str, str]
    valid_from: str
    valid_to: str
    issued_by: str
    party: str | None
    status: DeliveryOrderStatus
    pin: str | None = Field(default=None, description="only in the answer to the issuing request")


class EmptyReturnIn(CommandIn):
    reference: Code = Field(description="the new empty-return train visit")


class WagonOut(BaseModel):
    """Where a wagon is and how long its latest round trip took (loaded out → back empty)."""

    number: str
    gauge_mm: int
    train: str
    train_kind: str
    train_status: str
    location: str | None
    loaded_out_at: str | None
    back_empty_at: str | None
    turnaround_h: float | None
