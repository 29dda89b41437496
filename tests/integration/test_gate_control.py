"""Release and gate control over HTTP on both backends: delivery orders and PINs, appointment windows
with their tolerance, the clerk's override, bookings for drop-offs, the booking horizon and quota."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.domain.events import utc_now
from landbridge.domain.gate import GateRules
from landbridge.services.operations import gate
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, token
from tests.integration.test_operations_rules import Client, box, hub, post, refused

__all__ = ["hub"]


def _hour(offset_h: int = 0) -> datetime:
    return utc_now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=offset_h)


def _in_yard(client: TestClient, serial: int) -> str:
    number = box(client, serial)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number})
    return number


def _order(client: TestClient, reference: str, numbers: list[str], **extra: Any) -> Any:
    body = {
        "reference": reference,
        "containers": numbers,
        "valid_from": (utc_now() - timedelta(hours=1)).isoformat(),
        "valid_to": (utc_now() + timedelta(days=2)).isoformat(),
        **extra,
    }
    return post(client, "/api/v1/delivery-orders", body, 201)


def test_pick_up_needs_a_matching_delivery_order_and_its_pin(hub: Client) -> None:
    client, _, _ = hub
    number, other = _in_yard(client, 1), _in_yard(client, 2)
    post(
        client,
        "/api/v1/gate/appointments",
        {
            "reference": "AP1",
            "hour_start": _hour().isoformat(),
            "plate": "苏G1",
            "kind": "pick_up",
            "container": number,
        },
        201,
    )
    truck = {"reference": "TV1", "plate": "苏G1", "pick_up": [number], "appointment_reference": "AP1"}
    assert "delivery order" in refused(client, "/api/v1/gate/trucks", truck, 422, "delivery_order")
    issued = _order(client, "DO1", [number])
    assert len(issued["pin"]) == 6 and issued["containers"] == [number]
    assert "pin" not in client.get("/api/v1/delivery-orders/DO1").json() or (
        client.get("/api/v1/delivery-orders/DO1").json()["pin"] is None
    )
    wrong = "000000" if issued["pin"] != "000000" else "111111"
    assert "PIN" in refused(client, "/api/v1/gate/trucks", {**truck, "delivery_order": "DO1", "pin": wrong}, 422, "pin")
    not_released = {**truck, "pick_up": [other], "delivery_order": "DO1", "pin": issued["pin"]}
    refused(client, "/api/v1/gate/trucks", not_released, 422, "pick_up[0]")
    _order(client, "DO-OLD", [number], valid_to=(utc_now() - timedelta(minutes=1)).isoformat(), pin="4711")
    expired = {**truck, "delivery_order": "DO-OLD", "pin": "4711"}
    assert "valid" in refused(client, "/api/v1/gate/trucks", expired, 422, "delivery_order")
    post(client, "/api/v1/gate/trucks", {**truck, "delivery_order": "DO1", "pin": issued["pin"]}, 201)
    post(client, "/api/v1/gate/trucks/TV1/out", {})
    assert client.get("/api/v1/delivery-orders/DO1").json()["picked_up"] == {number: "TV1"}
    # A cancelled order releases nothing.
    post(client, "/api/v1/delivery-orders/DO-OLD/cancel", {})
    refused(client, "/api/v1/delivery-orders/DO-OLD/cancel", {}, 409, "reference")


def test_truck_outside_its_window_or_without_appointment_needs_the_clerks_override(
    hub: Client, database_url: str
) -> None:
    client, _, _ = hub
    post(
        client,
        "/api/v1/consignments",
        {"booking_reference": "BK1", "shipper_code": "ACME", "origin": "CNLYG", "destination": "KZALA"},
        201,
    )
    # Booked three hours ago for the window two hours ago; the truck comes now: far too late.
    booked_then = (utc_now() - timedelta(hours=3)).isoformat()
    appointment = {"hour_start": _hour(-2).isoformat(), "plate": "KZ 7", "kind": "drop_off", "booking_reference": "BK1"}
    post(client, "/api/v1/gate/appointments", {"reference": "AP-LATE", **appointment, "occurred_at": booked_then}, 201)
    late = {"reference": "TV2", "plate": "KZ 7", "appointment_reference": "AP-LATE"}
    message = refused(client, "/api/v1/gate/trucks", late, 422, "appointment_reference")
    assert "after its window closed" in message and "override" in message
    wrong_plate = {**late, "plate": "KZ 8"}
    assert "plate" in refused(client, "/api/v1/gate/trucks", wrong_plate, 422, "appointment_reference")
    assert "no appointment" in refused(
        client, "/api/v1/gate/trucks", {"reference": "TV3", "plate": "KZ 9"}, 422, "appointment_reference"
    )
    admitted = post(client, "/api/v1/gate/trucks", {**late, "override_reason": "ferry delayed, agreed by phone"}, 201)
    assert admitted["override"]["reason"] == "ferry delayed, agreed by phone"
    with UnitOfWork.for_url(database_url) as uow:
        kinds = [e.event_type.value for e in uow.events.for_subject("truck_visit", "TV2")]
    assert kinds == ["gate.override", "truck.in"]
    # A truck inside its window (the current hour) comes in without further ado.
    now = {"hour_start": _hour().isoformat(), "plate": "KZ 5", "kind": "drop_off", "booking_reference": "BK1"}
    post(client, "/api/v1/gate/appointments", {"reference": "AP-NOW", **now}, 201)
    post(client, "/api/v1/gate/trucks", {"reference": "TV4", "plate": "KZ 5", "appointment_reference": "AP-NOW"}, 201)


def test_export_drop_off_needs_a_booking(hub: Client) -> None:
    client, _, _ = hub
    number = box(client, 5, laden=True, mass=12_000)
    body = {"reference": "TV5", "plate": "KZ 1", "drop_off": [number], "override_reason": "walk-in"}
    assert "no booking" in refused(client, "/api/v1/gate/trucks", body, 422, "drop_off[0]")
    post(
        client,
        "/api/v1/consignments",
        {"booking_reference": "BK5", "shipper_code": "ACME", "origin": "CNLYG", "destination": "KZALA"},
        201,
    )
    post(client, "/api/v1/consignments/BK5/containers", {"container": number})
    post(client, "/api/v1/gate/trucks", body, 201)


def test_appointments_are_for_visible_boxes_within_horizon_and_quota(
    hub: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _, url = hub
    monkeypatch.setattr(gate, "gate_rules", lambda: GateRules(horizon_days=2, quota_per_party_per_day=2))
    ours, theirs = box(client, 6), box(client, 7)
    for number, booking, shipper in ((ours, "BK-A", "ACME"), (theirs, "BK-B", "BETA")):
        body = {"booking_reference": booking, "shipper_code": shipper, "origin": "KZALA", "destination": "CNLYG"}
        post(client, "/api/v1/consignments", body, 201)
        post(client, f"/api/v1/consignments/{booking}/containers", {"container": number})
    acme = bearer(token(url, "acme", "shipper", "ACME"))
    beta = bearer(token(url, "beta", "shipper", "BETA"))
    slot = {"plate": "KZ 1", "kind": "pick_up"}

    def book(reference: str, hour: datetime, container: str, headers: dict[str, str]) -> Any:
        body = {"reference": reference, "hour_start": hour.isoformat(), "container": container, **slot}
        return client.post("/api/v1/gate/appointments", json=body, headers=headers)

    assert book("X1", _hour(2), theirs, acme).status_code == 404  # not its box
    no_box = client.post(
        "/api/v1/gate/appointments", json={"reference": "X2", "hour_start": _hour(2).isoformat(), **slot}, headers=acme
    )
    assert no_box.status_code == 422 and no_box.json()["detail"][0]["loc"][-1] == "container"
    beyond = book("X3", _hour(24 * 3), ours, acme)
    assert beyond.status_code == 422 and "2 days ahead" in beyond.json()["detail"][0]["msg"]
    over = book("X4", _hour(-2), ours, acme)
    assert over.status_code == 422 and "over" in over.json()["detail"][0]["msg"]
    day = _hour(24).replace(hour=10)
    assert book("A1", day, ours, acme).status_code == 201
    assert book("A2", day + timedelta(hours=1), ours, acme).status_code == 201
    third = book("A3", day + timedelta(hours=2), ours, acme)
    assert third.status_code == 422 and "quota 2" in third.json()["detail"][0]["msg"]
    mine = client.get("/api/v1/gate/appointments/mine", headers=acme).json()
    assert [a["reference"] for a in mine] == ["A1", "A2"] and all(a["party"] == "ACME" for a in mine)
    assert client.get("/api/v1/gate/appointments/mine", headers=beta).json() == []
    assert client.post("/api/v1/gate/appointments/A1/cancel", headers=beta).status_code == 404
    cancelled = client.post("/api/v1/gate/appointments/A1/cancel", headers=acme)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert book("A3", day + timedelta(hours=2), ours, acme).status_code == 201  # the quota counts booked ones
