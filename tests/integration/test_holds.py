"""Holds at every exit, on both backends: a held box is refused at the gate, the ship and the train, and
leaves once released; the refusal names the hold and its owner and writes nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from landbridge.config import get_settings
from landbridge.domain.events import utc_now
from landbridge.scenarios.loader import bundled_scenario_path
from tests.e2e.support import bearer, container_number, token, uic_wagon
from tests.integration.test_operations_rules import Client, box, hub, listed, post, refused

__all__ = ["hub"]


def _hold(client: TestClient, number: str, kind: str = "customs", reason: str = "x-ray", **headers: str) -> Any:
    return post(client, "/api/v1/holds", {"container": number, "kind": kind, "reason": reason}, 201, **headers)


def _release(client: TestClient, hold: dict[str, Any]) -> None:
    post(client, f"/api/v1/holds/{hold['id']}/release", {"reason": "cleared"})


def _train(client: TestClient, reference: str = "T1", wagons: int = 2) -> None:
    post(
        client,
        "/api/v1/train-visits",
        {
            "reference": reference,
            "direction": "west",
            "route_code": "almaty",
            "gauge_mm": 1435,
            "train_type_code": "cn_1435",
            "wagons": [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, wagons + 1)],
        },
        201,
    )


def test_held_box_is_refused_at_vessel_load_and_departure_and_leaves_once_released(hub: Client) -> None:
    client, _, _ = hub
    number = box(client, 1, laden=True, mass=20_000)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})
    vgm = {"mass_kg": 20_100, "method": 1, "verified_by": "J. Smith", "verified_at": "2026-11-28T02:00:00Z"}
    post(client, f"/api/v1/containers/{number}/vgm", vgm, 201)
    listed(client, "/api/v1/vessel-visits/V1/load-list", [number])
    hold = _hold(client, number, "line", "freight unpaid")
    message = refused(client, "/api/v1/vessel-visits/V1/load", {"container": number}, 422, "container")
    assert f"hold {hold['id']}" in message and "owner line" in message and "freight unpaid" in message
    _release(client, hold)
    post(client, "/api/v1/vessel-visits/V1/load", {"container": number})
    # On board, a new hold stops the vessel's departure (and names the box).
    customs = _hold(client, number)
    message = refused(client, "/api/v1/vessel-visits/V1/depart", {}, 422, "holds")
    assert number in message and "owner customs" in message
    _release(client, customs)
    post(client, "/api/v1/vessel-visits/V1/depart", {})
    assert client.get(f"/api/v1/containers/{number}").json()["position"]["kind"] == "departed"


def test_held_box_is_refused_at_the_gate_and_leaves_once_released(hub: Client) -> None:
    client, _, _ = hub
    number = box(client, 2)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})
    hold = _hold(client, number, "terminal", "storage unpaid")
    release = {"valid_from": "2026-01-01T00:00Z", "valid_to": "2030-01-01T00:00Z", "pin": "4711"}
    post(client, "/api/v1/delivery-orders", {"reference": "DO1", "containers": [number], **release}, 201)
    truck = {"reference": "TV1", "plate": "苏G1", "pick_up": [number], "delivery_order": "DO1", "pin": "4711"}
    post(client, "/api/v1/gate/trucks", {**truck, "override_reason": "walk-in"}, 201)
    message = refused(client, "/api/v1/gate/trucks/TV1/out", {}, 422, "pick_up")
    assert "gate-out pick-up" in message and "owner terminal" in message
    assert client.get(f"/api/v1/containers/{number}").json()["position"]["kind"] == "yard"
    _release(client, hold)
    post(client, "/api/v1/gate/trucks/TV1/out", {})
    assert client.get(f"/api/v1/containers/{number}").json()["position"]["kind"] == "delivered"


def test_held_box_stops_the_train_and_damage_stops_the_rail_load(hub: Client) -> None:
    client, _, _ = hub
    held, damaged = box(client, 3, laden=True, mass=15_000), box(client, 4, laden=True, mass=15_000)
    for number, slot in ((held, "A-01-01-1"), (damaged, "A-01-02-1")):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    _train(client)
    listed(client, "/api/v1/train-visits/T1/planned-boxes", [held, damaged])
    customs = _hold(client, held)
    # A customs-held box may wait on its train for the inspection (the port's practice) ...
    post(client, "/api/v1/train-visits/T1/load", {"container": held, "wagon_number": uic_wagon(1)})
    # ... but a damaged one is not put on a wagon at all.
    damage = _hold(client, damaged, "damage", "corner post bent")
    message = refused(
        client, "/api/v1/train-visits/T1/load", {"container": damaged, "wagon_number": uic_wagon(2)}, 422, "container"
    )
    assert "rail load" in message and "owner terminal" in message
    message = refused(client, "/api/v1/train-visits/T1/depart", {}, 422, "holds")
    assert f"hold {customs['id']}" in message and "owner customs" in message
    _release(client, customs)
    post(client, "/api/v1/train-visits/T1/depart", {})
    assert client.get(f"/api/v1/containers/{held}").json()["position"]["kind"] == "wagon"
    assert damage["open"] is True


def test_who_places_which_hold_and_who_sees_them(hub: Client) -> None:
    client, _, url = hub
    ours, theirs = box(client, 5), box(client, 6)
    for number, booking, shipper in ((ours, "BK-A", "ACME"), (theirs, "BK-B", "BETA")):
        body = {"booking_reference": booking, "shipper_code": shipper, "origin": "CNLYG", "destination": "KZALA"}
        post(client, "/api/v1/consignments", body, 201)
        post(client, f"/api/v1/consignments/{booking}/containers", {"container": number})
    line = bearer(token(url, "cosco", "shipping_line", "ACME"))
    yard_operator = bearer(token(url, "yard", "yard_operator"))
    shipper = bearer(token(url, "acme", "shipper", "ACME"))
    # A yard operator may not place a customs hold; nobody places a vgm_missing hold by hand.
    response = client.post(
        "/api/v1/holds", json={"container": ours, "kind": "customs", "reason": "x"}, headers=yard_operator
    )
    assert response.status_code == 403 and response.json()["detail"][0]["loc"][-1] == "kind"
    response = client.post("/api/v1/holds", json={"container": ours, "kind": "vgm_missing", "reason": "x"})
    assert response.status_code == 403
    line_hold = _hold(client, ours, "line", "freight unpaid", **line)
    assert line_hold["owner"] == "ACME"
    _hold(client, theirs, "damage", "dent", **yard_operator)
    released = _hold(client, ours)
    _release(client, released)
    open_holds = client.get("/api/v1/holds", params={"open": "true"}).json()
    assert sorted((h["container"], h["kind"]) for h in open_holds) == sorted([(ours, "line"), (theirs, "damage")])
    assert client.get("/api/v1/holds", params={"open": "false"}).json()[0]["release_reason"] == "cleared"
    mine = client.get("/api/v1/holds", params={"open": "true"}, headers=shipper).json()
    assert [(h["container"], h["kind"]) for h in mine] == [(ours, "line")]
    assert client.get("/api/v1/holds", params={"container": container_number(6)}, headers=shipper).json() == []
    assert client.post(f"/api/v1/holds/{line_hold['id']}/release", json={}, headers=shipper).status_code == 403
    # Another party's line cannot release it through the customs route either.
    assert client.post(f"/api/v1/customs/holds/{line_hold['id']}/release", headers=line).status_code == 403


def test_a_held_box_on_a_loading_train_is_flagged_on_the_overview_and_the_rail_screen(hub: Client) -> None:
    client, admin, _ = hub
    held, free = box(client, 7, laden=True, mass=15_000), box(client, 8, laden=True, mass=15_000)
    for number, slot in ((held, "A-01-01-1"), (free, "A-01-02-1")):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    _train(client)
    listed(client, "/api/v1/train-visits/T1/planned-boxes", [held, free])
    for number, wagon in ((held, 1), (free, 2)):
        post(client, "/api/v1/train-visits/T1/load", {"container": number, "wagon_number": uic_wagon(wagon)})
    customs = _hold(client, held, "customs", "x-ray")
    client.cookies.set("lb_token", admin["Authorization"].removeprefix("Bearer "))

    def flags() -> tuple[list[str], list[str], bool]:
        overview = client.get("/?lang=en")
        rail = client.get("/rail?lang=en")
        assert overview.status_code == rail.status_code == 200
        alerts = re.findall(r'<li class="alert held_on_train">.*?<strong>([^<]*)</strong>', overview.text, re.S)
        held_links = re.findall(r'<a href="/container/([A-Z0-9]+)" class="held"', rail.text)
        return alerts, held_links, "held box aboard" in rail.text

    alerts, held_links, train_flagged = flags()
    assert alerts == [f"T1 / {held}"]  # one alert, for the held box only, naming its train
    assert held_links == [held] and train_flagged
    _release(client, customs)
    assert flags() == ([], [], False)


def test_an_old_hold_of_any_kind_is_an_overview_alert_named_for_what_it_is(hub: Client) -> None:
    client, admin, _ = hub
    number = container_number(9)
    long_ago = (utc_now() - timedelta(hours=60)).isoformat()
    post(client, "/api/v1/containers", {"number": number, "iso_type": "22G1", "occurred_at": long_ago}, 201)
    listed(client, "/api/v1/vessel-visits/V1/discharge-list", [number])
    post(
        client,
        "/api/v1/vessel-visits/V1/discharge",
        {"container": number, "slot": "A-01-01-1", "occurred_at": long_ago},
    )
    body = {"container": number, "kind": "terminal", "reason": "storage unpaid", "occurred_at": long_ago}
    post(client, "/api/v1/holds", body, 201)
    client.cookies.set("lb_token", admin["Authorization"].removeprefix("Bearer "))
    page = client.get("/?lang=en").text
    alert = re.findall(r'<li class="alert old_hold">(.*?)</li>', page, re.S)
    assert len(alert) == 1 and number in alert[0]
    assert "Hold older than 48 h" in alert[0] and "Customs" not in alert[0]  # a terminal hold, not customs


def test_which_hold_kinds_stop_a_rail_load_is_the_sites_choice(
    hub: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scenario's ``rail.hold_kinds_blocking_load`` replaces the default table: here customs holds
    stop the rail load and damage holds do not (every hold still stops the departure)."""
    client, _, _ = hub
    held, damaged = box(client, 21, laden=True, mass=15_000), box(client, 22, laden=True, mass=15_000)
    for number, slot in ((held, "A-01-01-1"), (damaged, "A-01-02-1")):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    _train(client)
    listed(client, "/api/v1/train-visits/T1/planned-boxes", [held, damaged])
    _hold(client, held, "customs", "x-ray")
    _hold(client, damaged, "damage", "dent")
    data = yaml.safe_load(bundled_scenario_path().read_text(encoding="utf-8"))
    data["base"]["rail"]["hold_kinds_blocking_load"] = ["customs"]
    path = tmp_path / "strict-customs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("LANDBRIDGE_SCENARIO", str(path))
    get_settings.cache_clear()
    try:
        load = {"container": held, "wagon_number": uic_wagon(1)}
        assert "owner customs" in refused(client, "/api/v1/train-visits/T1/load", load, 422, "container")
        post(client, "/api/v1/train-visits/T1/load", {"container": damaged, "wagon_number": uic_wagon(2)})
        assert "owner terminal" in refused(client, "/api/v1/train-visits/T1/depart", {}, 422, "holds")
    finally:
        monkeypatch.delenv("LANDBRIDGE_SCENARIO")
        get_settings.cache_clear()
