"""Dispatch on live data: the database state as the pure dispatcher's input, and its decisions stored.

The rules are the pure dispatcher's (``planning/dispatch``); this module only reads machines,
live instructions and queue controls into a :class:`DispatchState`, asks it, and writes the
answer: a machine holds at most one assigned job (the one on its driver's screen); every other
live instruction stays open until a machine is free for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from landbridge.domain.equipment import BasePlan
from landbridge.domain.events import as_utc
from landbridge.planning.dispatch.problem import (
    DispatchState,
    Instruction,
    InstructionKind,
    InstructionStatus,
    Machine,
    MachineKind,
    MachineStatus,
    QueueControl,
)
from landbridge.planning.dispatch.solve import next_job, plan
from landbridge.scenarios.loader import current_scenario
from landbridge.services.event_time import command_time
from landbridge.services.work.fleet import base_plan, position_of
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow, WorkQueueRow

# Cycle times the dispatcher's forecast uses: one move at the machine's scenario rate.
_SECONDS_PER_H = 3600.0


def machine_of(row: tables.EquipmentRow, plan: BasePlan | None = None) -> Machine:
    """An equipment row as the dispatcher sees it."""
    x_m, y_m = position_of(row, plan or base_plan(current_scenario()))
    return Machine(
        code=row.code,
        kind=MachineKind(row.kind),
        pools=frozenset(row.pools or ()),
        allowed_lengths_ft=frozenset(row.allowed_lengths_ft or ()),
        max_lift_kg=row.max_lift_kg,
        twin_lift=row.twin_lift,
        status=MachineStatus(row.status),
        x_m=x_m,
        y_m=y_m,
        cycle_s=_SECONDS_PER_H / row.moves_per_h if row.moves_per_h > 0 else 150.0,
    )


def _aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


def instruction_of(row: Any) -> Instruction:
    """A work instruction (an ORM row or a row of ``WorkRepository.live_facts``) as the dispatcher sees it."""
    return Instruction(
        id=str(row.id),
        container=row.container,
        kind=InstructionKind(row.kind),
        queue=row.queue,
        pool=row.pool,
        length_ft=row.length_ft,
        mass_kg=row.mass_kg,
        from_x_m=row.from_x_m,
        from_y_m=row.from_y_m,
        to_x_m=row.to_x_m,
        to_y_m=row.to_y_m,
        priority=row.priority,
        sequence=row.sequence,
        earliest=_aware(row.earliest),
        latest=_aware(row.latest),
        depends_on=tuple(str(d) for d in row.depends_on or ()),
        status=InstructionStatus(row.status),
        machine=row.machine,
        pinned_machine=row.pinned_machine,
        excluded_machines=frozenset(row.excluded_machines or ()),
    )


def control_of(row: WorkQueueRow) -> QueueControl:
    """A work queue row as the dispatcher sees it."""
    return QueueControl(row.code, row.suspended, row.pinned_machine, row.sequenced)


def dispatch_state(uow: UnitOfWork, pools: set[str] | None = None) -> DispatchState:
    """The live state of the base for the dispatcher.

    With ``pools`` only the live instructions of those pools are read — and every live instruction
    they depend on, wherever it is, so a dependency never looks done just because it was not read.
    Only the columns the dispatcher needs are read (a busy base has thousands of live instructions).
    """
    facts = {row.id: row for row in uow.work.live_facts(pools=pools)}
    if pools is not None:
        wanted = {d for row in facts.values() for d in row.depends_on or ()} - set(facts)
        while wanted:
            found = {row.id: row for row in uow.work.live_facts(ids=wanted)}
            facts.update(found)
            wanted = {d for row in found.values() for d in row.depends_on or ()} - set(facts)
    plan_ = base_plan(current_scenario())
    return DispatchState(
        now=command_time(),
        machines=tuple(machine_of(m, plan_) for m in uow.equipment.machines()),
        instructions=tuple(instruction_of(facts[key]) for key in sorted(facts)),
        queues=tuple(control_of(q) for q in uow.work.queues()),
    )


def _assign_open(uow: UnitOfWork, instruction_id: str, machine: str) -> bool:
    """Give an open instruction to a machine (False when it is no longer open)."""
    row = uow.work.instruction(int(instruction_id))
    if row is None or row.status != InstructionStatus.OPEN.value:
        return False
    _assign(row, machine)
    return True


def _assign(row: WorkInstructionRow, machine: str) -> None:
    row.status = InstructionStatus.ASSIGNED.value
    row.machine = machine
    row.assigned_at = command_time()
    row.version += 1


def _release_stale(rows: Iterable[WorkInstructionRow], machines: dict[str, tables.EquipmentRow]) -> list[int]:
    """Jobs held by a machine that is out of service (or gone) are open again; returns their ids."""
    released = []
    for row in rows:
        if row.status != InstructionStatus.ASSIGNED.value or row.machine is None:
            continue
        holder = machines.get(row.machine)
        if holder is None or holder.status == MachineStatus.OUT_OF_SERVICE.value:
            row.status, row.machine, row.assigned_at = InstructionStatus.OPEN.value, None, None
            row.version += 1
            released.append(row.id)
    return released


def redispatch(uow: UnitOfWork) -> dict[str, int]:
    """Re-plan every queue at once (after a breakdown, a queue change or new work): each free machine
    gets the head of its plan; returns ``{machine: instruction id}`` of the new assignments."""
    machines = {m.code: m for m in uow.equipment.machines()}
    _release_stale(uow.work.assigned(), machines)
    uow.session.flush()
    decided = plan(dispatch_state(uow), max_jobs_per_machine=1)
    assigned: dict[str, int] = {}
    for code, jobs in sorted(decided.jobs.items()):
        if _assign_open(uow, jobs[0], code):
            assigned[code] = int(jobs[0])
    uow.session.flush()
    return assigned


def dispatch_next(uow: UnitOfWork, machines: Iterable[str]) -> dict[str, int]:
    """Decide for a few machines only (after a confirmation): each free one gets its next job.

    Only the instructions of these machines' pools (and what they depend on) are read; after each
    assignment the state is updated in memory, so the next machine cannot get the same job.
    """
    codes = list(machines)
    fleet = {m.code: m for m in uow.equipment.machines()}
    pools = {pool for code in codes if code in fleet for pool in fleet[code].pools or ()}
    if not pools:
        return {}
    state = dispatch_state(uow, pools)
    assigned: dict[str, int] = {}
    for code in codes:
        chosen = next_job(state, code)
        if chosen is None:
            continue
        if _assign_open(uow, chosen.id, code):
            assigned[code] = int(chosen.id)
            taken = replace(chosen, status=InstructionStatus.ASSIGNED, machine=code)
            state = DispatchState(
                state.now,
                state.machines,
                tuple(taken if i.id == chosen.id else i for i in state.instructions),
                state.queues,
            )
    uow.session.flush()
    return assigned
