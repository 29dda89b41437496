"""The gate: hourly appointment windows with a capacity, trucks in (drop-off) and out (pick-up)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType, utc_now
from landbridge.domain.visits import TruckVisitStatus
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    container_event,
    execute,
    locked_container,
    parse_container,
    set_position,
    snapshot,
    subject_event,
)
from landbridge.services.operations.yard import take_out_of_yard
from landbridge.store import tables
from landbridge.store.repositories import Scope
from landbridge.store.unit_of_work import UnitOfWork

DEFAULT_APPOINTMENTS_PER_HOUR = 40  # the scenario's gate.appointments_per_hour (assumed: 2 × mean arrivals)
APPOINTMENT_KINDS = ("pick_up", "drop_off")


def hour_of(moment: datetime) -> datetime:
    """The start of the appointment window a moment falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def book_appointment(
    uow: UnitOfWork,
    actor: Actor,
    scope: Scope,
    *,
    reference: str,
    hour_start: datetime,
    plate: str,
    kind: str,
    container: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Book a truck into an hourly window; refused when the window is full."""
    if kind not in APPOINTMENT_KINDS:
        raise RuleViolation("kind", f"kind must be one of {', '.join(APPOINTMENT_KINDS)}")
    if hour_of(hour_start) != hour_start:
        raise RuleViolation("hour_start", "appointment windows start on the hour")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        gate = uow.gate
        if container is not None and uow.containers.get_visible(parse_container(container), scope) is None:
            raise NotFound("container", f"no container {container}")
        gate.ensure_hour(hour_start, DEFAULT_APPOINTMENTS_PER_HOUR)
        hour = gate.hour(hour_start, lock=True)
        assert hour is not None
        if hour.booked >= hour.capacity:
            raise Conflict("hour_start", f"the {hour_start:%H:%M} window is full ({hour.capacity} trucks)")
        if gate.appointment(reference) is not None:
            raise Conflict("reference", f"appointment {reference} already exists")
        hour.booked += 1
        gate.add(
            tables.GateAppointmentRow(
                reference=reference,
                hour_start=hour_start,
                plate=plate,
                kind=kind,
                container_number=None if container is None else parse_container(container),
                status="booked",
            )
        )
        view = {
            "reference": reference,
            "hour_start": hour_start.isoformat(),
            "plate": plate,
            "kind": kind,
            "container": container,
            "status": "booked",
            "window_booked": hour.booked,
            "window_capacity": hour.capacity,
        }
        subject_event(uow, EventType.GATE_APPOINTMENT_BOOKED, "appointment", reference, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency)


def truck_in(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    plate: str,
    drop_off: list[str],
    pick_up: list[str],
    appointment_reference: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """A truck enters: boxes it drops off are now on the truck inside the hub, waiting for a yard slot."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        gate = uow.gate
        if gate.truck(reference) is not None:
            raise Conflict("reference", f"truck visit {reference} already exists")
        if appointment_reference is not None:
            appointment = gate.appointment(appointment_reference, lock=True)
            if appointment is None:
                raise NotFound("appointment_reference", f"no appointment {appointment_reference!r}")
            if appointment.status != "booked":
                raise Conflict("appointment_reference", f"appointment {appointment_reference} is {appointment.status}")
            appointment.status = "used"
        for number in pick_up:
            parsed = str(parse_container(number, "pick_up"))
            if uow.containers.rows([parsed]).get(parsed) is None:
                raise NotFound("pick_up", f"no container {number}")
        dropped = []
        for number in drop_off:
            row = locked_container(uow, number, "drop_off")
            if row.position_kind not in (PositionKind.ANNOUNCED.value, PositionKind.DELIVERED.value):
                raise Conflict("drop_off", f"{row.number} is already in the hub ({row.position_kind})")
            before = snapshot(row)
            set_position(row, PositionKind.TRUCK, reference)
            container_event(uow, EventType.CONTAINER_GATE_IN, row, actor, before, {"truck": reference}, location="gate")
            dropped.append(row.number)
        gate.add(
            tables.TruckVisitRow(
                reference=reference,
                plate=plate,
                status=TruckVisitStatus.IN.value,
                arrived_at=utc_now(),
                appointment_reference=appointment_reference,
                drop_off=dropped,
                pick_up=[str(parse_container(n)) for n in pick_up],
            )
        )
        view = {"reference": reference, "plate": plate, "status": "in", "drop_off": dropped, "pick_up": pick_up}
        subject_event(uow, EventType.TRUCK_IN, "truck_visit", reference, actor, None, view, location="gate")
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency)


def truck_out(uow: UnitOfWork, actor: Actor, *, reference: str, idempotency: IdempotencyKey | None = None) -> Outcome:
    """A truck leaves with its pick-ups (taken from the yard); its drop-offs must have been unloaded."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        gate = uow.gate
        truck = gate.truck(reference, lock=True)
        if truck is None:
            raise NotFound("reference", f"no truck visit {reference!r}")
        if truck.status != TruckVisitStatus.IN.value:
            raise Conflict("reference", f"truck {reference} already left")
        still_on = [r.number for r in uow.containers.in_position(PositionKind.TRUCK.value, reference)]
        if still_on:
            raise RuleViolation("drop_off", f"{', '.join(still_on)} still on truck {reference}; place it first")
        taken = []
        for number in truck.pick_up or []:
            row = locked_container(uow, number, "pick_up")
            if row.position_kind not in (PositionKind.YARD.value, PositionKind.CFS.value):
                raise RuleViolation("pick_up", f"{row.number} is {row.position_kind}, not in the yard")
            before = snapshot(row)
            take_out_of_yard(uow, row)
            set_position(row, PositionKind.DELIVERED, f"truck {reference}")
            container_event(
                uow, EventType.CONTAINER_GATE_OUT, row, actor, before, {"truck": reference}, location="gate"
            )
            taken.append(row.number)
        truck.status, truck.left_at = TruckVisitStatus.OUT.value, utc_now()
        uow.session.flush()
        view = {"reference": reference, "plate": truck.plate, "status": "out", "picked_up": taken}
        subject_event(
            uow, EventType.TRUCK_OUT, "truck_visit", reference, actor, {"status": "in"}, view, location="gate"
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency)


def window(uow: UnitOfWork, scope: Scope, hour_start: datetime) -> dict[str, Any]:
    """An appointment window: capacity, bookings (a shipper sees only those for its own boxes)."""
    if hour_of(hour_start) != hour_start:
        raise RuleViolation("hour_start", "appointment windows start on the hour")
    with uow:
        gate = uow.gate
        hour = gate.hour(hour_start)
        visible = []
        for appointment in gate.appointments_in(hour_start):
            own = appointment.container_number is not None and (
                uow.containers.get_visible(appointment.container_number, scope) is not None
            )
            if scope.everything or own:
                visible.append(
                    {
                        "reference": appointment.reference,
                        "plate": appointment.plate,
                        "kind": appointment.kind,
                        "container": appointment.container_number,
                        "status": appointment.status,
                    }
                )
        capacity = DEFAULT_APPOINTMENTS_PER_HOUR if hour is None else hour.capacity
        booked = 0 if hour is None else hour.booked
        return {
            "hour_start": hour_start.isoformat(),
            "capacity": capacity,
            "booked": booked,
            "free": capacity - booked,
            "appointments": visible,
        }
