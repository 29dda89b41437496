"""Work instructions from what the base has to do: a ship's lists, a train's planned boxes, a truck in.

* A vessel visit's **discharge list** (in list order: the crane sequence) → one ``discharge`` per box
  from the ship to a yard slot chosen now; its **load list** → one ``load_vessel`` per box. Both go
  in the berth's sequenced queue (``berth:<code>``), discharges before loads. Where terminal
  tractors serve the berth, the crane's ``discharge`` puts the box on a tractor and a ``transport``
  (queue ``tractors:berth:<code>``) carries it to the slot: that leg records the discharge.
* A train's **planned boxes** → a load plan wagon by wagon (each box on the first wagon slot its
  length fits, in wagon order) → one ``load_rail`` per box in the track's sequenced queue.
* A truck that is in: each **drop-off** → ``gate_drop_off`` to a yard slot; each **pick-up** →
  ``gate_pick_up`` from its slot, in the block's queue.
* A grain order (``services/work/grain_work.py``) → jobs for the grain gear whose subject is a lot.
* A box to load or pick up that stands under others → one ``relocation`` per box on top, in the
  block's queue; the move depends on them (top-most first), so a box on top always goes first.

Generating twice adds only boxes that have no instruction of that kind for the visit yet, so a list
that grew gets the new boxes and nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from landbridge.domain.containers import PositionKind
from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.iso_types import size_type
from landbridge.domain.manifests import ListKind, VisitKind
from landbridge.domain.rail import slot_layout_ft
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import covered_bays
from landbridge.planning.dispatch.problem import InstructionKind, InstructionStatus
from landbridge.scenarios.loader import current_scenario
from landbridge.services.actor import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.operations.rail import box_mass_kg
from landbridge.services.work.dispatching import redispatch
from landbridge.services.work.fleet import base_plan
from landbridge.services.work.grain_work import GrainOrder, grain_work, planned_silo
from landbridge.services.work.targets import Promise, Stack, TargetPlanner, box_for, boxes_on_top
from landbridge.services.work.views import instruction_view
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow

PRIORITY = {"gate": 3, "vessel": 2, "rail": 1}


class _Builder:
    """Creates the instructions of one command, keeping promised slots apart."""

    def __init__(self, uow: UnitOfWork, caused_by_party: str | None = None) -> None:
        self.uow = uow
        self.caused_by_party = caused_by_party
        """The customer who asked for this work: each relocation it needs is recorded (and billed) as theirs."""
        self.plan = base_plan(current_scenario())
        self.targets = TargetPlanner(uow)
        self.keep_clear: set[Stack] = set()
        self.created: list[WorkInstructionRow] = []

    def add(
        self,
        *,
        kind: InstructionKind,
        queue: str,
        pool: str,
        sequenced: bool,
        container: str | None = None,
        **fields: Any,
    ) -> WorkInstructionRow:
        """Store one instruction of a box (``container``) or of a grain lot (``lot`` in ``fields``)."""
        self.uow.work.ensure_queue(queue, pool, sequenced=sequenced)
        from_x, from_y = self.plan.point(fields.pop("from_pool"))
        to_x, to_y = self.plan.point(fields.pop("to_pool"))
        row = WorkInstructionRow(
            container=container,
            kind=kind.value,
            queue=queue,
            pool=pool,
            from_x_m=from_x,
            from_y_m=from_y,
            to_x_m=to_x,
            to_y_m=to_y,
            status=InstructionStatus.OPEN.value,
            created_at=command_time(),
            excluded_machines=[],
            version=1,
            **{"depends_on": [], "target": {}, "priority": 0, "sequence": 0, **fields},
        )
        self.uow.work.add(row)
        self.created.append(row)
        slot = (row.target or {}).get("slot")
        if slot:
            self.targets.promise(Promise(YardSlot.parse(slot), row.length_ft, row.id))
        return row

    def target_slot(
        self, number: str, iso_type: str | None, field: str, prefer_block: str | None = None
    ) -> tuple[YardSlot, list[int]]:
        """A promised slot for the box, and the instructions whose boxes it will stand on."""
        box = box_for(self.uow, number, iso_type)
        found = self.targets.choose(box, self.keep_clear, prefer_block)
        if found is None:
            raise RuleViolation(field, f"no free yard slot fits {number}; make room in the yard first")
        return found

    def dig_out(self, row: tables.ContainerRow, priority: int) -> list[int]:
        """Relocations of every box on top of ``row`` (reusing live ones); the ids its move depends on."""
        slot, above = boxes_on_top(self.uow, row)
        if slot is None or not above:
            return []
        keep_clear = {(slot.block, bay, slot.row) for bay in covered_bays(slot.bay, size_type(row.iso_type).length_ft)}
        live = {r.container: r for r in self.uow.work.live_for(above) if r.kind == InstructionKind.RELOCATION.value}
        live.update({r.container: r for r in self.created if r.kind == InstructionKind.RELOCATION.value})
        previous: list[int] = []
        ids: list[int] = []
        for number in above:  # top-most first: each relocation waits for the one above it
            existing = live.get(number)
            if existing is None:
                existing = self._relocation(number, row.number, keep_clear, priority, previous)
            previous = [existing.id]
            ids.append(existing.id)
        return ids

    def _relocation(
        self, number: str, unblocks: str, keep_clear: set[Stack], priority: int, depends_on: list[int]
    ) -> WorkInstructionRow:
        blocker = self.uow.containers.rows([number])[number]
        current = self.uow.yard.slot_of(number)
        assert current is not None
        self.keep_clear |= keep_clear
        target, below = self.target_slot(number, blocker.iso_type, "container", prefer_block=current.block)
        return self.add(
            kind=InstructionKind.RELOCATION,
            container=number,
            queue=f"block:{current.block}",
            pool=f"block:{current.block}",
            sequenced=False,
            from_place=str(YardSlot(current.block, current.bay, current.row, current.tier)),
            to_place=str(target),
            target={
                "slot": str(target),
                "unblocks": unblocks,
                **({"caused_by_party": self.caused_by_party} if self.caused_by_party else {}),
            },
            length_ft=size_type(blocker.iso_type).length_ft,
            mass_kg=box_mass_kg(blocker),
            priority=priority,
            depends_on=sorted({*depends_on, *below}),
            from_pool=f"block:{current.block}",
            to_pool=f"block:{target.block}",
        )


def _covered(uow: UnitOfWork, visit: str, kind: InstructionKind) -> set[str]:
    return {
        r.container
        for r in uow.work.of_visit(visit, kind.value)
        if r.status != InstructionStatus.CANCELLED.value and r.container is not None
    }


def _next_sequence(uow: UnitOfWork, queue: str) -> int:
    listed = uow.work.listed(queue=queue, limit=100_000)
    return max((r.sequence for r in listed), default=0) + 1


def _mass(row: tables.ContainerRow | None, entry_mass_kg: int | None) -> int:
    return box_mass_kg(row) if row is not None else int(entry_mass_kg or 0)


def _yard_row(uow: UnitOfWork, number: str, field: str) -> tables.ContainerRow:
    row = uow.containers.rows([number]).get(number)
    if row is None:
        raise NotFound(field, f"no container {number}")
    return row


def _vessel_work(builder: _Builder, visit: tables.VesselVisitRow) -> None:
    uow = builder.uow
    if visit.berth_code is None:
        raise RuleViolation("vessel_visit", f"{visit.reference} has no berth yet; its cranes are not known")
    berth = f"berth:{visit.berth_code}"
    sequence = _next_sequence(uow, berth)
    by_tractor = _tractors_serve(uow, berth)
    done = _covered(uow, visit.reference, InstructionKind.DISCHARGE)
    for entry in uow.manifests.entries(VisitKind.VESSEL.value, visit.reference, ListKind.DISCHARGE.value):
        number = entry.container_number
        if number in done:
            continue
        row = uow.containers.rows([number]).get(number)
        iso = row.iso_type if row is not None else entry.iso_type
        target, below = builder.target_slot(number, iso, "discharge_list")
        facts: dict[str, Any] = {
            "container": number,
            "visit": visit.reference,
            "length_ft": size_type(iso or "42G1").length_ft,
            "mass_kg": _mass(row, entry.gross_mass_kg),
            "priority": PRIORITY["vessel"],
            "sequence": sequence,
            "latest": visit.etd,
        }
        if not by_tractor:
            builder.add(
                kind=InstructionKind.DISCHARGE,
                queue=berth,
                pool=berth,
                sequenced=True,
                from_place=f"vessel {visit.reference}",
                to_place=str(target),
                target={"slot": str(target), "vessel_visit": visit.reference},
                depends_on=below,
                from_pool=berth,
                to_pool=f"block:{target.block}",
                **facts,
            )
        else:
            _discharge_by_tractor(builder, visit, target, below, facts)
        sequence += 1
    done = _covered(uow, visit.reference, InstructionKind.LOAD_VESSEL)
    for entry in uow.manifests.entries(VisitKind.VESSEL.value, visit.reference, ListKind.LOAD.value):
        number = entry.container_number
        if number in done:
            continue
        row = _yard_row(uow, number, "load_list")
        slot = uow.yard.slot_of(number)
        builder.add(
            kind=InstructionKind.LOAD_VESSEL,
            container=number,
            queue=berth,
            pool=berth,
            sequenced=True,
            visit=visit.reference,
            from_place=row.position_reference or row.position_kind,
            to_place=f"vessel {visit.reference}",
            target={"vessel_visit": visit.reference},
            length_ft=size_type(row.iso_type).length_ft,
            mass_kg=box_mass_kg(row),
            priority=PRIORITY["vessel"],
            sequence=sequence,
            latest=visit.etd,
            depends_on=builder.dig_out(row, PRIORITY["vessel"]),
            from_pool=f"block:{slot.block}" if slot is not None else berth,
            to_pool=berth,
        )
        sequence += 1


def _tractors_serve(uow: UnitOfWork, pool: str) -> bool:
    """Whether terminal tractors carry this berth's boxes to the yard: the scenario has tractors for
    it and not all of them are out of service (then the cranes' boxes go to the yard directly)."""
    return any(
        pool in (m.pools or ()) and m.status != "out_of_service"
        for m in uow.equipment.machines(kind="terminal_tractor")
    )


def _discharge_by_tractor(
    builder: _Builder, visit: tables.VesselVisitRow, target: YardSlot, below: list[int], facts: dict[str, Any]
) -> None:
    """The crane lifts the box onto a tractor under it (``discharge``, no yard move yet); the tractor
    carries it to its yard slot (``transport``), which records the discharge into that slot. The
    tractor leg depends on the crane's lift and holds the slot promise (a box stacked on this one
    waits for the tractor, not the crane); tractors take the berth's legs in the crane sequence."""
    berth = f"berth:{visit.berth_code}"
    lift = builder.add(
        kind=InstructionKind.DISCHARGE,
        queue=berth,
        pool=berth,
        sequenced=True,
        from_place=f"vessel {visit.reference}",
        to_place=f"tractor at berth {visit.berth_code}",
        target={"vessel_visit": visit.reference, "via": "tractor"},
        from_pool=berth,
        to_pool=berth,
        **facts,
    )
    builder.add(
        kind=InstructionKind.TRANSPORT,
        queue=f"tractors:{berth}",
        pool=berth,
        sequenced=True,
        from_place=f"berth {visit.berth_code}",
        to_place=str(target),
        target={"slot": str(target), "vessel_visit": visit.reference, "leg": "quay_to_yard", "lift": lift.id},
        depends_on=sorted({lift.id, *below}),
        from_pool=berth,
        to_pool=f"block:{target.block}",
        **facts,
    )


def _yard_to_tractor(
    builder: _Builder,
    row: tables.ContainerRow,
    slot: tables.YardSlotRow,
    destination: str,
    target: dict[str, Any],
    relocations: list[int],
    *,
    priority: int,
    sequence: int = 0,
) -> int:
    """Where tractors serve a loading track or the gate, the box leaves the yard in two jobs before the
    rail- or gate-side move: a yard machine lifts it onto a tractor in its block (``lift_to_tractor``,
    after the relocations digging it out; nothing is recorded — the box is in its slot until the move),
    and a tractor carries it to ``destination`` (``transport`` in the queue ``tractors:<destination>``,
    in the load plan's sequence on a track). Returns the leg's id: the rail load or the truck's
    pick-up depends on it, and that move records what happened."""
    block = f"block:{slot.block}"
    facts: dict[str, Any] = {
        "container": row.number,
        "visit": target.get("train") or target.get("truck"),
        "length_ft": size_type(row.iso_type).length_ft,
        "mass_kg": box_mass_kg(row),
        "priority": priority,
    }
    then = InstructionKind.LOAD_RAIL if destination.startswith("track:") else InstructionKind.GATE_PICK_UP
    lift = builder.add(
        kind=InstructionKind.LIFT_TO_TRACTOR,
        queue=block,
        pool=block,
        sequenced=False,
        from_place=str(YardSlot(slot.block, slot.bay, slot.row, slot.tier)),
        to_place=f"tractor at block {slot.block}",
        target={**target, "via": "tractor"},
        depends_on=relocations,
        from_pool=block,
        to_pool=block,
        **facts,
    )
    leg = builder.add(
        kind=InstructionKind.TRANSPORT,
        queue=f"tractors:{destination}",
        pool=destination,
        sequenced=destination != "gate",
        from_place=f"block {slot.block}",
        to_place=destination.replace(":", " "),
        target={**target, "leg": f"yard_to_{destination.partition(':')[0]}", "lift": lift.id, "then": then.value},
        sequence=sequence,
        depends_on=[lift.id],
        from_pool=block,
        to_pool=destination,
        **facts,
    )
    return leg.id


def _wagon_plan(uow: UnitOfWork, train: str) -> list[tuple[str, int, int, set[int]]]:
    """Free wagon slots in wagon order: (wagon, slot, slot length ft, halves taken)."""
    types = uow.rail.wagon_types()
    taken: dict[tuple[str, int], set[int]] = {}
    for cell, wagon in uow.rail.cells_of_train(train):
        taken.setdefault((wagon.number, cell.slot), set()).add(cell.half)
    free = []
    for wagon in uow.rail.wagons(train):
        layout = slot_layout_ft(types[wagon.wagon_type_code].platform_ft)
        for index, slot_ft in enumerate(layout, start=1):
            free.append((wagon.number, index, slot_ft, set(taken.get((wagon.number, index), set()))))
    return free


def _place_on_plan(free: list[tuple[str, int, int, set[int]]], length_ft: int) -> tuple[str, int] | None:
    for wagon, slot, slot_ft, halves in free:
        if length_ft >= 40 and slot_ft >= 40 and not halves:
            halves.update({1, 2})
            return wagon, slot
        if length_ft < 40:
            capacity = {1, 2} if slot_ft >= 40 else {1}
            open_halves = sorted(capacity - halves)
            if open_halves:
                halves.add(open_halves[0])
                return wagon, slot
    return None


def _train_work(builder: _Builder, train: tables.TrainVisitRow) -> None:
    uow = builder.uow
    if train.track_code is None:
        raise RuleViolation("train", f"{train.reference} has no loading track")
    track = f"track:{train.track_code}"
    sequence = _next_sequence(uow, track)
    by_tractor = _tractors_serve(uow, track)
    done = _covered(uow, train.reference, InstructionKind.LOAD_RAIL)
    free = _wagon_plan(uow, train.reference)
    for live in uow.work.of_visit(train.reference, InstructionKind.LOAD_RAIL.value):
        if live.status != InstructionStatus.CANCELLED.value and live.status != InstructionStatus.DONE.value:
            _claim(free, live.target.get("wagon"), live.target.get("wagon_slot"), live.length_ft)
    for entry in uow.manifests.entries(VisitKind.TRAIN.value, train.reference, ListKind.LOAD.value):
        number = entry.container_number
        if number in done:
            continue
        row = _yard_row(uow, number, "planned_boxes")
        length = size_type(row.iso_type).length_ft
        placed = _place_on_plan(free, length)
        if placed is None:
            raise RuleViolation(
                "planned_boxes", f"no free wagon slot of {train.reference} takes {number} ({length} ft)"
            )
        wagon, slot = placed
        yard_slot = uow.yard.slot_of(number)
        target = {"train": train.reference, "wagon": wagon, "wagon_slot": slot}
        depends_on = builder.dig_out(row, PRIORITY["rail"])
        from_place, from_pool = row.position_reference or row.position_kind, track
        if yard_slot is not None:
            from_pool = f"block:{yard_slot.block}"
        if by_tractor and yard_slot is not None:
            leg = _yard_to_tractor(
                builder, row, yard_slot, track, target, depends_on, priority=PRIORITY["rail"], sequence=sequence
            )
            depends_on, from_place, from_pool = [leg], f"tractor at track {train.track_code}", track
        builder.add(
            kind=InstructionKind.LOAD_RAIL,
            container=number,
            queue=track,
            pool=track,
            sequenced=True,
            visit=train.reference,
            from_place=from_place,
            to_place=f"{train.reference} wagon {wagon} slot {slot}",
            target=target,
            length_ft=length,
            mass_kg=box_mass_kg(row),
            priority=PRIORITY["rail"],
            sequence=sequence,
            depends_on=depends_on,
            from_pool=from_pool,
            to_pool=track,
        )
        sequence += 1


def _claim(free: list[tuple[str, int, int, set[int]]], wagon: Any, slot: Any, length_ft: int) -> None:
    for number, index, _slot_ft, halves in free:
        if number == wagon and index == slot:
            halves.update({1, 2} if length_ft >= 40 else ({1} if 1 not in halves else {2}))
            return


def _truck_work(builder: _Builder, truck: tables.TruckVisitRow) -> None:
    uow = builder.uow
    if truck.status != "in":
        raise RuleViolation("truck", f"truck {truck.reference} is not in the hub")
    dropped = _covered(uow, truck.reference, InstructionKind.GATE_DROP_OFF)
    for number in truck.drop_off or []:
        row = uow.containers.rows([number]).get(number)
        if number in dropped or row is None or row.position_kind != PositionKind.TRUCK.value:
            continue
        target, below = builder.target_slot(number, row.iso_type, "drop_off")
        block = f"block:{target.block}"
        builder.add(
            kind=InstructionKind.GATE_DROP_OFF,
            container=number,
            queue=block,
            pool=block,
            sequenced=False,
            visit=truck.reference,
            from_place=f"truck {truck.reference}",
            to_place=str(target),
            target={"slot": str(target), "truck": truck.reference},
            length_ft=size_type(row.iso_type).length_ft,
            mass_kg=box_mass_kg(row),
            priority=PRIORITY["gate"],
            depends_on=below,
            from_pool="gate",
            to_pool=block,
        )
    picked = _covered(uow, truck.reference, InstructionKind.GATE_PICK_UP)
    by_tractor = _tractors_serve(uow, "gate")
    for number in truck.pick_up or []:
        row = _yard_row(uow, number, "pick_up")
        slot = uow.yard.slot_of(number)
        if number in picked or slot is None:
            continue
        block = f"block:{slot.block}"
        pick_up = {"truck": truck.reference}
        depends_on = builder.dig_out(row, PRIORITY["gate"])
        queue, from_place = block, row.position_reference or str(slot.block)
        if by_tractor:
            leg = _yard_to_tractor(builder, row, slot, "gate", pick_up, depends_on, priority=PRIORITY["gate"])
            queue, block, depends_on, from_place = "gate", "gate", [leg], "tractor at the gate"
        builder.add(
            kind=InstructionKind.GATE_PICK_UP,
            container=number,
            queue=queue,
            pool=block,
            sequenced=False,
            visit=truck.reference,
            from_place=from_place,
            to_place=f"truck {truck.reference}",
            target=pick_up,
            length_ft=size_type(row.iso_type).length_ft,
            mass_kg=box_mass_kg(row),
            priority=PRIORITY["gate"],
            depends_on=depends_on,
            from_pool=block,
            to_pool="gate",
        )


def _generate(
    uow: UnitOfWork,
    actor: Actor,
    subject_type: str,
    reference: str,
    build: Callable[[_Builder], None],
    occurred_at: datetime | None,
    idempotency: IdempotencyKey | None,
    caused_by_party: str | None = None,
) -> Outcome:
    """Run ``build`` as one command. The relocations it creates record who caused them: the party named
    (404 if unknown), else the acting party when a party's user generates work; none for the hub's own
    plan (its rehandling is nobody's extra move)."""
    causer = caused_by_party if caused_by_party is not None else actor.party

    def work(uow: UnitOfWork) -> dict[str, Any]:
        if causer is not None and uow.parties.party(causer) is None:
            raise NotFound("caused_by_party", f"no party {causer!r}")
        builder = _Builder(uow, causer)
        build(builder)
        assigned = redispatch(uow) if builder.created else {}
        created = [instruction_view(r) for r in builder.created]
        if created:
            subject_event(
                uow,
                EventType.WORK_INSTRUCTIONS_CREATED,
                subject_type,
                reference,
                actor,
                None,
                {"instructions": [[c["id"], c["kind"], c["container"] or c["lot"]] for c in created]},
            )
        return {"created": created, "assigned": assigned}

    return execute(uow, actor, work, status_code=201, idempotency=idempotency, occurred_at=occurred_at)


def for_vessel_visit(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
    caused_by_party: str | None = None,
) -> Outcome:
    """Discharge and load instructions from a vessel visit's lists (relocations where a box is buried)."""

    def build(builder: _Builder) -> None:
        visit = builder.uow.vessels.get(reference)
        if visit is None:
            raise NotFound("vessel_visit", f"no vessel visit {reference!r}")
        _vessel_work(builder, visit)

    return _generate(uow, actor, "vessel_visit", reference, build, occurred_at, idempotency, caused_by_party)


def for_train(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
    caused_by_party: str | None = None,
) -> Outcome:
    """A train's load plan wagon by wagon as rail load instructions (relocations where a box is buried)."""

    def build(builder: _Builder) -> None:
        train = builder.uow.rail.train(reference)
        if train is None:
            raise NotFound("train", f"no train visit {reference!r}")
        _train_work(builder, train)

    return _generate(uow, actor, "train_visit", reference, build, occurred_at, idempotency, caused_by_party)


def for_grain(
    uow: UnitOfWork,
    actor: Actor,
    *,
    order: GrainOrder,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
    caused_by_party: str | None = None,
) -> Outcome:
    """A grain order as jobs for the grain gear (tip a train into a silo, move a lot, load a ship, fill boxes).

    A receipt without ``silo_code`` goes where the silo planner allocates it (:func:`planned_silo`).
    """
    silo = planned_silo(uow, order)
    if silo is not None:
        order = replace(order, silo_code=silo)
    return _generate(
        uow,
        actor,
        "grain_lot",
        order.lot,
        lambda builder: grain_work(builder, order),
        occurred_at,
        idempotency,
        caused_by_party,
    )


def for_truck(
    uow: UnitOfWork,
    actor: Actor,
    *,
    reference: str,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
    caused_by_party: str | None = None,
) -> Outcome:
    """Drop-off and pick-up instructions for a truck that is in (relocations where a box is buried)."""

    def build(builder: _Builder) -> None:
        truck = builder.uow.gate.truck(reference)
        if truck is None:
            raise NotFound("truck", f"no truck visit {reference!r}")
        _truck_work(builder, truck)

    return _generate(uow, actor, "truck_visit", reference, build, occurred_at, idempotency, caused_by_party)
