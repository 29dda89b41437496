"""A driver's jobs: confirm the move (recorded through the operations services) or report a problem.

Confirming runs the move's own service — discharge, vessel load, rail load, yard move — inside the
confirmation's one transaction (a joined unit of work), so every operating rule and event applies
and the instruction is done only if the move was recorded. The move's events carry the machine and
the instruction in their ``source_reference``; the instruction keeps the machine, the driver and
``done_at`` (the move's ``occurred_at``), which the productivity figures read.

Refusals: not the caller's job, already done or cancelled → 409 naming the job and its state (the
row is locked, so of two drivers confirming one job exactly one wins); a move that breaks a rule →
the rule's own 422, and the job stays open with its machine.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row

from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.domain.yard import YardSlot
from landbridge.domain.yard_rules import covered_bays
from landbridge.planning.dispatch.problem import GRAIN_KINDS, MACHINE_KINDS_FOR, InstructionKind, InstructionStatus
from landbridge.scenarios.loader import current_scenario
from landbridge.services.actor import Actor
from landbridge.services.event_time import command_time
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations import rail, vessel, yard
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.work.dispatching import dispatch_next
from landbridge.services.work.fleet import base_plan
from landbridge.services.work.grain_work import grain_move
from landbridge.services.work.targets import box_for, choose_target, promised_slots
from landbridge.services.work.views import instruction_view
from landbridge.store.unit_of_work import JoinedUnitOfWork, UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow


class Problem(StrEnum):
    """What a driver can report instead of confirming."""

    BOX_NOT_FOUND = "box_not_found"
    DAMAGED = "damaged"
    SLOT_OCCUPIED = "slot_occupied"
    MACHINE_FAULT = "machine_fault"
    OTHER = "other"


def _job_for(uow: UnitOfWork, actor: Actor, instruction_id: int) -> tuple[WorkInstructionRow, Row[Any], list[Row[Any]]]:
    """The caller's assigned job (locked), its machine and the whole fleet (the dispatch step after the
    job needs it; one read of 40-odd plain rows); 404 unknown, 409 naming the job and its state otherwise."""
    row = uow.work.instruction(instruction_id, lock=True)
    if row is None:
        raise NotFound("instruction", f"no work instruction {instruction_id}")
    if row.status in (InstructionStatus.DONE.value, InstructionStatus.CANCELLED.value):
        raise Conflict("instruction", f"work instruction {row.id} is {row.status} (machine {row.machine or '-'})")
    fleet = uow.equipment.fleet()
    machine = next((m for m in fleet if m.code == row.machine), None)
    if row.status != InstructionStatus.ASSIGNED.value or machine is None:
        raise Conflict("instruction", f"work instruction {row.id} is {row.status}: no machine holds it yet")
    if machine.driver != actor.name:
        raise Conflict(
            "instruction",
            f"work instruction {row.id} is {row.status} to {machine.code}, driven by "
            f"{machine.driver or 'nobody'}, not by {actor.name}",
        )
    return row, machine, fleet


def _move(uow: UnitOfWork, actor: Actor, row: WorkInstructionRow) -> dict[str, Any] | None:
    """Record the move through its operations service (in this transaction); None when there is none."""
    joined = JoinedUnitOfWork(uow)
    target = row.target or {}
    kind = InstructionKind(row.kind)
    if kind is InstructionKind.DISCHARGE and "slot" not in target:
        return None  # lifted onto a tractor under the crane: its transport leg records the discharge
    if kind in GRAIN_KINDS:
        return grain_move(joined, actor, row)
    assert row.container is not None  # every other job moves a box (one subject: a box or a lot)
    if kind in (InstructionKind.DISCHARGE, InstructionKind.TRANSPORT) and target.get("vessel_visit"):
        outcome = vessel.discharge_container(
            joined, actor, reference=target["vessel_visit"], container=row.container, slot=target["slot"]
        )
    elif kind is InstructionKind.LOAD_VESSEL:
        outcome = vessel.load_container_on_vessel(
            joined, actor, reference=target["vessel_visit"], container=row.container
        )
    elif kind is InstructionKind.LOAD_RAIL:
        outcome = rail.load_on_wagon(
            joined,
            actor,
            train=target["train"],
            container=row.container,
            wagon_number=target["wagon"],
            slot=int(target["wagon_slot"]),
        )
    elif kind in (InstructionKind.RELOCATION, InstructionKind.GATE_DROP_OFF, InstructionKind.HOUSEKEEPING):
        # A relocation records the customer whose request needed it (billed to them as an extra move).
        causer = target.get("caused_by_party") if kind is InstructionKind.RELOCATION else None
        outcome = yard.place_container(
            joined, actor, container=row.container, slot=target["slot"], caused_by_party=causer
        )
    else:
        # A pick-up puts the box on the truck; the operations model records its exit at truck out.
        return None
    return dict(outcome.body)


def _idle_sharing(fleet: list[Any], machine: Row[Any], row: WorkInstructionRow) -> list[str]:
    """The machine itself, then every working machine that shares one of its pools and may do this kind
    of work (the confirmation may have made the next job of the queue ready) — and, after a crane's
    lift onto a tractor, the tractors (the tractor leg is ready now). One that already holds a job
    keeps it: the dispatcher sees its held job and gives it nothing more."""
    pools = set(machine.pools or ())
    kinds = {InstructionKind(row.kind)}
    if (row.target or {}).get("via") == "tractor":
        kinds.add(InstructionKind.TRANSPORT)
    if (row.target or {}).get("then"):  # a tractor's leg to a track or the gate: the move it makes ready
        kinds.add(InstructionKind(row.target["then"]))
    able = {k.value for kind in kinds for k in MACHINE_KINDS_FOR[kind]}
    sharing = [
        m.code
        for m in fleet
        if m.code != machine.code and m.status == "working" and m.kind in able and pools & set(m.pools or ())
    ]
    return [machine.code, *sharing]


def _next_view(uow: UnitOfWork, machine: str, given: dict[str, WorkInstructionRow]) -> dict[str, Any] | None:
    """The machine's next job: the one the dispatch step just gave it, else the one it holds (a read)."""
    if machine in given:
        return instruction_view(given[machine])
    held = uow.work.of_machine(machine)
    return instruction_view(held[0]) if held else None


def confirm(
    uow: UnitOfWork,
    actor: Actor,
    *,
    instruction_id: int,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The driver did the move: record it with the machine and time, mark the job done, give the next."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row, machine, fleet = _job_for(uow, actor, instruction_id)
        mover = replace(actor, source=f"{actor.source or 'work'} machine:{machine.code} instruction:{row.id}"[:128])
        moved = _move(uow, mover, row)
        row.status = InstructionStatus.DONE.value
        row.done_at = command_time()
        row.done_by = actor.name
        row.version += 1
        position: dict[str, Any] = {"position": row.to_place[:64], "x_m": row.to_x_m, "y_m": row.to_y_m}
        uow.equipment.move_to(machine.code, **position)
        # The dispatch step sees the machine where this move left it (least empty travel from there).
        placed: list[Any] = [SimpleNamespace(**{**m._asdict(), **position}) if m is machine else m for m in fleet]
        done = instruction_view(row)
        subject_event(
            uow,
            EventType.WORK_INSTRUCTION_DONE,
            "work_instruction",
            str(row.id),
            actor,
            {"status": InstructionStatus.ASSIGNED.value},
            {
                "status": row.status,
                "machine": machine.code,
                "container": row.container,
                "lot": row.lot,
                "kind": row.kind,
                "from": row.from_place,
                "to": row.to_place,
                "queue": row.queue,
            },
            location=machine.code,
        )
        uow.session.flush()
        given = dispatch_next(uow, _idle_sharing(fleet, machine, row), placed)
        return {"done": done, "move": moved, "next": _next_view(uow, machine.code, given)}

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def report_problem(
    uow: UnitOfWork,
    actor: Actor,
    *,
    instruction_id: int,
    problem: Problem,
    note: str | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """The driver cannot do the job: it goes back to the queue with the reason, never to this machine again."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row, machine, fleet = _job_for(uow, actor, instruction_id)
        text = (note or "").strip()
        if problem is Problem.OTHER and not text:
            raise RuleViolation("note", "say what the problem is")
        row.problem = f"{problem.value}: {text}"[:200] if text else problem.value
        row.status, row.machine, row.assigned_at = InstructionStatus.OPEN.value, None, None
        row.excluded_machines = sorted({*(row.excluded_machines or []), machine.code})
        row.version += 1
        if problem is Problem.SLOT_OCCUPIED and (row.target or {}).get("slot"):
            uow.session.flush()
            _new_target(uow, row)
        subject_event(
            uow,
            EventType.WORK_INSTRUCTION_FAILED,
            "work_instruction",
            str(row.id),
            actor,
            {"status": InstructionStatus.ASSIGNED.value, "machine": machine.code},
            {"status": row.status, "problem": row.problem, "container": row.container},
            location=machine.code,
        )
        uow.session.flush()
        given = dispatch_next(uow, _idle_sharing(fleet, machine, row), fleet)
        return {"reported": instruction_view(row), "next": _next_view(uow, machine.code, given)}

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _new_target(uow: UnitOfWork, row: WorkInstructionRow) -> None:
    """The promised slot was occupied: promise another one (off every other promised stack)."""
    old = YardSlot.parse(row.target["slot"])
    assert row.container is not None  # only a box's job has a slot
    # The occupied slot's whole stack stays clear: whatever stands there is not what the plan expected.
    keep_clear = {(old.block, bay, old.row) for bay in covered_bays(old.bay, row.length_ft)}
    promises = [p for p in promised_slots(uow) if p.instruction_id != row.id]
    chosen = choose_target(uow, box_for(uow, row.container, None), keep_clear, promises=promises)
    if chosen is None:
        raise RuleViolation("slot", f"no other yard slot fits {row.container}")
    found, below = chosen
    row.target = {**row.target, "slot": str(found), "replaces": str(old)}
    row.depends_on = below
    row.to_place = str(found)
    row.to_x_m, row.to_y_m = base_plan(current_scenario()).point(f"block:{found.block}")
