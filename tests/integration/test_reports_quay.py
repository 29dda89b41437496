"""Berth occupancy (from the vessel visits' berthed/departed events) and equipment productivity (from
the work queues' confirmations) through the reports API, checked against figures worked by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from landbridge.domain.events import utc_now
from tests.integration.test_operations_rules import post
from tests.support import Hub, container_number, token

BERTHED = "2026-11-10T02:00:00+08:00"
DEPARTED = "2026-11-11T08:00:00+08:00"


def _report(hub: Hub, name: str, start: str, end: str, granularity: str = "day") -> list[dict[str, Any]]:
    params = {"start": start, "end": end, "granularity": granularity}
    response = hub.client.get(f"/api/v1/reports/{name}", params=params)
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["rows"]
    return rows


def test_berth_occupancy_per_berth_and_day(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(users=("admin",), as_user="admin")
    client = hub.client
    visit = {
        "reference": "V9",
        "vessel_name": "Occupant",
        "eta": "2026-11-10T00:00Z",
        "occurred_at": "2026-11-01T00:00:00Z",
    }
    post(client, "/api/v1/vessel-visits", visit, 201)
    post(
        client,
        "/api/v1/vessel-visits/V9/berth",
        {"berth_code": "29", "etb": "2026-11-09T18:00Z", "occurred_at": BERTHED},
    )
    post(client, "/api/v1/vessel-visits/V9/depart", {"occurred_at": DEPARTED})
    other = {**visit, "reference": "V8", "vessel_name": "Still alongside"}
    post(client, "/api/v1/vessel-visits", other, 201)
    post(
        client,
        "/api/v1/vessel-visits/V8/berth",
        {"berth_code": "30", "etb": "2026-11-11T12:00Z", "occurred_at": "2026-11-11T18:00:00+08:00"},
    )

    rows = _report(hub, "berth-occupancy", "2026-11-10T00:00:00+08:00", "2026-11-12T00:00:00+08:00")
    # V9 alongside 29 from 02:00 on the 10th to 08:00 on the 11th: 22 h and 8 h; V8 at 30 from 18:00 on
    # the 11th to the end of the range: 6 h.
    assert [(r["period"], r["berth"], r["calls_berthed"], r["occupied_h"], r["occupancy_pct"]) for r in rows] == [
        ("2026-11-10", "29", 1, 22.0, 91.67),
        ("2026-11-11", "29", 0, 8.0, 33.33),
        ("2026-11-11", "30", 1, 6.0, 25.0),
    ]
    week = _report(hub, "berth-occupancy", "2026-11-09T00:00:00+08:00", "2026-11-16T00:00:00+08:00", "week")
    assert [(r["berth"], r["occupied_h"]) for r in week] == [("29", 30.0), ("30", 102.0)]  # V8: 11th 18:00 → 16th


def test_moves_per_crane_hour_from_the_work_confirmations(make_hub: Callable[..., Hub]) -> None:
    hub = make_hub(users=("admin", "planner"), as_user="admin")
    hub.tokens["d1"] = token(hub.url, "d1", "driver")
    client = hub.client
    post(client, "/api/v1/vessel-visits", {"reference": "V1", "vessel_name": "Feeder", "eta": "2026-12-01T00:00Z"}, 201)
    post(client, "/api/v1/vessel-visits/V1/berth", {"berth_code": "30", "etb": "2026-12-01T01:00Z"})
    numbers = [container_number(serial) for serial in (1, 2)]
    for number in numbers:
        box = {"number": number, "iso_type": "22G1", "load_state": "full", "gross_mass_kg": 12_000}
        post(client, "/api/v1/containers", box, 201)
    client.put("/api/v1/vessel-visits/V1/discharge-list", json={"entries": [{"container": n} for n in numbers]})
    made = client.post(
        "/api/v1/work/instructions/generate", json={"vessel_visit": "V1"}, headers=hub.headers("planner")
    )
    assert made.status_code == 201, made.text
    client.post("/api/v1/equipment/STS-30-1/sign-on", headers=hub.headers("d1"))
    confirmed = []
    for _ in numbers:
        job = client.get("/api/v1/equipment/mine", headers=hub.headers("d1")).json()["job"]
        if job is None:
            break
        at = (utc_now().replace(microsecond=0) + timedelta(seconds=1)).isoformat()
        done = client.post(
            f"/api/v1/work/instructions/{job['id']}/confirm", json={"occurred_at": at}, headers=hub.headers("d1")
        )
        assert done.status_code == 200, done.text
        confirmed.append(at)
    assert confirmed
    now = utc_now()
    rows = _report(hub, "equipment", (now - timedelta(days=1)).isoformat(), (now + timedelta(hours=1)).isoformat())
    crane = [r for r in rows if r["machine"] == "STS-30-1"]
    assert sum(r["moves"] for r in crane) == len(confirmed) and {r["kind"] for r in crane} == {"quay_crane"}
    for row in crane:  # moves ÷ the clock hours in which the crane confirmed a move
        assert row["moves_per_working_hour"] == round(row["moves"] / row["working_hours"], 2)
