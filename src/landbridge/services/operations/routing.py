"""Route fit in a command's transaction: a box leaves the way its booking says (``domain.routing``)."""

from __future__ import annotations

from landbridge.domain.routing import booked_mode, check_leaves_by, check_train_destination
from landbridge.domain.units import Direction, Mode
from landbridge.scenarios import current_scenario
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


def hub_locode() -> str:
    """The base's own UN/LOCODE (an import booked here leaves by the gate)."""
    return current_scenario().base.locode


def route_locodes() -> dict[str, str]:
    """Each rail route's destination UN/LOCODE."""
    return {route.code: route.locode for route in current_scenario().routes}


def rail_destinations() -> frozenset[str]:
    """UN/LOCODEs the base's rail routes serve."""
    return frozenset(route_locodes().values())


def check_route_fit(
    uow: UnitOfWork,
    row: tables.ContainerRow,
    leaving: Mode,
    train: tables.TrainVisitRow | None = None,
    field: str = "container",
) -> None:
    """Refuse a booked box going out another way, or on a westbound train to another destination."""
    if row.booking_reference is None:
        return
    consignment = uow.parties.consignment(row.booking_reference)
    if consignment is None:
        return
    destination = consignment.destination
    mode = booked_mode(destination, hub_locode(), rail_destinations())
    check_leaves_by(row.number, row.booking_reference, destination, mode, leaving, field)
    if train is not None and train.direction == Direction.WEST.value:
        check_train_destination(row.number, destination, train.reference, route_locodes().get(train.route_code), field)
