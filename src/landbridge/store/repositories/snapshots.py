"""State snapshots at archive boundaries and the record of archived months (``store/snapshot_tables.py``)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from landbridge.store.snapshot_tables import (
    ArchivedEventMonthRow,
    SnapshotBoxRow,
    SnapshotLotRow,
    StateSnapshotRow,
)

_CHUNK = 5_000  # rows per multi-row INSERT: a year's snapshot is about 100,000 boxes


@dataclass(frozen=True)
class ArchivedHistory:
    """A box's events before ``before`` are archived; its latest archived one (at ``latest_at``) is in ``dump_file``."""

    before: datetime
    latest_at: datetime
    dump_file: str | None  # the file name of the month's dump (None: that month is not recorded)


class StateSnapshotRepository:
    """Write a snapshot's header and rows, read them back in the order the state is rebuilt."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def all(self) -> list[StateSnapshotRow]:
        """Every snapshot, oldest boundary first."""
        return list(self._session.scalars(select(StateSnapshotRow).order_by(StateSnapshotRow.boundary_at)))

    def at(self, boundary: datetime) -> StateSnapshotRow | None:
        """The snapshot taken at exactly ``boundary``, if any."""
        return self._session.scalars(select(StateSnapshotRow).where(StateSnapshotRow.boundary_at == boundary)).first()

    def latest_before(self, moment: datetime, *, inclusive: bool = False) -> StateSnapshotRow | None:
        """The snapshot with the latest boundary before ``moment`` (at or before it with ``inclusive``)."""
        bound = StateSnapshotRow.boundary_at <= moment if inclusive else StateSnapshotRow.boundary_at < moment
        query = select(StateSnapshotRow).where(bound).order_by(StateSnapshotRow.boundary_at.desc()).limit(1)
        return self._session.scalars(query).first()

    def add(
        self, header: StateSnapshotRow, boxes: Sequence[dict[str, Any]], lots: Sequence[dict[str, Any]]
    ) -> StateSnapshotRow:
        """Write a snapshot: its header, then its boxes and lots in multi-row INSERTs."""
        self._session.add(header)
        self._session.flush()
        for table, rows in ((SnapshotBoxRow, boxes), (SnapshotLotRow, lots)):
            for start in range(0, len(rows), _CHUNK):
                chunk = [{**row, "snapshot_id": header.id} for row in rows[start : start + _CHUNK]]
                self._session.execute(insert(table), chunk)
        return header

    def remove(self, snapshot: StateSnapshotRow) -> None:
        """Drop a snapshot and its rows (one that no longer matches the log, replaced by a new fold)."""
        for table in (SnapshotBoxRow, SnapshotLotRow):
            self._session.execute(delete(table).where(table.snapshot_id == snapshot.id))
        self._session.delete(snapshot)
        self._session.flush()

    def boxes(self, snapshot_id: int) -> Iterator[SnapshotBoxRow]:
        """The snapshot's boxes, oldest latest-event first (cells restored in the order they were filled)."""
        query = (
            select(SnapshotBoxRow)
            .where(SnapshotBoxRow.snapshot_id == snapshot_id)
            .order_by(SnapshotBoxRow.last_event_id, SnapshotBoxRow.container_number)
        )
        yield from self._session.scalars(query.execution_options(yield_per=_CHUNK))

    def lots(self, snapshot_id: int) -> list[SnapshotLotRow]:
        """The snapshot's grain lots."""
        return list(self._session.scalars(select(SnapshotLotRow).where(SnapshotLotRow.snapshot_id == snapshot_id)))

    def archived_months(self) -> list[ArchivedEventMonthRow]:
        """Months of the event log archived to dump files, oldest first."""
        return list(self._session.scalars(select(ArchivedEventMonthRow).order_by(ArchivedEventMonthRow.month_start)))

    def archived_between(self, since: datetime | None, before: datetime | None) -> list[ArchivedEventMonthRow]:
        """Archived months that overlap [since, before) (None: no bound on that side)."""
        query = select(ArchivedEventMonthRow)
        if before is not None:
            query = query.where(ArchivedEventMonthRow.month_start < before)
        if since is not None:
            query = query.where(ArchivedEventMonthRow.month_end > since)
        return list(self._session.scalars(query.order_by(ArchivedEventMonthRow.month_start)))

    def record_archived(self, month: ArchivedEventMonthRow) -> None:
        """Remember a month moved to a dump file (kept if it is archived again: the newest dump wins)."""
        self._session.merge(month)

    def archived_history(self, number: str) -> ArchivedHistory | None:
        """Whether a box's history starts in archived months, and where its latest archived event went.

        The snapshot that covers the archive (the latest boundary an archived month names) has the box's
        latest event before the boundary; None when nothing is archived or the box came in later.
        """
        boundary = self._session.scalar(select(func.max(ArchivedEventMonthRow.snapshot_boundary_at)))
        if boundary is None:
            return None
        latest_at = self._session.scalar(
            select(SnapshotBoxRow.last_event_at)
            .join(StateSnapshotRow, StateSnapshotRow.id == SnapshotBoxRow.snapshot_id)
            .where(StateSnapshotRow.boundary_at == boundary, SnapshotBoxRow.container_number == number)
        )
        if latest_at is None:
            return None
        dump = self._session.scalar(
            select(ArchivedEventMonthRow.dump_file).where(
                ArchivedEventMonthRow.month_start <= latest_at, ArchivedEventMonthRow.month_end > latest_at
            )
        )
        return ArchivedHistory(boundary, latest_at, PurePath(dump).name if dump else None)
