"""The append-only event log: ``append`` and reads, no update or delete path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select
from sqlalchemy.orm import Session

from landbridge.domain.events import Event, EventType, as_utc, utc_now
from landbridge.store import tables
from landbridge.store.repositories.container_stays import follow_moves
from landbridge.store.repositories.transaction_cache import transaction_cache

SOLE_WRITER = "landbridge_sole_writer"
"""``session.info`` flag: nobody else writes to the database while this session's transactions run."""

_MOMENTS = "latest_event_moments"  # (subject_type, subject_id) → (type, occurred_at) or None, this transaction


def event_from_row(row: tables.EventRow) -> Event:
    """Rebuild an event from its row."""
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


class EventLog:
    """The append-only audit trail."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, event: Event) -> None:
        """Add an event to the current transaction (written at once, in the order of the calls)."""
        self._session.execute(_INSERT, [_values(event, utc_now())])
        self._appended(event)
        follow_moves(self._session, (event,))  # the reports' container_stays, same transaction

    def append_many(self, events: Sequence[Event]) -> None:
        """Add events in this order with one multi-row INSERT (a batch import; no ORM objects kept)."""
        if events:
            now = utc_now()
            rows = [_values(event, now) for event in events]
            self._session.execute(_INSERT, rows)
            for event in events:
                self._appended(event)
            follow_moves(self._session, events)  # the reports' container_stays, same transaction

    def _appended(self, event: Event) -> None:
        """Keep the subject's latest moment known to this transaction up to date (see :meth:`latest_moment`)."""
        moments = transaction_cache(self._session, _MOMENTS)
        key = (event.subject_type, event.subject_id)
        if key not in moments:
            return  # not read in this transaction: the next read asks the database
        known = moments[key]
        if known is None or as_utc(event.occurred_at) >= as_utc(known[1]):
            moments[key] = (event.event_type, event.occurred_at)  # the newest by time, and by id among equals
        else:
            del moments[key]  # written out of order (a direct append): ask the database again

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
        sole_writer = self._session.info.get(SOLE_WRITER, False)
        if sole_writer:
            moments = transaction_cache(self._session, _MOMENTS)
            if key in moments:
                return moments[key]  # type: ignore[no-any-return]
        row = self._session.execute(_LATEST_MOMENT, {"subject_type": subject_type, "subject_id": subject_id}).first()
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

    def stream_for_replay(self, batch: int = 5000) -> Iterator[Row[tuple[str, str, dict[str, Any] | None]]]:
        """Subject and ``after`` of every event in order, ``batch`` rows at a time (a year need not fit in memory)."""
        query = select(tables.EventRow.subject_type, tables.EventRow.subject_id, tables.EventRow.after)
        yield from self._session.execute(query.order_by(tables.EventRow.id).execution_options(yield_per=batch))


def all_events(session: Session) -> list[tables.EventRow]:
    """The whole event log in order (replay)."""
    return list(session.scalars(select(tables.EventRow).order_by(tables.EventRow.id)))
