"""Gate control: appointment windows with a tolerance, the booking horizon and quota, delivery orders.

A truck is let in when it comes inside its appointment's window (give or take the scenario's early
and late minutes) with the plate it booked; a pick-up needs a delivery order naming the box, valid
at the arrival, quoted with its PIN; a drop-off needs a booking. The gate clerk may let a truck in
against the window or appointment rules with a reason (an audited override); never against a
release or a booking.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from landbridge.domain.errors import RuleViolation

WINDOW = timedelta(hours=1)  # appointment windows are the hour from hour_start


class AppointmentStatus(StrEnum):
    """A truck appointment: booked (holds a place in its window), used (the truck came in on it) or cancelled."""

    BOOKED = "booked"
    USED = "used"
    CANCELLED = "cancelled"


class DeliveryOrderStatus(StrEnum):
    """A delivery order: open (it releases its boxes) or cancelled (withdrawn; boxes taken stay delivered)."""

    OPEN = "open"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class GateRules:
    """The scenario's gate figures (``base.gate``): tolerance, booking horizon and per-party quota."""

    early_min: int = 30
    late_min: int = 30
    horizon_days: int = 7
    quota_per_party_per_day: int = 40


def hour_of(moment: datetime) -> datetime:
    """The start of the appointment window a moment falls in."""
    return moment.replace(minute=0, second=0, microsecond=0)


def check_window_start(hour_start: datetime, field: str = "hour_start") -> None:
    """Appointment windows start on the hour."""
    if hour_of(hour_start) != hour_start:
        raise RuleViolation(field, "appointment windows start on the hour")


def check_bookable(hour_start: datetime, now: datetime, rules: GateRules, field: str = "hour_start") -> None:
    """A window may be booked from now (the current hour included) up to the booking horizon."""
    if hour_start + WINDOW <= now:
        raise RuleViolation(field, f"the {hour_start.isoformat()} window is over")
    if hour_start > now + timedelta(days=rules.horizon_days):
        raise RuleViolation(field, f"windows can be booked at most {rules.horizon_days} days ahead")


def check_quota(booked_that_day: int, rules: GateRules, party: str, field: str = "hour_start") -> None:
    """A party holds at most ``quota_per_party_per_day`` booked appointments per day."""
    if booked_that_day >= rules.quota_per_party_per_day:
        raise RuleViolation(
            field,
            f"{party} already holds {booked_that_day} appointments that day (quota {rules.quota_per_party_per_day})",
        )


def window_problem(arrival: datetime, hour_start: datetime, rules: GateRules) -> str | None:
    """Why a truck arriving at ``arrival`` is outside its window ± tolerance, or None when it is inside."""
    opens = hour_start - timedelta(minutes=rules.early_min)
    closes = hour_start + WINDOW + timedelta(minutes=rules.late_min)
    if arrival < opens:
        minutes = int((opens - arrival).total_seconds() // 60)
        return f"{minutes} min before its window opens ({hour_start:%H:%M} less {rules.early_min} min tolerance)"
    if arrival > closes:
        minutes = int((arrival - closes).total_seconds() // 60)
        return f"{minutes} min after its window closed ({hour_start:%H:%M} + 1 h + {rules.late_min} min tolerance)"
    return None


def pin_digest(pin: str) -> str:
    """How a delivery order's PIN is stored: its SHA-256, never the PIN."""
    return hashlib.sha256(pin.encode()).hexdigest()


@dataclass(frozen=True)
class DeliveryOrder:
    """A release of import boxes to a trucker: for given boxes, valid from/to, quoted with a PIN."""

    reference: str
    containers: frozenset[str]
    valid_from: datetime
    valid_to: datetime
    pin_sha256: str
    status: DeliveryOrderStatus

    def check_release(self, pin: str | None, containers: Iterable[str], at: datetime) -> None:
        """Refuse a pick-up the order does not cover (422 naming pin, pick_up or delivery_order)."""
        if self.status is not DeliveryOrderStatus.OPEN:
            raise RuleViolation("delivery_order", f"delivery order {self.reference} is {self.status}")
        if pin is None or not hmac.compare_digest(pin_digest(pin), self.pin_sha256):
            raise RuleViolation("pin", f"the PIN does not match delivery order {self.reference}")
        if not self.valid_from <= at <= self.valid_to:
            raise RuleViolation(
                "delivery_order",
                f"delivery order {self.reference} is valid "
                f"{self.valid_from.isoformat()} to {self.valid_to.isoformat()}",
            )
        for index, number in enumerate(containers):
            if number not in self.containers:
                raise RuleViolation(f"pick_up[{index}]", f"{number} is not released by delivery order {self.reference}")


def check_validity(valid_from: datetime, valid_to: datetime) -> None:
    """A delivery order's validity is a non-empty period."""
    if valid_to <= valid_from:
        raise RuleViolation("valid_to", "must be after valid_from")
