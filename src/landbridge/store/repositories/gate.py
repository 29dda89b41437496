"""Gate appointment hours, appointments, truck visits and delivery orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from landbridge.domain.gate import AppointmentStatus
from landbridge.store import tables
from landbridge.store.repositories.statements import KEY, row_by
from landbridge.store.repositories.transaction_cache import transaction_cache

_LOCKED_HOURS = "locked_gate_hours"  # this transaction's locked appointment hours by start
# Appointments, truck visits and delivery orders this transaction inserted, by (table, reference): see ``add``.
_INSERTED = "inserted_gate_rows"
_BY_REFERENCE = (tables.GateAppointmentRow, tables.TruckVisitRow, tables.DeliveryOrderRow)


class GateRepository:
    """Appointment hours, appointments and truck visits."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def hour(self, hour_start: datetime, lock: bool = False) -> tables.GateHourRow | None:
        """An appointment hour; ``lock`` serialises booking it on PostgreSQL.

        An hour this transaction has locked already is handed back without asking again (the lock
        holds until the transaction ends; see :mod:`.transaction_cache`): a batch of gate commands
        books many trucks into one window.
        """
        locked = transaction_cache(self._session, _LOCKED_HOURS).get(hour_start)
        if locked is not None:
            return locked  # type: ignore[no-any-return]
        row = self._session.scalar(
            row_by(tables.GateHourRow, tables.GateHourRow.hour_start, lock=lock), {KEY: hour_start}
        )
        if lock and row is not None:
            transaction_cache(self._session, _LOCKED_HOURS)[hour_start] = row
        return row

    def ensure_hour(self, hour_start: datetime, capacity: int) -> None:
        """Create the hour with the default capacity unless it exists (a concurrent creator may win)."""
        if self.hour(hour_start) is not None:
            return
        try:
            with self._session.begin_nested():
                self._session.add(tables.GateHourRow(hour_start=hour_start, capacity=capacity, booked=0))
        except IntegrityError:
            pass  # a concurrent booking created the hour first; its row is as good as ours

    def _inserted(self, table: type[tables.Base], reference: str) -> Any:
        """The row of this table this transaction inserted under ``reference`` (None: not one of those)."""
        return transaction_cache(self._session, _INSERTED).get((table.__tablename__, reference))

    def appointment(self, reference: str, lock: bool = False) -> tables.GateAppointmentRow | None:
        """An appointment by reference (one this transaction booked: no statement, see :meth:`add`)."""
        inserted: tables.GateAppointmentRow | None = self._inserted(tables.GateAppointmentRow, reference)
        if inserted is not None:
            return inserted
        return self._session.scalar(
            row_by(tables.GateAppointmentRow, tables.GateAppointmentRow.reference, lock=lock), {KEY: reference}
        )

    def appointments_in(self, hour_start: datetime) -> list[tables.GateAppointmentRow]:
        """Appointments booked into one window."""
        return list(
            self._session.scalars(
                select(tables.GateAppointmentRow)
                .where(tables.GateAppointmentRow.hour_start == hour_start)
                .order_by(tables.GateAppointmentRow.reference)
            )
        )

    def truck(self, reference: str, lock: bool = False) -> tables.TruckVisitRow | None:
        """A truck visit by reference (one this transaction let in: no statement, see :meth:`add`)."""
        inserted: tables.TruckVisitRow | None = self._inserted(tables.TruckVisitRow, reference)
        if inserted is not None:
            return inserted
        return self._session.scalar(
            row_by(tables.TruckVisitRow, tables.TruckVisitRow.reference, lock=lock), {KEY: reference}
        )

    def add(self, row: tables.Base) -> None:
        """Add an hour, appointment, truck visit or delivery order and flush.

        An appointment, truck visit or delivery order inserted here is this transaction's until it
        commits — nobody else sees it, let alone locks or changes it, and none of them is ever
        deleted — so a later read of it in the same transaction (locking or not) is answered with
        this row, without a statement: the gate's commands on one truck (appointment, truck in, truck
        out) often share a transaction in the twin loader's batches (issue #19). Any rollback, even to
        a savepoint, forgets it (:mod:`.transaction_cache`).
        """
        self._session.add(row)
        self._session.flush()
        if isinstance(row, _BY_REFERENCE):
            transaction_cache(self._session, _INSERTED)[(row.__tablename__, row.reference)] = row

    def appointments(
        self,
        party: str | None = None,
        status: AppointmentStatus | None = None,
        *,
        after: str | None = None,
        limit: int | None = None,
    ) -> list[tables.GateAppointmentRow]:
        """Appointments by window (a party's own when ``party`` is given); a page of ``limit`` after the
        appointment ``after`` in that order (keyset on window and reference; an unknown ``after``: none)."""
        row = tables.GateAppointmentRow
        query = select(row)
        if party is not None:
            query = query.where(row.party_code == party)
        if status is not None:
            query = query.where(row.status == status)
        if after is not None:
            last = self._session.get(row, after)
            if last is None:
                return []
            query = query.where(
                or_(row.hour_start > last.hour_start, and_(row.hour_start == last.hour_start, row.reference > after))
            )
        query = query.order_by(row.hour_start, row.reference)
        return list(self._session.scalars(query if limit is None else query.limit(limit)))

    def booked_between(self, party: str, start: datetime, end: datetime) -> int:
        """How many booked appointments a party holds in windows starting in [start, end)."""
        return int(
            self._session.scalar(
                select(func.count()).where(
                    tables.GateAppointmentRow.party_code == party,
                    tables.GateAppointmentRow.status == AppointmentStatus.BOOKED,
                    tables.GateAppointmentRow.hour_start >= start,
                    tables.GateAppointmentRow.hour_start < end,
                )
            )
            or 0
        )

    def delivery_order(self, reference: str, lock: bool = False) -> tables.DeliveryOrderRow | None:
        """A delivery order by reference (one this transaction issued: no statement, see :meth:`add`)."""
        inserted: tables.DeliveryOrderRow | None = self._inserted(tables.DeliveryOrderRow, reference)
        if inserted is not None:
            return inserted
        return self._session.scalar(
            row_by(tables.DeliveryOrderRow, tables.DeliveryOrderRow.reference, lock=lock), {KEY: reference}
        )

    def released_boxes(self, reference: str) -> list[tables.DeliveryOrderBoxRow]:
        """The boxes a delivery order releases."""
        return list(
            self._session.scalars(
                select(tables.DeliveryOrderBoxRow)
                .where(tables.DeliveryOrderBoxRow.order_reference == reference)
                .order_by(tables.DeliveryOrderBoxRow.container_number)
            )
        )
