"""Work queues: list them with their counts, list instructions, and the planner's controls.

A planner can **pin** a queue to one machine (nothing else takes its jobs), **reorder** it (the
instructions named get sequence 1, 2, 3… in that order; the rest follow) and **suspend** or resume
it. Every change re-plans the queues and is an event on the queue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType
from landbridge.planning.dispatch.problem import InstructionStatus
from landbridge.services.actor import Actor
from landbridge.services.idempotency import IdempotencyKey, Outcome
from landbridge.services.operations.common import execute, subject_event
from landbridge.services.work.dispatching import redispatch
from landbridge.services.work.views import instruction_view, queue_view
from landbridge.store.unit_of_work import UnitOfWork

UNSET: Any = object()


def queues(uow: UnitOfWork) -> list[dict[str, Any]]:
    """Every work queue with open / assigned / done / cancelled counts."""
    with uow:
        counts = uow.work.counts()
        return [
            queue_view(q, {status: n for (name, status), n in counts.items() if name == q.code})
            for q in uow.work.queues()
        ]


def instructions(
    uow: UnitOfWork,
    *,
    queue: str | None = None,
    status: str | None = None,
    machine: str | None = None,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Instructions filtered by queue, status and machine."""
    with uow:
        return [instruction_view(r) for r in uow.work.listed(queue=queue, status=status, machine=machine, limit=limit)]


def instruction(uow: UnitOfWork, instruction_id: int) -> dict[str, Any]:
    """One instruction."""
    with uow:
        row = uow.work.instruction(instruction_id)
        if row is None:
            raise NotFound("instruction", f"no work instruction {instruction_id}")
        return instruction_view(row)


def control(
    uow: UnitOfWork,
    actor: Actor,
    *,
    code: str,
    suspended: bool | None = None,
    pinned_machine: str | None = UNSET,
    order: list[int] | None = None,
    occurred_at: datetime | None = None,
    idempotency: IdempotencyKey | None = None,
) -> Outcome:
    """Suspend/resume, pin/unpin (``pinned_machine=None`` unpins) or reorder a queue; then re-plan."""

    def work(uow: UnitOfWork) -> dict[str, Any]:
        row = uow.work.queue(code, lock=True)
        if row is None:
            raise NotFound("code", f"no work queue {code!r}")
        before = {"suspended": row.suspended, "pinned_machine": row.pinned_machine}
        if suspended is not None:
            row.suspended = suspended
        if pinned_machine is not UNSET:
            if pinned_machine is not None:
                machine = uow.equipment.machine(pinned_machine)
                if machine is None:
                    raise NotFound("pinned_machine", f"no machine {pinned_machine!r}")
                if row.pool not in (machine.pools or []):
                    raise RuleViolation("pinned_machine", f"{pinned_machine} does not work in {row.pool}")
            row.pinned_machine = pinned_machine
        if order is not None:
            _reorder(uow, code, order)
        uow.session.flush()
        assigned = redispatch(uow)
        after = {"suspended": row.suspended, "pinned_machine": row.pinned_machine, "order": order}
        subject_event(uow, EventType.WORK_QUEUE_CHANGED, "work_queue", code, actor, before, after)
        counts = uow.work.counts()
        return {
            **queue_view(row, {status: n for (name, status), n in counts.items() if name == code}),
            "assigned_jobs": assigned,
        }

    return execute(uow, actor, work, idempotency=idempotency, occurred_at=occurred_at)


def _reorder(uow: UnitOfWork, code: str, order: list[int]) -> None:
    live = [r for r in uow.work.listed(queue=code, limit=100_000) if r.status == InstructionStatus.OPEN.value]
    by_id = {r.id: r for r in live}
    for index, instruction_id in enumerate(order):
        if instruction_id not in by_id:
            raise RuleViolation(f"order[{index}]", f"{instruction_id} is not an open instruction of queue {code}")
    if len(set(order)) != len(order):
        raise RuleViolation("order", "an instruction is named twice")
    rest = sorted((r for r in live if r.id not in set(order)), key=lambda r: (r.sequence, r.id))
    first = min((r.sequence for r in live), default=1)
    for offset, row in enumerate([*(by_id[i] for i in order), *rest]):
        row.sequence = first + offset
        row.version += 1
