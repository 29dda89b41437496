"""The projection reads the event log once, in order, and waits for ids that may still commit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from landbridge.domain.events import Event, EventType, utc_now
from landbridge.services.tracking import STAFF, EventQuery, catch_up, find_events, project_new_events
from landbridge.store import tables
from landbridge.store.tracking_tables import DcsaEventRow
from landbridge.store.unit_of_work import UnitOfWork
from tests.integration.test_dcsa_feed import OURS, T0, append, register, seed_world


def _raw_event(url: str, event_id: int, recorded_age_s: float) -> None:
    """An event row with a chosen id, as a concurrent transaction that commits late would leave it."""
    with UnitOfWork.for_url(url) as uow:
        uow.session.add(
            tables.EventRow(
                id=event_id,
                event_type=EventType.CONTAINER_GATE_OUT.value,
                subject_type="container",
                subject_id=OURS,
                actor="op",
                role="gate_clerk",
                occurred_at=T0,
                recorded_at=utc_now() - timedelta(seconds=recorded_age_s),
                location="CNLYG",
                before=None,
                after={"truck": f"TRK{event_id}"},
                source_reference=None,
            )
        )
        uow.commit()


def _projected_sources(url: str) -> list[int]:
    with UnitOfWork.for_url(url) as uow:
        return list(uow.session.scalars(select(DcsaEventRow.source_event_id).order_by(DcsaEventRow.id)))


def test_a_fresh_gap_holds_the_projection_until_the_missing_id_commits(database_url: str) -> None:
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    append(database_url, EventType.CONTAINER_GATE_IN, "container", OURS, T0, "CNLYG")
    with UnitOfWork.for_url(database_url) as uow:
        last = int(uow.session.scalar(select(func.max(tables.EventRow.id))) or 0)
    _raw_event(database_url, last + 2, recorded_age_s=0)  # id last+1 is still "in flight"
    catch_up(UnitOfWork.for_url(database_url))
    assert _projected_sources(database_url) == [last]

    _raw_event(database_url, last + 1, recorded_age_s=0)  # the late transaction commits
    catch_up(UnitOfWork.for_url(database_url))
    assert _projected_sources(database_url) == [last, last + 1, last + 2]

    _raw_event(database_url, last + 4, recorded_age_s=60)  # last+3 never came: a rolled-back id
    catch_up(UnitOfWork.for_url(database_url))
    assert _projected_sources(database_url)[-1] == last + 4

    with UnitOfWork.for_url(database_url) as uow:  # projecting again adds nothing
        assert project_new_events(uow) == 0
        events, _ = find_events(uow, EventQuery(equipment_reference=OURS), STAFF)
    assert [e["equipmentEventTypeCode"] for e in events] == ["GTIN", "GTOT", "GTOT", "GTOT"]


def test_catch_up_works_through_a_backlog_in_batches(database_url: str) -> None:
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    with UnitOfWork.for_url(database_url) as uow:
        for hour in range(7):
            uow.events.append(
                Event(
                    EventType.CONTAINER_GATE_IN,
                    "container",
                    OURS,
                    "op",
                    "gate_clerk",
                    occurred_at=T0 + timedelta(hours=hour),
                    location="CNLYG",
                )
            )
        uow.commit()
    assert catch_up(UnitOfWork.for_url(database_url), batch=2) == 7
    assert catch_up(UnitOfWork.for_url(database_url), batch=2) == 0
