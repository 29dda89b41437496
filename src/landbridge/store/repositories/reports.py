"""The event-log reads the management reports start from, and the few facts they need."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Integer, and_, case, cast, extract, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from landbridge.store import tables
from landbridge.store.report_tables import ContainerStayRow


class ReportRepository:
    """Events of given types in a time range, box sizes, and train visits' routes."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def events(self, types: Iterable[str], start: datetime | None, end: datetime) -> list[tables.EventRow]:
        """Events of ``types`` that happened in [start, end) (from the beginning when start is None), in order."""
        query = (
            select(tables.EventRow)
            .where(tables.EventRow.event_type.in_(list(types)), tables.EventRow.occurred_at < end)
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
        if start is not None:
            query = query.where(tables.EventRow.occurred_at >= start)
        return list(self._session.scalars(query))

    def iso_types(self, numbers: Iterable[str]) -> dict[str, str]:
        """ISO size-type code of each box."""
        query = select(tables.ContainerRow.number, tables.ContainerRow.iso_type).where(
            tables.ContainerRow.number.in_(list(numbers))
        )
        return {number: iso for number, iso in self._session.execute(query)}

    def train_routes(self) -> dict[str, tuple[str, str]]:
        """Train visit reference → (route code, direction)."""
        query = select(tables.TrainVisitRow.reference, tables.TrainVisitRow.route_code, tables.TrainVisitRow.direction)
        return {reference: (route, direction) for reference, route, direction in self._session.execute(query)}

    def bounded(self) -> BoundedReportReads:
        """The window-bounded reads on the same session."""
        return BoundedReportReads(self._session)

    def machine_kinds(self) -> dict[str, str]:
        """Machine code → its kind (quay_crane, rail_mounted_gantry, …)."""
        query = select(tables.EquipmentRow.code, tables.EquipmentRow.kind)
        return {code: kind for code, kind in self._session.execute(query)}


# ---- bounded reads: what a report's window touches (issue #19) -------------------------------------

GATE_TYPES = ("truck.in", "truck.out", "gate.override")
"""The events the gate report pairs per truck visit."""


class TruckTurns(NamedTuple):
    """Trucks that left in a window: (hub-time day of leaving, turn µs, overridden) of those the database
    paired, and the other trucks' ids (to pair event by event)."""

    turns: list[tuple[str, int, bool]]
    others: list[str]


EventTuple = tuple[int, str, str, str, datetime, dict[str, Any] | None]
"""(id, event_type, subject_type, subject_id, occurred_at, after) — an event as the reports read it."""


def _event_columns(with_after: bool) -> tuple[Any, ...]:
    after = tables.EventRow.after if with_after else literal_column("NULL")
    return (
        tables.EventRow.id,
        tables.EventRow.event_type,
        tables.EventRow.subject_type,
        tables.EventRow.subject_id,
        tables.EventRow.occurred_at,
        after,
    )


def _by_subject(event_type: Any) -> Any:
    """The event type as an expression, so SQLite (no planner statistics) looks the events up by subject
    and filters their types, rather than scanning every event of those types since the first day."""
    return func.coalesce(event_type, "")


class BoundedReportReads:
    """The reads of :mod:`services.reports` whose cost follows the report's window, not the years kept."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _rows(self, query: Any) -> Any:
        """Run a Core select on the session's connection (plain rows: no ORM loading per row)."""
        return self._session.connection().execute(query)

    def window(
        self, types: Iterable[str], start: datetime, end: datetime, with_after: bool, subjects: Any = None
    ) -> list[EventTuple]:
        """Events of ``types`` in [start, end), in order (``after`` only when asked for; only those of the
        subjects ``subjects`` names — a select of ids — when given)."""
        query = (
            select(*_event_columns(with_after))
            .where(*_of_types_in(types, start, end))
            .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
        )
        if subjects is not None:
            query = query.where(tables.EventRow.subject_id.in_(subjects))
        return [tuple(row) for row in self._rows(query)]

    @staticmethod
    def train_visits() -> Any:
        """A select of every train visit's reference (``train.departed`` is also each box's event)."""
        return select(tables.TrainVisitRow.reference)

    def window_teu_types(self, types: Iterable[str], start: datetime, end: datetime) -> dict[str, str]:
        """ISO type of each box with an event of ``types`` in [start, end) (by a join, no bound numbers)."""
        moved = (
            select(tables.EventRow.subject_id)
            .where(*_of_types_in(types, start, end), tables.EventRow.subject_type == "container")
            .distinct()
            .subquery()
        )
        query = select(tables.ContainerRow.number, tables.ContainerRow.iso_type).join(
            moved, moved.c.subject_id == tables.ContainerRow.number
        )
        return {number: iso for number, iso in self._rows(query)}

    def counts_by_local_day(
        self, types: Iterable[str], start: datetime, end: datetime, offset_s: int
    ) -> list[tuple[str, str, str | None, int]]:
        """(hub-time day ``YYYY-MM-DD``, event type, ISO type of the box or None, events) of the container
        events of ``types`` in [start, end), where the hub's UTC offset is ``offset_s`` seconds throughout
        (the caller splits a window at daylight-saving changes). Summed by the database: a year of moves
        is ≈ 11,000 rows, not 180,000 events."""
        event, box = tables.EventRow, tables.ContainerRow
        day = self._local_day(event.occurred_at, int(offset_s))
        query = (
            select(day, event.event_type, box.iso_type, func.count())
            .select_from(event)
            .outerjoin(box, and_(event.subject_type == "container", box.number == event.subject_id))
            .where(*_of_types_in(types, start, end))
            .group_by(day, event.event_type, box.iso_type)
        )
        return [(str(name), kind, iso, int(count)) for name, kind, iso, count in self._rows(query)]

    def truck_turns(self, start: datetime, end: datetime, pieces: list[tuple[datetime, datetime, int]]) -> TruckTurns:
        """The trucks that left in [start, end), paired by the database where that is plain: one truck.in
        before one truck.out (by time, then by id as the event-by-event pairing orders them), no
        gate.override at the very moment of the out. For those, per
        hub-time day of leaving (``pieces``: the window cut where the hub's UTC offset changes), the turn
        in whole microseconds and whether a gate.override came before the out. ``others`` names the
        rest, for the event-by-event pairing (a handful in the twin's year)."""
        event = tables.EventRow
        leaving = self.subjects_with(("truck.out",), start, end).subquery()
        history = (
            select(event.subject_id, event.event_type, event.occurred_at, event.id)
            .select_from(leaving)
            .join(event, event.subject_id == leaving.c.subject_id)
            .where(_by_subject(event.event_type).in_(list(GATE_TYPES)), event.occurred_at < end)
            .subquery()
        )
        kind, moment = history.c.event_type, history.c.occurred_at
        per_truck = (
            select(
                history.c.subject_id,
                func.sum(case((kind == "truck.in", 1), else_=0)).label("ins"),
                func.sum(case((kind == "truck.out", 1), else_=0)).label("outs"),
                func.max(case((kind == "truck.in", moment))).label("in_at"),
                func.max(case((kind == "truck.out", moment))).label("out_at"),
                func.max(case((kind == "truck.in", history.c.id))).label("in_id"),
                func.max(case((kind == "truck.out", history.c.id))).label("out_id"),
                func.min(case((kind == "gate.override", moment))).label("override_at"),
            )
            .group_by(history.c.subject_id)
            .subquery()
        )
        truck = per_truck.c
        plain = and_(
            truck.ins == 1,
            truck.outs == 1,
            or_(truck.in_at < truck.out_at, and_(truck.in_at == truck.out_at, truck.in_id < truck.out_id)),
            or_(truck.override_at.is_(None), truck.override_at != truck.out_at),
        )
        overridden = case((truck.override_at < truck.out_at, 1), else_=0)
        turns: list[tuple[str, int, bool]] = []
        others: list[str] = []
        for opens, closes, offset_s in pieces:
            day = self._local_day(truck.out_at, offset_s)
            is_plain = case((plain, 1), else_=0)
            micros = case((plain, self._micros_between(truck.in_at, truck.out_at)), else_=0)
            query = select(truck.subject_id, is_plain, day, micros, overridden).where(
                or_(~plain, and_(truck.out_at >= opens, truck.out_at < closes))
            )
            for subject, was_plain, name, turn_us, flag in self._rows(query):
                if was_plain:
                    turns.append((str(name), int(turn_us), bool(flag)))
                elif subject not in others:
                    others.append(subject)
        return TruckTurns(turns, others)

    def _micros_between(self, earlier: Any, later: Any) -> Any:
        """Whole microseconds from one stored UTC time to another, exactly."""
        if self._session.get_bind().dialect.name == "sqlite":  # 'YYYY-MM-DD HH:MM:SS.ffffff' text
            seconds = func.strftime("%s", later) - func.strftime("%s", earlier)
            fraction = cast(func.substr(later, 21), Integer) - cast(func.substr(earlier, 21), Integer)
            return seconds * 1_000_000 + fraction
        return cast(extract("epoch", later - earlier) * 1_000_000, BigInteger)

    def _local_day(self, moment: Any, offset_s: int) -> Any:
        """``YYYY-MM-DD`` of a stored UTC time shifted by ``offset_s`` seconds (a literal, so the grouped and
        the selected expression are the same text on PostgreSQL)."""
        if self._session.get_bind().dialect.name == "sqlite":  # stored as UTC digits
            return func.date(moment, literal_column(f"'{offset_s:+d} seconds'"))
        shifted = func.timezone("UTC", moment) + literal_column(f"interval '{offset_s:d} seconds'")
        return func.to_char(shifted, literal_column("'YYYY-MM-DD'"))

    def any_event(self, types: Iterable[str], start: datetime, end: datetime) -> bool:
        """Whether an event of ``types`` happened in [start, end)."""
        query = select(tables.EventRow.id).where(*_of_types_in(types, start, end)).limit(1)
        return self._rows(query).first() is not None

    def histories(
        self, types: Iterable[str], subjects: Any, end: datetime, with_after: bool = False
    ) -> list[EventTuple]:
        """Every event of ``types`` before ``end`` of the subjects that ``subjects`` (a select of subject ids) names."""
        named = subjects.subquery()
        event = tables.EventRow
        query = (
            select(*_event_columns(with_after))
            .select_from(named)
            .join(event, event.subject_id == named.c.subject_id)
            .where(_by_subject(event.event_type).in_(list(types)), event.occurred_at < end)
            .order_by(event.occurred_at, event.id)
        )
        return [tuple(row) for row in self._rows(query)]

    @staticmethod
    def subjects_named(subject_ids: list[str]) -> Any:
        """A select of the given subject ids (for :meth:`histories`)."""
        return select(tables.EventRow.subject_id).where(tables.EventRow.subject_id.in_(subject_ids)).distinct()

    @staticmethod
    def subjects_with(types: Iterable[str], start: datetime, end: datetime) -> Any:
        """A select of the subjects with an event of ``types`` in [start, end)."""
        return select(tables.EventRow.subject_id).where(*_of_types_in(types, start, end)).distinct()

    @staticmethod
    def subjects_last_in(first_type: str, types: Iterable[str], before: datetime) -> Any:
        """A select of the subjects whose latest event of ``types`` before ``before`` is a ``first_type`` event
        (a ship still alongside when the window opens)."""
        mine, later = tables.EventRow, aliased(tables.EventRow)
        newer = (
            select(later.id)
            .where(
                later.subject_id == mine.subject_id,
                _by_subject(later.event_type).in_(list(types)),
                later.occurred_at < before,
                or_(
                    later.occurred_at > mine.occurred_at,
                    and_(later.occurred_at == mine.occurred_at, later.id > mine.id),
                ),
            )
            .exists()
        )
        return (
            select(mine.subject_id).where(mine.event_type == first_type, mine.occurred_at < before, ~newer).distinct()
        )

    def stays_departing(self, start: datetime, end: datetime) -> list[tuple[str, str, datetime, str, datetime]]:
        """(box, mode in, arrival, mode out, departure) of the stays that ended in [start, end)."""
        stay = ContainerStayRow
        query = (
            select(stay.box, stay.in_mode, stay.in_at, stay.out_mode, stay.out_at)
            .where(stay.out_at >= start, stay.out_at < end)
            .order_by(stay.out_at, stay.id)
        )
        return [tuple(row) for row in self._rows(query)]

    def stay_hours_departing(
        self, start: datetime, end: datetime, pieces: list[tuple[datetime, datetime, int]]
    ) -> list[tuple[str, str, str, int]]:
        """(hub-time day of leaving, mode in, mode out, stay in whole microseconds) of the stays that ended in
        [start, end) — ``pieces`` cut it where the hub's UTC offset changes (plain values: no times to
        convert for a year of stays)."""
        stay = ContainerStayRow
        found: list[tuple[str, str, str, int]] = []
        for opens, closes, offset_s in pieces:
            query = select(
                self._local_day(stay.out_at, offset_s),
                stay.in_mode,
                stay.out_mode,
                self._micros_between(stay.in_at, stay.out_at),
            ).where(stay.out_at >= opens, stay.out_at < closes, stay.out_at >= start, stay.out_at < end)
            found += [
                (str(day), mode_in, mode_out, int(micros)) for day, mode_in, mode_out, micros in self._rows(query)
            ]
        return found

    def stays_open_by_type(self, moment: datetime) -> list[tuple[str | None, int]]:
        """(ISO type or None for an unknown box, boxes) of the stays open at ``moment`` (in before, not out before)."""
        stay = ContainerStayRow
        still_here = or_(stay.out_at.is_(None), stay.out_at >= moment)
        query = (
            select(tables.ContainerRow.iso_type, func.count())
            .select_from(stay)
            .outerjoin(tables.ContainerRow, tables.ContainerRow.number == stay.box)
            .where(stay.in_at < moment, still_here)
            .group_by(tables.ContainerRow.iso_type)
        )
        return [(iso, int(count)) for iso, count in self._rows(query)]

    def stays_changing(self, start: datetime, end: datetime) -> list[tuple[str | None, datetime, datetime | None]]:
        """(ISO type, arrival, departure) of the stays that began or ended in [start, end)."""
        stay = ContainerStayRow
        began = and_(stay.in_at >= start, stay.in_at < end)
        ended = and_(stay.out_at >= start, stay.out_at < end)
        query = (
            select(tables.ContainerRow.iso_type, stay.in_at, stay.out_at)
            .select_from(stay)
            .outerjoin(tables.ContainerRow, tables.ContainerRow.number == stay.box)
            .where(or_(began, ended))
        )
        return [tuple(row) for row in self._rows(query)]


def _of_types_in(types: Iterable[str], start: datetime, end: datetime) -> tuple[Any, ...]:
    """The conditions of an event of ``types`` that happened in [start, end)."""
    event = tables.EventRow
    return (event.event_type.in_(list(types)), event.occurred_at >= start, event.occurred_at < end)
