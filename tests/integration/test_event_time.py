"""Event time over HTTP on both backends: commands carry ``occurred_at``; history and the ETA read it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.corridor.eta import TrainProgress, estimate_arrival, transit_model
from landbridge.domain.events import as_utc, utc_now
from landbridge.services.tracking.eta import corridor_route
from tests.e2e.support import bearer, container_number, seed, token, uic_wagon
from tests.integration.test_operations_rules import post, refused


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """A seeded hub with an admin token."""
    seed(database_url)
    headers = bearer(token(database_url, "admin", "admin"))
    with TestClient(create_app(database_url), headers=headers) as client:
        yield client


def _train_with_box(client: TestClient, start: datetime) -> str:
    """A full box discharged and loaded on train T1 (route almaty), every step dated from ``start``."""
    number = container_number(1)
    step = iter(range(100))

    def when() -> dict[str, str]:
        return {"occurred_at": (start + timedelta(minutes=10 * next(step))).isoformat()}

    body = {"number": number, "iso_type": "45G1", "load_state": "full", "gross_mass_kg": 20_000}
    post(client, "/api/v1/containers", {**body, **when()}, 201)
    visit = {"reference": "V1", "vessel_name": "Xin Ming Zhou 20", "eta": start.isoformat()}
    post(client, "/api/v1/vessel-visits", {**visit, **when()}, 201)
    post(client, "/api/v1/vessel-visits/V1/berth", {"berth_code": "29", "etb": start.isoformat(), **when()})
    entries = {"entries": [{"container": number}]}
    post(client, "/api/v1/vessel-visits/V1/discharge-list", {**entries, **when()}, method="put")
    post(client, "/api/v1/vessel-visits/V1/discharge", {"container": number, "slot": "A-04-01-1", **when()})
    wagons = [{"number": uic_wagon(1), "wagon_type": "cn_flat_40ft"}]
    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "track_code": "T1",
        "wagons": wagons,
    }
    post(client, "/api/v1/train-visits", {**train, **when()}, 201)
    post(client, "/api/v1/train-visits/T1/planned-boxes", {**entries, **when()}, method="put")
    post(client, "/api/v1/train-visits/T1/load", {"container": number, "wagon_number": uic_wagon(1), **when()})
    return number


def test_naive_and_future_times_are_refused(client: TestClient) -> None:
    number = container_number(7)
    body: dict[str, Any] = {"number": number, "iso_type": "22G1"}
    response = client.post("/api/v1/containers", json={**body, "occurred_at": "2026-12-07T08:30:00"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "occurred_at"
    future = (utc_now() + timedelta(minutes=30)).isoformat()
    assert "future" in refused(client, "/api/v1/containers", {**body, "occurred_at": future}, 422, "occurred_at")
    # Within the 5 minute clock tolerance is accepted.
    soon = (utc_now() + timedelta(minutes=2)).isoformat()
    post(client, "/api/v1/containers", {**body, "occurred_at": soon}, 201)
    # A command without a body (depart) takes the time too, and refuses a naive one.
    post(client, "/api/v1/vessel-visits", {"reference": "V9", "vessel_name": "X", "eta": "2026-11-28T00:00Z"}, 201)
    post(client, "/api/v1/vessel-visits/V9/berth", {"berth_code": "30", "etb": "2026-11-28T01:00Z"})
    response = client.post("/api/v1/vessel-visits/V9/depart", json={"occurred_at": "2026-12-07T08:30:00"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "occurred_at"


def test_out_of_order_event_is_refused_naming_the_previous_event(client: TestClient) -> None:
    start = utc_now() - timedelta(hours=30)
    _train_with_box(client, start)
    departed = start + timedelta(hours=2)
    post(client, "/api/v1/train-visits/T1/depart", {"occurred_at": departed.isoformat()})
    earlier = (departed - timedelta(minutes=1)).isoformat()
    message = refused(client, "/api/v1/train-visits/T1/border", {"occurred_at": earlier}, 422, "occurred_at")
    assert "train.departed" in message and "earlier than the previous event" in message
    # The same instant as the previous event is in order.
    post(client, "/api/v1/train-visits/T1/border", {"occurred_at": departed.isoformat()})


def test_late_border_arrival_gives_a_consistent_eta_and_history(client: TestClient, database_url: str) -> None:
    now = utc_now()
    start = now - timedelta(hours=40)
    number = _train_with_box(client, start)
    departed = now - timedelta(hours=30)
    border = now - timedelta(hours=2)  # the railway reports the border arrival two hours late
    post(client, "/api/v1/train-visits/T1/depart", {"occurred_at": departed.isoformat()})
    post(client, "/api/v1/train-visits/T1/border", {"occurred_at": border.astimezone().isoformat()})

    view = client.get(f"/api/v1/tracking/{number}").json()
    milestone = next(h for h in view["eta_history"] if h["stage"] == "at_border")
    assert abs(as_utc(datetime.fromisoformat(milestone["as_of"])) - border) < timedelta(seconds=1)
    route = corridor_route("almaty")
    assert route is not None
    expected = estimate_arrival(
        transit_model(route), TrainProgress(departed_at=departed, border_arrived_at=border), as_of=border
    )
    assert milestone["spread_h"] == round(expected.spread_h, 1)
    # Independently of the model's formula: known at the border, the arrival is later than the border and
    # less uncertain than it was at the departure 28 h earlier.
    at_departure = next(h for h in view["eta_history"] if h["stage"] == "to_border")
    assert as_utc(datetime.fromisoformat(milestone["p50"])) > border
    assert 0 < milestone["spread_h"] < at_departure["spread_h"]
    assert abs(as_utc(datetime.fromisoformat(milestone["p50"])) - expected.p50) < timedelta(seconds=1)
    # Entered "now", the same arrival would have looked 28 h after departure instead of 26 h: a different estimate.
    entered_now = estimate_arrival(
        transit_model(route), TrainProgress(departed_at=departed, border_arrived_at=now), as_of=now
    )
    assert entered_now.p50 != expected.p50

    history = client.get(f"/api/v1/containers/{number}/history").json()
    times = [as_utc(datetime.fromisoformat(e["occurred_at"])) for e in history]
    assert times == sorted(times) and abs(times[-1] - border) < timedelta(seconds=1)
    assert history[-1]["event_type"] == "train.at_border"
    assert as_utc(datetime.fromisoformat(history[-1]["recorded_at"])) > border + timedelta(hours=1)
