"""Route fit over HTTP on both backends: a box leaves the way its booking says."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.e2e.support import uic_wagon
from tests.integration.test_operations_rules import Client, box, hub, listed, post, refused

__all__ = ["hub"]


def _booked(client: TestClient, serial: int, booking: str, destination: str) -> str:
    number = box(client, serial, laden=True, mass=15_000)
    body = {"booking_reference": booking, "shipper_code": "ACME", "origin": "CNLYG", "destination": destination}
    post(client, "/api/v1/consignments", body, 201)
    post(client, f"/api/v1/consignments/{booking}/containers", {"container": number})
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number})
    return number


def _train(client: TestClient, reference: str, route: str) -> None:
    body = {
        "reference": reference,
        "direction": "west",
        "route_code": route,
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "wagons": [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, 3)],
    }
    post(client, "/api/v1/train-visits", body, 201)


def test_a_box_booked_by_rail_does_not_go_on_a_ship_and_vice_versa(hub: Client) -> None:
    client, _, _ = hub
    to_almaty, to_busan = _booked(client, 1, "BK-ALA", "KZALA"), _booked(client, 2, "BK-PUS", "KRPUS")
    vgm = {"mass_kg": 15_000, "method": 1, "verified_by": "shipper", "verified_at": "2026-11-28T00:00Z"}
    post(client, f"/api/v1/containers/{to_almaty}/vgm", vgm, 201)
    listed(client, "/api/v1/vessel-visits/V1/load-list", [to_almaty])
    message = refused(client, "/api/v1/vessel-visits/V1/load", {"container": to_almaty}, 422, "container")
    assert "KZALA" in message and "by rail" in message and "not by ship" in message
    _train(client, "T1", "almaty")
    listed(client, "/api/v1/train-visits/T1/planned-boxes", [to_almaty, to_busan])
    message = refused(
        client, "/api/v1/train-visits/T1/load", {"container": to_busan, "wagon_number": uic_wagon(1)}, 422, "container"
    )
    assert "KRPUS" in message and "by ship" in message
    post(client, "/api/v1/train-visits/T1/load", {"container": to_almaty, "wagon_number": uic_wagon(1)})


def test_a_box_goes_on_a_train_to_its_destination(hub: Client) -> None:
    client, _, _ = hub
    to_almaty = _booked(client, 3, "BK-ALA", "KZALA")
    _train(client, "T2", "tashkent")
    listed(client, "/api/v1/train-visits/T2/planned-boxes", [to_almaty])
    message = refused(
        client, "/api/v1/train-visits/T2/load", {"container": to_almaty, "wagon_number": uic_wagon(1)}, 422, "container"
    )
    assert "goes to UZTAS" in message
