"""Rebuild the hub's operational state from the event log alone, and read the same state from the tables.

The two must agree after every command: that is what makes the audit trail a faithful record
(checked by the stateful property test). Container events carry the box's new ``position`` and,
when it lands in the yard or on a wagon, the exact ``cells`` / ``wagon_cells`` it covers; grain-lot
events carry the lot's mass and silo.

The same fold runs from a **state snapshot** (``services/state_snapshots.py``): the state at an
archive boundary, folded once by this code and kept in the database, so that after old months of
the log are archived ``db check`` replays snapshot + the events still attached instead of a log that
now starts in the middle of boxes' lives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from landbridge.store.unit_of_work import UnitOfWork

YardCell = tuple[str, int, int, int]
WagonCell = tuple[str, str, int, int]


@dataclass
class HubState:
    """Where every container is, which yard and wagon cells are filled, and each lot's mass and silo."""

    positions: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    yard_cells: dict[YardCell, str] = field(default_factory=dict)
    wagon_cells: dict[WagonCell, str] = field(default_factory=dict)
    lots: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    # Which cells each box fills, so a replay of a year drops a box's cells without scanning them all.
    yard_cells_of: dict[str, list[YardCell]] = field(default_factory=dict, compare=False, repr=False)
    wagon_cells_of: dict[str, list[WagonCell]] = field(default_factory=dict, compare=False, repr=False)
    # Boxes whose registration was folded (conservation), and each box's / lot's latest folded event
    # (id, occurred_at): what a snapshot keeps beside the state so the log after it can be told apart.
    registered: set[str] = field(default_factory=set, compare=False, repr=False)
    last_event: dict[tuple[str, str], tuple[int, datetime]] = field(default_factory=dict, compare=False, repr=False)
    events_folded: int = field(default=0, compare=False)
    last_event_id: int = field(default=0, compare=False)


def _drop(cells: dict[Any, str], index: dict[str, list[Any]], number: str) -> None:
    for key in index.pop(number, ()):
        if cells.get(key) == number:
            del cells[key]


def _fill(cells: dict[Any, str], index: dict[str, list[Any]], keys: list[Any], number: str) -> None:
    for key in keys:
        cells[key] = number
    index[number] = keys


def _apply_container(state: HubState, number: str, after: dict[str, Any]) -> None:
    position = after.get("position")
    if position is None:
        return  # e.g. a customs hold: the box did not move
    if isinstance(position, str):  # the registration event describes the place as text
        kind, _, reference = position.partition(" ")
        state.positions[number] = (kind, reference or None)
    else:
        state.positions[number] = (str(position["kind"]), position.get("reference"))
    kind = state.positions[number][0]
    if "cells" in after:
        _drop(state.yard_cells, state.yard_cells_of, number)
        cells = [(str(block), int(bay), int(row), int(tier)) for block, bay, row, tier in after["cells"]]
        _fill(state.yard_cells, state.yard_cells_of, cells, number)
    elif kind != "yard":
        _drop(state.yard_cells, state.yard_cells_of, number)
    if "wagon_cells" in after:
        _drop(state.wagon_cells, state.wagon_cells_of, number)
        places = [(str(train), str(wagon), int(slot), int(half)) for train, wagon, slot, half in after["wagon_cells"]]
        _fill(state.wagon_cells, state.wagon_cells_of, places, number)
    elif kind != "wagon":
        _drop(state.wagon_cells, state.wagon_cells_of, number)


class ReplayedEvent(Protocol):
    """What replay reads of an event (an ``EventRow`` or a row of just these columns)."""

    id: int
    event_type: str
    subject_type: str
    subject_id: str
    occurred_at: datetime | None  # read only for ``latest_events`` (a snapshot keeps it)
    after: dict[str, Any] | None


REGISTERED = "container.registered"


def replay(events: Iterable[ReplayedEvent], state: HubState | None = None, *, latest_events: bool = False) -> HubState:
    """Fold the event log, oldest first (by id), into the state it describes (continuing ``state`` if given).

    ``latest_events`` also keeps each box's and lot's latest event (id, time): what a state snapshot
    stores beside the state; ``db check`` does not need it and skips the cost.
    """
    state = state if state is not None else HubState()
    folded, last_id = 0, state.last_event_id
    for event in events:
        folded += 1
        last_id = event.id
        after = event.after or {}
        if event.subject_type == "container":
            _apply_container(state, event.subject_id, after)
            if event.event_type == REGISTERED:
                state.registered.add(event.subject_id)
            if latest_events and event.occurred_at is not None:
                state.last_event[("container", event.subject_id)] = (event.id, event.occurred_at)
        elif event.subject_type == "grain_lot":
            if "mass_kg" in after:
                state.lots[event.subject_id] = (int(after["mass_kg"]), after.get("silo_code"))
            if latest_events and event.occurred_at is not None:
                state.last_event[("grain_lot", event.subject_id)] = (event.id, event.occurred_at)
    state.events_folded += folded
    state.last_event_id = max(state.last_event_id, last_id)
    return state


def restore_cells(state: HubState, number: str, yard: list[YardCell], wagon: list[WagonCell]) -> None:
    """Put back the cells a box filled when a snapshot was taken (its boxes restored oldest event first)."""
    if yard:
        _fill(state.yard_cells, state.yard_cells_of, yard, number)
    if wagon:
        _fill(state.wagon_cells, state.wagon_cells_of, wagon, number)


def replay_log(uow: UnitOfWork) -> HubState:
    """Replay the whole event log of the database (streamed: a year of events need not fit in memory)."""
    with uow:
        return replay(uow.events.stream_for_replay())


def current_state(uow: UnitOfWork) -> HubState:
    """The same state read from the operational tables."""
    state = HubState()
    with uow:
        for row in uow.containers.all_rows():
            state.positions[row.number] = (row.position_kind, row.position_reference)
        for cell in uow.yard.all_cells():
            state.yard_cells[(cell.block, cell.bay, cell.row, cell.tier)] = cell.container_number
        for wagon_cell, wagon in uow.rail.all_cells():
            key = (wagon.train_reference, wagon.number, wagon_cell.slot, wagon_cell.half)
            state.wagon_cells[key] = wagon_cell.container_number
        for lot in uow.grain.lots():
            state.lots[lot.reference] = (lot.mass_kg, lot.silo_code)
    return state
