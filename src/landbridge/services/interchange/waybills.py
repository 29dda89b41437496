"""SMGS consignment notes kept by the hub: made from a train visit, imported as JSON, re-consigned at
the legal boundary and updated at the gauge change; each change an event on the waybill.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

from landbridge.domain.errors import Conflict, NotFound, RuleViolation
from landbridge.domain.events import Event, EventType, utc_now
from landbridge.domain.iso_types import size_type
from landbridge.interchange.smgs import (
    CarrierSection,
    ConsignmentNote,
    ContainerEntry,
    GoodsLine,
    Party,
    Regime,
    Seal,
    Station,
    Wagon,
    change_gauge,
    reconsign,
)
from landbridge.services.containers import Actor
from landbridge.services.interchange.transaction import in_transaction
from landbridge.store import tables
from landbridge.store.interchange_tables import ConsignmentNoteRow
from landbridge.store.unit_of_work import UnitOfWork

# Empty mass by length when a container's own tare is unknown (assumed: typical steel dry boxes).
TARE_BY_LENGTH_KG = {20: 2_200, 40: 3_800, 45: 4_800}


def _field_error(error: ValidationError) -> RuleViolation:
    first = error.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "note"
    return RuleViolation(location, str(first["msg"]).removeprefix("Value error, "))


def _event(
    uow: UnitOfWork, actor: Actor, event_type: EventType, note: ConsignmentNote, before: Any, at: datetime
) -> None:
    uow.events.append(
        Event(
            event_type=event_type,
            subject_type="waybill",
            subject_id=note.number,
            actor=actor.name,
            role=actor.role,
            occurred_at=at,
            location=None,
            before=before,
            after={"regime": note.regime.value, "train": note.train_reference, "events": len(note.events)},
            source_reference=actor.source,
        )
    )


def _store(uow: UnitOfWork, note: ConsignmentNote, *, new: bool) -> None:
    row = uow.session.get(ConsignmentNoteRow, note.number, with_for_update=not new)
    if new:
        if row is not None:
            raise Conflict("number", f"consignment note {note.number} already exists")
        uow.session.add(
            ConsignmentNoteRow(
                number=note.number,
                train_reference=note.train_reference,
                regime=note.regime.value,
                document=note.model_dump(mode="json"),
                created_at=utc_now(),
                version=1,
            )
        )
    else:
        assert row is not None
        row.regime = note.regime.value
        row.document = note.model_dump(mode="json")
        row.version += 1
    uow.session.flush()


def save_note(uow: UnitOfWork, actor: Actor, note: ConsignmentNote) -> ConsignmentNote:
    """Keep a note (imported as JSON or made here); 409 when the number exists."""

    def work(uow: UnitOfWork) -> ConsignmentNote:
        _store(uow, note, new=True)
        _event(uow, actor, EventType.WAYBILL_CREATED, note, None, note.issued_at)
        return note

    return in_transaction(uow, work, actor)


def note_from_train(
    uow: UnitOfWork,
    actor: Actor,
    *,
    train_reference: str,
    number: str,
    consignor: Party,
    consignee: Party,
    departure_station: Station,
    destination_station: Station,
    border_crossings: Sequence[Station] = (),
    carriers: Sequence[CarrierSection] = (),
    declarations: Sequence[str] = (),
    issued_at: datetime | None = None,
) -> ConsignmentNote:
    """A note for what a train visit carries: its wagons, the containers on them, their goods and seals."""

    def work(uow: UnitOfWork) -> ConsignmentNote:
        train = uow.rail.train(train_reference)
        if train is None:
            raise NotFound("train_reference", f"no train visit {train_reference!r}")
        rail = uow.rail
        wagons = rail.wagons(train_reference)
        cells = rail.cells_of_train(train_reference)
        if not cells:
            raise RuleViolation("train_reference", f"train {train_reference} carries no container yet")
        on_wagon = {cell.container_number: wagon.number for cell, wagon in cells}
        containers = uow.containers.rows(list(on_wagon))
        goods_rows = list(
            uow.session.scalars(
                select(tables.GoodsLineRow).where(tables.GoodsLineRow.container_number.in_(list(on_wagon)))
            )
        )
        entries: list[ContainerEntry] = []
        goods: list[GoodsLine] = []
        for box in sorted(on_wagon):
            row = containers[box]
            tare = TARE_BY_LENGTH_KG.get(size_type(row.iso_type).length_ft, 3_800)
            gross = row.gross_mass_kg or tare
            entries.append(
                ContainerEntry(
                    number=box,
                    iso_type=row.iso_type,
                    wagon=on_wagon[box],
                    tare_kg=min(tare, gross),
                    gross_mass_kg=gross,
                    seals=tuple(Seal(number=seal) for seal in (row.seals or [])),
                )
            )
            lines = [line for line in goods_rows if line.container_number == box]
            for line in lines:
                gng = (line.hs_code + "00")[:8]
                goods.append(
                    GoodsLine(
                        gng_code=gng,
                        description=line.description,
                        packages=line.packages,
                        mass_kg=line.mass_kg,
                        container=box,
                        un_number=line.un_number,
                    )
                )
            if not lines and row.load_state == "full":
                raise RuleViolation(
                    "goods", f"container {box} is full but its booking lists no goods; add goods lines first"
                )
            if not lines:
                goods.append(
                    GoodsLine(
                        gng_code="86090000",
                        description="empty container (own wheels: none)",
                        packages=1,
                        mass_kg=max(1, gross),
                        container=box,
                    )
                )
        try:
            note = ConsignmentNote(
                number=number_of(number),
                regime=Regime.SMGS,
                issued_at=issued_at or utc_now(),
                train_reference=train_reference,
                consignor=consignor,
                departure_station=departure_station,
                consignor_declarations=tuple(declarations),
                consignee=consignee,
                destination_station=destination_station,
                border_crossings=tuple(border_crossings),
                carriers=tuple(carriers),
                wagons=tuple(
                    Wagon(number=wagon.number, gauge_mm=1520 if train.gauge_mm == 1520 else 1435)
                    for wagon in wagons
                    if wagon.number in set(on_wagon.values())
                ),
                containers=tuple(entries),
                goods=tuple(goods),
            )
        except ValidationError as error:
            raise _field_error(error) from None
        _store(uow, note, new=True)
        _event(uow, actor, EventType.WAYBILL_CREATED, note, None, note.issued_at)
        return note

    return in_transaction(uow, work, actor)


def number_of(number: str) -> str:
    """A note number as given (trimmed)."""
    return number.strip()


def note(uow: UnitOfWork, number: str) -> ConsignmentNote:
    """A kept note; 404 naming ``number``."""
    with uow:
        row = uow.session.get(ConsignmentNoteRow, number)
        if row is None:
            raise NotFound("number", f"no consignment note {number!r}")
        return ConsignmentNote.model_validate(row.document)


def notes(uow: UnitOfWork, train_reference: str | None = None) -> list[dict[str, Any]]:
    """Kept notes (number, train, regime), newest first."""
    with uow:
        query = select(ConsignmentNoteRow).order_by(ConsignmentNoteRow.created_at.desc())
        if train_reference is not None:
            query = query.where(ConsignmentNoteRow.train_reference == train_reference)
        return [
            {"number": row.number, "train_reference": row.train_reference, "regime": row.regime, "version": row.version}
            for row in uow.session.scalars(query)
        ]


def _update(
    uow: UnitOfWork, actor: Actor, number: str, event_type: EventType, change: Any, at: datetime
) -> ConsignmentNote:

    def work(uow: UnitOfWork) -> ConsignmentNote:
        row = uow.session.get(ConsignmentNoteRow, number, with_for_update=True)
        if row is None:
            raise NotFound("number", f"no consignment note {number!r}")
        current = ConsignmentNote.model_validate(row.document)
        try:
            changed: ConsignmentNote = change(current)
        except ValidationError as error:
            raise _field_error(error) from None
        except ValueError as error:
            field, _, reason = str(error).partition(": ")
            raise RuleViolation(field if reason else "note", reason or str(error)) from None
        _store(uow, changed, new=False)
        _event(uow, actor, event_type, changed, {"regime": current.regime.value}, at)
        return changed

    return in_transaction(uow, work, actor)


def reconsign_note(
    uow: UnitOfWork, actor: Actor, number: str, *, at: datetime, station: Station, to_regime: Regime
) -> ConsignmentNote:
    """Re-consign at the legal boundary (SMGS ↔ CIM); an event on the waybill."""
    return _update(
        uow,
        actor,
        number,
        EventType.WAYBILL_RECONSIGNED,
        lambda current: reconsign(current, at=at, station=station, to_regime=to_regime),
        at,
    )


def record_gauge_change(
    uow: UnitOfWork,
    actor: Actor,
    number: str,
    *,
    at: datetime,
    station: Station,
    new_wagons: Sequence[Wagon],
    placement: dict[str, str],
) -> ConsignmentNote:
    """Every container moved to a wagon of the new gauge; an event on the waybill."""
    return _update(
        uow,
        actor,
        number,
        EventType.WAYBILL_GAUGE_CHANGED,
        lambda current: change_gauge(
            current, at=at, station=station, new_wagons=tuple(new_wagons), placement=placement
        ),
        at,
    )
