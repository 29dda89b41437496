"""Messages we send, built from what was recorded: COARRI from a vessel call's discharge and load
events, CODECO from every gate and rail move (a producer that follows the event log with a cursor,
so each move is reported once and nothing is lost if the worker stops), CONTRL from the importer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from landbridge.domain.errors import NotFound, RuleViolation
from landbridge.domain.events import EventType, utc_now
from landbridge.interchange.edifact import coarri, codeco
from landbridge.interchange.edifact.baplie import Bayplan, Cell, StowedContainer
from landbridge.interchange.edifact.common import Location, Measure, Party, Reference, Stamp, Transport
from landbridge.interchange.edifact.equipment import EMPTY, FULL, ContainerMessage, Equipment
from landbridge.interchange.edifact.messages import write
from landbridge.services.interchange.importer import own_header
from landbridge.services.interchange.outbox import enqueue_text
from landbridge.services.interchange.partners import OWN_UNB_ID, Partner
from landbridge.services.interchange.transaction import in_transaction
from landbridge.store import tables
from landbridge.store.interchange_tables import BayplanCellRow, EdiCursorRow, EdiPartnerRow, StowageInstructionRow
from landbridge.store.unit_of_work import UnitOfWork

HUB = "CNLYG"
_LINES = {"2.1": ("00B", "SMDG21"), "1.6": ("95B", "ITG14")}
_GATE_AND_RAIL = {
    EventType.CONTAINER_GATE_IN.value: (codeco.GATE_IN, "3"),
    EventType.CONTAINER_GATE_OUT.value: (codeco.GATE_OUT, "3"),
    EventType.CONTAINER_UNLOADED_WAGON.value: (codeco.GATE_IN, "2"),
    EventType.CONTAINER_LOADED_WAGON.value: (codeco.GATE_OUT, "2"),
}


def _line(version: str | None, message_type: str) -> tuple[str, str, str]:
    chosen = version or "2.1"
    if chosen not in _LINES:
        raise RuleViolation("version", f"{message_type} {chosen} is not a version we write (2.1, 1.6)")
    release, association = _LINES[chosen]
    return chosen, release, association


def _equipment(
    row: tables.ContainerRow, status: str, stamp: Stamp, version: str, cell: str | None, attribute: str | None = None
) -> Equipment:
    mass = row.gross_mass_kg
    attribute = attribute or ("VGM" if version == "2.1" else "G")
    return Equipment(
        number=row.number,
        iso_type=row.iso_type,
        status=status,
        full_empty=FULL if row.load_state == "full" else EMPTY,
        references=(Reference("BN", row.booking_reference),) if row.booking_reference else (),
        stamps=(stamp,),
        locations=(Location("147", cell, "", "5"),) if cell else (),
        measures=(Measure("AAE", attribute, "KGM", Decimal(mass)),) if mass else (),
    )


def coarri_for_visit(uow: UnitOfWork, partner: Partner, visit_reference: str, kind: str) -> ContainerMessage:
    """The discharge (``kind='discharge'``) or loading report of a vessel call, from its recorded events."""
    if kind not in ("discharge", "load"):
        raise RuleViolation("kind", "must be discharge or load")
    version, release, association = _line(partner.receives("COARRI"), "COARRI")
    visit = uow.session.get(tables.VesselVisitRow, visit_reference)
    if visit is None:
        raise NotFound("visit", f"no vessel visit {visit_reference!r}")
    wanted = EventType.CONTAINER_DISCHARGED.value if kind == "discharge" else EventType.CONTAINER_LOADED_VESSEL.value
    events = uow.session.scalars(
        select(tables.EventRow)
        .where(tables.EventRow.event_type == wanted, tables.EventRow.subject_type == "container")
        .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
    )
    cells = {
        row.container_number: row.cell
        for row in uow.session.scalars(select(BayplanCellRow).where(BayplanCellRow.visit_reference == visit_reference))
    }
    equipment: list[Equipment] = []
    for event in events:
        if (event.after or {}).get("vessel_visit") != visit_reference:
            continue
        row = uow.session.get(tables.ContainerRow, event.subject_id)
        if row is None:
            continue
        status = "3" if kind == "discharge" else "2"
        equipment.append(_equipment(row, status, Stamp("203", event.occurred_at), version, cells.get(row.number)))
    transport = Transport(
        stage="20",
        voyage=visit_reference[:17],
        mode="1",
        means_id=visit.imo_number or "",
        means_id_list="146" if visit.imo_number else "",
        means_name=visit.vessel_name,
        locations=(Location("11" if kind == "discharge" else "9", HUB, "139", "6"),),
    )
    return ContainerMessage(
        message_type="COARRI",
        document_code=coarri.DISCHARGE_REPORT if kind == "discharge" else coarri.LOADING_REPORT,
        document_number=f"{'DIS' if kind == 'discharge' else 'LOD'}-{visit_reference}"[:35],
        release=release,
        association=association,
        transport=transport,
        parties=(Party("MS", OWN_UNB_ID, "160", "ZZZ"),),
        equipment=tuple(equipment),
        declared_count=len(equipment),
    )


def export_coarri(uow: UnitOfWork, partner: Partner, visit_reference: str, *, queue: bool = False) -> str:
    """A COARRI interchange (discharge and loading reports of the call) for ``partner``; queued if asked."""

    def work(uow: UnitOfWork) -> str:
        messages = [
            coarri_for_visit(uow, partner, visit_reference, kind).with_reference(str(index))
            for index, kind in enumerate(("discharge", "load"), start=1)
        ]
        messages = [message for message in messages if message.equipment]
        if not messages:
            raise RuleViolation("visit", f"no container was discharged or loaded for {visit_reference} yet")
        text = write(own_header(uow, partner), messages, partner.zone)
        if queue:
            enqueue_text(uow, partner, "COARRI", text, subject=visit_reference, message_count=len(messages))
        return text

    return in_transaction(uow, work)


def produce_codeco(uow: UnitOfWork, *, limit: int = 1000) -> dict[str, int]:
    """Queue a CODECO for every gate and rail move not yet reported, per partner that receives CODECO.

    The cursor and the outbox rows are written in one transaction: each move is queued exactly once.
    """
    queued: dict[str, int] = {}

    def work(uow: UnitOfWork) -> None:
        receivers = [
            Partner.from_row(row)
            for row in uow.session.scalars(select(EdiPartnerRow).where(EdiPartnerRow.active.is_(True)))
            if Partner.from_row(row).receives("CODECO") is not None
        ]
        for partner in receivers:
            name = f"codeco:{partner.code}"
            cursor = uow.session.get(EdiCursorRow, name, with_for_update=True)
            if cursor is None:
                cursor = EdiCursorRow(name=name, last_event_id=0)
                uow.session.add(cursor)
            events = list(
                uow.session.scalars(
                    select(tables.EventRow)
                    .where(tables.EventRow.id > cursor.last_event_id, tables.EventRow.event_type.in_(_GATE_AND_RAIL))
                    .order_by(tables.EventRow.id)
                    .limit(limit)
                )
            )
            if not events:
                continue
            version, release, association = _line(partner.receives("CODECO"), "CODECO")
            messages = []
            for index, event in enumerate(events, start=1):
                row = uow.session.get(tables.ContainerRow, event.subject_id)
                if row is None:
                    continue
                messages.append(_codeco_message(row, event, index, version, release, association))
            if messages:
                text = write(own_header(uow, partner), messages, partner.zone)
                enqueue_text(
                    uow, partner, "CODECO", text, subject=f"events ≤ {events[-1].id}", message_count=len(messages)
                )
                queued[partner.code] = len(messages)
            cursor.last_event_id = events[-1].id

    in_transaction(uow, work)
    return queued


def produce_coarri(uow: UnitOfWork) -> dict[str, int]:
    """Queue the COARRI of every vessel call that departed since the last run, per partner receiving COARRI.

    The discharge and loading work of a call is complete when it departs; the cursor moves in the
    transaction that writes the outbox rows, so each call is reported once.
    """
    queued: dict[str, int] = {}

    def work(uow: UnitOfWork) -> None:
        receivers = [
            partner
            for partner in (
                Partner.from_row(row)
                for row in uow.session.scalars(select(EdiPartnerRow).where(EdiPartnerRow.active.is_(True)))
            )
            if partner.receives("COARRI") is not None
        ]
        for partner in receivers:
            name = f"coarri:{partner.code}"
            cursor = uow.session.get(EdiCursorRow, name, with_for_update=True)
            if cursor is None:
                cursor = EdiCursorRow(name=name, last_event_id=0)
                uow.session.add(cursor)
            departures = list(
                uow.session.scalars(
                    select(tables.EventRow)
                    .where(
                        tables.EventRow.id > cursor.last_event_id,
                        tables.EventRow.event_type == EventType.VESSEL_DEPARTED.value,
                        tables.EventRow.subject_type == "vessel_visit",
                    )
                    .order_by(tables.EventRow.id)
                )
            )
            for event in departures:
                messages = [
                    coarri_for_visit(uow, partner, event.subject_id, kind).with_reference(str(index))
                    for index, kind in enumerate(("discharge", "load"), start=1)
                ]
                messages = [message for message in messages if message.equipment]
                if messages:
                    text = write(own_header(uow, partner), messages, partner.zone)
                    enqueue_text(uow, partner, "COARRI", text, subject=event.subject_id, message_count=len(messages))
                    queued[partner.code] = queued.get(partner.code, 0) + 1
                cursor.last_event_id = event.id

    in_transaction(uow, work)
    return queued


def _codeco_message(
    row: tables.ContainerRow, event: tables.EventRow, index: int, version: str, release: str, association: str
) -> ContainerMessage:
    document_code, mode = _GATE_AND_RAIL[event.event_type]
    after: dict[str, Any] = event.after or {}
    means = str(after.get("truck") or after.get("train") or after.get("wagon") or "")
    stage = "1" if document_code == codeco.GATE_IN else "30"
    equipment = _equipment(row, "", Stamp("7", event.occurred_at), version, None, "G")
    equipment = Equipment(
        **{
            **equipment.__dict__,
            "locations": (Location("165", HUB, "139", "6"),),
            "transport": Transport(stage=stage, mode=mode, means="31" if mode == "3" else "25", means_id=means[:35]),
        }
    )
    return ContainerMessage(
        message_type="CODECO",
        document_code=document_code,
        document_number=f"LYG-{event.id}",
        release=release,
        association=association,
        stamps=(Stamp("137", event.recorded_at or event.occurred_at),),
        parties=(Party("MS", OWN_UNB_ID, "160", "ZZZ"),),
        equipment=(equipment,),
        declared_count=1,
        reference=str(index),
    )


def last_move_time(uow: UnitOfWork, container: str) -> datetime | None:
    """When the container last moved (for reports)."""
    row = uow.session.scalar(
        select(tables.EventRow)
        .where(tables.EventRow.subject_type == "container", tables.EventRow.subject_id == container)
        .order_by(tables.EventRow.id.desc())
    )
    return None if row is None else row.occurred_at


def _vgm_kg(uow: UnitOfWork, number: str) -> int | None:
    row = uow.session.scalar(
        select(tables.VgmRow).where(tables.VgmRow.container_number == number).order_by(tables.VgmRow.id.desc())
    )
    return None if row is None else row.mass_kg


def bayplan_for_visit(uow: UnitOfWork, partner: Partner, visit_reference: str) -> Bayplan:
    """What is on board a vessel call now, from what was recorded: the arrival BAPLIE's cells less the
    boxes discharged, plus the boxes loaded at their MOVINS cells (a box without a known cell is refused)."""
    version = partner.receives("BAPLIE") or "3.1"
    if version not in ("3.1", "2.2"):
        raise RuleViolation("version", f"BAPLIE {version} is not a version we write (3.1, 2.2)")
    visit = uow.session.get(tables.VesselVisitRow, visit_reference)
    if visit is None:
        raise NotFound("visit", f"no vessel visit {visit_reference!r}")
    arrival = {
        row.container_number: row
        for row in uow.session.scalars(select(BayplanCellRow).where(BayplanCellRow.visit_reference == visit_reference))
    }
    planned: dict[str, str] = {}
    for instructions in uow.session.scalars(
        select(StowageInstructionRow)
        .where(StowageInstructionRow.visit_reference == visit_reference)
        .order_by(StowageInstructionRow.id)
    ):  # the latest MOVINS wins
        planned.update(
            {
                cell["container"]: cell["cell"]
                for item in instructions.instructions
                for cell in item["cells"]
                if cell["container"]
            }
        )
    moved: dict[str, str] = {}  # box → its latest move with this call (discharged / loaded)
    for event in uow.session.scalars(
        select(tables.EventRow)
        .where(
            tables.EventRow.event_type.in_(
                (EventType.CONTAINER_DISCHARGED.value, EventType.CONTAINER_LOADED_VESSEL.value)
            ),
            tables.EventRow.subject_type == "container",
        )
        .order_by(tables.EventRow.occurred_at, tables.EventRow.id)
    ):
        if (event.after or {}).get("vessel_visit") == visit_reference:
            moved[event.subject_id] = event.event_type
    units: dict[str, StowedContainer] = {}
    for number, cell in arrival.items():
        if moved.get(number) != EventType.CONTAINER_DISCHARGED.value:
            units[cell.cell] = _stowed(
                uow, number, cell.cell, cell.port_of_loading, cell.port_of_discharge, version, cell.vgm_kg
            )
    for number, kind in moved.items():
        if kind != EventType.CONTAINER_LOADED_VESSEL.value or number in arrival:
            continue
        cell_text = planned.get(number)
        if cell_text is None:
            raise RuleViolation(
                "visit", f"{number} was loaded but no stowage cell is known for it (no MOVINS names it)"
            )
        if cell_text in units:
            raise RuleViolation("visit", f"{number} and {units[cell_text].number} would share cell {cell_text}")
        units[cell_text] = _stowed(uow, number, cell_text, HUB, None, version, None)
    transport = Transport(
        stage="20",
        voyage=visit_reference[:17],
        means_id=visit.imo_number or "",
        means_id_list="146" if visit.imo_number else "",
        means_name=visit.vessel_name,
        locations=(Location("5", HUB, "139", "6"),),
    )
    return Bayplan(
        version=version,
        document_number=f"BAY-{visit_reference}"[:35],
        document_code="659" if version == "3.1" else "",
        stamps=(Stamp("137", utc_now()),),
        transport=transport,
        containers=tuple(units[cell] for cell in sorted(units)),
    )


def _stowed(
    uow: UnitOfWork,
    number: str,
    cell: str,
    loading: str | None,
    discharge: str | None,
    version: str,
    known_vgm_kg: int | None,
) -> StowedContainer:
    row = uow.session.get(tables.ContainerRow, number)
    mass = known_vgm_kg or _vgm_kg(uow, number) or (row.gross_mass_kg if row else None)
    measure = (
        (Measure("AAE", "VGM", "KGM", Decimal(mass)) if version == "3.1" else Measure("VGM", "", "KGM", Decimal(mass)))
        if mass
        else None
    )
    return StowedContainer(
        cell=Cell.parse(cell),
        number=number,
        iso_type=row.iso_type if row else "",
        full_empty=FULL if row is None or row.load_state == "full" else EMPTY,
        measures=(measure,) if measure else (),
        locations=tuple(
            Location(qualifier, code, "139", "6") for qualifier, code in (("9", loading), ("11", discharge)) if code
        ),
    )


def export_baplie(uow: UnitOfWork, partner: Partner, visit_reference: str, *, queue: bool = False) -> str:
    """A BAPLIE interchange of what is on board the call now, for ``partner``; queued if asked."""

    def work(uow: UnitOfWork) -> str:
        plan = bayplan_for_visit(uow, partner, visit_reference)
        if not plan.containers:
            raise RuleViolation("visit", f"no container is known to be on board {visit_reference}")
        text = write(own_header(uow, partner), [plan], partner.zone)
        if queue:
            enqueue_text(uow, partner, "BAPLIE", text, subject=visit_reference)
        return text

    return in_transaction(uow, work)
