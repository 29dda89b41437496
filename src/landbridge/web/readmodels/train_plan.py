"""A train load plan as the planner reviews it: wagon by wagon, which box in which rail slot, its mass and destination.

The plan is what ``services.planning_live.plan_train`` returned (checked by the independent checker);
this read model only adds what a person needs to judge it — each box's gross mass (or assumed tare),
its booking's destination and the yard slot it comes from, each wagon's cargo against its payload,
and the boxes offered that the plan leaves on the ground.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.corridor.network import locodes
from landbridge.domain.containers import mass_or_tare_kg
from landbridge.scenarios import current_scenario
from landbridge.store import tables


@dataclass(frozen=True)
class PlannedBox:
    """One box of the plan: where it goes, in which order it is loaded, and what the planner checks."""

    order: int
    container: str
    slot: int
    length_ft: int | None
    mass_kg: int
    destination: str | None
    yard_slot: str | None


@dataclass
class PlannedWagonView:
    """One wagon of the train with the boxes the plan puts on it."""

    number: str
    wagon_type: str
    payload_kg: int
    boxes: list[PlannedBox] = field(default_factory=list)

    @property
    def cargo_kg(self) -> int:
        """What the plan loads on this wagon."""
        return sum(box.mass_kg for box in self.boxes)


@dataclass(frozen=True)
class TrainPlanView:
    """The whole plan for review."""

    train_reference: str
    route_code: str
    destination: str | None  # the route's destination (a place name, translated when shown)
    route_locode: str | None  # the UN/LOCODE a box booked to this train's destination carries
    wagons: list[PlannedWagonView]
    left_out: list[PlannedBox]
    blockers: list[dict[str, Any]]

    @property
    def boxes(self) -> int:
        """Boxes the plan loads."""
        return sum(len(w.boxes) for w in self.wagons)

    @property
    def cargo_kg(self) -> int:
        """Cargo the plan loads."""
        return sum(w.cargo_kg for w in self.wagons)


def _destinations(session: Session, rows: list[tables.ContainerRow]) -> dict[str, str]:
    bookings = {row.booking_reference for row in rows if row.booking_reference}
    if not bookings:
        return {}
    found = session.execute(
        select(tables.ConsignmentRow.booking_reference, tables.ConsignmentRow.destination).where(
            tables.ConsignmentRow.booking_reference.in_(bookings)
        )
    )
    return {str(booking): str(destination) for booking, destination in found if destination}


def train_plan_view(session: Session, plan: dict[str, Any]) -> TrainPlanView:
    """The plan wagon by wagon (wagons in train order), with mass and destination per box."""
    reference = str(plan.get("train_reference", ""))
    assignments = [a for a in plan.get("assignments", []) if isinstance(a, dict)]
    offered = [str(n) for n in plan.get("container_numbers", [])]
    rows = list(session.scalars(select(tables.ContainerRow).where(tables.ContainerRow.number.in_(offered))))
    by_number = {row.number: row for row in rows}
    booking_destination = _destinations(session, rows)

    def box(order: int, number: str, slot: int, length_ft: Any, yard_slot: Any) -> PlannedBox:
        row = by_number.get(number)
        mass = mass_or_tare_kg(row.gross_mass_kg, row.iso_type) if row is not None else 0
        destination = booking_destination.get(row.booking_reference or "") if row is not None else None
        return PlannedBox(
            order, number, slot, length_ft, mass, destination, None if yard_slot is None else str(yard_slot)
        )

    placed: dict[str, list[PlannedBox]] = defaultdict(list)
    for order, assignment in enumerate(assignments, start=1):
        number = str(assignment.get("container"))
        placed[str(assignment.get("wagon"))].append(
            box(
                order,
                number,
                int(assignment.get("slot") or 0),
                assignment.get("length_ft"),
                assignment.get("yard_slot"),
            )
        )
    train = session.get(tables.TrainVisitRow, reference) if reference else None
    types = {t.code: t for t in session.scalars(select(tables.WagonTypeRow))}
    wagons: list[PlannedWagonView] = []
    for wagon in session.scalars(
        select(tables.WagonRow)
        .where(tables.WagonRow.train_reference == reference)
        .order_by(tables.WagonRow.position_in_train)
    ):
        kind = types.get(wagon.wagon_type_code)
        boxes = sorted(placed.pop(wagon.number, []), key=lambda b: b.slot)
        wagons.append(PlannedWagonView(wagon.number, wagon.wagon_type_code, kind.payload_kg if kind else 0, boxes))
    for number, boxes in placed.items():  # a wagon no longer on the train: shown, so applying it is refused visibly
        wagons.append(PlannedWagonView(number, "?", 0, boxes))
    planned = {a.get("container") for a in assignments}
    left_out = [box(0, number, 0, None, None) for number in offered if number not in planned]
    route_code = train.route_code if train is not None else ""
    scenario = current_scenario()
    route = next((r for r in scenario.routes if r.code == route_code), None)
    return TrainPlanView(
        reference,
        route_code,
        route.destination if route is not None else None,
        locodes(scenario).get(route_code),
        wagons,
        left_out,
        [b for b in plan.get("blockers", []) if isinstance(b, dict)],
    )
