"""The gate: appointments (windows, horizon, quota; listed and cancelled by their owner), delivery
orders, trucks in (drop-off needs a booking, pick-up a delivery order and its PIN, the truck its
window or the clerk's override) and out (no held box leaves).

The rules are in ``domain.gate``; the figures come from the scenario's ``base.gate``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType, as_utc, checked_occurred_at, utc_now
from landbridge.domain.gate import (
    AppointmentStatus,
    DeliveryOrder,
    DeliveryOrderStatus,
    GateRules,
    check_bookable,
    check_quota,
    check_validity,
    check_window_start,
    hour_of,
    pin_digest,
    window_problem,
)
from landbridge.domain.holds import Exit
from landbridge.domain.visits import TruckVisitStatus
from landbridge.scenarios import current_scenario
from landbridge.services.billing.accounts import check_pick_up
from landbridge.services.containers import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    acting_scope,
    container_event,
    execute,
    locked_container,
    parse_container,
    set_position,
    snapshot,
    subject_event,
)
from landbridge.services.operations.holds import check_exit
from landbridge.services.operations.yard import take_out_of_yard
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.unit_of_work import UnitOfWork

DEFAULT_APPOINTMENTS_PER_HOUR = 40  # the scenario's gate.appointments_per_hour (assumed: 2 × mean arrivals)
APPOINTMENT_KINDS = ("pick_up", "drop_off")

__all__ = ["hour_of"]


def gate_rules() -> GateRules:
    """The gate figures of the scenario (tolerance, horizon, quota)."""
    gate = current_scenario().base.gate
    return GateRules(
        early_min=gate.appointment_early_min,
        late_min=gate.appointment_late_min,
        horizon_days=gate.booking_horizon_days,
        quota_per_party_per_day=gate.appointments_per_party_per_day,
    )


def appointment_view(row: tables.GateAppointmentRow) -> dict[str, Any]:
    """The JSON answer describing an appointment."""
    return {
        "reference": row.reference,
        "hour_start": as_utc(row.hour_start).isoformat(),
        "plate": row.plate,
        "kind": row.kind,
        "container": row.container_number,
        "booking_reference": row.booking_reference,
        "party": row.party_code,
        "booked_by": row.booked_by,
        "status": row.status,
    }


def _visible_booking(uow: UnitOfWork, scope: Scope, booking: str) -> None:
    consignment = uow.parties.consignment(booking)
    own = consignment is not None and (
        scope.everything or scope.party in (consignment.shipper_code, consignment.consignee_code)
    )
    if not own:
        raise NotFound("booking_reference", f"no booking {booking!r}")


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
    booking_reference: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Book a truck into an hourly window for a box (pick-up) or a booking (drop-off) the caller may see.

    Refused when the window is full, over, beyond the booking horizon, or the party's daily quota is used.
    """
    if kind not in APPOINTMENT_KINDS:
        raise RuleViolation("kind", f"kind must be one of {', '.join(APPOINTMENT_KINDS)}")
    check_window_start(hour_start)
    if kind == "pick_up" and container is None:
        raise RuleViolation("container", "a pick-up appointment names the box to pick up")
    if kind == "drop_off" and container is None and booking_reference is None:
        raise RuleViolation("booking_reference", "a drop-off appointment names its booking or box")
    rules = gate_rules()

    def work(uow: UnitOfWork) -> dict[str, Any]:
        gate = uow.gate
        number = None if container is None else str(parse_container(container))
        if number is not None and uow.containers.get_visible(number, scope) is None:
            raise NotFound("container", f"no container {container}")
        if booking_reference is not None:
            _visible_booking(uow, scope, booking_reference)
        check_bookable(hour_start, command_time(), rules)
        if actor.party is not None:
            day = hour_start.replace(hour=0)
            booked = gate.booked_between(actor.party, day, day + timedelta(days=1))
            check_quota(booked, rules, actor.party)
        gate.ensure_hour(hour_start, DEFAULT_APPOINTMENTS_PER_HOUR)
        hour = gate.hour(hour_start, lock=True)
        assert hour is not None
        if hour.booked >= hour.capacity:
            raise Conflict("hour_start", f"the {hour_start:%H:%M} window is full ({hour.capacity} trucks)")
        if gate.appointment(reference) is not None:
            raise Conflict("reference", f"appointment {reference} already exists")
        hour.booked += 1
        row = tables.GateAppointmentRow(
            reference=reference,
            hour_start=hour_start,
            plate=plate,
            kind=kind,
            container_number=number,
            booking_reference=booking_reference,
            booked_by=actor.name,
            party_code=actor.party,
            status=AppointmentStatus.BOOKED.value,
        )
        gate.add(row)
        uow.events.created("appointment", reference)  # a new key: no events yet, no need to read them
        view = {**appointment_view(row), "window_booked": hour.booked, "window_capacity": hour.capacity}
        subject_event(uow, EventType.GATE_APPOINTMENT_BOOKED, "appointment", reference, actor, None, view)
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def cancel_appointment(
    uow: UnitOfWork,
    actor: Actor,
    scope: Scope,
    *,
    reference: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Cancel a booked appointment (its owner's party, or gate staff); the window gets the place back."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = uow.gate.appointment(reference, lock=True)
        if row is None or not (scope.everything or row.party_code == scope.party):
            raise NotFound("reference", f"no appointment {reference!r}")
        if row.status != AppointmentStatus.BOOKED:
            raise Conflict("reference", f"appointment {reference} is {row.status}")
        hour = uow.gate.hour(row.hour_start, lock=True)
        if hour is not None:
            hour.booked = max(0, hour.booked - 1)
        before = appointment_view(row)
        row.status = AppointmentStatus.CANCELLED.value
        uow.session.flush()
        view = appointment_view(row)
        subject_event(uow, EventType.GATE_APPOINTMENT_CANCELLED, "appointment", reference, actor, before, view)
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def appointments(
    uow: UnitOfWork,
    scope: Scope,
    status: AppointmentStatus | None = None,
    *,
    after: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Appointments the caller owns (a party's own; staff: all), by window; a page of ``limit`` after the
    appointment ``after`` when given."""
    with uow:
        party = None if scope.everything else scope.party
        rows = uow.gate.appointments(party, status, after=after, limit=limit)
        return [appointment_view(row) for row in rows]


def order_view(uow: UnitOfWork, row: tables.DeliveryOrderRow) -> dict[str, Any]:
    """The JSON answer describing a delivery order (never its PIN)."""
    return {
        "reference": row.reference,
        "containers": [b.container_number for b in uow.gate.released_boxes(row.reference)],
        "picked_up": {
            b.container_number: b.truck_reference for b in uow.gate.released_boxes(row.reference) if b.truck_reference
        },
        "valid_from": as_utc(row.valid_from).isoformat(),
        "valid_to": as_utc(row.valid_to).isoformat(),
        "issued_by": row.issued_by,
        "party": row.party_code,
        "status": row.status,
    }


def _order(uow: UnitOfWork, row: tables.DeliveryOrderRow) -> DeliveryOrder:
    return DeliveryOrder(
        reference=row.reference,
        containers=frozenset(b.container_number for b in uow.gate.released_boxes(row.reference)),
        valid_from=as_utc(row.valid_from),
        valid_to=as_utc(row.valid_to),
        pin_sha256=row.pin_sha256,
        status=DeliveryOrderStatus(row.status),
    )


def issue_delivery_order(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    containers: Sequence[str],
    valid_from: datetime,
    valid_to: datetime,
    pin: str | None = None,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Release import boxes to a trucker (boxes the issuer may see): the answer carries the PIN once."""
    start = checked_occurred_at(valid_from, utc_now() + timedelta(days=3650), "valid_from")
    end = checked_occurred_at(valid_to, utc_now() + timedelta(days=3650), "valid_to")
    check_validity(start, end)
    if not containers:
        raise RuleViolation("containers", "a delivery order releases at least one box")
    numbers = [str(parse_container(c, f"containers[{i}]")) for i, c in enumerate(containers)]
    if len(set(numbers)) != len(numbers):
        raise RuleViolation("containers", "a box is listed twice")
    code = pin if pin is not None else f"{secrets.randbelow(10**6):06d}"
    if not code.isalnum() or not 4 <= len(code) <= 12:
        raise RuleViolation("pin", "4 to 12 letters or digits")

    def work(uow: UnitOfWork) -> dict[str, Any]:
        if uow.gate.delivery_order(reference) is not None:
            raise Conflict("reference", f"delivery order {reference} already exists")
        mine = acting_scope(actor, scope)  # a line issuing as itself, whoever calls: only boxes it may see
        for index, number in enumerate(numbers):
            if uow.containers.get_visible(number, mine) is None:
                raise NotFound(f"containers[{index}]", f"no container {number}")
        row = tables.DeliveryOrderRow(
            reference=reference,
            issued_by=actor.name,
            party_code=actor.party,
            pin_sha256=pin_digest(code),
            valid_from=start,
            valid_to=end,
            status=DeliveryOrderStatus.OPEN.value,
        )
        uow.gate.add(row)
        uow.events.created("delivery_order", reference)  # a new key: no events yet, no need to read them
        for number in numbers:
            uow.gate.add(tables.DeliveryOrderBoxRow(order_reference=reference, container_number=number))
        view = order_view(uow, row)
        subject_event(uow, EventType.DELIVERY_ORDER_ISSUED, "delivery_order", reference, actor, None, view)
        return {**view, "pin": code}

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def cancel_delivery_order(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    scope: Scope = EVERYTHING,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Withdraw a delivery order; boxes already picked up stay delivered. A party (a line) withdraws
    only its own orders: another party's is 404, as unknown."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = uow.gate.delivery_order(reference, lock=True)
        mine = acting_scope(actor, scope)
        if row is None or not (mine.everything or row.party_code == mine.party):
            raise NotFound("reference", f"no delivery order {reference!r}")
        if row.status != DeliveryOrderStatus.OPEN:
            raise Conflict("reference", f"delivery order {reference} is {row.status}")
        before = order_view(uow, row)
        row.status = DeliveryOrderStatus.CANCELLED.value
        uow.session.flush()
        view = order_view(uow, row)
        subject_event(uow, EventType.DELIVERY_ORDER_CANCELLED, "delivery_order", reference, actor, before, view)
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def delivery_order(uow: UnitOfWork, reference: str) -> dict[str, Any]:
    """One delivery order (without its PIN)."""
    with uow:
        row = uow.gate.delivery_order(reference)
        if row is None:
            raise NotFound("reference", f"no delivery order {reference!r}")
        return order_view(uow, row)


def _appointment_problem(
    uow: UnitOfWork, reference: str | None, plate: str, boxes: set[str], arrival: datetime
) -> tuple[str | None, tables.GateAppointmentRow | None]:
    """Why the truck may not come in on its appointment (None when it may), and the appointment."""
    if reference is None:
        return "the truck has no appointment", None
    appointment = uow.gate.appointment(reference, lock=True)
    if appointment is None:
        raise NotFound("appointment_reference", f"no appointment {reference!r}")
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("appointment_reference", f"appointment {reference} is {appointment.status}")
    if appointment.plate.replace(" ", "") != plate.replace(" ", ""):
        return f"appointment {reference} was booked for plate {appointment.plate}, not {plate}", appointment
    late = window_problem(arrival, as_utc(appointment.hour_start), gate_rules())
    if late is not None:
        return f"the truck came {late}", appointment
    if appointment.container_number is not None and appointment.container_number not in boxes:
        return (
            f"appointment {reference} is for {appointment.container_number}, which the truck does not bring or take",
            appointment,
        )
    return None, appointment


def truck_in(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    plate: str,
    drop_off: list[str],
    pick_up: list[str],
    appointment_reference: str | None = None,
    delivery_order: str | None = None,
    pin: str | None = None,
    override_reason: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """A truck enters: drop-offs (each with a booking) go on the truck inside the hub; pick-ups need a
    delivery order quoted with its PIN; the truck needs its appointment window, or the clerk's override."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        gate = uow.gate
        arrival = command_time()
        if gate.truck(reference) is not None:
            raise Conflict("reference", f"truck visit {reference} already exists")
        picks = [str(parse_container(number, f"pick_up[{i}]")) for i, number in enumerate(pick_up)]
        for index, number in enumerate(picks):
            if uow.containers.rows([number]).get(number) is None:
                raise NotFound(f"pick_up[{index}]", f"no container {number}")
        order = None
        if picks:
            if delivery_order is None:
                raise RuleViolation("delivery_order", "a pick-up needs the delivery order the trucker was given")
            order = gate.delivery_order(delivery_order, lock=True)
            if order is None:
                raise NotFound("delivery_order", f"no delivery order {delivery_order!r}")
            _order(uow, order).check_release(pin, picks, arrival)
            check_pick_up(uow, picks, arrival)  # storage owed and not guaranteed: the tariff may block it
        dropped_rows = []
        for index, number in enumerate(drop_off):
            row = locked_container(uow, number, f"drop_off[{index}]")
            if row.position_kind not in (PositionKind.ANNOUNCED.value, PositionKind.DELIVERED.value):
                raise Conflict(f"drop_off[{index}]", f"{row.number} is already in the hub ({row.position_kind})")
            if row.booking_reference is None:
                raise RuleViolation(f"drop_off[{index}]", f"{row.number} has no booking; an export drop-off needs one")
            dropped_rows.append(row)
        boxes = set(picks) | {row.number for row in dropped_rows}
        problem, appointment = _appointment_problem(uow, appointment_reference, plate, boxes, arrival)
        if problem is not None and not (override_reason and override_reason.strip()):
            raise RuleViolation(
                "appointment_reference", f"{problem}; the gate clerk may let it in with an override_reason"
            )
        if appointment is not None:
            appointment.status = AppointmentStatus.USED.value
        dropped = []
        for row in dropped_rows:
            before = snapshot(row)
            set_position(row, PositionKind.TRUCK, reference)
            container_event(uow, EventType.CONTAINER_GATE_IN, row, actor, before, {"truck": reference}, location="gate")
            dropped.append(row.number)
        gate.add(
            tables.TruckVisitRow(
                reference=reference,
                plate=plate,
                status=TruckVisitStatus.IN.value,
                arrived_at=arrival,
                appointment_reference=appointment_reference,
                drop_off=dropped,
                pick_up=picks,
                delivery_order_reference=None if order is None else order.reference,
                override_reason=override_reason.strip() if problem is not None and override_reason else None,
            )
        )
        uow.events.created("truck_visit", reference)  # a new key: no events yet, no need to read them
        view: dict[str, Any] = {
            "reference": reference,
            "plate": plate,
            "status": TruckVisitStatus.IN.value,
            "drop_off": dropped,
            "pick_up": picks,
            "delivery_order": None if order is None else order.reference,
        }
        if problem is not None:
            assert override_reason is not None
            overridden = {"problem": problem, "reason": override_reason.strip(), "appointment": appointment_reference}
            view["override"] = overridden
            subject_event(
                uow, EventType.GATE_OVERRIDE, "truck_visit", reference, actor, None, overridden, location="gate"
            )
        subject_event(uow, EventType.TRUCK_IN, "truck_visit", reference, actor, None, view, location="gate")
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def truck_out(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
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
        check_exit(uow, truck.pick_up or [], Exit.GATE_OUT, f"truck {reference}", "pick_up")
        released = (
            {}
            if truck.delivery_order_reference is None
            else {b.container_number: b for b in gate.released_boxes(truck.delivery_order_reference)}
        )
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
            if number in released:
                released[number].truck_reference = reference
            taken.append(row.number)
        truck.status, truck.left_at = TruckVisitStatus.OUT.value, command_time()
        uow.session.flush()
        view = {"reference": reference, "plate": truck.plate, "status": TruckVisitStatus.OUT.value, "picked_up": taken}
        before = {"status": TruckVisitStatus.IN.value}
        subject_event(uow, EventType.TRUCK_OUT, "truck_visit", reference, actor, before, view, location="gate")
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def window(uow: UnitOfWork, scope: Scope, hour_start: datetime) -> dict[str, Any]:
    """An appointment window: capacity, bookings (a party sees only its own and those for its own boxes)."""
    check_window_start(hour_start)
    with uow:
        gate = uow.gate
        hour = gate.hour(hour_start)
        visible = []
        for appointment in gate.appointments_in(hour_start):
            own = appointment.party_code is not None and appointment.party_code == scope.party
            own = own or (
                appointment.container_number is not None
                and uow.containers.get_visible(appointment.container_number, scope) is not None
            )
            if scope.everything or own:
                visible.append(appointment_view(appointment))
        capacity = DEFAULT_APPOINTMENTS_PER_HOUR if hour is None else hour.capacity
        booked = 0 if hour is None else hour.booked
        return {
            "hour_start": hour_start.isoformat(),
            "capacity": capacity,
            "booked": booked,
            "free": capacity - booked,
            "appointments": visible,
        }
