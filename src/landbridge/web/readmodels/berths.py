"""Berths: each vessel call's planned window against what happened (the Gantt's lanes and bars)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
from landbridge.domain.visits import VesselVisitStatus
from landbridge.store import tables
from landbridge.store.repositories import EVERYTHING, Scope
from landbridge.store.repositories.scope import visible_vessel_visits
from landbridge.web.readmodels.common import utc

_BERTHED, _DEPARTED = EventType.VESSEL_BERTHED.value, EventType.VESSEL_DEPARTED.value


@dataclass
class BerthCall:
    """One vessel call: its plan (ETB–ETD) and what happened (berthed–departed events)."""

    reference: str
    vessel_name: str
    berth_code: str | None
    status: str
    eta: datetime | None
    planned_start: datetime | None
    planned_end: datetime | None
    actual_start: datetime | None
    actual_end: datetime | None


DEPARTED_SHOWN = timedelta(days=7)
"""How long a departed call stays on the Gantt; older calls are history (``/lists/vessel-visits``). Reading
every call of a year — and every berthing and departure event — made the screen grow with the log (issue #19)."""


def berth_calls(session: Session, scope: Scope = EVERYTHING, now: datetime | None = None) -> list[BerthCall]:
    """Vessel calls the scope may see (a shipping line: those it operates) with planned and actual windows:
    those not departed, and those that departed in the :data:`DEPARTED_SHOWN` before ``now`` (all when None)."""
    query = visible_vessel_visits(select(tables.VesselVisitRow), scope)
    if now is not None:
        recently_departed = select(tables.EventRow.subject_id).where(
            tables.EventRow.event_type == _DEPARTED, tables.EventRow.occurred_at >= now - DEPARTED_SHOWN
        )
        query = query.where(
            or_(
                tables.VesselVisitRow.status != VesselVisitStatus.DEPARTED.value,
                tables.VesselVisitRow.reference.in_(recently_departed),
            )
        )
    visits = session.scalars(query.order_by(tables.VesselVisitRow.eta)).all()
    happened: dict[tuple[str, str], datetime] = {}
    references = [visit.reference for visit in visits]
    for start in range(0, len(references), 500):  # bound parameter lists (PostgreSQL, SQLite limits)
        for event in session.execute(
            select(tables.EventRow.subject_id, tables.EventRow.event_type, tables.EventRow.occurred_at).where(
                tables.EventRow.event_type.in_((_BERTHED, _DEPARTED)),
                tables.EventRow.subject_id.in_(references[start : start + 500]),
            )
        ):
            stamp = utc(event.occurred_at)
            if stamp is not None:
                happened[(event.subject_id, event.event_type)] = stamp
    calls = []
    for visit in visits:
        calls.append(
            BerthCall(
                reference=visit.reference,
                vessel_name=visit.vessel_name,
                berth_code=visit.berth_code,
                status=visit.status,
                eta=utc(visit.eta),
                planned_start=utc(visit.etb) or utc(visit.eta),
                planned_end=utc(visit.etd),
                actual_start=happened.get((visit.reference, _BERTHED)),
                actual_end=happened.get((visit.reference, _DEPARTED)),
            )
        )
    return calls


def berth_codes(session: Session) -> list[str]:
    """Berth codes in order (the Gantt's lanes)."""
    return list(session.scalars(select(tables.BerthRow.code).order_by(tables.BerthRow.code)))
