"""End to end over HTTP: a box ship → yard → train → border → gauge change → destination; grain wagons → silo → ship."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.test_operations_rules import hoppers
from tests.support import Hub, container_number, uic_wagon, wagon_1520


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> tuple[TestClient, dict[str, dict[str, str]]]:
    """A seeded hub with one user per role, a shipper party and its booking."""
    made = make_hub(users=("admin", "planner", "yard_operator", "rail_operator", "customs_officer"))
    made.add_shipper("KAZGRAIN", "kazgrain", name="Kaz Grain LLP")
    headers = {user: made.headers(user) for user in made.tokens}
    headers["shipper"] = headers.pop("kazgrain")
    return made.client, headers


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _history(client: TestClient, headers: dict[str, str], number: str) -> list[str]:
    return [e["event_type"] for e in _ok(client.get(f"/api/v1/containers/{number}/history", headers=headers))]


def test_container_ship_to_destination(hub: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, t = hub
    box = container_number(1)
    _ok(
        client.post(
            "/api/v1/containers",
            headers=t["planner"],
            json={"number": box, "iso_type": "45G1", "load_state": "full", "gross_mass_kg": 24_000},
        ),
        201,
    )
    _ok(
        client.post(
            "/api/v1/consignments",
            headers=t["planner"],
            json={"booking_reference": "BK1", "shipper_code": "KAZGRAIN", "origin": "CNLYG", "destination": "KZALA"},
        ),
        201,
    )
    _ok(client.post("/api/v1/consignments/BK1/containers", headers=t["planner"], json={"container": box}))
    _ok(
        client.post(
            "/api/v1/vessel-visits",
            headers=t["planner"],
            json={"reference": "V1", "vessel_name": "Xin Ming Zhou 20", "eta": "2026-11-28T06:00:00Z"},
        ),
        201,
    )
    berthed = _ok(
        client.post(
            "/api/v1/vessel-visits/V1/berth",
            headers=t["planner"],
            json={"berth_code": "29", "etb": "2026-11-28T08:00:00Z"},
        )
    )
    assert berthed["status"] == "berthed"
    declared = {"entries": [{"container": box, "iso_type": "45G1", "gross_mass_kg": 24_000}]}
    _ok(client.put("/api/v1/vessel-visits/V1/discharge-list", headers=t["planner"], json=declared))

    discharged = _ok(
        client.post(
            "/api/v1/vessel-visits/V1/discharge",
            headers=t["yard_operator"],
            json={"container": box, "slot": "A-04-01-1"},
        )
    )
    assert discharged["position"] == {"kind": "yard", "reference": "A-04-01-1"}

    wagons = [{"number": uic_wagon(i), "wagon_type": "cn_flat_40ft"} for i in range(1, 4)]
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
    loaded = _ok(
        client.post(
            "/api/v1/train-visits/T1/load",
            headers=t["rail_operator"],
            json={"container": box, "wagon_number": uic_wagon(1), "slot": 1},
        )
    )
    assert loaded["position"]["kind"] == "wagon"

    hold = _ok(
        client.post(
            "/api/v1/customs/holds", headers=t["customs_officer"], json={"container": box, "reason": "document check"}
        ),
        201,
    )
    shipper_view = _ok(client.get(f"/api/v1/containers/{box}/holds", headers=t["shipper"]))
    assert [h["open"] for h in shipper_view] == [True]  # the shipper sees its box is held
    refused = client.post("/api/v1/train-visits/T1/depart", headers=t["rail_operator"])
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "holds"]
    _ok(client.post(f"/api/v1/customs/holds/{hold['id']}/release", headers=t["customs_officer"]))

    assert _ok(client.post("/api/v1/train-visits/T1/depart", headers=t["rail_operator"]))["status"] == "departed"
    assert (
        _ok(client.post("/api/v1/train-visits/T1/border", headers=t["rail_operator"], json={}))["status"] == "at_border"
    )
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
    moved = _ok(
        client.post(
            "/api/v1/train-visits/T1/gauge-transfer",
            headers=t["rail_operator"],
            json={"container": box, "to_train": "K1", "wagon_number": wagon_1520(1), "slot": 2},
        )
    )
    assert moved["position"]["reference"] == f"K1/{wagon_1520(1)}/2"
    _ok(client.post("/api/v1/train-visits/K1/depart", headers=t["rail_operator"]))
    trains = client.get("/api/v1/train-visits", headers=t["planner"]).json()
    assert {(x["reference"], x["status"]) for x in trains} == {("T1", "gauge_changed"), ("K1", "departed")}
    arrived = _ok(client.post("/api/v1/train-visits/K1/arrive", headers=t["rail_operator"]))
    assert arrived["status"] == "arrived"

    trail = client.get(f"/api/v1/containers/{box}/history", headers=t["shipper"]).json()
    gauge = next(e for e in trail if e["event_type"] == "container.gauge_transfer")
    assert (gauge["actor"], gauge["role"], gauge["location"]) == ("rail_operator", "rail_operator", "khorgos")
    assert gauge["source_reference"] == "api:POST /api/v1/train-visits/T1/gauge-transfer"
    assert gauge["before"]["position"]["reference"] == f"T1/{uic_wagon(1)}/1"
    final = _ok(client.get(f"/api/v1/containers/{box}", headers=t["shipper"]))
    assert final["position"] == {"kind": "delivered", "reference": "Almaty"}
    assert _history(client, t["auditor"] if "auditor" in t else t["admin"], box) == [
        "container.registered",
        "container.assigned",
        "container.discharged",
        "container.loaded_wagon",
        "customs.hold_placed",
        "customs.hold_released",
        "train.departed",
        "train.at_border",
        "container.gauge_transfer",
        "train.departed",
        "train.arrived",
    ]


def test_grain_wagons_to_silo_to_ship(hub: tuple[TestClient, dict[str, dict[str, str]]]) -> None:
    client, t = hub
    lot = _ok(
        client.post(
            "/api/v1/grain/lots",
            headers=t["yard_operator"],
            json={
                "reference": "L1",
                "owner_code": "KAZGRAIN",
                "crop": "wheat",
                "grain_class": "3",
                "mass_kg": 1_300_250,
                "moisture_pct": 12.5,
                "silo_code": "S01",
                "source_kind": "hopper_wagons",
                "wagons": hoppers(1_300_250, first=10),
            },
        ),
        201,
    )
    assert lot["silo_code"] == "S01" and lot["mass_kg"] == 1_300_250
    over = client.post(
        "/api/v1/grain/lots",
        headers=t["yard_operator"],
        json={
            "reference": "L2",
            "owner_code": "KAZGRAIN",
            "crop": "wheat",
            "grain_class": "3",
            "mass_kg": 1_100_000,
            "moisture_pct": 12.5,
            "silo_code": "S01",
            "source_kind": "hopper_wagons",
            "wagons": hoppers(1_100_000, first=40),
        },
    )
    assert over.status_code == 422 and over.json()["detail"][0]["loc"] == ["body", "mass_kg"]
    moved = _ok(
        client.post(
            "/api/v1/grain/lots/L1/transfer",
            headers=t["yard_operator"],
            json={"to_silo": "S02", "mass_kg": 300_000, "new_reference": "L1-B"},
        )
    )
    assert moved["moved"]["silo_code"] == "S02"
    _ok(
        client.post(
            "/api/v1/vessel-visits",
            headers=t["planner"],
            json={"reference": "G1", "vessel_name": "Grain Star", "eta": "2026-11-28T06:00:00Z"},
        ),
        201,
    )
    _ok(
        client.post(
            "/api/v1/vessel-visits/G1/berth",
            headers=t["planner"],
            json={"berth_code": "32", "etb": "2026-11-28T07:00:00Z"},
        )
    )
    shipped = _ok(
        client.post(
            "/api/v1/grain/lots/L1/ship", headers=t["yard_operator"], json={"mass_kg": 1_000_250, "vessel_visit": "G1"}
        )
    )
    assert shipped["mass_kg"] == 0
    departed = _ok(client.post("/api/v1/vessel-visits/G1/depart", headers=t["planner"]))
    assert departed["status"] == "departed"
    assert (
        client.post(
            "/api/v1/grain/lots/L1-B/ship", headers=t["yard_operator"], json={"mass_kg": 1, "vessel_visit": "G1"}
        ).status_code
        == 422
    )  # the ship has gone
    balance = _ok(client.get("/api/v1/grain/balance", headers=t["shipper"]))
    assert balance == {"KAZGRAIN": {"received_kg": 1_300_250, "shipped_kg": 1_000_250, "in_stock_kg": 300_000}}
    lots = client.get("/api/v1/grain/lots", headers=t["shipper"]).json()
    assert {lot["reference"] for lot in lots} == {"L1", "L1-B"}
