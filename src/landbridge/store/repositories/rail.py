"""Train visits, wagons, wagon and train types, and wagon cells."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from landbridge.domain.events import as_utc
from landbridge.store import tables


class WagonLoadRow(NamedTuple):
    """A wagon of a train with its filled cells ``(slot, half, container)`` in slot order."""

    number: str
    wagon_type_code: str
    position_in_train: int
    cells: list[tuple[int, int, str]]


class RailRepository:
    """Train visits, their wagons, wagon and train types, and the wagon cells containers fill."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def train(self, reference: str, lock: bool = False) -> tables.TrainVisitRow | None:
        """A train visit; ``lock`` serialises loading of that train on PostgreSQL."""
        query = select(tables.TrainVisitRow).where(tables.TrainVisitRow.reference == reference)
        return self._session.scalar(query.with_for_update() if lock else query)

    def trains(self) -> list[tables.TrainVisitRow]:
        """Every train visit."""
        return list(self._session.scalars(select(tables.TrainVisitRow).order_by(tables.TrainVisitRow.reference)))

    def trains_page(self, after: str | None, limit: int) -> list[tables.TrainVisitRow]:
        """A page of train visits by reference, those after ``after`` (keyset paging on the primary key)."""
        query = select(tables.TrainVisitRow).order_by(tables.TrainVisitRow.reference).limit(limit)
        if after is not None:
            query = query.where(tables.TrainVisitRow.reference > after)
        return list(self._session.scalars(query))

    def return_of(self, train: str) -> tables.TrainVisitRow | None:
        """The empty-return visit that takes ``train``'s wagons back, if one was made."""
        query = select(tables.TrainVisitRow).where(tables.TrainVisitRow.returns_wagons_of == train).limit(1)
        return self._session.scalar(query)

    def trains_by_reference(self, references: Collection[str]) -> dict[str, tables.TrainVisitRow]:
        """The train visits of ``references`` (those that exist)."""
        query = select(tables.TrainVisitRow).where(tables.TrainVisitRow.reference.in_(list(references)))
        return {row.reference: row for row in self._session.scalars(query)}

    def wagon_loads_of_trains(self, references: Collection[str]) -> dict[str, list[WagonLoadRow]]:
        """Each train's wagons in order with their filled cells, as plain rows (two queries by train
        reference, no objects: a page of 100 trains has ≈ 5,000 wagons)."""
        found: dict[str, list[WagonLoadRow]] = {reference: [] for reference in references}
        if not found:
            return found
        wagon, cell = tables.WagonRow, tables.WagonCellRow
        trains = list(found)
        filled: dict[int, list[tuple[int, int, str]]] = {}
        for wagon_id, slot, half, container in self._session.execute(
            select(cell.wagon_id, cell.slot, cell.half, cell.container_number)
            .join(wagon, wagon.id == cell.wagon_id)
            .where(wagon.train_reference.in_(trains))
            .order_by(cell.wagon_id, cell.slot, cell.half)
        ):
            filled.setdefault(wagon_id, []).append((slot, half, container))
        for train, wagon_id, number, wagon_type, position in self._session.execute(
            select(wagon.train_reference, wagon.id, wagon.number, wagon.wagon_type_code, wagon.position_in_train)
            .where(wagon.train_reference.in_(trains))
            .order_by(wagon.train_reference, wagon.position_in_train)
        ):
            found[train].append(WagonLoadRow(number, wagon_type, position, filled.get(wagon_id, [])))
        return found

    def wagon_numbers_page(self, after: str | None, limit: int) -> list[str]:
        """A page of distinct wagon numbers in order, those after ``after`` (index ``ix_wagons_number``)."""
        query = select(tables.WagonRow.number).distinct().order_by(tables.WagonRow.number).limit(limit)
        if after is not None:
            query = query.where(tables.WagonRow.number > after)
        return list(self._session.scalars(query))

    def add(self, row: tables.Base) -> None:
        """Add a new row (train visit or wagon) and flush."""
        self._session.add(row)
        self._session.flush()

    def wagon_types(self) -> dict[str, tables.WagonTypeRow]:
        """Seeded wagon types by code."""
        return {row.code: row for row in self._session.scalars(select(tables.WagonTypeRow))}

    def train_type(self, code: str) -> tables.TrainTypeRow | None:
        """A seeded train type."""
        return self._session.get(tables.TrainTypeRow, code)

    def route(self, code: str) -> tables.RouteRow | None:
        """A seeded route."""
        return self._session.get(tables.RouteRow, code)

    def track(self, code: str) -> tables.TrackRow | None:
        """A loading track."""
        return self._session.get(tables.TrackRow, code)

    def track_in_use(self, code: str, except_train: str) -> str | None:
        """The reference of another train on the track that has not left (or arrived and not released), if any."""
        return self._session.scalar(
            select(tables.TrainVisitRow.reference).where(
                tables.TrainVisitRow.track_code == code,
                tables.TrainVisitRow.reference != except_train,
                # an eastbound train that arrived stands on its track until it is unloaded and released
                tables.TrainVisitRow.status.in_(("announced", "loading", "arrived")),
            )
        )

    def wagons(self, train: str) -> list[tables.WagonRow]:
        """Wagons of a train in order."""
        return list(
            self._session.scalars(
                select(tables.WagonRow)
                .where(tables.WagonRow.train_reference == train)
                .order_by(tables.WagonRow.position_in_train)
            )
        )

    def remove_wagons(self, rows: list[tables.WagonRow]) -> None:
        """Take wagons off a train's list (the caller checked they carry nothing)."""
        for row in rows:
            self._session.delete(row)
        self._session.flush()

    def cells_of_train(self, train: str) -> list[tuple[tables.WagonCellRow, tables.WagonRow]]:
        """Filled wagon cells of a train with their wagons."""
        rows = self._session.execute(
            select(tables.WagonCellRow, tables.WagonRow)
            .join(tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id)
            .where(tables.WagonRow.train_reference == train)
        ).all()
        return [(cell, wagon) for cell, wagon in rows]

    def all_cells(self) -> list[tuple[tables.WagonCellRow, tables.WagonRow]]:
        """Every filled wagon cell with its wagon."""
        rows = self._session.execute(
            select(tables.WagonCellRow, tables.WagonRow).join(
                tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id
            )
        ).all()
        return [(cell, wagon) for cell, wagon in rows]

    def cells_of(self, number: str) -> list[tables.WagonCellRow]:
        """Wagon cells a container fills."""
        return list(
            self._session.scalars(select(tables.WagonCellRow).where(tables.WagonCellRow.container_number == number))
        )

    def occupy(self, number: str, wagon_id: int, slot: int, halves: list[int]) -> None:
        """Put a container on a wagon slot; flushes so the unique constraint fires now."""
        for half in halves:
            self._session.add(tables.WagonCellRow(wagon_id=wagon_id, slot=slot, half=half, container_number=number))
        self._session.flush()

    def vacate(self, number: str) -> None:
        """Take a container off its wagon."""
        self._session.execute(delete(tables.WagonCellRow).where(tables.WagonCellRow.container_number == number))
        self._session.flush()

    def all_wagons(self, number: str | None = None, numbers: Collection[str] | None = None) -> list[tables.WagonRow]:
        """Every wagon row (one per wagon and train visit), or those of one wagon number (or of ``numbers``),
        in order of entry."""
        query = select(tables.WagonRow).order_by(tables.WagonRow.id)
        if number is not None:
            query = query.where(tables.WagonRow.number == number)
        if numbers is not None:
            query = query.where(tables.WagonRow.number.in_(list(numbers)))
        return list(self._session.scalars(query))

    def train_times(
        self, references: Collection[str] | None = None
    ) -> dict[str, tuple[datetime | None, datetime | None]]:
        """Each train visit's (or those of ``references``) first departure and its arrival (UTC, from the
        event log's occurred_at)."""
        times: dict[str, tuple[datetime | None, datetime | None]] = {}
        query = select(tables.EventRow.subject_id, tables.EventRow.event_type, tables.EventRow.occurred_at).where(
            tables.EventRow.subject_type == "train_visit",
            tables.EventRow.event_type.in_(("train.departed", "train.arrived")),
        )
        if references is not None:
            query = query.where(tables.EventRow.subject_id.in_(list(references)))
        rows = self._session.execute(query.order_by(tables.EventRow.id))
        for subject, kind, moment in rows:
            stamp = as_utc(moment)
            departed, arrived = times.get(subject, (None, None))
            if kind == "train.departed" and departed is None:
                departed = stamp
            elif kind == "train.arrived":
                arrived = stamp
            times[subject] = (departed, arrived)
        return times

    def last_train_places(self, references: Collection[str] | None = None) -> dict[str, str | None]:
        """Where each train visit's (or those of ``references``) latest event happened."""
        places: dict[str, str | None] = {}
        query = select(tables.EventRow.subject_id, tables.EventRow.location).where(
            tables.EventRow.subject_type == "train_visit"
        )
        if references is not None:
            query = query.where(tables.EventRow.subject_id.in_(list(references)))
        rows = self._session.execute(query.order_by(tables.EventRow.occurred_at, tables.EventRow.id))
        for subject, location in rows:
            if location is not None:
                places[subject] = location
        return places

    def trains_that_carried(self, references: Collection[str] | None = None) -> set[str]:
        """Train visits (of ``references``, or all) a box was ever loaded onto (at the base or by a gauge
        transfer). For a page of trains the database reads the train out of each event (JSON), so only the
        page's names come back instead of every load's event."""
        loaded = (
            tables.EventRow.subject_type == "container",
            tables.EventRow.event_type.in_(("container.loaded_wagon", "container.gauge_transfer")),
        )
        if references is not None:
            train = tables.EventRow.after["train"].as_string()
            query = select(train).distinct().where(*loaded, train.in_(list(references)))
            return {str(name) for name in self._session.scalars(query) if name}
        rows = self._session.execute(select(tables.EventRow.after).where(*loaded))
        return {str(after["train"]) for (after,) in rows if isinstance(after, dict) and after.get("train")}
