"""SQLAlchemy 2 table definitions: the hub's state and its append-only event log.

Rows mirror the domain objects; mapping to and from domain objects happens in the repositories,
so the domain never imports SQLAlchemy.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from landbridge.store.types import UtcDateTime


class Base(DeclarativeBase):
    """Declarative base with a stable naming convention so migrations name constraints the same everywhere.

    A ``Mapped[datetime]`` column is a :class:`UtcDateTime` (stored as UTC on both backends) unless told otherwise.
    """

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime()}


Base.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class PartyRow(Base):
    __tablename__ = "parties"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))


class PartyOwnerCodeRow(Base):
    """An ISO 6346 owner code (the first three letters of a container number) and the party owning it.

    A shipping line sees the boxes whose owner code is one of its own; a code belongs to one party.
    """

    __tablename__ = "party_owner_codes"
    owner_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    party_code: Mapped[str] = mapped_column(String(32), ForeignKey("parties.code"), index=True)


class ConsignmentRow(Base):
    __tablename__ = "consignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    booking_reference: Mapped[str] = mapped_column(String(35), unique=True)
    shipper_code: Mapped[str] = mapped_column(String(32), ForeignKey("parties.code"))
    consignee_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("parties.code"))
    origin: Mapped[str] = mapped_column(String(5))
    destination: Mapped[str] = mapped_column(String(5))


class GoodsLineRow(Base):
    __tablename__ = "goods_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    consignment_id: Mapped[int] = mapped_column(ForeignKey("consignments.id"))
    container_number: Mapped[str | None] = mapped_column(String(11), ForeignKey("containers.number"))
    hs_code: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(350))
    packages: Mapped[int] = mapped_column(Integer)
    mass_kg: Mapped[int] = mapped_column(Integer)
    imdg_class: Mapped[str | None] = mapped_column(String(3))
    un_number: Mapped[str | None] = mapped_column(String(4))
    packing_group: Mapped[str | None] = mapped_column(String(3))


class ContainerRow(Base):
    __tablename__ = "containers"
    number: Mapped[str] = mapped_column(String(11), primary_key=True)
    iso_type: Mapped[str] = mapped_column(String(4))
    load_state: Mapped[str] = mapped_column(String(8))
    gross_mass_kg: Mapped[int | None] = mapped_column(Integer)
    seals: Mapped[list[str]] = mapped_column(JSON, default=list)
    reefer_setpoint_c: Mapped[float | None] = mapped_column(Float)
    booking_reference: Mapped[str | None] = mapped_column(String(35), ForeignKey("consignments.booking_reference"))
    position_kind: Mapped[str] = mapped_column(String(16))
    position_reference: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (Index("ix_containers_position", "position_kind", "position_reference"),)  # migration 0085


class BerthRow(Base):
    __tablename__ = "berths"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    terminal: Mapped[str] = mapped_column(String(64))
    length_m: Mapped[float] = mapped_column(Float)
    depth_m: Mapped[float] = mapped_column(Float)
    quay_cranes: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))


class YardBlockRow(Base):
    __tablename__ = "yard_blocks"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    bays: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    max_tiers_full: Mapped[int] = mapped_column(Integer)
    max_tiers_empty: Mapped[int] = mapped_column(Integer)
    reefer_plugs: Mapped[int] = mapped_column(Integer)
    dangerous_goods: Mapped[bool] = mapped_column(Boolean)


class YardSlotRow(Base):
    """An occupied yard position; the unique constraint is what stops two boxes in one slot."""

    __tablename__ = "yard_slots"
    __table_args__ = (UniqueConstraint("block", "bay", "row", "tier", name="uq_yard_slots_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    block: Mapped[str] = mapped_column(String(2), ForeignKey("yard_blocks.code"))
    bay: Mapped[int] = mapped_column(Integer)
    row: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(Integer)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), unique=True)


class TrackRow(Base):
    __tablename__ = "rail_tracks"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    length_m: Mapped[float] = mapped_column(Float)
    gauge_mm: Mapped[int] = mapped_column(Integer)


class EquipmentRow(Base):
    """A machine of the base (attributes from the scenario's fleet; status, position and driver live)."""

    __tablename__ = "equipment"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    moves_per_h: Mapped[float] = mapped_column(Float)
    pools: Mapped[list[str]] = mapped_column(JSON, default=list)
    allowed_lengths_ft: Mapped[list[int]] = mapped_column(JSON, default=list)
    max_lift_kg: Mapped[int] = mapped_column(Integer, default=0)
    twin_lift: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="working")
    status_reason: Mapped[str | None] = mapped_column(String(200))
    status_since: Mapped[datetime | None] = mapped_column(UtcDateTime())
    x_m: Mapped[float] = mapped_column(Float, default=0.0)
    y_m: Mapped[float] = mapped_column(Float, default=0.0)
    position: Mapped[str | None] = mapped_column(String(64))  # where it last worked (a slot, a berth…)
    driver: Mapped[str | None] = mapped_column(String(64))  # the API user signed on to drive it


class CrossingRow(Base):
    __tablename__ = "border_crossings"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    methods: Mapped[list[str]] = mapped_column(JSON)
    train_handling_h: Mapped[float] = mapped_column(Float)
    trains_per_day: Mapped[float] = mapped_column(Float)
    eastbound_trains_per_day: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class RouteRow(Base):
    __tablename__ = "routes"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    destination: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    km: Mapped[float] = mapped_column(Float)
    transit_days: Mapped[float] = mapped_column(Float)
    transit_days_p10: Mapped[float] = mapped_column(Float)
    transit_days_p90: Mapped[float] = mapped_column(Float)
    crossing_code: Mapped[str] = mapped_column(String(32), ForeignKey("border_crossings.code"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class WagonTypeRow(Base):
    __tablename__ = "wagon_types"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    gauge_mm: Mapped[int] = mapped_column(Integer)
    platform_ft: Mapped[int] = mapped_column(Integer)
    length_m: Mapped[float] = mapped_column(Float)
    tare_kg: Mapped[int] = mapped_column(Integer)
    payload_kg: Mapped[int] = mapped_column(Integer)
    axles: Mapped[int] = mapped_column(Integer)


class VesselVisitRow(Base):
    __tablename__ = "vessel_visits"
    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    vessel_name: Mapped[str] = mapped_column(String(100))
    imo_number: Mapped[str | None] = mapped_column(String(7))
    eta: Mapped[datetime] = mapped_column(UtcDateTime())
    etb: Mapped[datetime | None] = mapped_column(UtcDateTime())
    etd: Mapped[datetime | None] = mapped_column(UtcDateTime())
    berth_code: Mapped[str | None] = mapped_column(String(16), ForeignKey("berths.code"))
    status: Mapped[str] = mapped_column(String(16))
    # The shipping line operating the call: it sees this visit (and nobody else's).
    operator_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("parties.code"), index=True)


class VesselRow(Base):
    """Vessel master data: one row per ship, by its IMO number (a renamed ship keeps its row)."""

    __tablename__ = "vessels"
    imo_number: Mapped[str] = mapped_column(String(7), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    call_sign: Mapped[str | None] = mapped_column(String(16))
    loa_m: Mapped[float | None] = mapped_column(Float)
    beam_m: Mapped[float | None] = mapped_column(Float)
    draft_m: Mapped[float | None] = mapped_column(Float)
    operator: Mapped[str | None] = mapped_column(String(100))


class VgmRow(Base):
    """A SOLAS VI/2 verified gross mass declared for a container; the latest one counts."""

    __tablename__ = "verified_gross_masses"
    id: Mapped[int] = mapped_column(primary_key=True)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), index=True)
    mass_kg: Mapped[int] = mapped_column(Integer)
    method: Mapped[int] = mapped_column(Integer)
    verified_by: Mapped[str] = mapped_column(String(100))
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))
    source_reference: Mapped[str | None] = mapped_column(String(128))


class ManifestEntryRow(Base):
    """A box on a visit's list: a ship's discharge or load list, a train's planned boxes."""

    __tablename__ = "manifest_entries"
    __table_args__ = (
        UniqueConstraint("visit_kind", "visit_reference", "list_kind", "container_number", name="uq_manifest_entries"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    visit_kind: Mapped[str] = mapped_column(String(16))
    visit_reference: Mapped[str] = mapped_column(String(32), index=True)
    list_kind: Mapped[str] = mapped_column(String(16))
    container_number: Mapped[str] = mapped_column(String(11), index=True)
    iso_type: Mapped[str | None] = mapped_column(String(4))
    gross_mass_kg: Mapped[int | None] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(64))


class TrainVisitRow(Base):
    __tablename__ = "train_visits"
    __table_args__ = (Index("ix_train_visits_status", "status"),)  # migration 0080
    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8))
    route_code: Mapped[str] = mapped_column(String(32), ForeignKey("routes.code"))
    gauge_mm: Mapped[int] = mapped_column(Integer)
    track_code: Mapped[str | None] = mapped_column(String(16), ForeignKey("rail_tracks.code"))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)
    train_type_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("train_types.code"))
    kind: Mapped[str] = mapped_column(String(16), default="service", server_default="service")
    returns_wagons_of: Mapped[str | None] = mapped_column(String(32))


class WagonRow(Base):
    __tablename__ = "wagons"
    __table_args__ = (
        UniqueConstraint("train_reference", "position_in_train", name="uq_wagons_train_position"),
        UniqueConstraint("train_reference", "number", name="uq_wagons_train_number"),
        Index("ix_wagons_number", "number"),  # migration 0080
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(12))
    train_reference: Mapped[str] = mapped_column(String(32), ForeignKey("train_visits.reference"))
    wagon_type_code: Mapped[str] = mapped_column(String(32), ForeignKey("wagon_types.code"))
    position_in_train: Mapped[int] = mapped_column(Integer)


TRUCK_VISIT_STATUSES = "status IN ('in', 'out')"
"""The values of ``domain.visits.TruckVisitStatus`` (migration 0092; tests/unit/test_status_enums.py ties them)."""
DELIVERY_ORDER_STATUSES = "status IN ('open', 'cancelled')"
"""The values of ``domain.gate.DeliveryOrderStatus`` (migration 0092)."""


class TruckVisitRow(Base):
    __tablename__ = "truck_visits"
    __table_args__ = (CheckConstraint(TRUCK_VISIT_STATUSES, name="status"),)  # migration 0092
    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(8))
    arrived_at: Mapped[datetime] = mapped_column(UtcDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    appointment_reference: Mapped[str | None] = mapped_column(String(32))
    drop_off: Mapped[list[str] | None] = mapped_column(JSON)
    pick_up: Mapped[list[str] | None] = mapped_column(JSON)
    delivery_order_reference: Mapped[str | None] = mapped_column(String(32))
    override_reason: Mapped[str | None] = mapped_column(String(200))


class SiloRow(Base):
    __tablename__ = "silos"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    capacity_kg: Mapped[int] = mapped_column(BigInteger)
    allow_mixing: Mapped[bool] = mapped_column(Boolean)


class GrainLotRow(Base):
    __tablename__ = "grain_lots"
    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_code: Mapped[str] = mapped_column(String(32), ForeignKey("parties.code"))
    crop: Mapped[str] = mapped_column(String(32))
    grain_class: Mapped[str] = mapped_column(String(16))
    mass_kg: Mapped[int] = mapped_column(BigInteger)
    moisture_pct: Mapped[float] = mapped_column(Float)
    silo_code: Mapped[str | None] = mapped_column(String(8), ForeignKey("silos.code"))


class CustomsHoldRow(Base):
    """A hold of any kind (``domain.holds.HoldKind``); the table keeps its first name, customs_holds."""

    __tablename__ = "customs_holds"
    id: Mapped[int] = mapped_column(primary_key=True)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    kind: Mapped[str] = mapped_column(String(16), default="customs", server_default="customs")
    owner: Mapped[str] = mapped_column(String(64), default="customs", server_default="customs")
    released_by: Mapped[str | None] = mapped_column(String(64))
    release_reason: Mapped[str | None] = mapped_column(String(200))


HoldRow = CustomsHoldRow


class EventRow(Base):
    """The audit trail. Append-only: a database trigger refuses UPDATE and DELETE (see migration 0001)."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_type_time", "event_type", "occurred_at"),)  # migration 0086
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(48), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    location: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source_reference: Mapped[str | None] = mapped_column(String(128))


class TrainTypeRow(Base):
    """A block-train type of the scenario: the limits a train visit of that type is checked against."""

    __tablename__ = "train_types"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    gauge_mm: Mapped[int] = mapped_column(Integer)
    wagons: Mapped[int] = mapped_column(Integer)
    teu: Mapped[int] = mapped_column(Integer)
    max_cargo_kg: Mapped[int | None] = mapped_column(BigInteger)
    axle_load_kg: Mapped[int] = mapped_column(Integer)
    max_length_m: Mapped[float] = mapped_column(Float)


class YardCellRow(Base):
    """Every 20 ft ground position × tier a container covers (a 40/45 ft box covers two bays).

    ``yard_slots`` keeps one row per stored container (its addressed slot); this table's unique
    constraint is what makes a double occupancy of any physical cell impossible whatever the race.
    """

    __tablename__ = "yard_cells"
    __table_args__ = (UniqueConstraint("block", "bay", "row", "tier", name="uq_yard_cells_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    block: Mapped[str] = mapped_column(String(2), ForeignKey("yard_blocks.code"))
    bay: Mapped[int] = mapped_column(Integer)
    row: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(Integer)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), index=True)


class WagonCellRow(Base):
    """A 20 ft half of a wagon slot holding a container; unique so a wagon slot cannot be filled twice."""

    __tablename__ = "wagon_cells"
    __table_args__ = (
        UniqueConstraint("wagon_id", "slot", "half", name="uq_wagon_cells_position"),
        Index("ix_wagon_cells_wagon_id", "wagon_id"),  # migration 0080
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    wagon_id: Mapped[int] = mapped_column(ForeignKey("wagons.id"))
    slot: Mapped[int] = mapped_column(Integer)
    half: Mapped[int] = mapped_column(Integer)
    container_number: Mapped[str] = mapped_column(String(11), ForeignKey("containers.number"), index=True)


class ApiUserRow(Base):
    """An API user: a role, optionally the party it acts for, and the SHA-256 of its bearer token."""

    __tablename__ = "api_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    party_code: Mapped[str | None] = mapped_column(String(32), ForeignKey("parties.code"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class IdempotencyKeyRow(Base):
    """A POST already answered: written in the command's own transaction, so a repeat replays it."""

    __tablename__ = "idempotency_keys"
    actor: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class GateHourRow(Base):
    """An hourly appointment window of the gate and how many trucks it takes."""

    __tablename__ = "gate_hours"
    hour_start: Mapped[datetime] = mapped_column(UtcDateTime(), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer)


class GateAppointmentRow(Base):
    """A truck's booked hour at the gate."""

    __tablename__ = "gate_appointments"
    __table_args__ = (  # migration 0080: the lists page by window
        Index("ix_gate_appointments_hour_start_reference", "hour_start", "reference"),
        Index("ix_gate_appointments_party_hour", "party_code", "hour_start", "reference"),
    )
    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    hour_start: Mapped[datetime] = mapped_column(UtcDateTime(), ForeignKey("gate_hours.hour_start"))
    plate: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    container_number: Mapped[str | None] = mapped_column(String(11))
    status: Mapped[str] = mapped_column(String(16))
    booking_reference: Mapped[str | None] = mapped_column(String(35))
    booked_by: Mapped[str | None] = mapped_column(String(64))
    party_code: Mapped[str | None] = mapped_column(String(32), index=True)


class DeliveryOrderRow(Base):
    """A release of import boxes to a trucker (the line's or the planner's), quoted with a PIN at the gate."""

    __tablename__ = "delivery_orders"
    __table_args__ = (CheckConstraint(DELIVERY_ORDER_STATUSES, name="status"),)  # migration 0092
    reference: Mapped[str] = mapped_column(String(32), primary_key=True)
    issued_by: Mapped[str] = mapped_column(String(64))
    party_code: Mapped[str | None] = mapped_column(String(32))
    pin_sha256: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[datetime] = mapped_column(UtcDateTime())
    valid_to: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16))


class DeliveryOrderBoxRow(Base):
    """A box a delivery order releases, and the truck that took it."""

    __tablename__ = "delivery_order_containers"
    order_reference: Mapped[str] = mapped_column(String(32), ForeignKey("delivery_orders.reference"), primary_key=True)
    container_number: Mapped[str] = mapped_column(String(11), primary_key=True, index=True)
    truck_reference: Mapped[str | None] = mapped_column(String(32))


class GrainMovementRow(Base):
    """One grain movement in or out of stock: the ledger behind the per-owner mass balance."""

    __tablename__ = "grain_movements"
    id: Mapped[int] = mapped_column(primary_key=True)
    lot_reference: Mapped[str] = mapped_column(String(32), ForeignKey("grain_lots.reference"), index=True)
    owner_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    mass_kg: Mapped[int] = mapped_column(BigInteger)
    silo_code: Mapped[str | None] = mapped_column(String(8))
    counterpart: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SeedRow(Base):
    """Which scenario was seeded into this database, and from which file digest."""

    __tablename__ = "scenario_seeds"
    scenario: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    seeded_at: Mapped[datetime] = mapped_column(UtcDateTime())
    summary: Mapped[str] = mapped_column(Text)
