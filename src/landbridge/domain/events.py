"""Typed events: every change of the hub's state yields one, appended to the audit trail.

An event says what happened, when, where, who did it (actor and role), the state before and
after, and the outside reference it came from (an API request, an EDIFACT message, a seed file).
Events are never edited; a correction is a new event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """What happened. Names follow the hub's operations; DCSA codes are mapped at the edge."""

    CONTAINER_REGISTERED = "container.registered"
    CONTAINER_DISCHARGED = "container.discharged"
    CONTAINER_LOADED_VESSEL = "container.loaded_vessel"
    CONTAINER_PLACED = "container.placed"
    CONTAINER_LOADED_WAGON = "container.loaded_wagon"
    CONTAINER_UNLOADED_WAGON = "container.unloaded_wagon"
    CONTAINER_GATE_IN = "container.gate_in"
    CONTAINER_GATE_OUT = "container.gate_out"
    CONTAINER_STUFFED = "container.stuffed"
    CONTAINER_STRIPPED = "container.stripped"
    CONTAINER_GAUGE_TRANSFER = "container.gauge_transfer"
    VESSEL_ANNOUNCED = "vessel.announced"
    VESSEL_BERTH_PLANNED = "vessel.berth_planned"
    VESSEL_BERTHED = "vessel.berthed"
    VESSEL_DEPARTED = "vessel.departed"
    TRAIN_ANNOUNCED = "train.announced"
    TRAIN_DEPARTED = "train.departed"
    TRAIN_AT_BORDER = "train.at_border"
    TRAIN_ARRIVED = "train.arrived"
    HOLD_PLACED = "customs.hold_placed"
    HOLD_RELEASED = "customs.hold_released"
    GRAIN_RECEIVED = "grain.received"
    GRAIN_TRANSFERRED = "grain.transferred"
    GRAIN_SHIPPED = "grain.shipped"
    SCENARIO_SEEDED = "scenario.seeded"
    CONTAINER_ASSIGNED = "container.assigned"
    CONTAINER_DELIVERED = "container.delivered"
    CONSIGNMENT_CREATED = "consignment.created"
    PARTY_CREATED = "party.created"
    PARTY_OWNER_CODES_SET = "party.owner_codes_set"
    TRUCK_IN = "truck.in"
    TRUCK_OUT = "truck.out"
    GATE_APPOINTMENT_BOOKED = "gate.appointment_booked"
    GRAIN_LOADED_CONTAINER = "grain.loaded_container"
    CONTAINER_REPORTED = "container.reported"  # a partner's CODECO: a gate or rail move outside the hub
    WAYBILL_CREATED = "waybill.created"
    WAYBILL_RECONSIGNED = "waybill.reconsigned"
    WAYBILL_GAUGE_CHANGED = "waybill.gauge_changed"


def utc_now() -> datetime:
    """The current time, timezone-aware (events always carry an offset)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    """One entry of the audit trail."""

    event_type: EventType
    subject_type: str
    subject_id: str
    actor: str
    role: str
    occurred_at: datetime = field(default_factory=utc_now)
    location: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    source_reference: str | None = None
