"""Response models of the operations routes, so ``/docs`` shows what each answer holds.

The services build the answers (``…_view`` functions); these models name their fields. Every model
keeps fields it does not name (``extra="allow"``), so a field a service adds reaches the client
before its name is added here. Commands answer through ``respond`` (an idempotent replay must come
back byte for byte), so for them the model documents; reads are validated against it. Parties
answer with ``schemas_ops.PartyOut``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from landbridge.domain.gate import AppointmentStatus
from landbridge.domain.visits import TruckVisitStatus


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


class ContainerStateOut(_Out):
    """A container after a command: where it is now and its version (for optimistic checks)."""

    number: str
    iso_type: str
    length_ft: int
    teu: float
    load_state: str
    gross_mass_kg: int | None
    booking_reference: str | None
    position: dict[str, Any] = Field(description="kind (vessel, yard, wagon, cfs, gate, announced…) and reference")
    version: int


class VesselVisitOut(_Out):
    """A vessel visit (times in ISO 8601 with their offset)."""

    reference: str
    vessel_name: str
    imo_number: str | None
    eta: str
    etb: str | None
    etd: str | None = None
    berth_code: str | None
    status: str = Field(description="announced, berthed or departed")


class WagonLoadOut(_Out):
    """One filled half-slot of a wagon."""

    slot: int
    half: int
    container: str


class TrainWagonOut(_Out):
    """A wagon of a train, in train order, with what it carries."""

    number: str
    wagon_type: str
    position: int
    loads: list[WagonLoadOut]


class TrainVisitOut(_Out):
    """A train visit with its wagons."""

    reference: str
    direction: str
    route_code: str
    gauge_mm: int
    train_type_code: str | None
    track_code: str | None
    status: str
    wagons: list[TrainWagonOut]


class SlotProposalOut(_Out):
    """The yard slot the simple rule would choose now (nothing reserved)."""

    container: str
    slot: str


class WindowAppointmentOut(_Out):
    """An appointment in a gate window."""

    reference: str
    plate: str
    kind: str
    container: str | None
    status: str


class GateWindowOut(_Out):
    """One appointment hour: capacity, bookings and the appointments the caller may see."""

    hour_start: str
    capacity: int
    booked: int
    free: int
    appointments: list[WindowAppointmentOut]


class AppointmentOut(_Out):
    """A booked appointment and how full its window now is."""

    reference: str
    hour_start: str
    plate: str
    kind: str
    container: str | None
    booking_reference: str | None = None
    party: str | None = Field(default=None, description="the party that booked it (its owner)")
    booked_by: str | None = None
    status: AppointmentStatus
    window_booked: int | None = Field(default=None, description="in the answer to a booking")
    window_capacity: int | None = Field(default=None, description="in the answer to a booking")


class TruckVisitOut(_Out):
    """A truck visit at the gate (in: what it dropped off and will pick up; out: what it took)."""

    reference: str
    plate: str
    status: TruckVisitStatus = Field(description="in (at the base) or out (left)")


class GrainLotOut(_Out):
    """A grain lot."""

    reference: str
    owner_code: str
    crop: str
    grain_class: str
    mass_kg: int
    moisture_pct: float | None
    silo_code: str | None


class GrainBalanceOut(_Out):
    """One owner's grain mass balance, to the kilogram."""

    received_kg: int
    shipped_kg: int
    in_stock_kg: int


class HoldOut(_Out):
    """A hold: what, whose, why, and whether it is still in force."""

    id: int
    container: str
    kind: str = Field(default="customs", description="customs, line, terminal, damage or vgm_missing")
    owner: str = Field(default="customs", description="whom it belongs to: customs, the line, terminal, shipper")
    reason: str
    placed_by: str
    placed_at: str
    released_at: str | None
    released_by: str | None = None
    release_reason: str | None = None
    open: bool


class ConsignmentOut(_Out):
    """A consignment (booking) with its goods lines."""

    booking_reference: str
    shipper_code: str
    consignee_code: str | None
    origin: str
    destination: str
    goods: list[dict[str, Any]]


class GrainTransferOut(_Out):
    """A transfer between silos: the source lot, the lot moved (a new one when part of it moved), kg."""

    lot: GrainLotOut
    moved: GrainLotOut
    moved_kg: int


class GrainIntoContainersOut(GrainLotOut):
    """The lot after grain was loaded into containers, with what each container received."""

    containers: list[dict[str, Any]]
