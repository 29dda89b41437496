"""Rail: announce a train visit, load/unload containers on wagon slots, depart, border, gauge change, arrival.

Limits checked when loading (see docs/operations.md): the box fits the wagon slot (20 ft boxes
take a half of a 40 ft slot, 40/45 ft boxes a whole 40 ft slot), the wagon's payload, the mean
axle load against the train type's limit, and the train's cargo mass; the train's length
against its type and the track when announced. A train does not depart while any box on it has
an open hold, and a box whose hold kind blocks rail loads (``domain.holds``) is not loaded. The
train's row is locked while loading so two loads cannot both pass the mass checks; the unique
constraint on ``wagon_cells`` stops two boxes in one slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind, mass_or_tare_kg
from landbridge.domain.errors import Conflict, DomainError, InvalidIdentifier, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.holds import Exit
from landbridge.domain.identifiers import Wagon1520Number, parse_wagon_number
from landbridge.domain.iso_types import size_type
from landbridge.domain.manifests import ListKind, VisitKind
from landbridge.domain.rail import (
    TrainKind,
    TrainLimits,
    TrainStatus,
    WagonTrip,
    WagonType,
    check_cancellable,
    check_receivable,
    check_releasable,
    check_returnable,
    check_wagon_mass,
    slot_halves,
    turnaround,
    unloads_at_base,
)
from landbridge.domain.units import Direction, Gauge, Mode
from landbridge.services import preconditions
from landbridge.services.containers import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import (
    container_event,
    container_events,
    container_view,
    execute,
    locked_container,
    peek_version,
    set_position,
    snapshot,
    subject_event,
)
from landbridge.services.operations.holds import check_exit
from landbridge.services.operations.manifests import check_listed
from landbridge.services.operations.routing import check_route_fit, hub_locode
from landbridge.services.operations.yard import put_in_yard, take_out_of_yard, yard_payload
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

AT_BASE = (TrainStatus.ANNOUNCED.value, TrainStatus.LOADING.value)
# Where a box may come from when it arrives on a train: not yet at the base, or back after leaving it.
OUTSIDE_THE_HUB = (PositionKind.ANNOUNCED.value, PositionKind.DEPARTED.value, PositionKind.DELIVERED.value)


@dataclass(frozen=True)
class WagonSpec:
    """One wagon of an announced train: its number and seeded wagon type."""

    number: str
    wagon_type: str


@dataclass(frozen=True)
class ArrivingBox:
    """A box on an arriving train and where it stands, from the wagon list (SMGS note): wagon and slot."""

    container: str
    wagon_number: str
    slot: int = 1


def box_mass_kg(row: tables.ContainerRow) -> int:
    """Gross mass, or the assumed tare when none was declared."""
    return mass_or_tare_kg(row.gross_mass_kg, row.iso_type)


def wagon_type_of(row: tables.WagonTypeRow) -> WagonType:
    """The domain wagon type of a seeded row (its slot layout and axle load are the domain's)."""
    return WagonType(
        row.code, Gauge(str(row.gauge_mm)), row.platform_ft, row.length_m, row.tare_kg, row.payload_kg, row.axles
    )


def train_view(uow: UnitOfWork, row: tables.TrainVisitRow) -> dict[str, Any]:
    """The JSON answer describing a train visit with its wagons and what they carry."""
    return train_views(uow, [row])[0]


def train_views(uow: UnitOfWork, rows: list[tables.TrainVisitRow]) -> list[dict[str, Any]]:
    """:func:`train_view` for a page of trains, with two queries for all their wagons and loads."""
    wagons = uow.rail.wagon_loads_of_trains([row.reference for row in rows])
    return [
        {
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
                    "loads": [{"slot": slot, "half": half, "container": box} for slot, half, box in w.cells],
                }
                for w in wagons[row.reference]
            ],
        }
        for row in rows
    ]


def checked_wagons(
    types: dict[str, tables.WagonTypeRow],
    wagons: list[WagonSpec],
    gauge_mm: int,
    field: str,
    taken: frozenset[str] = frozenset(),
) -> float:
    """Check a wagon list for a train of ``gauge_mm`` (422 naming ``field[i].number`` / ``.wagon_type``):
    numbers of the gauge's kind, each once and none of ``taken``, seeded types of the gauge. Returns
    the wagons' length in metres."""
    numbers: set[str] = set(taken)
    length_m = 0.0
    for index, spec in enumerate(wagons):
        where = f"{field}[{index}]"
        try:
            number = parse_wagon_number(spec.number)
        except InvalidIdentifier as error:
            raise InvalidIdentifier(f"{where}.number", error.reason) from None
        if isinstance(number, Wagon1520Number) != (gauge_mm == 1520):
            raise RuleViolation(
                f"{where}.number",
                f"{gauge_mm} mm wagons carry {'8-digit' if gauge_mm == 1520 else 'UIC 12-digit'} numbers",
            )
        if number in numbers:
            what = "is already in the train" if number in taken else "is listed twice"
            raise RuleViolation(f"{where}.number", f"wagon {number} {what}")
        numbers.add(number)
        wagon_type = types.get(spec.wagon_type)
        if wagon_type is None:
            raise NotFound(f"{where}.wagon_type", f"no wagon type {spec.wagon_type!r}")
        if wagon_type.gauge_mm != gauge_mm:
            raise RuleViolation(f"{where}.wagon_type", f"{spec.wagon_type} is a {wagon_type.gauge_mm} mm wagon")
        length_m += wagon_type.length_m
    return length_m


def check_train_length(
    uow: UnitOfWork, train_type: tables.TrainTypeRow, track_code: str | None, length_m: float, field: str
) -> None:
    """The train fits its type's maximum length and its track (422 at ``field``)."""
    if length_m > train_type.max_length_m:
        raise RuleViolation(field, f"train length {length_m:.1f} m exceeds {train_type.max_length_m:g} m")
    track = None if track_code is None else uow.rail.track(track_code)
    if track is not None and length_m > track.length_m:
        raise RuleViolation(field, f"train length {length_m:.1f} m exceeds track {track.length_m:g} m")


def _train(
    uow: UnitOfWork, reference: str, field: str = "train", statuses: tuple[str, ...] = ()
) -> tables.TrainVisitRow:
    row = uow.rail.train(reference, lock=True)
    if row is None:
        raise NotFound(field, f"no train visit {reference!r}")
    preconditions.check("train", row.reference, lambda: preconditions.train_etag(uow, row))
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
    occurred_at: datetime | None = None,
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
        length_m = checked_wagons(rail.wagon_types(), wagons, gauge_mm, "wagons")
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

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def _place_on_wagon(
    uow: UnitOfWork,
    train: tables.TrainVisitRow,
    row: tables.ContainerRow,
    wagon_number: str,
    slot: int,
    *,
    line_limits: bool = True,
) -> dict[str, Any]:
    """Check every rail limit and fill the wagon cells; returns the replay payload.

    Without ``line_limits`` only what the wagon itself allows is checked (its slots, free cells and
    payload), not the train type's axle load and cargo mass: a train that has arrived is a fact.
    """
    rail = uow.rail
    wagon = next(
        (w for w in rail.wagons(train.reference) if w.number == wagon_number.replace(" ", "").replace("-", "")), None
    )
    if wagon is None:
        raise NotFound("wagon_number", f"no wagon {wagon_number} in train {train.reference}")
    wagon_type = wagon_type_of(rail.wagon_types()[wagon.wagon_type_code])
    cells = rail.cells_of_train(train.reference)
    taken = {c.half for c, w in cells if w.id == wagon.id and c.slot == slot}
    halves = slot_halves(wagon.number, wagon_type, slot, size_type(row.iso_type).length_ft, taken)
    train_type = rail.train_type(train.train_type_code or "") if line_limits else None
    limits = None if train_type is None else TrainLimits(train_type.axle_load_kg, train_type.max_cargo_kg)
    loaded = uow.containers.rows({c.container_number for c, _ in cells})
    on_wagon = sum(box_mass_kg(loaded[n]) for n in {c.container_number for c, w in cells if w.id == wagon.id})
    train_cargo = sum(box_mass_kg(r) for r in loaded.values())
    check_wagon_mass(wagon.number, wagon_type, on_wagon, box_mass_kg(row), limits, train_cargo)
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
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Load a container from the yard (or a truck) onto a wagon slot of a train at the base."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _train(uow, train, statuses=AT_BASE)
        if row.position_kind not in (PositionKind.YARD.value, PositionKind.TRUCK.value):
            raise RuleViolation("container", f"{row.number} is {row.position_kind}; only yard or truck boxes load")
        check_listed(uow, VisitKind.TRAIN, train, ListKind.LOAD, row.number)
        check_exit(uow, [row.number], Exit.RAIL_LOAD, row.number)
        check_route_fit(uow, row, Mode.RAIL, visit)
        before = snapshot(row)
        take_out_of_yard(uow, row)
        payload = _place_on_wagon(uow, visit, row, wagon_number, slot)
        visit.status = TrainStatus.LOADING.value
        container_event(uow, EventType.CONTAINER_LOADED_WAGON, row, actor, before, payload, location=visit.track_code)
        return container_view(row)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def unload_from_wagon(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    container: str,
    slot: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Unload a container from a train at the base into the yard (slot proposed when not given)."""

    seen = peek_version(uow, container)

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = locked_container(uow, container, seen_version=seen)
        visit = _train(uow, train, statuses=(*AT_BASE, TrainStatus.ARRIVED.value))
        if not unloads_at_base(visit.status, visit.direction, visit.kind):
            raise RuleViolation("status", f"train {train} arrived at its destination, not at the base")
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

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


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
    container_events(uow, event_type, _containers_on(uow, train), actor, {"train": train}, location=location)
    uow.session.flush()
    view = train_view(uow, visit)
    subject_event(uow, event_type, "train_visit", train, actor, before, {"status": visit.status}, location=location)
    return view


def depart_train(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The train leaves (the base, or the border station it was formed at); refused while a hold is open."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _train(uow, train, statuses=AT_BASE)
        check_exit(uow, [r.number for r in _containers_on(uow, train)], Exit.RAIL_DEPARTURE, f"train {train}", "holds")
        location = visit.track_code
        visit.track_code = None  # the track is free for the next train
        return _train_transition(uow, actor, train, AT_BASE, TrainStatus.DEPARTED, EventType.TRAIN_DEPARTED, location)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def receive_train(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    boxes: list[ArrivingBox],
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """An announced eastbound train arrives at the base with its boxes on its wagons (``train.arrived``).

    Each box (registered, not in the hub) is put on the wagon slot its wagon list names; the slot
    layout, free cells and the wagon's payload are checked, the line's axle and train-mass limits are
    not (the forming terminal's and the railway's: the train is here). Unload them with
    :func:`unload_from_wagon`, then :func:`release_train`.
    """

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _train(uow, train, statuses=(TrainStatus.ANNOUNCED.value,))
        check_receivable(train, visit.direction, visit.kind)
        seen: set[str] = set()
        for index, arriving in enumerate(boxes):
            where = f"boxes[{index}]"
            row = locked_container(uow, arriving.container, f"{where}.container")
            if row.number in seen:
                raise RuleViolation(f"{where}.container", f"{row.number} is listed twice")
            seen.add(row.number)
            if row.position_kind not in OUTSIDE_THE_HUB:
                raise Conflict(f"{where}.container", f"{row.number} is {row.position_kind} at the base already")
            before = snapshot(row)
            try:
                payload = _place_on_wagon(uow, visit, row, arriving.wagon_number, arriving.slot, line_limits=False)
            except DomainError as error:
                raise type(error)(f"{where}.{error.field}", error.reason) from None
            container_event(uow, EventType.TRAIN_ARRIVED, row, actor, before, payload, location=_base_place(visit))
        before = {"status": visit.status}
        visit.status = TrainStatus.ARRIVED.value
        uow.session.flush()
        view = train_view(uow, visit)
        after = {"status": visit.status, "boxes": len(boxes)}
        subject_event(
            uow, EventType.TRAIN_ARRIVED, "train_visit", train, actor, before, after, location=_base_place(visit)
        )
        return view

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _base_place(visit: tables.TrainVisitRow) -> str:
    """Where at the base a train stands: its track, else the base itself."""
    return visit.track_code or hub_locode()


def cancel_train_visit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    reason: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Call off a train visit at the base before it leaves (``train.cancelled``): its loading track is free.

    Refused with 409 naming the state when the train has left or still has boxes on board (unload
    them first: a box never stays on a cancelled train's wagons).
    """

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _train(uow, train)
        on_board = {cell.container_number for cell, _ in uow.rail.cells_of_train(train)}
        check_cancellable(train, visit.status, len(on_board))
        before = {"status": visit.status, "track_code": visit.track_code}
        location = visit.track_code
        visit.status = TrainStatus.CANCELLED.value
        visit.track_code = None  # the track is free for the next train
        uow.session.flush()
        after = {"status": visit.status, "track_code": None, "reason": reason}
        subject_event(uow, EventType.TRAIN_CANCELLED, "train_visit", train, actor, before, after, location=location)
        return train_view(uow, visit)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def arrive_at_border(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    crossing_code: str | None = None,
    occurred_at: datetime | None = None,
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

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def gauge_transfer(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    container: str,
    to_train: str,
    wagon_number: str,
    slot: int,
    occurred_at: datetime | None = None,
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

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def arrive_at_destination(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The train reaches its route's destination: its boxes are delivered and leave the wagons.

    An empty return reaches the border station instead, and its wagons are back.
    """

    def work(uow: UnitOfWork) -> dict[str, Any]:
        statuses = (TrainStatus.DEPARTED.value, TrainStatus.AT_BORDER.value)
        visit = _train(uow, train, statuses=statuses)
        route = uow.rail.route(visit.route_code)
        destination = visit.route_code if route is None else route.destination
        if visit.kind == TrainKind.EMPTY_RETURN.value and route is not None:
            destination = route.crossing_code  # empty wagons come back to the border station
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

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def release_train(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Release an emptied train at the border or its destination (``train.released``): its wagons are free."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        visit = _train(uow, train)
        check_releasable(train, visit.status, len(_containers_on(uow, train)))
        route = uow.rail.route(visit.route_code)
        at_destination = visit.status == TrainStatus.ARRIVED.value and visit.kind == TrainKind.SERVICE.value
        place = None if route is None else (route.destination if at_destination else route.crossing_code)
        if at_destination and visit.direction == Direction.EAST.value:
            place = _base_place(visit)  # an eastbound train's destination is the base
            visit.track_code = None  # emptied and released: its track is free for the next train
        before = {"status": visit.status}
        visit.status = TrainStatus.RELEASED.value
        uow.session.flush()
        subject_event(
            uow,
            EventType.TRAIN_RELEASED,
            "train_visit",
            train,
            actor,
            before,
            {"status": visit.status},
            location=place,
        )
        return train_view(uow, visit)

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def return_empty_wagons(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train: str,
    reference: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Send a released 1520 mm train's wagons back to its border station, empty: a new train visit
    ``reference`` of kind ``empty_return`` that has departed (arrive it with ``arrive_at_destination``)."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        rail = uow.rail
        source = _train(uow, train)
        check_returnable(train, source.status, source.gauge_mm, source.kind)
        if rail.train(reference) is not None:
            raise Conflict("reference", f"train visit {reference} already exists")
        other = rail.return_of(train)
        if other is not None:
            raise Conflict("train", f"the wagons of {train} already return as {other.reference}")
        route = rail.route(source.route_code)
        row = tables.TrainVisitRow(
            reference=reference,
            direction=Direction.EAST.value,
            route_code=source.route_code,
            gauge_mm=source.gauge_mm,
            track_code=None,
            status=TrainStatus.DEPARTED.value,
            version=1,
            train_type_code=source.train_type_code,
            kind=TrainKind.EMPTY_RETURN.value,
            returns_wagons_of=train,
        )
        rail.add(row)
        for wagon in rail.wagons(train):
            rail.add(
                tables.WagonRow(
                    number=wagon.number,
                    train_reference=reference,
                    wagon_type_code=wagon.wagon_type_code,
                    position_in_train=wagon.position_in_train,
                )
            )
        view = train_view(uow, row)
        origin = None if route is None else route.destination
        subject_event(
            uow,
            EventType.TRAIN_DEPARTED,
            "train_visit",
            reference,
            actor,
            None,
            {
                "status": row.status,
                "kind": row.kind,
                "returns_wagons_of": train,
                "to": None if route is None else route.crossing_code,
                "wagons": [w["number"] for w in view["wagons"]],
            },
            location=origin,
        )
        return view

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def wagon_cycles(
    uow: UnitOfWork, number: str | None = None, *, after: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every wagon (or one, or a page of ``limit`` numbers after ``after``): where it is (its latest
    train's latest place), and its latest turnaround.

    A page reads only its own wagons' trains and their events (not every wagon's cycle of the year).
    """
    with uow:
        rail = uow.rail
        if number is not None:
            rows = rail.all_wagons(number)
        elif limit is not None:
            rows = rail.all_wagons(numbers=rail.wagon_numbers_page(after, limit))
        else:
            rows = rail.all_wagons()
        references = {wagon.train_reference for wagon in rows}
        trains = rail.trains_by_reference(references)
        times = rail.train_times(references)
        places = rail.last_train_places(references)
        trips: dict[str, list[tuple[int, WagonTrip, tables.TrainVisitRow]]] = {}
        loaded = rail.trains_that_carried(references)
        for wagon in rows:
            visit = trains[wagon.train_reference]
            departed, arrived = times.get(visit.reference, (None, None))
            trip = WagonTrip(visit.reference, visit.kind, visit.reference in loaded, departed, arrived)
            trips.setdefault(wagon.number, []).append((wagon.id, trip, visit))
        answer = []
        for wagon_number in sorted(trips):
            made = sorted(trips[wagon_number], key=lambda entry: entry[0])
            latest = made[-1][2]
            out, back, hours = turnaround([trip for _, trip, _ in made])
            answer.append(
                {
                    "number": wagon_number,
                    "gauge_mm": latest.gauge_mm,
                    "train": latest.reference,
                    "train_kind": latest.kind,
                    "train_status": latest.status,
                    "location": places.get(latest.reference) or latest.track_code,
                    "loaded_out_at": None if out is None else out.isoformat(),
                    "back_empty_at": None if back is None else back.isoformat(),
                    "turnaround_h": hours,
                }
            )
        return answer
