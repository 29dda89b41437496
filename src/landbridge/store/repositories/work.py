"""Work instructions and work queues (``store/work_tables.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, func, not_, or_, select, update
from sqlalchemy.orm import Session

from landbridge.store import tables
from landbridge.store.work_tables import WorkInstructionRow, WorkQueueRow

LIVE = ("open", "assigned")


class WorkRepository:
    """Instructions (live ones for the dispatcher, one locked for a confirmation) and queue controls."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: WorkInstructionRow) -> WorkInstructionRow:
        """Store a new instruction and flush (so it has its id)."""
        self._session.add(row)
        self._session.flush()
        return row

    def instruction(self, instruction_id: int, *, lock: bool = False) -> WorkInstructionRow | None:
        """One instruction; ``lock`` holds its row, so two confirmations of it queue and the second sees it done."""
        query = select(WorkInstructionRow).where(WorkInstructionRow.id == instruction_id)
        if lock:
            query = query.with_for_update()
        return self._session.scalar(query)

    def live(self) -> list[WorkInstructionRow]:
        """Every open or assigned instruction, by id."""
        return list(
            self._session.scalars(
                select(WorkInstructionRow).where(WorkInstructionRow.status.in_(LIVE)).order_by(WorkInstructionRow.id)
            )
        )

    def live_facts(self, *, pools: Iterable[str] | None = None, ids: Iterable[int] | None = None) -> list[Row[Any]]:
        """What the dispatcher reads of the live instructions (all, of some pools, or some ids), by id.

        Plain rows of the needed columns, not ORM objects: a busy base has thousands of live jobs.
        """
        table = WorkInstructionRow
        query = select(*_fact_columns()).where(table.status.in_(LIVE))
        if pools is not None:
            query = query.where(table.pool.in_(sorted(set(pools))))
        if ids is not None:
            query = query.where(table.id.in_(sorted(set(ids))))
        return list(self._session.execute(query.order_by(table.id)))

    def live_facts_windowed(self, pools: Iterable[str], machines: Iterable[str], window: int) -> list[Row[Any]]:
        """The dispatcher's facts after a confirmation, without re-reading whole queues (one statement).

        Every live job of these pools or held by these machines — except that of each *sequenced*
        queue only the first ``window + 1`` open jobs in sequence order are read: a machine only ever
        takes the lowest-sequence open job of such a queue that it can do (rule 2), so that prefix
        decides unless none of it suits the machine (the caller checks, and reads the rest then).
        The extra row tells the caller the queue goes on beyond the window. Each row carries its
        queue's controls (``queue_suspended``, ``queue_pinned``, ``queue_sequenced``; None without a
        queue row), so the queues need no read of their own. The statement is built once per process.
        """
        parameters = {"pools": sorted(set(pools)), "machines": sorted(set(machines)), "head": window + 1}
        return list(self._session.execute(_windowed_statement(), parameters))

    def assign_if_open(self, instruction_id: int, machine: str, at: datetime) -> WorkInstructionRow | None:
        """Give an open instruction to a machine in one conditional UPDATE; the instruction as it is now,
        or None when it was no longer open.

        Of two confirmations racing for the same open job exactly one matches ``status = 'open'``
        (PostgreSQL re-checks the condition after the first commits), so a job never goes to two
        machines. The row comes back from the UPDATE itself (RETURNING), so the driver's next job
        needs no read of its own.
        """
        result = self._session.execute(
            _assign_statement(),
            {"job": instruction_id, "holder": machine, "at": at},
            execution_options={"synchronize_session": "fetch"},
        )
        return result.scalars().first()

    def status_of(self, instruction_id: int) -> tuple[str, str | None] | None:
        """An instruction's status and machine as committed now (None when there is no such instruction)."""
        table = WorkInstructionRow
        found = self._session.execute(select(table.status, table.machine).where(table.id == instruction_id)).first()
        return None if found is None else (found[0], found[1])

    def assigned(self) -> list[WorkInstructionRow]:
        """Every assigned instruction (a machine holds it)."""
        return list(
            self._session.scalars(
                select(WorkInstructionRow)
                .where(WorkInstructionRow.status == "assigned")
                .order_by(WorkInstructionRow.id)
            )
        )

    def live_in_pools(self, pools: Iterable[str]) -> list[WorkInstructionRow]:
        """The open or assigned instructions of these pools, by id."""
        return list(
            self._session.scalars(
                select(WorkInstructionRow)
                .where(WorkInstructionRow.status.in_(LIVE), WorkInstructionRow.pool.in_(sorted(set(pools))))
                .order_by(WorkInstructionRow.id)
            )
        )

    def live_by_ids(self, ids: Iterable[int]) -> list[WorkInstructionRow]:
        """The live instructions among these ids."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        return list(
            self._session.scalars(
                select(WorkInstructionRow).where(WorkInstructionRow.id.in_(wanted), WorkInstructionRow.status.in_(LIVE))
            )
        )

    def live_for(self, containers: Iterable[str]) -> list[WorkInstructionRow]:
        """The live instructions of these boxes."""
        wanted = sorted(set(containers))
        if not wanted:
            return []
        return list(
            self._session.scalars(
                select(WorkInstructionRow)
                .where(WorkInstructionRow.container.in_(wanted), WorkInstructionRow.status.in_(LIVE))
                .order_by(WorkInstructionRow.id)
            )
        )

    def of_visit(self, visit: str, kind: str) -> list[WorkInstructionRow]:
        """Every instruction (any status) of one kind generated for a visit."""
        return list(
            self._session.scalars(
                select(WorkInstructionRow)
                .where(WorkInstructionRow.visit == visit, WorkInstructionRow.kind == kind)
                .order_by(WorkInstructionRow.id)
            )
        )

    def of_machine(self, machine: str, statuses: Iterable[str] = LIVE) -> list[WorkInstructionRow]:
        """The instructions a machine holds (by default the live ones)."""
        return list(
            self._session.scalars(
                select(WorkInstructionRow)
                .where(WorkInstructionRow.machine == machine, WorkInstructionRow.status.in_(tuple(statuses)))
                .order_by(WorkInstructionRow.id)
            )
        )

    def listed(
        self, *, queue: str | None = None, status: str | None = None, machine: str | None = None, limit: int = 500
    ) -> list[WorkInstructionRow]:
        """Instructions filtered by queue, status and machine, oldest first, at most ``limit``."""
        query = select(WorkInstructionRow).order_by(WorkInstructionRow.queue, WorkInstructionRow.sequence)
        if queue is not None:
            query = query.where(WorkInstructionRow.queue == queue)
        if status is not None:
            query = query.where(WorkInstructionRow.status == status)
        if machine is not None:
            query = query.where(WorkInstructionRow.machine == machine)
        return list(self._session.scalars(query.order_by(WorkInstructionRow.id).limit(limit)))

    def done_between(self, start: datetime, end: datetime) -> list[WorkInstructionRow]:
        """Instructions confirmed in ``[start, end)``, by time."""
        return list(
            self._session.scalars(
                select(WorkInstructionRow)
                .where(
                    WorkInstructionRow.status == "done",
                    WorkInstructionRow.done_at >= start,
                    WorkInstructionRow.done_at < end,
                )
                .order_by(WorkInstructionRow.done_at, WorkInstructionRow.id)
            )
        )

    def counts(self) -> dict[tuple[str, str], int]:
        """How many instructions each queue has in each status."""
        rows = self._session.execute(
            select(WorkInstructionRow.queue, WorkInstructionRow.status, func.count()).group_by(
                WorkInstructionRow.queue, WorkInstructionRow.status
            )
        )
        return {(queue, status): count for queue, status, count in rows}

    def queues(self) -> list[WorkQueueRow]:
        """Every work queue, by code."""
        return list(self._session.scalars(select(WorkQueueRow).order_by(WorkQueueRow.code)))

    def queue(self, code: str, *, lock: bool = False) -> WorkQueueRow | None:
        """One work queue."""
        query = select(WorkQueueRow).where(WorkQueueRow.code == code)
        if lock:
            query = query.with_for_update()
        return self._session.scalar(query)

    def ensure_queue(self, code: str, pool: str, *, sequenced: bool) -> WorkQueueRow:
        """The queue, created when it does not exist yet."""
        row = self.queue(code)
        if row is None:
            row = WorkQueueRow(code=code, pool=pool, sequenced=sequenced, suspended=False, pinned_machine=None)
            self._session.add(row)
            self._session.flush()
        return row

    def trucks_out_between(self, start: datetime, end: datetime) -> list[tables.TruckVisitRow]:
        """Truck visits that left in ``[start, end)`` (their turn times are a productivity figure)."""
        return list(
            self._session.scalars(
                select(tables.TruckVisitRow)
                .where(tables.TruckVisitRow.left_at >= start, tables.TruckVisitRow.left_at < end)
                .order_by(tables.TruckVisitRow.left_at)
            )
        )


def _fact_columns() -> tuple[Any, ...]:
    table = WorkInstructionRow
    return (
        table.id, table.container, table.kind, table.queue, table.pool, table.length_ft, table.mass_kg,
        table.from_x_m, table.from_y_m, table.to_x_m, table.to_y_m, table.priority, table.sequence,
        table.earliest, table.latest, table.depends_on, table.status, table.machine, table.pinned_machine,
        table.excluded_machines, table.lot,
    )  # fmt: skip


@cache
def _windowed_statement() -> Select[Any]:
    """``live_facts_windowed``'s statement with its queue controls; bound by ``pools``, ``machines``, ``head``.

    Built once: constructing a statement this size costs more CPU than PostgreSQL spends running it.
    """
    table, queues = WorkInstructionRow, WorkQueueRow
    wanted: Any = bindparam("pools", expanding=True)
    holders: Any = bindparam("machines", expanding=True)
    controls = (
        queues.suspended.label("queue_suspended"),
        queues.pinned_machine.label("queue_pinned"),
        queues.sequenced.label("queue_sequenced"),
    )
    sequenced = select(queues.code).where(queues.sequenced.is_(True)).scalar_subquery()
    open_in_sequenced = and_(table.status == "open", table.queue.in_(sequenced))
    rest = (
        select(*_fact_columns(), *controls)
        .outerjoin(queues, queues.code == table.queue)
        .where(table.status.in_(LIVE), or_(table.pool.in_(wanted), table.machine.in_(holders)), not_(open_in_sequenced))
    )
    rank = func.row_number().over(partition_by=table.queue, order_by=(table.sequence, table.id)).label("rank")
    ranked = select(*_fact_columns(), rank).where(open_in_sequenced, table.pool.in_(wanted)).subquery()
    head = (
        select(*(ranked.c[column.key] for column in _fact_columns()), *controls)
        .outerjoin(queues, queues.code == ranked.c.queue)
        .where(ranked.c.rank <= bindparam("head"))
    )
    statement: Select[Any] = rest.union_all(head)  # type: ignore[assignment]
    return statement


@cache
def _assign_statement() -> Any:
    """``assign_if_open``'s conditional UPDATE, built once (bound by ``job``, ``holder``, ``at``)."""
    table = WorkInstructionRow
    return (
        update(table)
        .where(table.id == bindparam("job"), table.status == "open")
        .values(status="assigned", machine=bindparam("holder"), assigned_at=bindparam("at"), version=table.version + 1)
        .returning(table)
    )
