"""The DCSA feed over HTTP: mapping, filters, cursor pages, and a shipper never seeing foreign boxes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from landbridge.api.app import create_app
from landbridge.api.routers.dcsa import get_viewer
from landbridge.domain.containers import LoadState
from landbridge.domain.events import Event, EventType
from landbridge.domain.identifiers import ContainerNumber
from landbridge.scenarios import load_scenario
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.seeding import seed_scenario
from landbridge.services.tracking import PROJECTION, STAFF, Viewer, catch_up, projection
from landbridge.services.tracking.visibility import visible, visible_from_own_boxes, visible_to
from landbridge.store import tables
from landbridge.store.tracking_tables import DcsaEventRow, TrackingProjectionRow
from landbridge.store.unit_of_work import UnitOfWork

T0 = datetime(2026, 1, 10, 2, 0, tzinfo=UTC)
OURS, THEIRS = "CSQU3054383", "MSKU1234565"
TRAIN, FOREIGN_TRAIN = "TR-W-0001", "TR-W-0002"


def seed_world(url: str) -> None:
    """The Lianyungang scenario, two shippers with one booking each, and a westbound train to Almaty."""
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    with UnitOfWork.for_url(url) as uow:
        session = uow.session
        for code in ("ACME", "OTHER"):
            session.add(tables.PartyRow(code=code, name=f"{code} Trading", role="shipper", country="KZ"))
        session.flush()
        for booking, shipper in (("BK-ACME-1", "ACME"), ("BK-OTHER-1", "OTHER")):
            session.add(
                tables.ConsignmentRow(
                    booking_reference=booking,
                    shipper_code=shipper,
                    consignee_code=None,
                    origin="CNLYG",
                    destination="KZALA",
                )
            )
        for reference in (TRAIN, FOREIGN_TRAIN):
            session.add(
                tables.TrainVisitRow(
                    reference=reference,
                    direction="west",
                    route_code="almaty",
                    gauge_mm=1435,
                    track_code=None,
                    status="loading",
                    version=1,
                )
            )
        uow.commit()


def register(url: str, number: str, booking: str) -> None:
    """Register a box through the container service, then book it to a consignment."""
    register_container(
        UnitOfWork.for_url(url),
        RegisterContainer(ContainerNumber(number), "45G1", LoadState.FULL),
        Actor("clerk", "gate_clerk"),
    )
    with UnitOfWork.for_url(url) as uow:
        row = uow.session.get(tables.ContainerRow, number)
        assert row is not None
        row.booking_reference = booking
        uow.commit()


def append(
    url: str,
    event_type: EventType,
    subject_type: str,
    subject_id: str,
    at: datetime,
    location: str | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Record a domain event as the operations services will."""
    with UnitOfWork.for_url(url) as uow:
        uow.events.append(
            Event(
                event_type,
                subject_type,
                subject_id,
                "op1",
                "rail_operator",
                occurred_at=at,
                location=location,
                after=after,
            )
        )
        uow.commit()


def run_journey(url: str) -> None:
    """Our box: ship → gate → train → border → gauge change → Almaty. Theirs: on another train."""
    append(url, EventType.CONTAINER_DISCHARGED, "container", OURS, T0, "CNLYG", {"vessel_visit": "V-2601"})
    append(
        url,
        EventType.CONTAINER_LOADED_WAGON,
        "container",
        OURS,
        T0 + timedelta(hours=20),
        "CNLYG",
        {"train": TRAIN, "wagon": "31452468001"},
    )
    append(
        url,
        EventType.CONTAINER_LOADED_WAGON,
        "container",
        THEIRS,
        T0 + timedelta(hours=21),
        "CNLYG",
        {"train": FOREIGN_TRAIN},
    )
    append(url, EventType.TRAIN_DEPARTED, "train", TRAIN, T0 + timedelta(days=1), "CNLYG")
    append(url, EventType.TRAIN_DEPARTED, "train", FOREIGN_TRAIN, T0 + timedelta(days=1, hours=1), "CNLYG")
    append(url, EventType.TRAIN_AT_BORDER, "train", TRAIN, T0 + timedelta(days=5), "khorgos")
    append(
        url,
        EventType.CONTAINER_GAUGE_TRANSFER,
        "container",
        OURS,
        T0 + timedelta(days=5, hours=1),
        "khorgos",
        {"train": TRAIN, "wagon": "42345678"},
    )
    append(url, EventType.TRAIN_ARRIVED, "train", TRAIN, T0 + timedelta(days=6), "almaty")


@pytest.fixture
def world(database_url: str) -> Iterator[TestClient]:
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    register(database_url, THEIRS, "BK-OTHER-1")
    run_journey(database_url)
    app = create_app(database_url)
    app.dependency_overrides[get_viewer] = lambda: STAFF  # hub staff unless a test says otherwise
    with TestClient(app) as client:
        yield client


def codes(events: list[dict[str, Any]]) -> list[str]:
    return [e.get("equipmentEventTypeCode") or e["transportEventTypeCode"] for e in events]


def all_pages(client: TestClient, query: str, limit: int) -> list[dict[str, Any]]:
    """Every page, following the ``Next-Page`` links as a DCSA client does."""
    events: list[dict[str, Any]] = []
    url: str | None = f"/dcsa/tnt/v2/events?limit={limit}{query}"
    for _ in range(50):
        assert url is not None
        response = client.get(url)
        assert response.status_code == 200, response.text
        events += response.json()
        url = response.headers.get("Next-Page")
        if url is None:
            return events
    raise AssertionError("pagination did not end")


def test_the_journey_reads_as_dcsa_events(world: TestClient) -> None:
    response = world.get(f"/dcsa/tnt/v2/events?equipmentReference={OURS}")
    assert response.status_code == 200
    events = response.json()
    # DISC from ship, LOAD on train, DEPA, ARRI border, DISC+LOAD gauge change, ARRI destination.
    assert codes(events) == ["DISC", "LOAD", "DEPA", "ARRI", "DISC", "LOAD", "ARRI"]
    assert all(e["eventClassifierCode"] == "ACT" for e in events)
    border = events[3]
    assert border["eventType"] == "TRANSPORT" and border["transportCall"]["transportCallID"] == f"{TRAIN}@CNHRS"
    assert border["transportCall"]["location"]["UNLocationCode"] == "CNHRS"
    assert border["eventDateTime"].endswith("+08:00")
    arrival = events[-1]
    assert arrival["transportCall"]["location"]["UNLocationCode"] == "KZALA"
    assert arrival["eventDateTime"].endswith("+05:00")
    load = events[1]
    assert load["ISOEquipmentCode"] == "45G1" and load["emptyIndicatorCode"] == "LADEN"
    assert load["documentReferences"] == [
        {"documentReferenceType": "BKG (Booking)", "documentReferenceValue": "BK-ACME-1"}
    ]
    assert world.get(f"/dcsa/tnt/v2/events/{load['eventID']}").json() == load


def test_filters_combine(world: TestClient) -> None:
    transport = world.get("/dcsa/tnt/v2/events?eventType=TRANSPORT").json()
    assert codes(transport) == ["DEPA", "DEPA", "ARRI", "ARRI"]
    booked = world.get("/dcsa/tnt/v2/events?carrierBookingReference=BK-OTHER-1").json()
    assert codes(booked) == ["LOAD", "DEPA"]
    loads = world.get(f"/dcsa/tnt/v2/events?equipmentEventTypeCode=LOAD&equipmentReference={OURS}").json()
    assert codes(loads) == ["LOAD", "LOAD"]
    at_khorgos = world.get("/dcsa/tnt/v2/events?UNLocationCode=CNHRS").json()
    assert codes(at_khorgos) == ["ARRI", "DISC"]  # the load onto the 1520 mm wagon is at Altynkol
    everything = world.get("/dcsa/tnt/v2/events").json()
    created = everything[4]["eventCreatedDateTime"]
    later = world.get("/dcsa/tnt/v2/events", params={"eventCreatedDateTime:gt": created}).json()
    assert [e["eventID"] for e in later] == [e["eventID"] for e in everything if e["eventCreatedDateTime"] > created]
    assert (
        world.get("/dcsa/tnt/v2/events", params={"eventCreatedDateTime:gte": "2099-01-01T00:00:00+00:00"}).json() == []
    )


def test_cursor_pages_cover_the_feed_once(world: TestClient) -> None:
    whole = world.get("/dcsa/tnt/v2/events").json()
    assert len(whole) == 9
    paged = all_pages(world, "", limit=3)
    assert [e["eventID"] for e in paged] == [e["eventID"] for e in whole]
    assert world.get("/dcsa/tnt/v2/events?limit=100").headers.get("Next-Page") is None


BAD_QUERIES = [
    "eventType=PARCEL",
    "equipmentEventTypeCode=XXXX",
    "cursor=bogus",
    "eventCreatedDateTime:gte=yesterday",
    "eventCreatedDateTime:after=2026-01-01T00:00Z",
    "eventCreatedDateTime:gte=2026-01-01T00:00:00",
    "limit=0",
]


def test_bad_queries_are_refused_with_the_reason(world: TestClient) -> None:
    for query in BAD_QUERIES:
        response = world.get(f"/dcsa/tnt/v2/events?{query}")
        assert response.status_code == 422, (query, response.text)
        body = response.json()
        assert body["statusCode"] == 422 and body["errors"][0]["message"], body


def test_a_shipper_never_sees_foreign_containers(world: TestClient) -> None:
    foreign_ids = {e["eventID"] for e in world.get(f"/dcsa/tnt/v2/events?equipmentReference={THEIRS}").json()}
    world.app.dependency_overrides[get_viewer] = lambda: Viewer("acme-user", "ACME")  # type: ignore[attr-defined]
    try:
        mine = world.get("/dcsa/tnt/v2/events").json()
        assert codes(mine) == ["DISC", "LOAD", "DEPA", "ARRI", "DISC", "LOAD", "ARRI"]
        assert not foreign_ids & {e["eventID"] for e in mine}
        assert all(e.get("equipmentReference", OURS) == OURS for e in mine)
        assert world.get(f"/dcsa/tnt/v2/events?equipmentReference={THEIRS}").json() == []
        assert world.get("/dcsa/tnt/v2/events?carrierBookingReference=BK-OTHER-1").json() == []
        for event_id in foreign_ids:
            assert world.get(f"/dcsa/tnt/v2/events/{event_id}").status_code == 404
        assert all_pages(world, "", limit=2) == mine
        assert world.get(f"/api/v1/tracking/{THEIRS}").status_code == 404
        assert world.get(f"/api/v1/tracking/{OURS}").status_code == 200
        world.app.dependency_overrides[get_viewer] = lambda: Viewer("nobody", "NOBODY")  # type: ignore[attr-defined]
        assert world.get("/dcsa/tnt/v2/events").json() == []
    finally:
        world.app.dependency_overrides[get_viewer] = lambda: STAFF  # type: ignore[attr-defined]


def projected_up_to(url: str) -> int:
    """The id of the last log event the DCSA projection has read."""
    with UnitOfWork.for_url(url) as uow:
        return int(
            uow.session.scalar(
                select(TrackingProjectionRow.last_event_id).where(TrackingProjectionRow.name == PROJECTION)
            )
            or 0
        )


def test_a_feed_request_projects_one_small_batch_and_a_long_feed_pages_through_in_order(
    world: TestClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue #19: a request answers from what is projected (bounded work behind a backlog), and a feed
    of many pages is read whole, once each and in order, by following ``Next-Page``."""
    with UnitOfWork.for_url(database_url) as uow:
        for hour in range(12):  # the world's journey plus a dozen gate visits: a backlog of 22 log events
            event = Event(
                EventType.CONTAINER_GATE_IN,
                "container",
                OURS,
                "op",
                "gate_clerk",
                occurred_at=T0 + timedelta(hours=hour),
                location="CNLYG",
            )
            uow.events.append(event)
        uow.commit()
        newest = int(uow.session.scalar(select(func.max(tables.EventRow.id))) or 0)
    monkeypatch.setattr(projection, "READ_BATCH", 3)
    start = projected_up_to(database_url)
    first = world.get("/dcsa/tnt/v2/events?limit=100")
    assert first.status_code == 200
    assert projected_up_to(database_url) - start == 3  # one batch, not the whole backlog
    assert len(first.json()) < 21

    catch_up(UnitOfWork.for_url(database_url), max_batches=100)  # the delivery worker's share
    assert projected_up_to(database_url) == newest
    whole = [e["eventID"] for e in world.get("/dcsa/tnt/v2/events?limit=1000").json()]
    assert len(whole) == 21
    paged = all_pages(world, "", limit=4)
    assert [e["eventID"] for e in paged] == whole  # 6 pages: each event once, in the feed's order
    newest_first = all_pages(world, "&sort=eventCreatedDateTime:DESC", limit=4)
    created = [e["eventCreatedDateTime"] for e in newest_first]
    assert sorted(e["eventID"] for e in newest_first) == sorted(whole)
    assert created == sorted(created, reverse=True)


def test_a_partys_feed_is_the_same_whichever_way_its_visibility_is_asked(world: TestClient, database_url: str) -> None:
    """The feed driven from the party's own boxes (a party that sees little) and the feed tested row by
    row (a party that sees much) are the same rule: the same events for every party."""
    assert len(world.get("/dcsa/tnt/v2/events").json()) > 7  # projects the journey
    with UnitOfWork.for_url(database_url) as uow:
        for party in ("ACME", "OTHER", "NOBODY"):
            by_row = select(DcsaEventRow.id).where(visible(party)).order_by(DcsaEventRow.id)
            by_own_boxes = select(DcsaEventRow.id).where(visible_from_own_boxes(party)).order_by(DcsaEventRow.id)
            chosen = select(DcsaEventRow.id).where(visible_to(uow.session, party)).order_by(DcsaEventRow.id)
            seen = list(uow.session.scalars(by_row))
            assert list(uow.session.scalars(by_own_boxes)) == seen == list(uow.session.scalars(chosen))
            assert bool(seen) == (party != "NOBODY")
