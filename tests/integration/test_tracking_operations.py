"""Real operations over HTTP feed the DCSA events, the shipper's view, subscriptions and the ETA."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.domain.events import utc_now
from landbridge.services import callback_policy
from landbridge.services.tracking import process_outbox
from landbridge.store.unit_of_work import UnitOfWork
from tests.support import Hub, container_number, uic_wagon, wagon_1520

Headers = dict[str, str]


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> tuple[TestClient, dict[str, Headers]]:
    made = make_hub(users=("admin", "planner", "rail_operator", "yard_operator"))
    headers = {user: made.headers(user) for user in made.tokens}
    headers["shipper"] = made.add_shipper("KAZGRAIN", "kazgrain", name="KAZGRAIN LLP")
    headers["other"] = made.add_shipper("OTHERCO", "otherco", name="OTHERCO LLP")
    return made.client, headers


def _codes(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(event code, train or vessel visit) of the equipment and transport events, in order."""
    return [
        (
            e.get("equipmentEventTypeCode") or e["transportEventTypeCode"],
            e["transportCall"]["transportCallID"].split("@")[0] if "transportCall" in e else None,
        )
        for e in events
        if e["eventType"] != "SHIPMENT"
    ]


def test_operations_drive_the_feed_the_eta_and_subscriptions(
    hub: tuple[TestClient, dict[str, Headers]], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, t = hub
    monkeypatch.setenv(callback_policy.ALLOWED_HOSTS_ENV, "127.0.0.1")  # the subscriber below listens here
    ours, theirs = container_number(11), container_number(12)
    for box, booking, shipper in ((ours, "BK-K1", "KAZGRAIN"), (theirs, "BK-O1", "OTHERCO")):
        _ok(
            client.post(
                "/api/v1/containers",
                headers=t["planner"],
                json={"number": box, "iso_type": "45G1", "load_state": "full", "gross_mass_kg": 20_000},
            ),
            201,
        )
        _ok(
            client.post(
                "/api/v1/consignments",
                headers=t["planner"],
                json={"booking_reference": booking, "shipper_code": shipper, "origin": "CNLYG", "destination": "KZALA"},
            ),
            201,
        )
        _ok(client.post(f"/api/v1/consignments/{booking}/containers", headers=t["planner"], json={"container": box}))
    secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
    _ok(
        client.post(
            "/dcsa/tnt/v2/event-subscriptions",
            headers=t["shipper"],
            json={"callbackUrl": "http://127.0.0.1:9/never-called", "secret": secret},
        ),
        201,
    )

    _ok(
        client.post(
            "/api/v1/vessel-visits",
            headers=t["planner"],
            json={"reference": "V1", "vessel_name": "Xin Ming Zhou 20", "eta": "2026-11-28T06:00:00Z"},
        ),
        201,
    )
    _ok(
        client.post(
            "/api/v1/vessel-visits/V1/berth",
            headers=t["planner"],
            json={"berth_code": "29", "etb": "2026-11-28T08:00:00Z"},
        )
    )
    declared = {"entries": [{"container": ours}, {"container": theirs}]}
    _ok(client.put("/api/v1/vessel-visits/V1/discharge-list", headers=t["planner"], json=declared))
    for box, slot in ((ours, "A-04-01-1"), (theirs, "A-06-01-1")):
        _ok(
            client.post(
                "/api/v1/vessel-visits/V1/discharge", headers=t["yard_operator"], json={"container": box, "slot": slot}
            )
        )
    wagons = [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, 3)]
    _ok(
        client.post(
            "/api/v1/train-visits",
            headers=t["rail_operator"],
            json={
                "reference": "T1",
                "direction": "west",
                "route_code": "almaty",
                "gauge_mm": 1435,
                "train_type_code": "cn_1435",
                "track_code": "T1",
                "wagons": wagons,
            },
        ),
        201,
    )
    _ok(client.put("/api/v1/train-visits/T1/planned-boxes", headers=t["rail_operator"], json=declared))
    for index, box in enumerate((ours, theirs), start=1):
        _ok(
            client.post(
                "/api/v1/train-visits/T1/load",
                headers=t["rail_operator"],
                json={"container": box, "wagon_number": uic_wagon(index), "slot": 1},
            )
        )
    not_yet = _ok(client.get(f"/api/v1/tracking/{ours}", headers=t["shipper"]))["eta"]
    assert not_yet["stage"] == "not_departed" and not_yet["route"] == "almaty"
    hold = _ok(
        client.post("/api/v1/customs/holds", headers=t["admin"], json={"container": ours, "reason": "x-ray"}), 201
    )
    held = _ok(client.get(f"/api/v1/tracking/{ours}", headers=t["shipper"]))["customs_holds"]
    assert [(h["reason"], h["open"]) for h in held] == [("x-ray", True)]
    _ok(client.post(f"/api/v1/customs/holds/{hold['id']}/release", headers=t["admin"]))

    _ok(client.post("/api/v1/train-visits/T1/depart", headers=t["rail_operator"]))
    departed = _ok(client.get(f"/api/v1/tracking/{ours}", headers=t["shipper"]))["eta"]
    assert departed["stage"] == "to_border"
    _ok(client.post("/api/v1/train-visits/T1/border", headers=t["rail_operator"], json={}))
    # The border was reached within minutes of departure: far faster than the model's first leg, so the
    # estimate tightens (second leg only) and pulls in.
    at_border = _ok(client.get(f"/api/v1/tracking/{ours}", headers=t["shipper"]))["eta"]
    assert at_border["stage"] == "at_border" and at_border["spread_h"] < departed["spread_h"]
    assert at_border["p50"] < departed["p50"]

    broad = [{"number": wagon_1520(i), "wagon_type": "kz_flat_80ft"} for i in range(1, 3)]
    _ok(
        client.post(
            "/api/v1/train-visits",
            headers=t["rail_operator"],
            json={
                "reference": "K1",
                "direction": "west",
                "route_code": "almaty",
                "gauge_mm": 1520,
                "train_type_code": "kz_1520",
                "wagons": broad,
            },
        ),
        201,
    )
    _ok(
        client.post(
            "/api/v1/train-visits/T1/gauge-transfer",
            headers=t["rail_operator"],
            json={"container": ours, "to_train": "K1", "wagon_number": wagon_1520(1), "slot": 2},
        )
    )
    _ok(client.post("/api/v1/train-visits/K1/depart", headers=t["rail_operator"]))
    assert _ok(client.get(f"/api/v1/tracking/{ours}", headers=t["shipper"]))["eta"]["stage"] == "after_gauge_change"
    _ok(client.post("/api/v1/train-visits/K1/arrive", headers=t["rail_operator"]))

    view = _ok(client.get(f"/api/v1/tracking/{ours}", headers=t["shipper"]))
    assert view["eta"]["stage"] == "arrived" and view["eta"]["spread_h"] == 0
    assert view["position"] == {"kind": "delivered", "reference": "Almaty"}
    assert [h["stage"] for h in view["eta_history"]] == [
        "to_border",
        "at_border",
        "after_gauge_change",
        "after_gauge_change",
        "arrived",
    ]  # K1 departs the border
    expected = [
        ("DISC", "V1"),
        ("LOAD", "T1"),
        ("DEPA", "T1"),
        ("ARRI", "T1"),
        ("DISC", "T1"),
        ("LOAD", "K1"),
        ("DEPA", "K1"),
        ("ARRI", "K1"),
    ]
    assert _codes(view["timeline"]) == expected

    # The shipper's feed: its own box's events and the trains that carried it; never the other box.
    mine = _ok(client.get("/dcsa/tnt/v2/events", headers=t["shipper"]))
    assert _codes(mine) == expected
    shipments = [
        (e["documentTypeCode"], e["shipmentEventTypeCode"], e["documentID"]) for e in mine if "documentID" in e
    ]
    assert shipments == [("BKG", "CONF", "BK-K1"), ("CUS", "HOLD", str(hold["id"])), ("CUS", "RELS", str(hold["id"]))]
    assert all(e.get("equipmentReference", ours) == ours for e in mine)
    assert _ok(client.get(f"/dcsa/tnt/v2/events?equipmentReference={theirs}", headers=t["shipper"])) == []
    assert _ok(client.get("/dcsa/tnt/v2/events?carrierBookingReference=BK-O1", headers=t["shipper"])) == []
    assert client.get(f"/api/v1/tracking/{theirs}", headers=t["shipper"]).status_code == 404
    staff = _ok(client.get(f"/dcsa/tnt/v2/events?equipmentReference={theirs}", headers=t["rail_operator"]))
    assert _codes(staff) == [("DISC", "V1"), ("LOAD", "T1"), ("DEPA", "T1"), ("ARRI", "T1")]
    assert client.get("/dcsa/tnt/v2/events").status_code == 401

    sent: list[list[dict[str, Any]]] = []

    def sender(url: str, body: bytes, headers: dict[str, str]) -> int:
        sent.append(json.loads(body))
        return 200

    report = process_outbox(UnitOfWork.for_url(database_url), now=utc_now(), sender=sender)
    # The hold and its release are pushed too; the booking was confirmed before the subscription was made.
    assert report.delivered == len(expected) + 2
    assert _codes([batch[0] for batch in sent]) == expected
