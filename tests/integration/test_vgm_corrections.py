"""SOLAS VGM, corrections and vessel master data over HTTP on both backends."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.e2e.support import bearer, token
from tests.integration.test_operations_rules import Client, box, hub, listed, post, refused

__all__ = ["hub"]

VGM = {"method": 1, "verified_by": "Li Wei, Jiangsu Forwarding", "verified_at": "2026-11-28T02:00:00+08:00"}


def _vgm(client: TestClient, number: str, mass_kg: int, status: int = 201) -> Any:
    return post(client, f"/api/v1/containers/{number}/vgm", {**VGM, "mass_kg": mass_kg}, status)


def test_box_without_vgm_is_refused_at_vessel_load(hub: Client) -> None:
    client, _, _ = hub
    full, empty = box(client, 1, laden=True, mass=20_000), box(client, 2)
    for number, slot in ((full, "A-01-01-1"), (empty, "A-01-02-1")):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    listed(client, "/api/v1/vessel-visits/V1/load-list", [full, empty])
    message = refused(client, "/api/v1/vessel-visits/V1/load", {"container": full}, 422, "container")
    assert "SOLAS VI/2" in message
    post(client, "/api/v1/vessel-visits/V1/load", {"container": empty})  # an empty box travels on its tare
    # A VGM more than 5 % away from the declared 20,000 kg is refused at loading.
    _vgm(client, full, 22_000)
    assert "differs from the declared gross mass" in refused(
        client, "/api/v1/vessel-visits/V1/load", {"container": full}, 422, "container"
    )
    _vgm(client, full, 20_400)
    post(client, "/api/v1/vessel-visits/V1/load", {"container": full})
    assert [v["mass_kg"] for v in client.get(f"/api/v1/containers/{full}/vgm").json()] == [22_000, 20_400]


def test_vgm_input_is_checked(hub: Client) -> None:
    client, _, url = hub
    number = box(client, 3, iso="22G1", laden=True, mass=10_000)
    assert "above 0" in refused(client, f"/api/v1/containers/{number}/vgm", {**VGM, "mass_kg": 0}, 422, "mass_kg")
    assert "ISO 668" in refused(client, f"/api/v1/containers/{number}/vgm", {**VGM, "mass_kg": 36_001}, 422, "mass_kg")
    response = client.post(f"/api/v1/containers/{number}/vgm", json={**VGM, "mass_kg": 10_000, "method": 3})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "method"
    naive = {**VGM, "mass_kg": 10_000, "verified_at": "2026-11-28T02:00:00"}
    response = client.post(f"/api/v1/containers/{number}/vgm", json=naive)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "verified_at"
    # A shipper declares VGMs for its own boxes only.
    shipper = bearer(token(url, "acme", "shipper", "ACME"))
    response = client.post(f"/api/v1/containers/{number}/vgm", json={**VGM, "mass_kg": 10_000}, headers=shipper)
    assert response.status_code == 404


def test_correction_shows_in_history_with_before_and_after(hub: Client) -> None:
    client, _, _ = hub
    number = box(client, 4, laden=False, mass=18_000)  # registered as an 18 t "empty" box
    response = client.patch(
        f"/api/v1/containers/{number}",
        json={"load_state": "full", "gross_mass_kg": 18_500, "reason": "tally: the box is laden"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["load_state"] == "full" and response.json()["gross_mass_kg"] == 18_500
    last = client.get(f"/api/v1/containers/{number}/history").json()[-1]
    assert last["event_type"] == "container.corrected"
    assert last["before"] == {"load_state": "empty", "gross_mass_kg": 18_000}
    assert last["after"] == {"load_state": "full", "gross_mass_kg": 18_500, "reason": "tally: the box is laden"}


def test_correction_refusals_name_the_field(hub: Client) -> None:
    client, _, _ = hub
    number = box(client, 5, laden=True, mass=10_000)
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-01-01-1"})

    def patch(body: dict[str, Any], field: str, status: int = 422) -> str:
        response = client.patch(f"/api/v1/containers/{number}", json={"reason": "fix", **body})
        assert response.status_code == status, response.text
        assert response.json()["detail"][0]["loc"][-1] == field
        return str(response.json()["detail"][0]["msg"])

    assert "cannot be corrected" in patch({"number": "CSQU3054383"}, "number")
    assert "cannot be corrected" in patch({"position": {"kind": "yard"}}, "position")
    assert "not a correctable field" in patch({"colour": "red"}, "colour")
    assert "not a reefer" in patch({"reefer_setpoint_c": -18}, "reefer_setpoint_c")
    assert "take it off first" in patch({"iso_type": "42G1"}, "iso_type")
    assert "changes nothing" in patch({"gross_mass_kg": 10_000}, "gross_mass_kg")
    patch({"booking_reference": "NOPE"}, "booking_reference", 404)
    assert client.patch(f"/api/v1/containers/{number}", json={"gross_mass_kg": 9_000}).status_code == 422  # no reason
    history = client.get(f"/api/v1/containers/{number}/history").json()
    assert [e["event_type"] for e in history] == ["container.registered", "container.discharged"]
    ok = client.patch(
        f"/api/v1/containers/{number}", json={"iso_type": "22R1", "reefer_setpoint_c": -18, "reason": "x"}
    )
    assert ok.status_code == 200, ok.text


def test_imo_is_one_ship_and_a_rename_is_recorded(hub: Client) -> None:
    client, _, _ = hub
    ship = {"imo_number": "9074729", "name": "Xin Ming Zhou 20", "loa_m": 190, "draft_m": 11.5, "call_sign": "BOAB"}
    post(client, "/api/v1/vessels", ship, 201)
    assert client.post("/api/v1/vessels", json=ship).status_code == 409
    visit = {"reference": "V2", "vessel_name": "Xin Ming Zhou 22", "imo_number": "9074729", "eta": "2026-12-01T00:00Z"}
    post(client, "/api/v1/vessel-visits", visit, 201)
    ships = client.get("/api/v1/vessels").json()
    assert [(s["imo_number"], s["name"]) for s in ships] == [("9074729", "Xin Ming Zhou 22")]
    response = client.patch("/api/v1/vessels/9074729", json={"imo_number": "9176187", "reason": "typo"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "imo_number"
    response = client.patch("/api/v1/vessels/9074729", json={"draft_m": 17.5, "reason": "loaded draft"})
    assert response.status_code == 200
    # Too deep for berth L1 (16.5 m of water in the scenario) → refused at berthing.
    response = client.post("/api/v1/vessel-visits/V2/berth", json={"berth_code": "L1", "etb": "2026-12-01T01:00Z"})
    assert response.status_code == 422 and "draws" in response.json()["detail"][0]["msg"]
    # A visit's ETA is corrected with before/after; its reference cannot be.
    response = client.patch("/api/v1/vessel-visits/V2", json={"eta": "2026-12-01T06:00Z", "reason": "delay"})
    assert response.status_code == 200 and response.json()["eta"].startswith("2026-12-01T06:00")
    response = client.patch("/api/v1/vessel-visits/V2", json={"reference": "V3", "reason": "x"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "reference"


def test_a_packed_box_on_a_load_list_without_vgm_gets_the_automatic_hold(hub: Client) -> None:
    client, _, _ = hub
    full, empty, weighed, dropped = (
        box(client, 11, laden=True, mass=20_000),
        box(client, 12),
        box(client, 13, laden=True, mass=15_000),
        box(client, 14, laden=True, mass=18_000),
    )
    for number, slot in ((full, "A-01-01-1"), (empty, "A-01-02-1"), (weighed, "A-01-03-1"), (dropped, "A-01-04-1")):
        post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": slot})
    _vgm(client, weighed, 15_100)

    def vgm_holds() -> dict[str, bool]:
        found = client.get("/api/v1/holds", params={"kind": "vgm_missing"}).json()
        return {h["container"]: h["open"] for h in found}

    entries = {"entries": [{"container": n} for n in (full, empty, weighed)]}
    post(client, "/api/v1/vessel-visits/V1/load-list", entries, method="put")
    assert vgm_holds() == {full: True}  # an empty box travels on its tare; a weighed one has its VGM
    hold = client.get("/api/v1/holds", params={"kind": "vgm_missing", "open": "true"}).json()[0]
    assert hold["owner"] == "shipper" and "SOLAS VI/2" in hold["reason"]
    # The same list again places no second hold; the declared VGM lifts it.
    post(client, "/api/v1/vessel-visits/V1/load-list", entries, method="put")
    assert len(client.get("/api/v1/holds", params={"kind": "vgm_missing"}).json()) == 1
    _vgm(client, full, 20_050)
    assert vgm_holds() == {full: False}
    # Taken off the load list, a box no longer waits for its VGM.
    listed(client, "/api/v1/vessel-visits/V1/load-list", [dropped])
    assert vgm_holds() == {full: False, dropped: True}
    post(client, "/api/v1/vessel-visits/V1/load-list/remove", {"containers": [dropped], "reason": "shut out"})
    assert vgm_holds() == {full: False, dropped: False}
    history = [e["event_type"] for e in client.get(f"/api/v1/containers/{dropped}/history").json()]
    assert history[-2:] == ["hold.placed", "hold.released"]


def test_a_line_corrects_only_the_ships_it_operates_a_call_of(hub: Client) -> None:
    client, _, url = hub
    for code in ("LINEA", "LINEB"):
        post(client, "/api/v1/parties", {"code": code, "name": code, "role": "shipping_line"}, 201)
    line_a = bearer(token(url, "agent-a", "shipping_line", "LINEA"))
    line_b = bearer(token(url, "agent-b", "shipping_line", "LINEB"))
    visit = {"reference": "VA", "vessel_name": "Line A Star", "imo_number": "9074729", "eta": "2026-12-01T00:00Z"}
    post(client, "/api/v1/vessel-visits", visit, 201, **line_a)
    fix = {"call_sign": "BOAB", "reason": "from the ship's certificate"}
    response = client.patch("/api/v1/vessels/9074729", json=fix, headers=line_b)
    assert response.status_code == 403 and response.json()["detail"][0]["loc"][-1] == "imo_number", response.text
    assert client.get("/api/v1/vessels/9074729").json()["call_sign"] is None
    response = client.patch("/api/v1/vessels/9074729", json=fix, headers=line_a)
    assert response.status_code == 200 and response.json()["call_sign"] == "BOAB"
    response = client.patch("/api/v1/vessels/9074729", json={"draft_m": 12.0, "reason": "x"})  # hub staff
    assert response.status_code == 200
