"""Dispatch on live data: the database state as the pure dispatcher's input, and its decisions stored.

The rules are the pure dispatcher's (``planning/dispatch``); this module only reads machines,
live instructions and queue controls into a :class:`DispatchState`, asks it, and writes the
answer: a machine holds at most one assigned job (the one on its driver's screen); every other
live instruction stays open until a machine is free for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from landbridge.domain.equipment import BasePlan
from landbridge.domain.events import as_utc
from landbridge.planning.dispatch.check import check_dispatch
from landbridge.planning.dispatch.problem import (
    DispatchState,
    Instruction,
    InstructionKind,
    InstructionStatus,
    Machine,
    MachineKind,
    MachineStatus,
    QueueControl,
    state_to_json,
)
from landbridge.planning.dispatch.solve import can_do, next_job, plan
from landbridge.scenarios.loader import current_scenario
from landbridge.services.event_time import command_time
from landbridge.services.work.fleet import base_plan, position_of
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.store.work_tables import WorkInstructionRow, WorkQueueRow

_log = logging.getLogger(__name__)

# Cycle times the dispatcher's forecast uses: one move at the machine's scenario rate.
_SECONDS_PER_H = 3600.0


def machine_of(row: Any, plan: BasePlan | None = None) -> Machine:
    """An equipment row (ORM or a row of ``EquipmentRepository.fleet``) as the dispatcher sees it.

    Remembered per process by every column it reads: a confirmation converts the whole fleet, and
    only the machine that moved changes.
    """
    plan_ = plan or base_plan(current_scenario())
    key = (
        plan_, row.code, row.kind, tuple(row.pools or ()), tuple(row.allowed_lengths_ft or ()), row.max_lift_kg,
        row.twin_lift, row.status, row.position, row.x_m, row.y_m, row.moves_per_h,
    )  # fmt: skip
    known = _MACHINES.get(key)
    if known is None:
        if len(_MACHINES) > _MACHINES_KEPT:
            _MACHINES.clear()
        known = _MACHINES[key] = _new_machine(row, plan_)
    return known


_MACHINES: dict[tuple[Any, ...], Machine] = {}
_MACHINES_KEPT = 4096


def _new_machine(row: Any, plan: BasePlan) -> Machine:
    x_m, y_m = position_of(row, plan)
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
        lot=row.lot,
    )


def control_of(row: WorkQueueRow) -> QueueControl:
    """A work queue row as the dispatcher sees it."""
    return QueueControl(row.code, row.suspended, row.pinned_machine, row.sequenced)


def _with_dependencies(uow: UnitOfWork, facts: dict[int, Any]) -> dict[int, Any]:
    """Add every live instruction the read ones depend on, wherever it is, so a dependency never looks
    done just because it was not read."""
    wanted = {d for row in facts.values() for d in row.depends_on or ()} - set(facts)
    while wanted:
        found = {row.id: row for row in uow.work.live_facts(ids=wanted)}
        facts.update(found)
        wanted = {d for row in found.values() for d in row.depends_on or ()} - set(facts)
    return facts


def _state(
    uow: UnitOfWork,
    facts: dict[int, Any],
    fleet: Iterable[Any] | None,
    controls: Iterable[QueueControl] | None = None,
) -> DispatchState:
    plan_ = base_plan(current_scenario())
    machines = uow.equipment.machines() if fleet is None else fleet
    return DispatchState(
        now=command_time(),
        machines=tuple(machine_of(m, plan_) for m in machines),
        instructions=tuple(instruction_of(facts[key]) for key in sorted(facts)),
        queues=tuple(control_of(q) for q in uow.work.queues()) if controls is None else tuple(controls),
    )


def dispatch_state(
    uow: UnitOfWork, pools: set[str] | None = None, fleet: Iterable[tables.EquipmentRow] | None = None
) -> DispatchState:
    """The live state of the base for the dispatcher.

    With ``pools`` only the live instructions of those pools are read — and every live instruction
    they depend on. Only the columns the dispatcher needs are read (a busy base has thousands of
    live instructions).
    """
    facts = {row.id: row for row in uow.work.live_facts(pools=pools)}
    if pools is not None:
        facts = _with_dependencies(uow, facts)
    return _state(uow, facts, fleet)


def _assign_open(uow: UnitOfWork, instruction_id: str, machine: str) -> WorkInstructionRow | None:
    """Give an open instruction to a machine: the instruction now, or None when it is no longer open."""
    return uow.work.assign_if_open(int(instruction_id), machine, command_time())


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
    state = dispatch_state(uow, fleet=list(machines.values()))
    decided = plan(state, max_jobs_per_machine=1)
    heads = {code: jobs[0] for code, jobs in decided.jobs.items()}
    if check_dispatch(state_to_json(state), {"jobs": {code: [job] for code, job in heads.items()}}, complete=False):
        # A dispatcher bug: find the refused decisions one by one (and log them); keep the others.
        by_id = {i.id: i for i in state.instructions}
        heads = {code: job for code, job in heads.items() if verified(state, code, by_id[job])}
    assigned: dict[str, int] = {}
    for code, job in sorted(heads.items()):
        if _assign_open(uow, job, code):  # None for a job the machine already holds
            assigned[code] = int(job)
    uow.session.flush()
    return assigned


# Open jobs read per sequenced queue after a confirmation (rule 2 needs only the head of such a queue).
WINDOW = 24


def _controls_in(rows: Iterable[Any]) -> list[QueueControl]:
    """The queue controls carried by the windowed rows (one per queue that has a queue row)."""
    found: dict[str, QueueControl] = {}
    for row in rows:
        if row.queue not in found and row.queue_sequenced is not None:
            found[row.queue] = QueueControl(row.queue, row.queue_suspended, row.queue_pinned, row.queue_sequenced)
    return [found[queue] for queue in sorted(found)]


def _windowed_state(
    uow: UnitOfWork, pools: set[str], codes: list[str], fleet: Sequence[Any]
) -> tuple[DispatchState, set[str]]:
    """The state with each sequenced queue cut to its first ``WINDOW`` open jobs; and the cut queues.

    Only the queues of the jobs read matter to the decision, and their controls come with the rows.
    """
    rows = uow.work.live_facts_windowed(pools, codes, WINDOW)
    facts = _with_dependencies(uow, {row.id: row for row in rows})
    state = _state(uow, facts, fleet, _controls_in(rows))
    sequenced = {q.queue for q in state.queues if q.sequenced}
    heads: dict[str, list[Instruction]] = {}
    for instruction in state.instructions:
        if instruction.status is InstructionStatus.OPEN and instruction.queue in sequenced:
            heads.setdefault(instruction.queue, []).append(instruction)
    dropped: set[str] = set()
    for listed in heads.values():
        if len(listed) > WINDOW:  # the extra row read: the queue goes on; drop it to keep an exact prefix
            listed.sort(key=lambda i: (i.sequence, int(i.id)))
            dropped |= {i.id for i in listed[WINDOW:]}
    if not dropped:
        return state, set()
    kept = tuple(i for i in state.instructions if i.id not in dropped)
    truncated = {queue for queue, listed in heads.items() if len(listed) > WINDOW}
    return DispatchState(state.now, state.machines, kept, state.queues), truncated


def _window_decides(state: DispatchState, truncated: set[str], machine: Machine) -> bool:
    """Whether the window holds this machine's answer: every cut queue it serves shows it an open job it
    may do (the queue's head for this machine then lies in the window, which is a prefix of the queue)."""
    if machine.status is not MachineStatus.WORKING:
        return True
    controls = {q.queue: q for q in state.queues}
    for queue in truncated:
        jobs = [i for i in state.instructions if i.queue == queue and i.pool in machine.pools]
        if jobs and not any(
            i.status is InstructionStatus.OPEN and can_do(machine, i, controls.get(queue)) for i in jobs
        ):
            return False
    return True


def dispatch_next(
    uow: UnitOfWork, machines: Iterable[str], fleet: Sequence[Any] | None = None
) -> dict[str, WorkInstructionRow]:
    """Decide for a few machines only (after a confirmation): each free one gets its next job;
    returns ``{machine: the instruction it was given}``.

    Only the instructions of these machines' pools (and those they hold) are read — of a sequenced
    queue only its first ``WINDOW`` open jobs, unless a machine finds nothing it may do among them —
    with what they depend on. After each assignment the state is updated in memory, so the next
    machine cannot get the same job; the assignment is a conditional UPDATE, so a concurrent
    confirmation cannot either. Every decision is verified by the independent checker before it is
    written (``verified``).
    """
    codes = list(machines)
    rows = uow.equipment.machines() if fleet is None else fleet
    by_code = {m.code: m for m in rows}
    pools = {pool for code in codes if code in by_code for pool in by_code[code].pools or ()}
    if not pools:
        return {}
    state, truncated = _windowed_state(uow, pools, codes, rows)
    seen = {m.code: m for m in state.machines}
    if truncated and not all(_window_decides(state, truncated, seen[c]) for c in codes if c in seen):
        state = dispatch_state(uow, pools, rows)  # rare: read the whole of these pools
    assigned: dict[str, WorkInstructionRow] = {}
    for code in codes:
        for _ in range(_TRIES):
            chosen = next_job(state, code)
            if chosen is None or chosen.status is not InstructionStatus.OPEN:
                break  # nothing to do, or the machine already holds a job
            if not verified(state, code, chosen):
                break
            given = _assign_open(uow, chosen.id, code)
            # Taken: by this machine, or meanwhile by a concurrent confirmation (then ask again, so a
            # crane whose queue head went to its neighbour gets the next job instead of nothing).
            status, holder = (InstructionStatus.ASSIGNED, code) if given is not None else _holder(uow, chosen)
            state = _with(state, replace(chosen, status=status, machine=holder))
            if given is not None:
                assigned[code] = given
                break
    return assigned


# Decisions tried per machine when concurrent confirmations keep taking the chosen job first.
_TRIES = 3


def _holder(uow: UnitOfWork, lost: Instruction) -> tuple[InstructionStatus, str | None]:
    """Who has the job a concurrent confirmation took (its status and machine, as committed)."""
    found = uow.work.status_of(int(lost.id))
    return (InstructionStatus.CANCELLED, None) if found is None else (InstructionStatus(found[0]), found[1])


def _with(state: DispatchState, changed: Instruction) -> DispatchState:
    """The state with one instruction replaced."""
    instructions = tuple(changed if i.id == changed.id else i for i in state.instructions)
    return DispatchState(state.now, state.machines, instructions, state.queues)


def verified(state: DispatchState, machine: str, chosen: Instruction) -> bool:
    """Whether the independent checker accepts giving ``chosen`` to ``machine`` in ``state``.

    Run on every live decision (it reads only the few dozen jobs the decision read, well under a
    millisecond). A refusal is a dispatcher bug: the job stays open for a later decision and the
    checker's reasons are logged, rather than a machine being sent to a job it must not do.
    """
    problems = check_dispatch(state_to_json(state), {"jobs": {machine: [chosen.id]}}, complete=False)
    if problems:
        _log.error("dispatch decision %s → %s refused by the checker: %s", chosen.id, machine, "; ".join(problems))
    return not problems
