"""The projection reads the event log once, in order, and waits for ids that may still commit."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from landbridge.domain.events import Event, EventType, utc_now
from landbridge.services.tracking import STAFF, EventQuery, catch_up, find_events, project_new_events
from landbridge.store import tables
from landbridge.store.tracking_tables import (
    DcsaEventDocumentRow,
    DcsaEventRow,
    EventDeliveryRow,
    EventSubscriptionRow,
    TrackingProjectionRow,
)
from landbridge.store.unit_of_work import UnitOfWork
from tests.contract.dcsa_spec import assert_valid_if_spec_present
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


def test_a_projection_of_an_older_shape_is_projected_again_in_place(database_url: str) -> None:
    """After an upgrade (migration 0040) the feed is rebuilt: same rows, ids and deliveries; new bodies."""
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    append(database_url, EventType.CONSIGNMENT_CREATED, "consignment", "BK-ACME-1", T0)
    append(database_url, EventType.CONTAINER_GATE_IN, "container", OURS, T0 + timedelta(hours=1), "CNLYG")
    catch_up(UnitOfWork.for_url(database_url))
    with UnitOfWork.for_url(database_url) as uow:
        subscription = EventSubscriptionRow(
            id="5b1d7c1e-0000-4000-8000-000000000001",
            callback_url="https://hooks.example.com/x",
            secret_b64="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            owner="tester",
            party_code=None,
            event_types=[],
            equipment_event_type_codes=[],
            transport_event_type_codes=[],
            created_at=utc_now(),
        )
        uow.session.add(subscription)
        rows = list(uow.session.scalars(select(DcsaEventRow).order_by(DcsaEventRow.id)))
        before = {row.event_id: row.id for row in rows}
        booking = next(row for row in rows if row.event_type == "SHIPMENT")
        gate_in = next(row for row in rows if row.event_type == "EQUIPMENT")
        uow.session.add(
            EventDeliveryRow(
                subscription_id=subscription.id,
                dcsa_event_id=gate_in.id,
                status="delivered",
                attempts=1,
                next_attempt_at=utc_now(),
                created_at=utc_now(),
            )
        )
        # What version 1 left: bodies in the first shape, no shipment events, no filter columns.
        gate_in.body = {"eventID": gate_in.event_id, "eventType": "EQUIPMENT", "transportCallReference": "x"}
        gate_in.transport_call_id = None
        uow.session.execute(delete(DcsaEventDocumentRow).where(DcsaEventDocumentRow.dcsa_event_id == booking.id))
        uow.session.execute(delete(DcsaEventRow).where(DcsaEventRow.id == booking.id))
        projection = uow.session.get(TrackingProjectionRow, "dcsa")
        assert projection is not None
        projection.version = 1
        uow.commit()

    catch_up(UnitOfWork.for_url(database_url))
    with UnitOfWork.for_url(database_url) as uow:
        rows = list(uow.session.scalars(select(DcsaEventRow).order_by(DcsaEventRow.id)))
        assert {row.event_id for row in rows} == set(before)  # every event back, under its old eventID
        assert before[gate_in.event_id] == next(row.id for row in rows if row.event_type == "EQUIPMENT")
        refreshed = next(row for row in rows if row.event_type == "EQUIPMENT")
        assert refreshed.body["equipmentEventTypeCode"] == "GTIN" and "transportCallReference" not in refreshed.body
        deliveries = list(uow.session.scalars(select(EventDeliveryRow)))
        # History kept; the rebuilt booking event is not pushed (it was recorded before the subscription).
        assert [(d.dcsa_event_id, d.status) for d in deliveries] == [(before[gate_in.event_id], "delivered")]
        version = uow.session.get(TrackingProjectionRow, "dcsa")
        assert version is not None and version.version == 2
        events = [dict(row.body) for row in rows]
    assert_valid_if_spec_present(events)
