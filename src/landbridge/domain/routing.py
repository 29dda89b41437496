"""Route fit: a box leaves the base the way its booking says — by rail, by ship, or by the gate.

The booking's destination decides: a destination served by one of the base's rail routes means the
box leaves by rail (and on a train to that destination); the base itself means an import collected
at the gate; anything else means a ship.
"""

from __future__ import annotations

from collections.abc import Set

from landbridge.domain.errors import RuleViolation
from landbridge.domain.units import Mode


def booked_mode(destination: str, hub: str, rail_destinations: Set[str]) -> Mode:
    """How a box booked to ``destination`` leaves the base."""
    if destination == hub:
        return Mode.TRUCK
    if destination in rail_destinations:
        return Mode.RAIL
    return Mode.VESSEL


_WAY = {Mode.TRUCK: "by the gate", Mode.RAIL: "by rail", Mode.VESSEL: "by ship"}


def check_leaves_by(
    container: str, booking: str, destination: str, booked: Mode, leaving: Mode, field: str = "container"
) -> None:
    """Refuse a box going out another way than its booking (422 naming ``field``)."""
    if booked is not leaving:
        raise RuleViolation(
            field,
            f"{container} is booked ({booking}) to {destination}, which it reaches {_WAY[booked]}, "
            f"not {_WAY[leaving]}; correct the booking first",
        )


def check_train_destination(
    container: str, destination: str, train: str, train_destination: str | None, field: str = "container"
) -> None:
    """Refuse a box on a train to another destination than its booking's (when the route's LOCODE is known)."""
    if train_destination is not None and destination != train_destination:
        raise RuleViolation(field, f"{container} is booked to {destination}; train {train} goes to {train_destination}")
