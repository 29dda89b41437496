"""DCSA Track & Trace 2.2 as DCSA specifies it: each finding of the conformance review is a test here.

The review checked our feed against DCSA's own OpenAPI specification (not our reading of it):
no event was valid, paging stopped a standard client at 100 events, filters were silently ignored,
``eventCreatedDateTime`` ignored offsets, errors were not DCSA's shape, subscriptions lacked the
standard's filters and PUTs, and a 1520 mm train formed at Khorgos departed from Lianyungang.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.routers.dcsa import get_viewer
from landbridge.domain.events import EventType
from landbridge.services.tracking import STAFF
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.contract.dcsa_spec import SPEC_PATH, body_violations, require_spec, violations
from tests.integration.test_dcsa_feed import OURS, T0, THEIRS, TRAIN, append, register, run_journey, seed_world

WIDE_TRAIN, VESSEL, IMO = "TR-K-0001", "V-2601", "9321483"
EVENTS = "/dcsa/tnt/v2/events"
SUBSCRIPTIONS = "/dcsa/tnt/v2/event-subscriptions"
SECRET = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
ERROR_KEYS = {"httpMethod", "requestUri", "statusCode", "statusCodeText", "errorDateTime", "errors"}


def _add_world_extras(url: str) -> None:
    """A ship with its IMO number, a 1520 mm train formed at Khorgos, a booking and a customs hold."""
    with UnitOfWork.for_url(url) as uow:
        uow.session.add(
            tables.VesselVisitRow(
                reference=VESSEL, vessel_name="Xin Ming Zhou 20", imo_number=IMO, eta=T0, status="berthed"
            )
        )
        uow.session.add(
            tables.TrainVisitRow(
                reference=WIDE_TRAIN,
                direction="west",
                route_code="almaty",
                gauge_mm=1520,
                track_code=None,
                status="loading",
                version=1,
            )
        )
        uow.commit()
    append(url, EventType.CONSIGNMENT_CREATED, "consignment", "BK-ACME-1", T0 - timedelta(days=2))
    append(url, EventType.VESSEL_BERTHED, "vessel_visit", VESSEL, T0 - timedelta(hours=3), "CNLYG")
    hold = {"hold": {"id": 7, "container": OURS, "reason": "x-ray", "open": True}}
    append(url, EventType.HOLD_PLACED, "container", OURS, T0 + timedelta(hours=2), "CNLYG", hold)
    append(url, EventType.HOLD_RELEASED, "container", OURS, T0 + timedelta(hours=5), "CNLYG", hold)
    # Operations record a 1520 mm train's departure with no track: it was formed at the border, not at the hub.
    append(url, EventType.TRAIN_DEPARTED, "train_visit", WIDE_TRAIN, T0 + timedelta(days=5, hours=2))


@pytest.fixture
def world(database_url: str) -> Iterator[TestClient]:
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    register(database_url, THEIRS, "BK-OTHER-1")
    run_journey(database_url)
    _add_world_extras(database_url)
    app = create_app(database_url)
    app.dependency_overrides[get_viewer] = lambda: STAFF
    with TestClient(app) as client:
        yield client


def _all(client: TestClient) -> list[dict[str, Any]]:
    response = client.get(EVENTS, params={"limit": 1000})
    assert response.status_code == 200, response.text
    events: list[dict[str, Any]] = response.json()
    return events


def _ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventID"] for e in events]


def _assert_dcsa_error(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["API-Version"] == "2.2.0"
    body = response.json()
    assert set(body) >= ERROR_KEYS, body
    assert body["statusCode"] == status and body["errors"], body
    if field is not None:
        assert field in {e["reason"] for e in body["errors"]}, body
    if SPEC_PATH.is_file():
        assert body_violations("error", body) == []


def test_every_event_is_valid_against_the_specification(world: TestClient) -> None:
    """Why: 0 of 159 events were valid (no transportCall.transportCallID; a root eventLocation on transport events)."""
    require_spec()
    events = _all(world)
    assert {e["eventType"] for e in events} == {"EQUIPMENT", "TRANSPORT", "SHIPMENT"}
    assert violations(events) == []
    for event in events:
        if event["eventType"] == "TRANSPORT":
            assert "eventLocation" not in event and event["transportCall"]["location"]["locationName"]
        if "transportCall" in event:
            assert event["transportCall"]["transportCallID"]


def test_a_standard_client_pages_through_the_whole_feed(world: TestClient) -> None:
    """Why: no Current-Page or Next-Page header; a standard client stopped after the first page."""
    everything = _all(world)
    seen: list[dict[str, Any]] = []
    url: str | None = f"{EVENTS}?limit=4"
    pages = 0
    while url is not None:
        response = world.get(url)
        assert response.status_code == 200
        assert response.headers["Current-Page"].endswith(url.split("/dcsa", 1)[-1].split("?", 1)[-1])
        assert "Next-Page-Cursor" not in response.headers
        if pages:
            assert response.headers["First-Page"] and response.headers["Prev-Page"]
        seen += response.json()
        url = response.headers.get("Next-Page")
        pages += 1
    assert _ids(seen) == _ids(everything) and pages == -(-len(everything) // 4)
    last = world.get(world.get(f"{EVENTS}?limit=4").headers["Last-Page"])
    assert _ids(last.json()) == _ids(everything)[-4:] and "Next-Page" not in last.headers
    back = world.get(last.headers["Prev-Page"])
    assert _ids(back.json()) == _ids(everything)[-8:-4]
    assert _ids(world.get(back.headers["Next-Page"]).json()) == _ids(everything)[-4:]


def _codes_of(events: list[dict[str, Any]]) -> list[str]:
    return [
        e.get("equipmentEventTypeCode") or e.get("transportEventTypeCode") or e["shipmentEventTypeCode"] for e in events
    ]


def test_every_filter_of_the_specification_filters_or_is_refused(world: TestClient) -> None:
    """Why: shipmentEventTypeCode, documentTypeCode, transportDocumentReference, transportCallID,
    vesselIMONumber, exportVoyageNumber, carrierServiceCode, sort and unknown parameters returned the whole feed."""
    everything = _all(world)

    def get(**params: str) -> list[dict[str, Any]]:
        response = world.get(EVENTS, params={"limit": "1000", **params})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()
        return found

    assert _codes_of(get(shipmentEventTypeCode="HOLD,RELS")) == ["HOLD", "RELS"]
    booked = get(documentTypeCode="BKG")
    assert [(e["documentTypeCode"], e["documentID"]) for e in booked] == [("BKG", "BK-ACME-1")]
    assert get(transportDocumentReference="SMGS-000001") == []  # no transport document of that reference
    at_border = get(transportCallID=f"{TRAIN}@CNHRS")
    assert _codes_of(at_border) == ["ARRI", "DISC"]
    assert _codes_of(get(vesselIMONumber=IMO)) == ["DISC", "ARRI"]  # the discharge from it, its berthing
    assert get(shipmentEventTypeCode="CONF", equipmentEventTypeCode="GTIN") == []  # the specification's own example
    newest_first = get(sort="eventDateTime:DESC")
    assert sorted(_ids(newest_first)) == sorted(_ids(everything))
    moments = [datetime.fromisoformat(e["eventDateTime"]) for e in newest_first]
    assert moments == sorted(moments, reverse=True) and _ids(newest_first) != _ids(everything)
    for name, value in (
        ("exportVoyageNumber", "2103S"),
        ("carrierVoyageNumber", "2103S"),
        ("carrierServiceCode", "FE1"),
        ("scheduleID", "9679a405-3316-42a5-8533-aba000f5689c"),
        ("transportDocumentID", "9679a405-3316-42a5-8533-aba000f5689c"),
        ("sort", "carrierBookingReference:DESC"),
        ("colour", "blue"),
    ):
        _assert_dcsa_error(world.get(EVENTS, params={name: value}), 422, name)


@pytest.mark.parametrize("operator", ["gte", "gt", "lte", "lt", "eq", None])
def test_event_created_date_time_compares_instants_whatever_the_offset(world: TestClient, operator: str | None) -> None:
    """Why: the same instant as UTC gave 80 events, as +08:00 none, as −05:00 all (on SQLite)."""
    everything = _all(world)
    pivot = datetime.fromisoformat(everything[len(everything) // 2]["eventCreatedDateTime"])
    key = "eventCreatedDateTime" + (f":{operator}" if operator else "")
    compare = {
        "gte": lambda a: a >= pivot,
        "gt": lambda a: a > pivot,
        "lte": lambda a: a <= pivot,
        "lt": lambda a: a < pivot,
        "eq": lambda a: a == pivot,
        None: lambda a: a == pivot,
    }[operator]
    expected = [e["eventID"] for e in everything if compare(datetime.fromisoformat(e["eventCreatedDateTime"]))]
    assert expected  # the pivot itself, at least, for eq/gte/lte
    utc = pivot.astimezone(UTC).isoformat(timespec="milliseconds")
    writings = [utc, utc.replace("+00:00", "Z")] + [
        pivot.astimezone(timezone(timedelta(hours=hours))).isoformat(timespec="milliseconds") for hours in (8, -5)
    ]
    answers = []
    for text in writings:
        response = world.get(EVENTS, params={key: text, "limit": "1000"})
        assert response.status_code == 200, response.text
        answers.append(_ids(response.json()))
    assert answers == [expected] * 4


def test_every_response_has_api_version_and_every_error_is_a_dcsa_error(world: TestClient) -> None:
    """Why: errors were FastAPI's {"detail": …}; API-Version was missing on some responses."""
    for path in (EVENTS, SUBSCRIPTIONS, f"{EVENTS}/{_all(world)[0]['eventID']}"):
        ok = world.get(path)
        assert ok.status_code == 200 and ok.headers["API-Version"] == "2.2.0", path
    _assert_dcsa_error(world.get(EVENTS, params={"eventType": "PARCEL"}), 422, "eventType")
    _assert_dcsa_error(world.get(EVENTS, params={"limit": "0"}), 422, "limit")
    _assert_dcsa_error(world.get(f"{EVENTS}/00000000-0000-0000-0000-000000000000"), 404, "eventID")
    _assert_dcsa_error(world.get(f"{SUBSCRIPTIONS}/00000000-0000-0000-0000-000000000000"), 404, "subscriptionID")
    _assert_dcsa_error(world.post(SUBSCRIPTIONS, json={"callbackUrl": "https://example.com/x"}), 422, "secret")
    _assert_dcsa_error(
        world.post(SUBSCRIPTIONS, content=b"{not json", headers={"Content-Type": "application/json"}), 422
    )
    _assert_dcsa_error(world.get("/dcsa/tnt/v2/no-such-thing"), 404)  # answered by the router, not a route
    _assert_dcsa_error(world.patch(EVENTS), 405)
    unreadable = world.post(SUBSCRIPTIONS, content=b"\xff\xfe{", headers={"Content-Type": "application/json"})
    _assert_dcsa_error(unreadable, 400)  # FastAPI's own "error parsing the body", in DCSA's shape too
    world.app.dependency_overrides.clear()  # type: ignore[attr-defined]
    unauthenticated = world.get(EVENTS)
    _assert_dcsa_error(unauthenticated, 401, "authorization")
    assert unauthenticated.headers["WWW-Authenticate"] == "Bearer"


def test_subscriptions_take_every_filter_of_the_standard_and_can_be_changed(
    world: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why: the standard's other filters were refused as extra inputs; PUT of a subscription and of its secret
    did not exist."""
    every_filter = {
        "callbackUrl": "https://hooks.example.com/dcsa",
        "eventType": ["SHIPMENT", "TRANSPORT", "EQUIPMENT"],
        "shipmentEventTypeCode": ["HOLD", "RELS"],
        "documentTypeCode": ["CUS"],
        "carrierBookingReference": "BK-ACME-1",
        "transportDocumentReference": "SMGS-000001",
        "transportEventTypeCode": ["ARRI"],
        "transportCallID": f"{TRAIN}@CNHRS",
        "vesselIMONumber": IMO,
        "UNLocationCode": "CNLYG",
        "equipmentEventTypeCode": ["LOAD"],
        "equipmentReference": OURS,
    }
    created = world.post(SUBSCRIPTIONS, json={**every_filter, "secret": SECRET})
    assert created.status_code == 201, created.text
    assert created.headers["API-Version"] == "2.2.0"
    view = created.json()
    assert {k: view[k] for k in every_filter} == every_filter and "secret" not in view
    identifier = view["subscriptionID"]
    if SPEC_PATH.is_file():
        assert body_violations("subscription", view) == []

    changed = world.put(
        f"{SUBSCRIPTIONS}/{identifier}",
        json={"subscriptionID": identifier, "callbackUrl": "https://hooks.example.com/v2", "eventType": ["SHIPMENT"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["callbackUrl"] == "https://hooks.example.com/v2"
    assert changed.json()["eventType"] == ["SHIPMENT"] and "equipmentReference" not in changed.json()
    assert world.get(f"{SUBSCRIPTIONS}/{identifier}").json() == changed.json()
    _assert_dcsa_error(
        world.put(f"{SUBSCRIPTIONS}/{identifier}", json={"callbackUrl": "https://x.example/", "secret": SECRET}),
        422,
        "secret",
    )
    new_secret = "bmV3IHNlY3JldCBvZiB0aGlydHktdHdvIGJ5dGVzIG9rIQ=="
    assert world.put(f"{SUBSCRIPTIONS}/{identifier}/secret", json={"secret": new_secret}).status_code == 204
    _assert_dcsa_error(world.put(f"{SUBSCRIPTIONS}/{identifier}/secret", json={"secret": "c2hvcnQ="}), 422, "secret")
    for name, value in (("exportVoyageNumber", "2103S"), ("carrierServiceCode", "FE1")):
        refused = world.post(SUBSCRIPTIONS, json={"callbackUrl": "https://x.example/", "secret": SECRET, name: value})
        _assert_dcsa_error(refused, 422, name)


def test_a_wide_gauge_train_formed_at_khorgos_departs_from_there(world: TestClient) -> None:
    """Why: the departure of a 1520 mm train formed at the Khorgos crossing was placed at CNLYG, +08:00."""
    (departure,) = [
        e
        for e in _all(world)
        if e.get("transportEventTypeCode") == "DEPA" and e["transportCall"]["transportCallID"].startswith(WIDE_TRAIN)
    ]
    call = departure["transportCall"]
    assert call["location"]["locationName"] == "Altynkol" and call.get("UNLocationCode") != "CNLYG"
    assert call["facilityTypeCode"] == "BOCR"
    assert departure["eventDateTime"].endswith("+05:00")  # Kazakhstan, where the 1520 mm network starts
