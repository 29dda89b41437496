"""The projection reads the event log once, in order, and waits for ids that may still commit."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select

from landbridge.domain.events import Event, EventType, utc_now
from landbridge.services.tracking import STAFF, EventQuery, catch_up, find_events, project_new_events
from landbridge.store import tables
from landbridge.store.tracking_tables import (
    DcsaEventDocumentRow,
    DcsaEventEquipmentRow,
    DcsaEventRow,
    EtaEstimateRow,
    EventDeliveryRow,
    EventSubscriptionRow,
    TrackingProjectionRow,
)
from landbridge.store.unit_of_work import UnitOfWork
from tests.contract.dcsa_spec import assert_valid_if_spec_present
from tests.integration.test_dcsa_feed import OURS, T0, THEIRS, TRAIN, append, register, run_journey, seed_world


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


def _projected(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Everything the projection wrote, keyed by eventID (surrogate ids differ between runs)."""
    with UnitOfWork.for_url(url) as uow:
        session = uow.session
        pairs = session.execute(select(DcsaEventRow.id, DcsaEventRow.event_id))
        event_ids = {row_id: event_id for row_id, event_id in pairs}
        events = session.scalars(select(DcsaEventRow).order_by(DcsaEventRow.id)).all()
        return {
            "events": [
                (
                    e.event_id,
                    e.source_event_id,
                    e.sequence,
                    e.event_type,
                    e.type_code,
                    e.equipment_reference,
                    e.transport_reference,
                    e.event_created_at,
                    e.event_at,
                    json.dumps(e.body, sort_keys=True),
                    e.transport_call_id,
                    e.un_location_code,
                    e.document_type_code,
                    e.vessel_imo,
                )
                for e in events
            ],
            "boxes": sorted(
                (event_ids[row_id], reference)
                for row_id, reference in session.execute(
                    select(DcsaEventEquipmentRow.dcsa_event_id, DcsaEventEquipmentRow.equipment_reference)
                )
            ),
            "documents": sorted(
                (event_ids[row_id], kind, reference)
                for row_id, kind, reference in session.execute(
                    select(
                        DcsaEventDocumentRow.dcsa_event_id,
                        DcsaEventDocumentRow.document_type,
                        DcsaEventDocumentRow.reference,
                    )
                )
            ),
            "estimates": [
                (r.container_number, r.source_event_id, r.train_reference, r.stage, r.p10, r.p50, r.p90, r.overdue)
                for r in session.scalars(select(EtaEstimateRow).order_by(EtaEstimateRow.id))
            ],
        }


def test_a_batch_projects_what_one_event_at_a_time_does(database_url: str) -> None:
    """The batch reads its boxes and visits up front and writes in bulk (issue #19): same rows as one by one,
    including the boxes aboard a train whose wagon loads are in the same batch, and their ETAs."""
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    register(database_url, THEIRS, "BK-OTHER-1")
    run_journey(database_url)
    append(database_url, EventType.TRAIN_DEPARTED, "container", OURS, T0 + timedelta(days=1), "CNLYG", {"train": TRAIN})
    append(database_url, EventType.CONTAINER_GATE_OUT, "container", THEIRS, T0 + timedelta(days=9), "almaty")
    catch_up(UnitOfWork.for_url(database_url), batch=1, max_batches=100)
    one_by_one = _projected(database_url)
    assert len(one_by_one["estimates"]) >= 4  # departure, border, gauge change, arrival of our box
    departures = [e[0] for e in one_by_one["events"] if e[3] == "TRANSPORT" and e[4] == "DEPA" and e[6] == TRAIN]
    assert [(departures[0], OURS)] == [box for box in one_by_one["boxes"] if box[0] == departures[0]]

    with UnitOfWork.for_url(database_url) as uow:  # project the same log again, in one batch
        for table in (EtaEstimateRow, DcsaEventDocumentRow, DcsaEventEquipmentRow, DcsaEventRow):
            uow.session.execute(delete(table))
        uow.session.execute(delete(TrackingProjectionRow))
        uow.commit()
    catch_up(UnitOfWork.for_url(database_url), batch=500, max_batches=1)
    assert _projected(database_url) == one_by_one
