"""The append-only event log: ``append`` and reads, no update or delete path."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Executable, Row, Table, TextClause, bindparam, func, insert, null, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.util import find_tables

from landbridge.domain.events import Event, EventType, as_utc, utc_now
from landbridge.store import tables
from landbridge.store.repositories.container_stays import follow_moves
from landbridge.store.repositories.transaction_cache import transaction_cache

SOLE_WRITER = "landbridge_sole_writer"
"""``session.info`` flag: nobody else writes to the database while this session's transactions run."""

DEFERRED = "landbridge_deferred_events"
"""``session.info`` key: the rows of events appended but not yet written, in order (a list).

Set only by the loader's optimistic batches (``store/batched_unit_of_work.py``): their events are
written with one multi-row INSERT per batch instead of one statement each (a fifth of a command's
statements, issue #19) — and at once before any statement that reads the log (:func:`reads_events`),
so nobody reads a log that lacks them. Ids and order are those of appending one by one.
"""

_MOMENTS = "latest_event_moments"  # (subject_type, subject_id) → (type, occurred_at) or None, this transaction
# Subjects this transaction created (any writer): no events but the ones it appends; same shape as _MOMENTS.
_CREATED = "created_event_subjects"


def event_from_row(row: tables.EventRow | Row[Any]) -> Event:
    """Rebuild an event from its row (an ORM row, or a plain row of the same columns)."""
    return Event(
        event_type=EventType(row.event_type),
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        actor=row.actor,
        role=row.role,
        occurred_at=row.occurred_at,
        location=row.location,
        before=row.before,
        after=row.after,
        source_reference=row.source_reference,
        recorded_at=row.recorded_at,
    )


# Built once: the ordering rule reads a subject's latest event before every append, and building the
# statement each time cost more than running it (profile of the twin loader, issue #19).
_LATEST_MOMENT = (
    select(tables.EventRow.event_type, tables.EventRow.occurred_at)
    .where(
        tables.EventRow.subject_type == bindparam("subject_type"),
        tables.EventRow.subject_id == bindparam("subject_id"),
    )
    .order_by(tables.EventRow.occurred_at.desc(), tables.EventRow.id.desc())
    .limit(1)
)


# Built once: the latest event of each of many subjects (a train's boxes when it departs), one statement.
_RANKED = (
    select(
        tables.EventRow.subject_id,
        tables.EventRow.event_type,
        tables.EventRow.occurred_at,
        func.row_number()
        .over(
            partition_by=tables.EventRow.subject_id,
            order_by=(tables.EventRow.occurred_at.desc(), tables.EventRow.id.desc()),
        )
        .label("rank"),
    )
    .where(
        tables.EventRow.subject_type == bindparam("subject_type"),
        tables.EventRow.subject_id.in_(bindparam("subject_ids", expanding=True)),
    )
    .subquery()
)
_LATEST_MOMENTS = select(_RANKED.c.subject_id, _RANKED.c.event_type, _RANKED.c.occurred_at).where(_RANKED.c.rank == 1)


# Built once: every command appends events; a Core INSERT of the row's values skips the ORM's
# unit-of-work bookkeeping for an object nobody reads back (the log is append-only).
_INSERT = insert(cast(Table, tables.EventRow.__table__))


def _values(event: Event, recorded_at: datetime) -> dict[str, Any]:
    return {
        "event_type": event.event_type.value,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "actor": event.actor,
        "role": event.role,
        "occurred_at": event.occurred_at,
        "recorded_at": recorded_at,
        "location": event.location,
        "before": event.before,
        "after": event.after,
        "source_reference": event.source_reference,
    }


COMPLETE_LOG_OPTION = "landbridge_complete_log"
COMPLETE_LOG = {COMPLETE_LOG_OPTION: True}
"""Execution options of a read of the log that has seen to the deferred events it needs (no write first)."""

_TABLES_NAMED: weakref.WeakKeyDictionary[Executable, frozenset[str] | None] = weakref.WeakKeyDictionary()
_EVENTS_TABLE = cast(Table, tables.EventRow.__table__)


def reads_events(statement: Executable, table: str = _EVENTS_TABLE.name) -> bool:
    """Whether the statement names the event table (or ``table``) anywhere (a subquery, a join); text: assumed so.

    Remembered per statement object: the prebuilt hot statements are looked at once.
    """
    try:
        named = _TABLES_NAMED[statement]
    except KeyError:
        named = None
        if isinstance(statement, ClauseElement) and not isinstance(statement, TextClause):
            named = _tables_of(statement)
        _TABLES_NAMED[statement] = named  # None: text, assumed to name every table
    return named is None or table in named


# Statements built afresh per call (not prebuilt) have the same shape each time: their tables are known
# by SQLAlchemy's cache key, which the statement memoizes and its execution computes anyway (for the
# compiled-statement cache), so a new statement object costs a lookup, not a walk of its tree (issue #19).
_TABLES_BY_SHAPE: dict[Any, frozenset[str]] = {}


def _tables_of(statement: ClauseElement) -> frozenset[str]:
    cache_key = statement._generate_cache_key()
    shape = None if cache_key is None else cache_key.key  # the key's tuple: the CacheKey itself is unhashable
    if shape is not None:
        known = _TABLES_BY_SHAPE.get(shape)
        if known is not None:
            return known
    found = find_tables(statement, include_aliases=True, include_joins=True, include_crud=True)
    named = frozenset(str(getattr(found_table, "name", "")) for found_table in found)
    if shape is not None:
        if len(_TABLES_BY_SHAPE) > 5_000:
            _TABLES_BY_SHAPE.clear()  # a bound, like SQLAlchemy's own compiled cache
        _TABLES_BY_SHAPE[shape] = named
    return named


def write_deferred(session: Session) -> None:
    """Write the events a batch deferred (one multi-row INSERT, in the order they were appended)."""
    deferred = session.info.get(DEFERRED)
    if deferred:
        rows = list(deferred)
        deferred.clear()
        session.execute(_INSERT, rows)


class EventLog:
    """The append-only audit trail."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, event: Event) -> None:
        """Add an event to the current transaction (written at once, in the order of the calls;
        in a batch that defers them, before the next statement that reads the log — see :data:`DEFERRED`)."""
        values = _values(event, utc_now())
        deferred = self._session.info.get(DEFERRED)
        if deferred is not None:
            deferred.append(values)
        else:
            self._session.execute(_INSERT, [values])
        self._appended(event)
        follow_moves(self._session, (event,))  # the reports' container_stays, same transaction

    def append_many(self, events: Sequence[Event]) -> None:
        """Add events in this order with one multi-row INSERT (a batch import; no ORM objects kept)."""
        if events:
            now = utc_now()
            rows = [_values(event, now) for event in events]
            deferred = self._session.info.get(DEFERRED)
            if deferred is not None:
                deferred.extend(rows)
            else:
                self._session.execute(_INSERT, rows)
            for event in events:
                self._appended(event)
            follow_moves(self._session, events)  # the reports' container_stays, same transaction

    def _write_deferred_about(self, subject_type: str, subject_ids: set[str]) -> None:
        """Write the deferred events if some are about these subjects: a read of only their events then
        sees the whole log (:data:`COMPLETE_LOG`) without writing the others first."""
        deferred = self._session.info.get(DEFERRED)
        if deferred and any(r["subject_type"] == subject_type and r["subject_id"] in subject_ids for r in deferred):
            write_deferred(self._session)

    def _appended(self, event: Event) -> None:
        """Keep the subject's latest moment known to this transaction up to date (see :meth:`latest_moment`)."""
        key = (event.subject_type, event.subject_id)
        for name in (_MOMENTS, _CREATED):
            moments = transaction_cache(self._session, name)
            if key not in moments:
                continue  # not read in this transaction: the next read asks the database
            known = moments[key]
            if known is None or as_utc(event.occurred_at) >= as_utc(known[1]):
                moments[key] = (event.event_type, event.occurred_at)  # the newest by time, and by id among equals
            else:
                del moments[key]  # written out of order (a direct append): ask the database again

    def latest_moments(
        self, subject_type: str, subject_ids: Iterable[str]
    ) -> dict[str, tuple[EventType, datetime] | None]:
        """:meth:`latest_moment` of many subjects of one type: one statement for those the transaction does not know."""
        wanted = list(dict.fromkeys(subject_ids))
        sole_writer = self._session.info.get(SOLE_WRITER, False)
        moments = transaction_cache(self._session, _MOMENTS) if sole_writer else {}
        created = transaction_cache(self._session, _CREATED)
        found: dict[str, tuple[EventType, datetime] | None] = {}
        asked: list[str] = []
        for subject_id in wanted:
            key = (subject_type, subject_id)
            if key in created:
                found[subject_id] = created[key]
            elif key in moments:
                found[subject_id] = moments[key]
            else:
                asked.append(subject_id)
        for start in range(0, len(asked), 500):
            part = asked[start : start + 500]
            self._write_deferred_about(subject_type, set(part))
            values = {"subject_type": subject_type, "subject_ids": part}
            rows = self._session.execute(_LATEST_MOMENTS, values, execution_options=COMPLETE_LOG)
            read = {row.subject_id: (EventType(row.event_type), row.occurred_at) for row in rows}
            for subject_id in part:
                found[subject_id] = read.get(subject_id)
                if sole_writer:
                    transaction_cache(self._session, _MOMENTS)[(subject_type, subject_id)] = found[subject_id]
        return found

    def created(self, subject_type: str, subject_id: str) -> None:
        """Say that this transaction created the subject (inserted its row under a new key): it has no events yet.

        Its latest moment is then what this transaction appends about it, without asking the
        database (a new truck visit or appointment: issue #19). A key that exists already fails the
        row's INSERT, and with it the command, so the answer can never be used wrongly.
        """
        transaction_cache(self._session, _CREATED)[(subject_type, subject_id)] = None

    def latest_times(self, subject_type: str, subject_ids: Iterable[str]) -> dict[str, datetime]:
        """The time of each subject's latest event (subjects without one are absent), in one query per 500."""
        wanted = sorted(set(subject_ids))
        latest: dict[str, datetime] = {}
        for start in range(0, len(wanted), 500):
            query = (
                select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
                .where(
                    tables.EventRow.subject_type == subject_type,
                    tables.EventRow.subject_id.in_(wanted[start : start + 500]),
                )
                .group_by(tables.EventRow.subject_id)
            )
            latest.update({subject: when for subject, when in self._session.execute(query)})
        return latest

    def for_subject(self, subject_type: str, subject_id: str) -> list[Event]:
        """Every event about one object in the order it happened (late entries in their place)."""
        rows = self._session.scalars(
            select(tables.EventRow)
            .where(tables.EventRow.subject_type == subject_type, tables.EventRow.subject_id == subject_id)
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        ).all()
        return [event_from_row(row) for row in rows]

    def latest_for(self, subject_type: str, subject_id: str) -> Event | None:
        """The subject's latest event by the time it happened (None for a new subject)."""
        row = self._session.scalars(
            select(tables.EventRow)
            .where(tables.EventRow.subject_type == subject_type, tables.EventRow.subject_id == subject_id)
            .order_by(tables.EventRow.occurred_at.desc(), tables.EventRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else event_from_row(row)

    def latest_moment(self, subject_type: str, subject_id: str) -> tuple[EventType, datetime] | None:
        """Type and time of the subject's latest event (None for a new subject): what the ordering rule needs.

        Where this session is the database's only writer (the twin loader's batches declare it with
        :data:`SOLE_WRITER`), what this transaction read or wrote about the subject is the answer
        and the database is not asked again; elsewhere another transaction may have appended since,
        so it always asks.
        """
        key = (subject_type, subject_id)
        created = transaction_cache(self._session, _CREATED)
        if key in created:
            return created[key]  # type: ignore[no-any-return]
        sole_writer = self._session.info.get(SOLE_WRITER, False)
        if sole_writer:
            moments = transaction_cache(self._session, _MOMENTS)
            if key in moments:
                return moments[key]  # type: ignore[no-any-return]
        self._write_deferred_about(subject_type, {subject_id})
        values = {"subject_type": subject_type, "subject_id": subject_id}
        row = self._session.execute(_LATEST_MOMENT, values, execution_options=COMPLETE_LOG).first()
        moment = None if row is None else (EventType(row.event_type), row.occurred_at)
        if sole_writer:
            transaction_cache(self._session, _MOMENTS)[key] = moment
        return moment

    def count(self) -> int:
        """Number of events recorded."""
        return int(self._session.scalar(select(func.count()).select_from(tables.EventRow)) or 0)

    def all_rows(self) -> list[tables.EventRow]:
        """The whole event log in order (replay)."""
        return all_events(self._session)

    def stream_for_replay(
        self,
        batch: int = 5000,
        *,
        since: datetime | None = None,
        before: datetime | None = None,
        moments: bool = False,
    ) -> Iterator[Row[tuple[int, str, str, str, datetime | None, dict[str, Any] | None]]]:
        """What replay folds of every event in order, ``batch`` rows at a time (a year need not fit in memory).

        ``since`` / ``before`` bound ``occurred_at`` (``since`` ≤ it < ``before``): the events after a
        state snapshot, or those a snapshot at ``before`` folds (services/state_snapshots.py).
        ``occurred_at`` is read only with ``moments`` (a snapshot keeps each box's latest event time;
        converting a million times costs ``db check`` seconds it does not need).
        """
        moment = tables.EventRow.occurred_at if moments else null().label("occurred_at")
        query = select(
            tables.EventRow.id,
            tables.EventRow.event_type,
            tables.EventRow.subject_type,
            tables.EventRow.subject_id,
            moment,
            tables.EventRow.after,
        )
        if since is not None:
            query = query.where(tables.EventRow.occurred_at >= since)
        if before is not None:
            query = query.where(tables.EventRow.occurred_at < before)
        yield from self._session.execute(query.order_by(tables.EventRow.id).execution_options(yield_per=batch))

    def first_moment(self) -> datetime | None:
        """When the oldest event still in the log happened (later than the first ever once months are archived)."""
        return self._session.scalar(select(func.min(tables.EventRow.occurred_at)))


def all_events(session: Session) -> list[tables.EventRow]:
    """The whole event log in order (replay)."""
    return list(session.scalars(select(tables.EventRow).order_by(tables.EventRow.id)))
