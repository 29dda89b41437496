"""What each received message does to the hub (called inside the message's savepoint).

* CODECO from a depot or rail operator: each container is known (registered if new) and gets a
  ``container.reported`` event at the reported time and place: a gate or rail move outside the hub.
  A move whose place (``LOC+165``) is the hub itself goes through the operations services instead
  (see :mod:`landbridge.services.interchange.hub_moves`).
* BAPLIE: the on-board cells of the vessel call replace the previous bay plan of that call.
* MOVINS: kept for the planner, changes nothing else.
* COPARN booking (BGM 11): the booking (consignment) and its released empties.
* CONTRL: marks the interchange we sent as acknowledged or rejected by the partner.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from landbridge.domain.containers import Container, LoadState
from landbridge.domain.events import Event, EventType, as_utc
from landbridge.domain.identifiers import ContainerNumber
from landbridge.interchange.edifact import codeco, coparn
from landbridge.interchange.edifact.baplie import Bayplan
from landbridge.interchange.edifact.common import Transport, first_stamp
from landbridge.interchange.edifact.contrl import ACCEPTED, Acknowledgement
from landbridge.interchange.edifact.equipment import ContainerMessage, Equipment
from landbridge.interchange.edifact.movins import StowageInstructions
from landbridge.interchange.edifact.syntax import MISSING, Problem
from landbridge.services.containers import RegisterContainer, add_registered_container, registration
from landbridge.services.event_time import append_in_order, occurring_at
from landbridge.services.interchange.hub_moves import HubMove, apply_hub_move, at_hub
from landbridge.services.interchange.importer import (
    ApplyContext,
    ApplyError,
    BatchRefused,
    handles,
    handles_batch,
    interchange_time,
)
from landbridge.store import tables
from landbridge.store.interchange_tables import BayplanCellRow, EdiInterchangeRow, StowageInstructionRow

_MODES = {"1": "sea", "2": "rail", "3": "road", "8": "inland water"}


def _kg(value: Decimal | None) -> int | None:
    return None if value is None else int(value.to_integral_value())


def _registration(
    context: ApplyContext, equipment: Equipment, at: datetime | None, number: ContainerNumber | None = None
) -> RegisterContainer:
    gross = _kg(equipment.gross_mass_kg)
    return RegisterContainer(
        number=number or ContainerNumber(equipment.number),
        iso_type=equipment.iso_type,
        load_state=LoadState.FULL if equipment.load_state == "full" else LoadState.EMPTY,
        gross_mass_kg=gross,
        seals=tuple(seal.number for seal in equipment.seals),
        reefer_setpoint_c=float(equipment.temperature_c) if equipment.temperature_c is not None else None,
        source_reference=source_of(context),
        occurred_at=at,
    )


def ensure_container(context: ApplyContext, equipment: Equipment, source: str, at: datetime | None = None) -> None:
    """Register a container the hub does not know yet, with what the message says of it (at ``at``)."""
    number = ContainerNumber(equipment.number)
    if context.uow.containers.exists(number):
        return
    command = _registration(context, equipment, at, number)
    add_registered_container(context.uow, replace(command, source_reference=source), context.actor)


def source_of(context: ApplyContext) -> str:
    """The source reference of what a message writes: partner, interchange and message."""
    return f"edi:{context.partner.code}:{context.interchange_id}:{context.message.raw.reference}"[:128]


def _append(context: ApplyContext, event: Event) -> None:
    """Through the operations' ordered append: a time before the subject's last event is refused."""
    append_in_order(context.uow, event)


@dataclass(frozen=True)
class _Reported:
    """One box of a partner's CODECO: where it is in the message, when it moved, the event reporting it."""

    position: int
    equipment: Equipment
    when: datetime
    event: Event
    hub: HubMove | None = None  # a move at the hub itself: through the operations services instead
    number: ContainerNumber | None = None


def _codeco_moves(context: ApplyContext) -> tuple[str, list[_Reported]]:
    """The move a partner's CODECO reports (gate in or out) and its boxes, each with its own time."""
    message = context.message.model
    assert isinstance(message, ContainerMessage)
    move = "gate_in" if message.document_code == codeco.GATE_IN else "gate_out"
    issued = first_stamp(message.stamps, "137")
    moves: list[_Reported] = []
    for position, equipment in zip(context.positions("EQD"), message.equipment, strict=True):
        context.at(position, "EQD")
        transport = equipment.transport or message.transport
        when = interchange_time(equipment.when("7", "203") or issued)
        number = ContainerNumber(equipment.number)  # checked once here, reused for the registration
        hub = HubMove(message.document_number, move == "gate_in", equipment, transport, when)
        event = Event(
            event_type=EventType.CONTAINER_REPORTED,
            subject_type="container",
            subject_id=str(number),
            actor=context.actor.name,
            role=context.actor.role,
            occurred_at=when,
            location=equipment.location("165") or (transport.location("165") if transport else None),
            before=None,
            after=_report(context, message.document_number, move, equipment, transport),
            source_reference=source_of(context),
        )
        moves.append(_Reported(position, equipment, when, event, hub if at_hub(equipment, transport) else None, number))
    return move, moves


@handles("CODECO")
def apply_codeco(context: ApplyContext) -> dict[str, Any]:
    """A partner's gate-in/gate-out report: containers known, each move recorded as reported at its time."""
    move, moves = _codeco_moves(context)
    at_the_hub: list[dict[str, Any]] = []
    for item in moves:
        context.at(item.position, "EQD", 2)  # a refusal concerns the box (EQD element 2, its number)
        if item.hub is not None:
            at_the_hub.append(apply_hub_move(context, item.hub))
            continue
        with occurring_at(item.when):  # the message's time is reported: an earlier one than the box's last is refused
            ensure_container(context, item.equipment, source_of(context), item.when)
            _append(context, item.event)
    summary: dict[str, Any] = {"reported": move, "containers": [item.equipment.number for item in moves]}
    return {**summary, "hub_moves": at_the_hub} if at_the_hub else summary


@handles_batch("CODECO")
def apply_codeco_batch(contexts: list[ApplyContext]) -> list[dict[str, Any]]:
    """Many partner CODECOs at once: the same rows and events as :func:`apply_codeco`, message by message.

    Reads which boxes are known and each box's latest event time in one query each, and writes the
    new boxes and all events with one multi-row INSERT per table. Any message that would be refused
    (an unknown size type, a mass over the rating, a time before the box's last event) raises
    ``BatchRefused`` before anything is written, and the importer applies the messages one by one.
    """
    uow = contexts[0].uow
    planned = [(context, *_codeco_moves(context)) for context in contexts]
    if any(item.hub is not None for _, _, moves in planned for item in moves):
        raise BatchRefused("a move at the hub goes through the operations services, message by message")
    numbers = [item.event.subject_id for _, _, moves in planned for item in moves]
    known = uow.containers.known(numbers)
    latest = uow.events.latest_times("container", numbers)
    containers: list[Container] = []
    events: list[Event] = []
    summaries: list[dict[str, Any]] = []
    for context, move, moves in planned:
        for item in moves:
            number = item.event.subject_id
            if number not in known:
                command = _registration(context, item.equipment, item.when, item.number)
                container, registered = registration(command, context.actor)
                containers.append(container)
                events.append(registered)
                known.add(number)
            previous = latest.get(number)
            if previous is not None and as_utc(item.when) < as_utc(previous):
                raise BatchRefused(f"{number}: reported before its latest event")
            latest[number] = item.when
            events.append(item.event)
        summaries.append({"reported": move, "containers": [item.equipment.number for item in moves]})
    uow.containers.add_many(containers)
    uow.events.append_many(events)
    return summaries


def _report(
    context: ApplyContext, document: str, move: str, equipment: Equipment, transport: Transport | None
) -> dict[str, Any]:
    return {
        "move": move,
        "partner": context.partner.code,
        "document": document,
        "mode": _MODES.get(transport.mode, transport.mode) if transport else None,
        "transport": (transport.means_id or transport.voyage) if transport else None,
        "load_state": equipment.load_state,
        "gross_mass_kg": _kg(equipment.gross_mass_kg),
        "seals": [seal.number for seal in equipment.seals],
    }


def vessel_visit_for(context: ApplyContext, transport: Transport | None, position: int) -> tables.VesselVisitRow:
    """The vessel call a message's TDT names: by IMO number, else by vessel name; not yet departed."""
    if transport is None:
        raise ApplyError(Problem(MISSING, "no TDT names the vessel call", "TDT", position))
    query = select(tables.VesselVisitRow).where(tables.VesselVisitRow.status != "departed")
    found = None
    if transport.means_id_list == "146" and transport.means_id:
        found = context.uow.session.scalars(
            query.where(tables.VesselVisitRow.imo_number == transport.means_id).order_by(
                tables.VesselVisitRow.eta.desc()
            )
        ).first()
    if found is None and transport.means_name:
        for row in context.uow.session.scalars(query.order_by(tables.VesselVisitRow.eta.desc())):
            if row.vessel_name.strip().upper() == transport.means_name.strip().upper():
                found = row
                break
    if found is None:
        raise ApplyError(
            Problem(
                "12",
                f"no open vessel visit for {transport.means_name or '?'} (IMO {transport.means_id or '?'}, "
                f"voyage {transport.voyage or '?'}); announce the call first",
                "TDT",
                position,
                8,
                1,
            )
        )
    return found


@handles("BAPLIE")
def apply_bayplan(context: ApplyContext) -> dict[str, Any]:
    """The on-board cells of a vessel call (a new bay plan replaces the previous one)."""
    plan = context.message.model
    assert isinstance(plan, Bayplan)
    tdt = (context.positions("TDT") or [1])[0]
    visit = vessel_visit_for(context, plan.transport, tdt)
    session = context.uow.session
    session.execute(delete(BayplanCellRow).where(BayplanCellRow.visit_reference == visit.reference))
    for position, unit in zip(_cell_positions(context), plan.containers, strict=True):
        context.at(position, "LOC")
        session.add(
            BayplanCellRow(
                visit_reference=visit.reference,
                container_number=unit.number,
                cell=unit.cell.text(),
                iso_type=unit.iso_type,
                load_state=unit.load_state,
                vgm_kg=_kg(unit.vgm_kg),
                port_of_loading=unit.port("9"),
                port_of_discharge=unit.port("11"),
                interchange_id=context.interchange_id,
            )
        )
    session.flush()
    from landbridge.services.interchange.bayplans import differences

    return {
        "visit": visit.reference,
        "cells": len(plan.containers),
        "differences": differences(context.uow, visit.reference),
    }


def _cell_positions(context: ApplyContext) -> list[int]:
    return [
        index
        for index, item in enumerate(context.message.raw.segments, start=1)
        if item.tag == "LOC" and item.qualifier == "147"
    ]


@handles("MOVINS")
def apply_instructions(context: ApplyContext) -> dict[str, Any]:
    """Keep the stowage instructions for the planner (matched to the call when it is known)."""
    plan = context.message.model
    assert isinstance(plan, StowageInstructions)
    visit: str | None = None
    try:
        visit = vessel_visit_for(context, plan.transport, (context.positions("TDT") or [1])[0]).reference
    except ApplyError:
        context.notes.append("no open vessel visit matches the TDT; kept without a visit")
    context.uow.session.add(
        StowageInstructionRow(
            visit_reference=visit,
            voyage=(plan.transport.voyage if plan.transport else "")[:17],
            vessel_name=(plan.transport.means_name if plan.transport else "")[:100],
            document_number=plan.document_number[:35],
            received_at=interchange_time(None),
            instructions=[
                {
                    "handling": instruction.handling,
                    "cells": [
                        {
                            "cell": cell.cell.text(),
                            "container": cell.number or None,
                            "iso_type": cell.iso_type or None,
                            "port_of_discharge": cell.port("11"),
                            "mass_kg": _kg(cell.measures[0].mass_kg) if cell.measures else None,
                        }
                        for cell in instruction.cells
                    ],
                }
                for instruction in plan.instructions
            ],
            interchange_id=context.interchange_id,
        )
    )
    return {"visit": visit, "instructions": sum(len(i.cells) for i in plan.instructions)}


@handles("CONTRL")
def apply_acknowledgement(context: ApplyContext) -> dict[str, Any]:
    """A partner's CONTRL: the interchange we sent is acknowledged or rejected."""
    ack = context.message.model
    assert isinstance(ack, Acknowledgement)
    row = context.uow.session.scalar(
        select(EdiInterchangeRow).where(
            EdiInterchangeRow.direction == "out", EdiInterchangeRow.control_reference == ack.interchange_reference
        )
    )
    if row is None:
        context.notes.append(f"no interchange {ack.interchange_reference} was sent; acknowledgement kept only")
        return {"acknowledged": ack.interchange_reference, "found": False}
    rejected = ack.action != ACCEPTED or any(message.action != ACCEPTED for message in ack.messages)
    row.status = "rejected_by_partner" if rejected else "acknowledged"
    row.report = {**row.report, "acknowledgement": {"action": ack.action, "code": ack.code}}
    return {"acknowledged": ack.interchange_reference, "status": row.status}


@handles("COPARN")
def apply_announcement(context: ApplyContext) -> dict[str, Any]:
    """A booking (BGM 11): the consignment and its released containers."""
    message = context.message.model
    assert isinstance(message, ContainerMessage)
    if message.document_code != coparn.BOOKING:
        from landbridge.services.interchange.ops_bridge import apply_release

        return apply_release(context, message)
    from landbridge.services.operations import parties as party_service

    booking = next((r.value for r in message.references if r.qualifier == "BN"), message.document_number)
    shipper = message.party("CZ") or message.party("FW")
    bgm = (context.positions("BGM") or [2])[0]
    if shipper is None or not shipper.code:
        raise ApplyError(Problem(MISSING, "no NAD+CZ (shipper) names who books", "NAD", bgm))
    transport = message.transport
    origin = transport.location("9") if transport else None
    destination = transport.location("11") if transport else None
    if not origin or not destination:
        raise ApplyError(
            Problem(MISSING, "the TDT group needs LOC+9 and LOC+11", "TDT", (context.positions("TDT") or [bgm])[0])
        )
    from landbridge.services.interchange.ops_bridge import document_time

    when = document_time(context, [("container", item.number) for item in message.equipment])
    context.at(bgm, "BGM")
    existing = context.uow.session.scalar(
        select(tables.ConsignmentRow).where(tables.ConsignmentRow.booking_reference == booking)
    )
    if existing is None:
        party_service.create_consignment(
            context.uow,
            context.actor,
            booking_reference=booking,
            shipper_code=shipper.code,
            consignee_code=None,
            origin=origin,
            destination=destination,
            goods=[],
            occurred_at=when,
        )
    assigned: list[str] = []
    for position, equipment in zip(context.positions("EQD"), message.equipment, strict=True):
        context.at(position, "EQD")
        ensure_container(context, equipment, source_of(context), when)
        party_service.assign_container(
            context.uow, context.actor, booking_reference=booking, container=equipment.number, occurred_at=when
        )
        assigned.append(equipment.number)
    return {"booking": booking, "containers": assigned, "created": existing is None}


def message_time(value: datetime | None) -> datetime:
    """Re-exported for the bridges."""
    return interchange_time(value)
