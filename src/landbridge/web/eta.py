"""The ETA shown on a container page: P10, P50 and P90 arrival times.

The tracking service (``services.tracking``) owns the estimate — the same one shippers get from
``/api/v1/tracking/{number}``, conditioned on how far the train has got. Only when it has none yet
(the box is on a wagon of a train still loading, so no rail LOAD event has been projected) does the
page fall back to the route's transit-day percentiles counted from now, and says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.domain.errors import NotFound
from landbridge.services import tracking
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from landbridge.web.auth import Viewer
from landbridge.web.readmodels.cargo import ContainerView
from landbridge.web.readmodels.common import now_utc


def _service_eta(request: Request, view: ContainerView, viewer: Viewer) -> dict[str, Any] | None:
    """The tracking service's estimate, or None when it has none for this box."""
    try:
        found = tracking.track_container(
            UnitOfWork.for_reading(request.app.state.database_url),
            view.number,
            tracking.Viewer(viewer.name, viewer.scope.party),
        )
    except NotFound:
        return None
    if found.eta is None:
        return None
    return {
        "destination": found.destination,
        "train": found.train_reference,
        "departed": True,
        "p10": found.eta.p10,
        "p50": found.eta.p50,
        "p90": found.eta.p90,
        "stage": found.eta.stage.value,
        "basis": found.eta.basis,
        "source": "tracking",
    }


def _loading_eta(session: Session, view: ContainerView) -> dict[str, Any] | None:
    """Route percentiles from now for a box on a wagon of a train that has not left."""
    row = (
        session.execute(
            select(tables.TrainVisitRow)
            .join(tables.WagonRow, tables.WagonRow.train_reference == tables.TrainVisitRow.reference)
            .join(tables.WagonCellRow, tables.WagonCellRow.wagon_id == tables.WagonRow.id)
            .where(tables.WagonCellRow.container_number == view.number)
        )
        .scalars()
        .first()
    )
    if row is None:
        return None
    route = session.get(tables.RouteRow, row.route_code)
    if route is None:
        return None
    start = now_utc()
    return {
        "destination": route.destination,
        "train": row.reference,
        "departed": False,
        "p10": start + timedelta(days=route.transit_days_p10),
        "p50": start + timedelta(days=route.transit_days),
        "p90": start + timedelta(days=route.transit_days_p90),
        "stage": "loading",
        "basis": "route",
        "source": "route",
    }


def eta_for(request: Request, session: Session, view: ContainerView, viewer: Viewer) -> dict[str, Any] | None:
    """{destination, train, p10, p50, p90, …} or None when the container is not on a train."""
    return _service_eta(request, view, viewer) or _loading_eta(session, view)
