"""Berths: each vessel call's planned window against what happened (the Gantt's lanes and bars)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from landbridge.domain.events import EventType
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


def berth_calls(session: Session, scope: Scope = EVERYTHING) -> list[BerthCall]:
    """Vessel calls the scope may see (a shipping line: those it operates) with planned and actual windows."""
    happened: dict[tuple[str, str], datetime] = {}
    for event in session.execute(
        select(tables.EventRow.subject_id, tables.EventRow.event_type, tables.EventRow.occurred_at).where(
            tables.EventRow.event_type.in_((_BERTHED, _DEPARTED))
        )
    ):
        stamp = utc(event.occurred_at)
        if stamp is not None:
            happened[(event.subject_id, event.event_type)] = stamp
    calls = []
    for visit in session.scalars(
        visible_vessel_visits(select(tables.VesselVisitRow), scope).order_by(tables.VesselVisitRow.eta)
    ):
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
