"""Rail: announce a train visit, load/unload containers on wagon slots, depart, border, gauge change, arrival.

Limits checked when loading (see docs/operations.md): the box fits the wagon slot (20 ft boxes
take a half of a 40 ft slot, 40/45 ft boxes a whole 40 ft slot), the wagon's payload, the mean
axle load against the train type's limit, and the train's cargo mass; the train's length
against its type and the track when announced. A train does not depart while any box on it has
an open customs hold. The train's row is locked while loading so two loads cannot both pass the
mass checks; the unique constraint on ``wagon_cells`` stops two boxes in one slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import Conflict, InvalidIdentifier, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.identifiers import Wagon1520Number, parse_wagon_number
from landbridge.domain.iso_types import size_type
from landbridge.domain.rail import TrainStatus
from landbridge.domain.units import Direction
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    container_event,
    container_view,
    execute,
    locked_container,
    peek_version,
    set_position,
    snapshot,
    subject_event,
)
from landbridge.services.operations.yard import put_in_yard, take_out_of_yard, yard_payload
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

# Tare of a box whose gross mass is unknown (assumed, typical steel dry boxes), so limits still bind.
ASSUMED_TARE_KG = {20: 2_300, 40: 3_800, 45: 4_800}
AT_BASE = (TrainStatus.ANNOUNCED.value, TrainStatus.LOADING.value)


@dataclass(frozen=True)
class WagonSpec:
    """One wagon of an announced train: its number and seeded wagon type."""

    number: str
    wagon_type: str


def box_mass_kg(row: tables.ContainerRow) -> int:
    """Gross mass, or the assumed tare when none was declared."""
    if row.gross_mass_kg is not None:
        return row.gross_mass_kg
    return ASSUMED_TARE_KG[size_type(row.iso_type).length_ft]


def slot_layout_ft(platform_ft: int) -> tuple[int, ...]:
    """Slot lengths of a platform (as ``WagonType.slot_layout_ft``)."""
    return {40: (40,), 60: (40, 20), 80: (40, 40)}.get(platform_ft, (platform_ft,))


def train_view(uow: UnitOfWork, row: tables.TrainVisitRow) -> dict[str, Any]:
    """The JSON answer describing a train visit with its wagons and what they carry."""
    rail = uow.rail
    loads: dict[int, list[dict[str, Any]]] = {}
    for cell, wagon in rail.cells_of_train(row.reference):
        entry = {"slot": cell.slot, "half": cell.half, "container": cell.container_number}
        loads.setdefault(wagon.id, []).append(entry)
    return {
        "reference": row.reference,
        "direction": row.direction,
        "route_code": row.route_code,
        "gauge_mm": row.gauge_mm,
        "train_type_code": row.train_type_code,
        "track_code": row.track_code,
        "status": row.status,
        "wagons": [
            {
                "number": w.number,
                "wagon_type": w.wagon_type_code,
                "position": w.position_in_train,
                "loads": sorted(loads.get(w.id, []), key=lambda e: (e["slot"], e["half"])),
            }
            for w in rail.wagons(row.reference)
        ],
    }


def _train(
    uow: UnitOfWork, reference: str, field: str = "train", statuses: tuple[str, ...] = ()
) -> tables.TrainVisitRow:
    row = uow.rail.train(reference, lock=True)
    if row is None:
        raise NotFound(field, f"no train visit {reference!r}")
    if statuses and row.status not in statuses:
        raise RuleViolation("status", f"train {reference} is {row.status}; this needs {' or '.join(statuses)}")
    return row


def announce_train(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    direction: Direction,
    route_code: str,
    gauge_mm: int,
    train_type_code: str,
    wagons: list[WagonSpec],
    track_code: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Announce a train visit with its wagon list (UIC numbers on 1435 mm, 8-digit numbers on 1520 mm)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        rail = uow.rail
        if rail.train(reference) is not None:
            raise Conflict("reference", f"train visit {reference} already exists")
        if rail.route(route_code) is None:
            raise NotFound("route_code", f"no route {route_code!r}")
        train_type = rail.train_type(train_type_code)
        if train_type is None:
            raise NotFound("train_type_code", f"no train type {train_type_code!r}")
        if train_type.gauge_mm != gauge_mm:
            raise RuleViolation(
                "train_type_code", f"{train_type_code} runs on {train_type.gauge_mm} mm, not {gauge_mm}"
            )
        if not 1 <= len(wagons) <= train_type.wagons:
            raise RuleViolation(
                "wagons", f"a {train_type_code} train has 1-{train_type.wagons} wagons, got {len(wagons)}"
            )
        types = rail.wagon_types()
        numbers: set[str] = set()
        length_m = 0.0
        for index, spec in enumerate(wagons):
            field = f"wagons[{index}]"
            try:
                number = parse_wagon_number(spec.number)
            except InvalidIdentifier as error:
                raise InvalidIdentifier(f"{field}.number", error.reason) from None
            if isinstance(number, Wagon1520Number) != (gauge_mm == 1520):
                raise RuleViolation(
                    f"{field}.number",
                    f"{gauge_mm} mm wagons carry {'8-digit' if gauge_mm == 1520 else 'UIC 12-digit'} numbers",
                )
            if number in numbers:
                raise RuleViolation(f"{field}.number", f"wagon {number} is listed twice")
            numbers.add(number)
            wagon_type = types.get(spec.wagon_type)
            if wagon_type is None:
                raise NotFound(f"{field}.wagon_type", f"no wagon type {spec.wagon_type!r}")
            if wagon_type.gauge_mm != gauge_mm:
                raise RuleViolation(f"{field}.wagon_type", f"{spec.wagon_type} is a {wagon_type.gauge_mm} mm wagon")
            length_m += wagon_type.length_m
        if length_m > train_type.max_length_m:
            raise RuleViolation("wagons", f"train length {length_m:.1f} m exceeds {train_type.max_length_m:g} m")
        if track_code is not None:
            track = rail.track(track_code)
            if track is None:
                raise NotFound("track_code", f"no track {track_code!r}")
            if track.gauge_mm != gauge_mm:
                raise RuleViolation("track_code", f"track {track_code} is {track.gauge_mm} mm")
            if length_m > track.length_m:
                raise RuleViolation("track_code", f"train length {length_m:.1f} m exceeds track {track.length_m:g} m")
            other = rail.track_in_use(track_code, reference)
            if other is not None:
                raise Conflict("track_code", f"track {track_code} is taken by train {other}")
        row = tables.TrainVisitRow(
            reference=reference,
            direction=direction.value,
            route_code=route_code,
            gauge_mm=gauge_mm,
            track_code=track_code,
            status=TrainStatus.ANNOUNCED.value,
            version=1,
            train_type_code=train_type_code,
        )
        rail.add(row)
        for position, spec in enumerate(wagons, start=1):
            rail.add(
                tables.WagonRow(
                    number=str(parse_wagon_number(spec.number)),
                    train_reference=reference,
                    wagon_type_code=spec.wagon_type,
                    position_in_train=position,
                )
            )
        view = train_view(uow, row)
        subject_event(
            uow,
            EventType.TRAIN_ANNOUNCED,
            "train_visit",
            reference,
            actor,
            None,
            {**view, "length_m": round(length_m, 1)},
            location=track_code,
        )
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency)


def _place_on_wagon(
    uow: UnitOfWork, train: tables.TrainVisitRow, row: tables.ContainerRow, wagon_number: str, slot: int
) -> dict[str, Any]:
    """Check every rail limit and fill the wagon cells; returns the replay payload."""
    rail = uow.rail
    wagon = next(
        (w for w in rail.wagons(train.reference) if w.number == wagon_number.replace(" ", "").replace("-", "")), None
    )
    if wagon is None:
        raise NotFound("wagon_number", f"no wagon {wagon_number} in train {train.reference}")
    wagon_type = rail.wagon_types()[wagon.wagon_type_code]
    layout = slot_layout_ft(wagon_type.platform_ft)
    if not 1 <= slot <= len(layout):
        raise RuleViolation("slot", f"wagon {wagon.number} ({wagon_type.code}) has slots 1-{len(layout)}")
    slot_ft = layout[slot - 1]
    length_ft = size_type(row.iso_type).length_ft
    cells = rail.cells_of_train(train.reference)
    taken = {c.half for c, w in cells if w.id == wagon.id and c.slot == slot}
    if length_ft >= 40:
        if slot_ft < 40:
            raise RuleViolation("slot", f"a {length_ft} ft box does not fit the {slot_ft} ft slot {slot}")
        halves = [1, 2]
    else:
        free = [h for h in ((1, 2) if slot_ft >= 40 else (1,)) if h not in taken]
        halves = free[:1] or [1]
    if taken & set(halves):
        raise Conflict("slot", f"slot {slot} of wagon {wagon.number} is taken")
    train_type = rail.train_type(train.train_type_code or "")
    mass = box_mass_kg(row)
    loaded = uow.containers.rows({c.container_number for c, _ in cells})
    on_wagon = sum(box_mass_kg(loaded[n]) for n in {c.container_number for c, w in cells if w.id == wagon.id})
    if on_wagon + mass > wagon_type.payload_kg:
        raise RuleViolation(
            "wagon_number", f"wagon {wagon.number} payload {wagon_type.payload_kg} kg exceeded ({on_wagon} + {mass} kg)"
        )
    if train_type is not None:
        axle_kg = (wagon_type.tare_kg + on_wagon + mass) / wagon_type.axles
        if axle_kg > train_type.axle_load_kg:
            raise RuleViolation(
                "wagon_number",
                f"axle load {axle_kg:.0f} kg exceeds {train_type.axle_load_kg} kg on wagon {wagon.number}",
            )
        train_cargo = sum(box_mass_kg(r) for r in loaded.values()) + mass
        if train_type.max_cargo_kg is not None and train_cargo > train_type.max_cargo_kg:
            raise RuleViolation("train", f"train cargo {train_cargo} kg exceeds {train_type.max_cargo_kg} kg")
    rail.occupy(row.number, wagon.id, slot, halves)
    set_position(row, PositionKind.WAGON, f"{train.reference}/{wagon.number}/{slot}")
    return {
        "train": train.reference,
        "wagon": wagon.number,
        "wagon_slot": slot,
        "wagon_cells": [[train.reference, wagon.number, slot, h] for h in halves],
    }


def load_on_wagon(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    container: str,
    wagon_number: str,
    slot: int,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Load a container from the yard (or a truck) onto a wagon slot of a train at the base."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _train(uow, train, statuses=AT_BASE)
        if row.position_kind not in (PositionKind.YARD.value, PositionKind.TRUCK.value):
            raise RuleViolation("container", f"{row.number} is {row.position_kind}; only yard or truck boxes load")
        before = snapshot(row)
        take_out_of_yard(uow, row)
        payload = _place_on_wagon(uow, visit, row, wagon_number, slot)
        visit.status = TrainStatus.LOADING.value
        container_event(uow, EventType.CONTAINER_LOADED_WAGON, row, actor, before, payload, location=visit.track_code)
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency)


def unload_from_wagon(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    container: str,
    slot: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Unload a container from a train at the base into the yard (slot proposed when not given)."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _train(uow, train, statuses=AT_BASE)
        if row.position_kind != PositionKind.WAGON.value or not (row.position_reference or "").startswith(f"{train}/"):
            raise Conflict("container", f"{row.number} is not on train {train}")
        before = snapshot(row)
        uow.rail.vacate(row.number)
        placed = put_in_yard(uow, row, slot)
        container_event(
            uow,
            EventType.CONTAINER_UNLOADED_WAGON,
            row,
            actor,
            before,
            {**yard_payload(placed, row), "train": visit.reference},
            location=str(placed),
        )
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency)


def _containers_on(uow: UnitOfWork, train: str) -> list[tables.ContainerRow]:
    numbers = {c.container_number for c, _ in uow.rail.cells_of_train(train)}
    rows = uow.containers.rows(numbers)
    return [rows[n] for n in sorted(rows)]


def _train_transition(
    uow: UnitOfWork,
    actor: Actor,
    train: str,
    statuses: tuple[str, ...],
    new_status: TrainStatus,
    event_type: EventType,
    location: str | None,
) -> dict[str, Any]:
    visit = _train(uow, train, statuses=statuses)
    before = {"status": visit.status}
    visit.status = new_status.value
    for row in _containers_on(uow, train):
        container_event(uow, event_type, row, actor, snapshot(row), {"train": train}, location=location)
    uow.session.flush()
    view = train_view(uow, visit)
    subject_event(uow, event_type, "train_visit", train, actor, before, {"status": visit.status}, location=location)
    return view


def depart_train(uow: UnitOfWork, actor: Actor, *, train: str, idempotency: IdempotencyKey | None = None) -> Outcome:
    """The train leaves (the base, or the border station it was formed at); refused while a hold is open."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _train(uow, train, statuses=AT_BASE)
        held = uow.customs.open_on(r.number for r in _containers_on(uow, train))
        if held:
            names = ", ".join(sorted({h.container_number for h in held}))
            raise RuleViolation("customs", f"train {train} cannot depart: open customs hold on {names}")
        location = visit.track_code
        visit.track_code = None  # the track is free for the next train
        return _train_transition(uow, actor, train, AT_BASE, TrainStatus.DEPARTED, EventType.TRAIN_DEPARTED, location)

    return execute(uow, actor, work, idempotency=idempotency)


def arrive_at_border(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    crossing_code: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Record a departed train's arrival at its route's border crossing."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _train(uow, train, statuses=(TrainStatus.DEPARTED.value,))
        route = uow.rail.route(visit.route_code)
        assert route is not None
        crossing = crossing_code or route.crossing_code
        if crossing != route.crossing_code:
            raise RuleViolation("crossing_code", f"route {route.code} crosses at {route.crossing_code}, not {crossing}")
        return _train_transition(
            uow, actor, train, (TrainStatus.DEPARTED.value,), TrainStatus.AT_BORDER, EventType.TRAIN_AT_BORDER, crossing
        )

    return execute(uow, actor, work, idempotency=idempotency)


def gauge_transfer(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    container: str,
    to_train: str,
    wagon_number: str,
    slot: int,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Transship a container at the border from a 1435 mm wagon to a 1520 mm wagon (every load limit checked)."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        first, second = sorted((train, to_train))  # lock both trains in a fixed order
        _train(uow, first), _train(uow, second)
        source = _train(uow, train, statuses=(TrainStatus.AT_BORDER.value, TrainStatus.GAUGE_CHANGED.value))
        target = _train(uow, to_train, "to_train", statuses=AT_BASE)
        if (source.gauge_mm, target.gauge_mm) != (1435, 1520):
            raise RuleViolation(
                "to_train", f"gauge change goes 1435 → 1520 mm, not {source.gauge_mm} → {target.gauge_mm}"
            )
        if row.position_kind != PositionKind.WAGON.value or not (row.position_reference or "").startswith(f"{train}/"):
            raise Conflict("container", f"{row.number} is not on train {train}")
        before = snapshot(row)
        uow.rail.vacate(row.number)
        payload = _place_on_wagon(uow, target, row, wagon_number, slot)
        source.status = TrainStatus.GAUGE_CHANGED.value
        target.status = TrainStatus.LOADING.value
        route = uow.rail.route(source.route_code)
        location = None if route is None else route.crossing_code
        container_event(
            uow,
            EventType.CONTAINER_GAUGE_TRANSFER,
            row,
            actor,
            before,
            {**payload, "from_train": train},
            location=location,
        )
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency)


def arrive_at_destination(
    uow: UnitOfWork, actor: Actor, *, train: str, idempotency: IdempotencyKey | None = None
) -> Outcome:
    """The train reaches its route's destination: its boxes are delivered and leave the wagons."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        statuses = (TrainStatus.DEPARTED.value, TrainStatus.AT_BORDER.value)
        visit = _train(uow, train, statuses=statuses)
        route = uow.rail.route(visit.route_code)
        destination = visit.route_code if route is None else route.destination
        before = {"status": visit.status}
        visit.status = TrainStatus.ARRIVED.value
        rail = uow.rail
        for row in _containers_on(uow, train):
            prior = snapshot(row)
            rail.vacate(row.number)
            set_position(row, PositionKind.DELIVERED, destination)
            container_event(uow, EventType.TRAIN_ARRIVED, row, actor, prior, {"train": train}, location=destination)
        uow.session.flush()
        subject_event(
            uow,
            EventType.TRAIN_ARRIVED,
            "train_visit",
            train,
            actor,
            before,
            {"status": visit.status},
            location=destination,
        )
        return train_view(uow, visit)

    return execute(uow, actor, work, idempotency=idempotency)
