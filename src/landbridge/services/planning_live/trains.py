"""Train load planning on live data: the instance of a train at the base and a checked plan.

Rules for the train instance: the train's wagons that carry nothing yet, each with the slot layouts
its platform allows (a 40 ft rail slot holds one 40/45 ft box or two 20 ft boxes, as the rail load
service rules); containers either listed by the caller or, when none are listed, every yard box whose
booking's destination is the UN/LOCODE of the train's route; limits from the train type (axle load,
cargo mass less what is already on the train, length).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from landbridge.corridor.network import locodes
from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.iso_types import size_type
from landbridge.domain.rail import slot_layout_ft
from landbridge.planning.trains.entry import safe_check_train_data
from landbridge.planning.trains.problem import Container, Limits, TrainInstance, Wagon, instance_to_json
from landbridge.planning.trains.solve import solve_train
from landbridge.scenarios import current_scenario
from landbridge.services.operations import rail
from landbridge.services.planning_live.common import check_time_limit, solve_checked
from landbridge.services.planning_live.plans import PlannedWagon
from landbridge.services.planning_live.train_sequence import yard_sequence
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork


def wagon_patterns(platform_ft: int) -> dict[tuple[int, ...], tuple[int, ...]]:
    """Solver slot layouts of a platform, each with the rail slot (1-based) of every solver slot.

    A 40 ft rail slot takes one 40/45 ft box (solver slot "45", which accepts 40 and 45 ft boxes)
    or two 20 ft boxes (two solver "20" slots); a 20 ft rail slot takes one 20 ft box.
    """
    options: list[list[tuple[int, ...]]] = []
    for length in slot_layout_ft(platform_ft):
        options.append([(45,), (20, 20)] if length >= 40 else [(20,)])
    patterns: dict[tuple[int, ...], tuple[int, ...]] = {}
    for choice in itertools.product(*options):
        pattern = tuple(itertools.chain.from_iterable(choice))
        slots = tuple(itertools.chain.from_iterable([number] * len(part) for number, part in enumerate(choice, 1)))
        patterns[pattern] = slots
    return patterns


@dataclass(frozen=True)
class LiveTrainInstance:
    """A train instance whose ids are the live wagon and container numbers."""

    instance: TrainInstance
    train_reference: str
    platform_ft: dict[str, int]
    yard_slots: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The instance in the JSON format the independent checker reads."""
        return instance_to_json(self.instance)


def _yard_boxes_for_route(uow: UnitOfWork, route_code: str) -> list[str]:
    locode = locodes(current_scenario()).get(route_code)
    if locode is None:
        return []
    query = (
        select(tables.ContainerRow.number)
        .join(tables.ConsignmentRow, tables.ConsignmentRow.booking_reference == tables.ContainerRow.booking_reference)
        .where(
            tables.ContainerRow.position_kind == PositionKind.YARD.value,
            tables.ConsignmentRow.destination == locode,
        )
        .order_by(tables.ContainerRow.number)
    )
    return list(uow.session.scalars(query))


def build_train_instance(
    uow: UnitOfWork, *, train_reference: str, container_numbers: list[str] | None = None, field_name: str = ""
) -> LiveTrainInstance:
    """The load planning instance of a train at the base (rules in the module docstring)."""
    prefix = f"{field_name}." if field_name else ""
    rail_repo = uow.rail
    train = rail_repo.train(train_reference)
    if train is None:
        raise NotFound(f"{prefix}train_reference", f"no train visit {train_reference!r}")
    if train.status not in rail.AT_BASE:
        raise RuleViolation(f"{prefix}train_reference", f"train {train_reference} is {train.status}, not at the base")
    train_type = rail_repo.train_type(train.train_type_code or "")
    if train_type is None:
        raise RuleViolation(f"{prefix}train_reference", f"train {train_reference} has no train type")
    types = rail_repo.wagon_types()
    cells = rail_repo.cells_of_train(train_reference)
    busy = {wagon.id for _, wagon in cells}
    on_train = uow.containers.rows({cell.container_number for cell, _ in cells})
    already_kg = sum(rail.box_mass_kg(row) for row in on_train.values())
    wagons: list[Wagon] = []
    platforms: dict[str, int] = {}
    for wagon_row in rail_repo.wagons(train_reference):
        if wagon_row.id in busy:
            continue  # a partly loaded wagon is left as it is: the plan fills empty wagons only
        wagon_type = types[wagon_row.wagon_type_code]
        platforms[wagon_row.number] = wagon_type.platform_ft
        wagons.append(
            Wagon(
                wagon_row.number,
                wagon_type.length_m,
                wagon_type.tare_kg,
                wagon_type.payload_kg,
                wagon_type.axles,
                tuple(wagon_patterns(wagon_type.platform_ft)),
            )
        )
    if not wagons:
        raise RuleViolation(f"{prefix}train_reference", f"train {train_reference} has no empty wagon to plan")
    if container_numbers is None:
        numbers = _yard_boxes_for_route(uow, train.route_code)
        if not numbers:
            raise RuleViolation(
                "container_numbers", f"no yard container is booked to route {train.route_code}; list them"
            )
        where = ["container_numbers"] * len(numbers)
    else:
        numbers = list(container_numbers)
        where = [f"{prefix}container_numbers[{i}]" for i in range(len(numbers))]
        if not numbers:
            raise RuleViolation(f"{prefix}container_numbers", "no container to plan")
    rows = uow.containers.rows(set(numbers))
    slots = {
        slot.container_number: slot
        for slot in uow.session.scalars(
            select(tables.YardSlotRow).where(tables.YardSlotRow.container_number.in_(numbers))
        )
    }
    containers: list[Container] = []
    yard: dict[str, str] = {}
    seen: set[str] = set()
    for number, location in zip(numbers, where, strict=True):
        row = rows.get(number)
        if row is None:
            raise NotFound(location, f"no container {number!r}")
        if number in seen:
            raise RuleViolation(location, f"{number} is listed twice")
        seen.add(number)
        if row.position_kind != PositionKind.YARD.value:
            raise RuleViolation(location, f"{number} is {row.position_kind}, not in the yard")
        length = size_type(row.iso_type).length_ft
        if length not in (20, 40, 45):
            raise RuleViolation(location, f"{number} is {length} ft; trains carry 20, 40 and 45 ft boxes")
        slot = slots.get(number)
        stack = None if slot is None else f"{slot.block}-{slot.bay:02d}-{slot.row:02d}"
        if slot is not None:
            yard[number] = f"{stack}-{slot.tier}"
        containers.append(
            Container(number, length, rail.box_mass_kg(row), 1, stack, None if slot is None else slot.tier, None)
        )
    cargo = None if train_type.max_cargo_kg is None else max(0, train_type.max_cargo_kg - already_kg)
    limits = Limits(train_type.axle_load_kg, cargo, train_type.max_length_m)
    instance = TrainInstance(f"live-{train_reference}", "load", "teu", limits, tuple(wagons), tuple(containers))
    return LiveTrainInstance(instance, train_reference, platforms, yard)


def check_train_plan(live: LiveTrainInstance, plan: dict[str, Any]) -> list[str]:
    """The independent checker's violations of ``plan`` on the live instance (no file in between)."""
    return safe_check_train_data(live.as_json(), plan)


def train_assignments(live: LiveTrainInstance, wagons: list[PlannedWagon]) -> list[dict[str, Any]]:
    """Each loaded container with its wagon and rail slot (the load order is :func:`yard_sequence`'s)."""
    tiers = {c.container_id: c.yard_tier or 0 for c in live.instance.containers}
    lengths = {c.container_id: c.length_ft for c in live.instance.containers}
    result: list[dict[str, Any]] = []
    for index, row in enumerate(wagons):
        if row.pattern is None:
            continue
        number = row.wagon
        if number not in live.platform_ft:
            raise RuleViolation(f"plan.wagons[{index}].wagon", f"{number!r} is not an empty wagon of the train")
        mapping = wagon_patterns(live.platform_ft[number]).get(tuple(row.pattern))
        if mapping is None:
            raise RuleViolation(f"plan.wagons[{index}].pattern", f"not a layout of wagon {number}")
        for slot in row.slots:
            box = slot.container
            if box is None:
                continue
            if not slot.slot < len(mapping):
                raise RuleViolation(f"plan.wagons[{index}].slots", f"bad slot {slot.slot!r}")
            result.append(
                {
                    "container": box,
                    "wagon": number,
                    "slot": mapping[slot.slot],
                    "length_ft": lengths.get(box),
                    "yard_slot": live.yard_slots.get(box),
                }
            )
    result.sort(key=lambda a: (-tiers.get(a["container"], 0), a["wagon"], a["slot"]))
    return result


def plan_train(
    uow: UnitOfWork,
    *,
    train_reference: str,
    time_limit_s: float,
    seed: int = 1,
    container_numbers: list[str] | None = None,
) -> dict[str, Any]:
    """Solve the live train load instance and return the checked plan in live identifiers.

    ``relocations_needed`` and ``blockers`` say which boxes outside the plan stand on a box of it
    now, so the planner sees before applying how many yard moves applying will add (the apply
    recomputes them on the yard as it is then).
    """
    check_time_limit(time_limit_s)
    with uow:
        live = build_train_instance(uow, train_reference=train_reference, container_numbers=container_numbers)
    result = solve_checked(
        "train",
        lambda: solve_train(live.instance, time_limit_s, seed),
        lambda plan: check_train_plan(live, plan),
        time_limit_s,
    )
    solved = result.to_json()
    with uow:
        wagons = [PlannedWagon.model_validate(row) for row in solved["wagons"]]
        sequence = yard_sequence(uow, train_assignments(live, wagons))
    return {
        **solved,
        "kind": "train",
        "train_reference": train_reference,
        "container_numbers": [c.container_id for c in live.instance.containers],
        "assignments": sequence.loads,
        "relocations_needed": len(sequence.blockers),
        "blockers": sequence.blockers,
        "checked": True,
        "applied": False,
    }
