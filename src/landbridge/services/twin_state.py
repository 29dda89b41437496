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

from sqlalchemy import func, select

from landbridge.corridor.network import LOCODES
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
    route_by_locode = {LOCODES[route.code]: route.code for route in scenario.routes if route.code in LOCODES}
    base_locode = scenario.base.locode
    with uow:
        session = uow.session
        trains = session.scalars(select(tables.TrainVisitRow)).all()
        west_at_base = {t.reference for t in trains if t.direction == "west" and t.status in AT_BASE}
        on_west_trains = set(
            session.scalars(
                select(tables.WagonCellRow.container_number)
                .join(tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id)
                .where(tables.WagonRow.train_reference.in_(west_at_base))
            ).all()
        )
        rows = session.scalars(
            select(tables.ContainerRow).where(tables.ContainerRow.position_kind.in_(("yard", "cfs", "wagon")))
        ).all()
        rows = [row for row in rows if row.position_kind != "wagon" or row.number in on_west_trains]
        consignments = {c.booking_reference: c for c in session.scalars(select(tables.ConsignmentRow)).all()}
        last_event = dict(
            session.execute(
                select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
                .where(tables.EventRow.subject_type == "container")
                .group_by(tables.EventRow.subject_id)
            ).all()
        )
        containers = []
        for row in sorted(rows, key=lambda r: r.number):
            consignment = consignments.get(row.booking_reference or "")
            destination = consignment.destination if consignment else None
            route = route_by_locode.get(destination or "")
            arrived_h = min(0.0, _hours(last_event.get(row.number), now) or 0.0)
            if route is not None:
                containers.append(
                    YardContainer(row.number, _teu(row.iso_type), "west", arrived_h, row.load_state == "empty", route)
                )
                continue
            by_sea = destination is not None and destination != base_locode and destination[:2] != "KZ"
            containers.append(
                YardContainer(
                    row.number,
                    _teu(row.iso_type),
                    "east",
                    arrived_h,
                    row.load_state == "empty",
                    leaves_by="sea" if by_sea else "road",
                )
            )
        announced: list[AnnouncedTrain] = []
        train_last = dict(
            session.execute(
                select(tables.EventRow.subject_id, func.max(tables.EventRow.occurred_at))
                .where(tables.EventRow.subject_type == "train_visit")
                .group_by(tables.EventRow.subject_id)
            ).all()
        )
        for train in sorted(trains, key=lambda t: t.reference):
            if train.route_code not in {route.code for route in scenario.routes}:
                continue
            route_spec = scenario.route(train.route_code)
            if train.direction == "west":
                if train.status in AT_BASE:
                    announced.append(AnnouncedTrain(train.reference, "west", train.route_code, 8.0, 0, 0))
                continue
            if train.status == "arrived":
                continue
            since_h = _hours(train_last.get(train.reference), now) or 0.0
            # past the border: the border→base leg is left; announced or departed: the whole transit
            on_last_leg = train.status in ("gauge_changed", "at_border")
            remaining_h = BORDER_TO_BASE_H if on_last_leg else route_spec.transit_days * 24.0
            boxes = session.scalars(
                select(tables.WagonCellRow.container_number)
                .join(tables.WagonRow, tables.WagonRow.id == tables.WagonCellRow.wagon_id)
                .where(tables.WagonRow.train_reference == train.reference)
            ).all()
            numbers = sorted(set(boxes))
            teu = sum(
                _teu(iso)
                for iso in session.scalars(
                    select(tables.ContainerRow.iso_type).where(tables.ContainerRow.number.in_(numbers))
                ).all()
            )
            announced.append(
                AnnouncedTrain(
                    train.reference, "east", train.route_code, max(0.0, since_h + remaining_h), teu, len(numbers)
                )
            )
        vessels = []
        for visit in session.scalars(
            select(tables.VesselVisitRow).where(tables.VesselVisitRow.status.in_(("announced", "berthed")))
        ).all():
            at_h = _hours(visit.etb if visit.status == "berthed" and visit.etb else visit.eta, now)
            vessels.append(AnnouncedVessel(visit.reference, max(0.0, at_h or 0.0)))
        silo_kg = session.scalar(
            select(func.coalesce(func.sum(tables.GrainLotRow.mass_kg), 0)).where(
                tables.GrainLotRow.silo_code.is_not(None)
            )
        )
    return InitialState(
        containers=tuple(containers),
        trains=tuple(announced),
        vessels=tuple(sorted(vessels, key=lambda v: (v.arrival_h, v.reference))),
        silo_stock_t=float(silo_kg or 0) / 1000.0,
        clock_offset_h=clock_offset_h(now),
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
