"""A partner's CODECO that reports a move **at the hub**: applied through the operations services.

A CODECO names the place of each move (``LOC+165``). When that is the hub (the scenario's LOCODE,
with no facility or one of the hub's own terminal codes) the move is one the hub's gate or rail
terminal makes, so it goes through the same services the API and the screens use, with the
message's own time (``DTM+7``) as ``occurred_at`` and every rule of theirs:

* **gate-in by road** (BGM 34, TDT mode 3): a truck visit comes in with the box as a drop-off
  (``gate.truck_in``): the box needs a booking (``RFF+BN`` assigns it when the box has none);
  the truck is the TDT's plate. A truck without an appointment comes in on the partner's word,
  recorded as a gate override naming the partner and the message.
* **gate-out by road** (BGM 36): the truck that came in for the box at the gate (with its delivery
  order and PIN) leaves with it (``gate.truck_out``): holds block it.
* **rail-in** (BGM 34, TDT mode 2): the box comes off its train into the yard
  (``rail.unload_from_wagon``; the train is the TDT's conveyance reference).
* **rail-out** (BGM 36, TDT mode 2): loading names a wagon and slot that a CODECO does not carry,
  so the hub records it itself; the CODECO confirms it.

A move the hub has already recorded (an event of that kind for the box in the same minute — a
CODECO's times are to the minute — and, by rail, the same train) is a **confirmation**: it changes
nothing and the report says so — so our own CODECO, sent back, changes nothing. A move the
services refuse rejects the message with a CONTRL naming the segment and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from landbridge.domain.events import Event, EventType, as_utc
from landbridge.interchange.edifact.common import Transport
from landbridge.interchange.edifact.equipment import Equipment
from landbridge.interchange.edifact.syntax import MISSING, Problem
from landbridge.scenarios import current_scenario
from landbridge.services.interchange.importer import ApplyContext, ApplyError
from landbridge.store import tables

HUB_TERMINALS = frozenset({"", "LPCT"})  # LOC+165 facility codes that are the hub itself (none, the container terminal)
ROAD, RAIL = "3", "2"


def at_hub(equipment: Equipment, transport: Transport | None) -> bool:
    """Whether the box's move happened at the hub (its ``LOC+165`` is the hub and no other facility)."""
    place = next((item for item in equipment.locations if item.qualifier == "165"), None)
    if place is None and transport is not None:
        place = next((item for item in transport.locations if item.qualifier == "165"), None)
    if place is None:
        return False
    return place.sublocation in HUB_TERMINALS and place.code == current_scenario().base.locode


def mode_of(transport: Transport | None) -> str:
    """Road or rail, from the TDT's mode (or its means: 31 truck, 25 rail)."""
    if transport is None:
        return ""
    if transport.mode in (ROAD, RAIL):
        return transport.mode
    return {"31": ROAD, "25": RAIL}.get(transport.means, transport.mode)


@dataclass(frozen=True)
class HubMove:
    """One box's reported move at the hub: the message's document, the move, the box, its transport and time."""

    document: str
    gate_in: bool
    equipment: Equipment
    transport: Transport | None
    when: datetime


def apply_hub_move(context: ApplyContext, move: HubMove) -> dict[str, Any]:
    """One box's move at the hub through the operations services; what was done."""
    from landbridge.services.interchange.handlers import ensure_container, source_of

    equipment, transport = move.equipment, move.transport
    eqd = context.position
    mode = mode_of(transport)
    tdt = _tdt_position(context, eqd)
    if mode not in (ROAD, RAIL):
        raise ApplyError(
            Problem(MISSING, "a move at the hub needs its TDT with mode 3 (road) or 2 (rail)", "TDT", tdt or eqd, 3)
        )
    ensure_container(context, equipment, source_of(context), move.when)
    row = context.uow.containers.rows([equipment.number])[equipment.number]
    train = _train_of(transport, tdt or eqd) if mode == RAIL else None
    kind = _RECORDED_AS[(mode, move.gate_in)]
    recorded = _recorded(context, equipment.number, kind, move.when, train)
    if recorded is not None:
        context.notes.append(
            f"{equipment.number}: {recorded.event_type.value} at {as_utc(recorded.occurred_at).isoformat()} "
            "already recorded by the hub; nothing changed"
        )
        return {"container": equipment.number, "move": kind.value, "confirmed": True}
    if mode == ROAD:
        return _gate_in(context, move, row, tdt or eqd) if move.gate_in else _gate_out(context, move, row)
    return _rail_in(context, move, tdt or eqd) if move.gate_in else _rail_out(context, move, tdt or eqd)


def _tdt_position(context: ApplyContext, eqd: int) -> int | None:
    """The TDT of the EQD group at ``eqd`` (the next TDT after it), else the message's first TDT."""
    positions = context.positions("TDT")
    later = [position for position in positions if position > eqd]
    return later[0] if later else (positions[0] if positions else None)


_RECORDED_AS = {
    (ROAD, True): EventType.CONTAINER_GATE_IN,
    (ROAD, False): EventType.CONTAINER_GATE_OUT,
    (RAIL, True): EventType.CONTAINER_UNLOADED_WAGON,
    (RAIL, False): EventType.CONTAINER_LOADED_WAGON,
}


def _recorded(context: ApplyContext, number: str, kind: EventType, when: datetime, train: str | None) -> Event | None:
    """The hub's own record of this move (same kind, same minute — a CODECO's times are to the minute — same train)."""
    minute = as_utc(when).replace(second=0, microsecond=0)
    for event in context.uow.events.for_subject("container", number):
        if event.event_type is not kind or as_utc(event.occurred_at).replace(second=0, microsecond=0) != minute:
            continue
        if train is None or (event.after or {}).get("train") == train:
            return event
    return None


def _gate_in(context: ApplyContext, move: HubMove, row: tables.ContainerRow, tdt: int) -> dict[str, Any]:
    from landbridge.services.operations import gate
    from landbridge.services.operations import parties as party_service

    equipment, transport, document = move.equipment, move.transport, move.document
    number = equipment.number
    plate = (transport.means_id if transport else "") or ""
    if not plate:
        raise ApplyError(Problem(MISSING, "a gate-in names the truck's plate (TDT element 8)", "TDT", tdt, 8, 1))
    booking = equipment.booking_reference
    if row.booking_reference is None and booking:
        party_service.assign_container(
            context.uow, context.actor, booking_reference=booking, container=number, occurred_at=move.when
        )
    reference = f"{context.partner.code}-{document}-{number}"[:32]
    answer = gate.truck_in(
        context.uow,
        context.actor,
        reference=reference,
        plate=plate[:16],
        drop_off=[number],
        pick_up=[],
        override_reason=f"gate-in reported by {context.partner.code} in CODECO {document}",
        occurred_at=move.when,
    ).body
    return {"container": number, "move": "gate_in", "truck_visit": answer["reference"]}


def _gate_out(context: ApplyContext, move: HubMove, row: tables.ContainerRow) -> dict[str, Any]:
    from landbridge.services.operations import gate

    number = move.equipment.number
    trucks = context.uow.session.scalars(select(tables.TruckVisitRow).where(tables.TruckVisitRow.status == "in"))
    truck = next((item for item in trucks if number in (item.pick_up or [])), None)
    if truck is None:
        raise ApplyError(
            Problem(
                "12",
                f"no truck in the hub is picking up {number}: a pick-up enters at the gate with its delivery "
                "order and PIN, then its gate-out can be reported",
                "EQD",
                context.position,
                2,
                1,
            )
        )
    answer = gate.truck_out(context.uow, context.actor, reference=truck.reference, occurred_at=move.when)
    return {"container": number, "move": "gate_out", "truck_visit": answer.body["reference"]}


def _train_of(transport: Transport | None, tdt: int) -> str:
    # the conveyance reference (element 2; a rail operator's train number), else the means id (as we write it)
    train = (transport.voyage or transport.means_id if transport else "") or ""
    if not train:
        raise ApplyError(Problem(MISSING, "a rail move names its train visit (TDT element 2)", "TDT", tdt, 2))
    return train


def _rail_in(context: ApplyContext, move: HubMove, tdt: int) -> dict[str, Any]:
    from landbridge.services.operations import rail

    number = move.equipment.number
    train = _train_of(move.transport, tdt)
    if context.uow.rail.train(train) is None:
        raise ApplyError(Problem("12", f"no train visit {train!r} at the hub", "TDT", tdt, 2))
    answer = rail.unload_from_wagon(context.uow, context.actor, train=train, container=number, occurred_at=move.when)
    return {"container": number, "move": "rail_in", "train": train, "position": answer.body["position"]}


def _rail_out(context: ApplyContext, move: HubMove, tdt: int) -> dict[str, Any]:
    number = move.equipment.number
    train = _train_of(move.transport, tdt)
    raise ApplyError(
        Problem(
            "12",
            f"the hub has no record of {number} loaded on train {train} at that time: loading onto a wagon names "
            "the wagon and slot, which the hub records itself (POST /api/v1/train-visits/…/load); a rail "
            "operator's CODECO only confirms it",
            "EQD",
            context.position,
            2,
            1,
        )
    )
