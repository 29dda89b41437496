"""Typed events: every change of the hub's state yields one, appended to the audit trail.

An event says what happened, when, where, who did it (actor and role), the state before and
after, and the outside reference it came from (an API request, an EDIFACT message, a seed file).
Events are never edited; a correction is a new event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from landbridge.domain.errors import RuleViolation
from landbridge.domain.times import as_utc, checked_time, utc_now

__all__ = ["Event", "EventType", "as_utc", "check_in_order", "checked_occurred_at", "utc_now"]

# How far ahead of the server's clock a reported time may lie (clock skew of the reporting system).
MAX_CLOCK_SKEW = timedelta(minutes=5)


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
    TRAIN_CANCELLED = "train.cancelled"  # called off at the base before it left: its track and wagons are free
    TRAIN_RELEASED = "train.released"  # an emptied train: its wagons are free (and 1520 mm ones may return)
    HOLD_PLACED = "customs.hold_placed"
    HOLD_RELEASED = "customs.hold_released"
    CONTAINER_HELD = "hold.placed"  # a line, terminal, damage or vgm_missing hold (customs keeps its names)
    CONTAINER_HOLD_RELEASED = "hold.released"
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
    GATE_APPOINTMENT_CANCELLED = "gate.appointment_cancelled"
    GATE_OVERRIDE = "gate.override"  # the gate clerk let a truck in against the appointment rules, with a reason
    DELIVERY_ORDER_ISSUED = "release.delivery_order_issued"
    DELIVERY_ORDER_CANCELLED = "release.delivery_order_cancelled"
    GRAIN_LOADED_CONTAINER = "grain.loaded_container"
    CONTAINER_CORRECTED = "container.corrected"
    CONTAINER_VGM_DECLARED = "container.vgm_declared"
    VESSEL_REGISTERED = "vessel.registered"
    VESSEL_DATA_CORRECTED = "vessel.data_corrected"  # master data (a rename too), subject "vessel" by IMO
    VESSEL_VISIT_CORRECTED = "vessel.visit_corrected"
    TRAIN_CORRECTED = "train.corrected"
    TRAIN_WAGONS_CHANGED = "train.wagons_changed"  # wagons swapped in or out at the base, with the reason
    MANIFEST_SET = "manifest.set"  # a visit's list replaced (subject: the visit)
    MANIFEST_CHANGED = "manifest.changed"  # boxes added to or removed from a list, with the reason
    TARIFF_PUBLISHED = "billing.tariff_published"  # an admin replaced a tariff document (subject: tariff code)
    GUARANTEE_RECORDED = "billing.guarantee_recorded"  # charges on a box paid / guaranteed through a date
    WAIVER_GRANTED = "billing.waiver_granted"  # charges of one kind on a box not billed, with the reason
    INVOICE_DRAFTED = "billing.invoice_drafted"  # a billing run created or changed a draft
    INVOICE_FINALISED = "billing.invoice_finalised"  # numbered; immutable from now on
    CREDIT_NOTE_ISSUED = "billing.credit_note_issued"  # a final invoice reversed (subject: the credited invoice)
    EQUIPMENT_STATUS_CHANGED = "equipment.status_changed"  # working / break / out of service, with the reason
    EQUIPMENT_DRIVER_CHANGED = "equipment.driver_changed"  # a driver signed on to (or off) a machine
    EQUIPMENT_POOLS_CHANGED = "equipment.pools_changed"  # a planner changed where a machine works
    WORK_INSTRUCTIONS_CREATED = (
        "work.instructions_created"  # generated from a visit's lists or a truck (subject: the visit)
    )
    WORK_INSTRUCTION_DONE = "work.instruction_done"  # a driver confirmed the move (subject: the instruction)
    WORK_INSTRUCTION_FAILED = "work.instruction_failed"  # a driver reported a problem; back in the queue
    WORK_QUEUE_CHANGED = "work.queue_changed"  # a planner pinned, reordered, suspended or resumed a queue
    CONTAINER_REPORTED = "container.reported"  # a partner's CODECO: a gate or rail move outside the hub
    WAYBILL_CREATED = "waybill.created"
    WAYBILL_RECONSIGNED = "waybill.reconsigned"
    WAYBILL_GAUGE_CHANGED = "waybill.gauge_changed"


def checked_occurred_at(value: datetime | None, now: datetime, field: str = "occurred_at") -> datetime:
    """When a command happened: ``value`` (aware, in range, not in the future) or ``now``; always UTC.

    A reported time without an offset is ambiguous (hub time? UTC? the railway's Moscow time?),
    so it is refused rather than guessed; a time more than a few minutes ahead of the clock is a
    typo or a wrong zone.
    """
    if value is None:
        return as_utc(now)
    if value.tzinfo is None or value.utcoffset() is None:
        raise RuleViolation(field, "give the time with its UTC offset, e.g. 2026-12-07T08:30:00+08:00")
    checked_time(value, field)  # within the accepted range (domain.times), like every other time
    if value > now + MAX_CLOCK_SKEW:
        minutes = int(MAX_CLOCK_SKEW.total_seconds() // 60)
        raise RuleViolation(
            field,
            f"{value.isoformat()} is in the future (more than {minutes} min after now, {as_utc(now).isoformat()})",
        )
    return as_utc(value)


def check_in_order(
    occurred_at: datetime, subject: str, previous_type: str, previous_at: datetime, field: str = "occurred_at"
) -> None:
    """Refuse an event dated before the subject's latest event: history must stay in the order it happened."""
    if as_utc(occurred_at) < as_utc(previous_at):
        raise RuleViolation(
            field,
            f"{as_utc(occurred_at).isoformat()} is earlier than the previous event of {subject}: "
            f"{previous_type} at {as_utc(previous_at).isoformat()}",
        )


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
    recorded_at: datetime | None = None  # when the log stored it (set by the store; None before that)
