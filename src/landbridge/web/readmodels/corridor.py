"""Corridor: crossings with their queues, routes as lines from the base, and trains on the way."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.domain.rail import TrainStatus
from landbridge.domain.units import Direction
from landbridge.scenarios import current_scenario
from landbridge.store import tables
from landbridge.web.readmodels.rail import TRANSIT_STATUSES, trains


def origin_lat_lon() -> tuple[float, float]:
    """Where every westbound route starts: the base's position in the scenario."""
    base = current_scenario().base
    return (base.lat, base.lon)


@dataclass
class CorridorView:
    """Crossings with their queues, routes as lines, and trains on the way."""

    crossings: list[dict[str, Any]]
    routes: list[dict[str, Any]]
    trains: list[dict[str, Any]]


def corridor(session: Session, now: datetime) -> CorridorView:
    """Where the trains are: a position interpolated by elapsed share of the route's median transit, along
    the route from the base (westbound) or towards it (eastbound)."""
    crossings = {c.code: c for c in session.scalars(select(tables.CrossingRow).order_by(tables.CrossingRow.code))}
    routes = session.scalars(select(tables.RouteRow).order_by(tables.RouteRow.km)).all()
    # In transit means carrying something or bringing empty wagons back (an emptied train is released).
    moving = [train for train in trains(session, TRANSIT_STATUSES) if train.boxes or train.returning]
    origin = origin_lat_lon()
    queues: dict[str, int] = defaultdict(int)
    for train in moving:
        if train.status == TrainStatus.AT_BORDER.value and train.crossing_code:
            queues[train.crossing_code] += 1
    route_by_code = {r.code: r for r in routes}
    markers = []
    for train in moving:
        route = route_by_code.get(train.route_code)
        if route is None:
            continue
        crossing = crossings.get(route.crossing_code)
        path = [origin] + ([(crossing.lat, crossing.lon)] if crossing else []) + [(route.lat, route.lon)]
        if train.direction == Direction.EAST.value:
            path.reverse()  # an eastbound train comes from the route's end towards the base
        if train.status == TrainStatus.AT_BORDER.value and crossing is not None:
            lat, lon = crossing.lat, crossing.lon
        elif train.returning and crossing is not None:  # from the destination back to the border station
            elapsed_days = ((now - train.departed_at).total_seconds() / 86400) if train.departed_at else 0.0
            back = [(route.lat, route.lon), (crossing.lat, crossing.lon)]
            lat, lon = along(back, min(1.0, max(0.0, elapsed_days / (route.transit_days / 2))))
        else:
            elapsed_days = ((now - train.departed_at).total_seconds() / 86400) if train.departed_at else 0.0
            lat, lon = along(path, min(1.0, max(0.0, elapsed_days / route.transit_days)))
        markers.append(
            {
                "reference": train.reference,
                "destination": train.destination,
                "direction": train.direction,
                "status": train.status,
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "boxes": train.boxes,
                "returning": train.returning,
            }
        )
    return CorridorView(
        crossings=[
            {
                "code": c.code,
                "name": c.name,
                "lat": c.lat,
                "lon": c.lon,
                "queue": queues.get(c.code, 0),
                "handling_h": c.train_handling_h,
                "trains_per_day": c.trains_per_day,
            }
            for c in crossings.values()
        ],
        routes=[
            {
                "code": r.code,
                "destination": r.destination,
                "country": r.country,
                "km": r.km,
                "crossing": r.crossing_code,
                "path": [[origin[1], origin[0]]]
                + (
                    [[crossings[r.crossing_code].lon, crossings[r.crossing_code].lat]]
                    if r.crossing_code in crossings
                    else []
                )
                + [[r.lon, r.lat]],
            }
            for r in routes
        ],
        trains=markers,
    )


def along(path: list[tuple[float, float]], share: float) -> tuple[float, float]:
    """The point at ``share`` (0..1) of a polyline's length (plain lat/lon distance is enough here)."""
    legs = [math.dist(a, b) for a, b in itertools.pairwise(path)]
    total = sum(legs)
    if total == 0:
        return path[0]
    target = share * total
    for (a, b), leg in zip(itertools.pairwise(path), legs, strict=True):
        if target <= leg and leg > 0:
            t = target / leg
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        target -= leg
    return path[-1]
