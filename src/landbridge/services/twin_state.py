"""Today's base from the operations database as the twin's :class:`InitialState` (``simulate --from-database``).

Read-only: one unit of work, no writes. What is read and how it maps:

- containers in the yard or the CFS (and on a westbound train still at the base) → ``YardContainer``:
  TEU from the ISO size code, empty from the load state, the time it got there from its latest event;
  its consignment's destination decides the direction — a route's destination (UN/LOCODE) means
  westbound by rail on that route; anything else leaves by road (by sea when the destination is a
  port other than the base's);
- train visits not yet gone (announced / loading) → ``AnnouncedTrain``: westbound ones leave at the
  next timetable slot of their route, eastbound ones arrive after the rest of their route's transit
  (from their latest event, by status);
- vessel visits announced or berthed → ``AnnouncedVessel`` at their ETA (ETB when berthed);
- the silo stock from the grain lots in silos.
"""

from __future__ import annotations

from datetime import UTC, datetime

from landbridge.scenarios.model import Scenario
from landbridge.simulation.state import AnnouncedTrain, AnnouncedVessel, InitialState, YardContainer, clock_offset_h
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork

HOURS = 3600.0
AT_BASE = ("announced", "loading")
BORDER_TO_BASE_H = 4 * 24.0  # C2: the border is reached on day 4


def _hours(moment: datetime | None, now: datetime) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - now).total_seconds() / HOURS


def _teu(iso_type: str) -> int:
    return 1 if iso_type[:1] == "2" else 2


def initial_state_from_database(uow: UnitOfWork, scenario: Scenario, now: datetime) -> InitialState:
    """Read today's yard, trains, vessel visits and silo stock; times become hours from ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    route_by_locode = {route.locode: route.code for route in scenario.routes}
    route_codes = {route.code for route in scenario.routes}
    with uow:
        snapshot = uow.twin
        trains = snapshot.train_visits()
        west_at_base = [t.reference for t in trains if t.direction == "west" and t.status in AT_BASE]
        on_west_trains = {number for numbers in snapshot.boxes_on_trains(west_at_base).values() for number in numbers}
        rows = [
            row
            for row in snapshot.containers_at(("yard", "cfs", "wagon"))
            if row.position_kind != "wagon" or row.number in on_west_trains
        ]
        destinations = snapshot.consignment_destinations()
        last_event = snapshot.latest_event_times("container")
        containers = [_container(row, destinations, last_event, route_by_locode, scenario, now) for row in rows]
        east = [t for t in trains if t.direction == "east" and t.status != "arrived" and t.route_code in route_codes]
        east_boxes = snapshot.boxes_on_trains([t.reference for t in east])
        train_last = snapshot.latest_event_times("train_visit")
        announced: list[AnnouncedTrain] = [
            AnnouncedTrain(t.reference, "west", t.route_code, 8.0, 0, 0)
            for t in trains
            if t.reference in west_at_base and t.route_code in route_codes
        ]
        for train in east:
            since_h = _hours(train_last.get(train.reference), now) or 0.0
            # past the border: the border→base leg is left; announced or departed: the whole transit
            on_last_leg = train.status in ("gauge_changed", "at_border")
            remaining_h = BORDER_TO_BASE_H if on_last_leg else scenario.route(train.route_code).transit_days * 24.0
            numbers = east_boxes.get(train.reference, [])
            teu = sum(_teu(iso) for iso in snapshot.iso_types(numbers)) if numbers else 0
            arrival_h = max(0.0, since_h + remaining_h)
            announced.append(AnnouncedTrain(train.reference, "east", train.route_code, arrival_h, teu, len(numbers)))
        vessels = []
        for visit in snapshot.vessel_visits(("announced", "berthed")):
            at_h = _hours(visit.etb if visit.status == "berthed" and visit.etb else visit.eta, now)
            vessels.append(AnnouncedVessel(visit.reference, max(0.0, at_h or 0.0)))
        silo_kg = snapshot.silo_stock_kg()
    return InitialState(
        containers=tuple(containers),
        trains=tuple(announced),
        vessels=tuple(sorted(vessels, key=lambda v: (v.arrival_h, v.reference))),
        silo_stock_t=silo_kg / 1000.0,
        clock_offset_h=clock_offset_h(now, scenario.base.zone),
    )


def _container(
    row: tables.ContainerRow,
    destinations: dict[str, str],
    last_event: dict[str, datetime],
    route_by_locode: dict[str, str],
    scenario: Scenario,
    now: datetime,
) -> YardContainer:
    destination = destinations.get(row.booking_reference or "")
    route = route_by_locode.get(destination or "")
    arrived_h = min(0.0, _hours(last_event.get(row.number), now) or 0.0)
    empty = row.load_state == "empty"
    if route is not None:
        return YardContainer(row.number, _teu(row.iso_type), "west", arrived_h, empty, route)
    by_sea = destination is not None and destination != scenario.base.locode and destination[:2] != "KZ"
    return YardContainer(
        row.number, _teu(row.iso_type), "east", arrived_h, empty, leaves_by="sea" if by_sea else "road"
    )


def describe(state: InitialState) -> dict[str, int | float]:
    """Counts for the CLI's summary line."""
    return {
        "containers": len(state.containers),
        "westbound_waiting": sum(1 for c in state.containers if c.direction == "west"),
        "trains": len(state.trains),
        "vessels": len(state.vessels),
        "silo_stock_t": round(state.silo_stock_t, 1),
    }
