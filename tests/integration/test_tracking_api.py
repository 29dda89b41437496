"""GET /api/v1/tracking/{container}: position, timeline, and an ETA that narrows as the train progresses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.api.routers.dcsa import get_viewer
from landbridge.domain.events import EventType
from landbridge.services.tracking import STAFF
from tests.integration.test_dcsa_feed import OURS, T0, THEIRS, TRAIN, append, register, seed_world


@pytest.fixture
def hub(database_url: str) -> Iterator[TestClient]:
    seed_world(database_url)
    register(database_url, OURS, "BK-ACME-1")
    register(database_url, THEIRS, "BK-OTHER-1")
    app = create_app(database_url)
    app.dependency_overrides[get_viewer] = lambda: STAFF
    with TestClient(app) as client:
        yield client


def _eta(client: TestClient, as_of: datetime) -> dict[str, object]:
    response = client.get(f"/api/v1/tracking/{OURS}", params={"as_of": as_of.isoformat()})
    assert response.status_code == 200, response.text
    eta = response.json()["eta"]
    assert eta is not None
    return dict(eta)


def _when(value: object) -> datetime:
    assert isinstance(value, str)
    return datetime.fromisoformat(value)


def test_eta_follows_the_train_to_almaty(hub: TestClient, database_url: str) -> None:
    untracked = hub.get(f"/api/v1/tracking/{OURS}").json()
    assert untracked["eta"] is None and untracked["eta_unavailable_reason"] == "not on a train"

    append(database_url, EventType.CONTAINER_LOADED_WAGON, "container", OURS, T0, "CNLYG", {"train": TRAIN})
    departed = T0 + timedelta(hours=6)
    append(database_url, EventType.TRAIN_DEPARTED, "train", TRAIN, departed, "CNLYG")
    leaving = _eta(hub, departed)
    assert leaving["stage"] == "to_border" and leaving["route"] == "almaty" and leaving["destination"] == "Almaty"
    # Almaty is 5 / 6 / 9 days (P10 / P50 / P90) from the scenario.
    assert (_when(leaving["p50"]) - departed) / timedelta(days=1) == pytest.approx(6, rel=0.05)
    assert str(leaving["p50"]).endswith("+05:00") or str(leaving["p50"]).endswith("+06:00")  # Almaty local time
    assert "spread" in str(leaving["statement"])

    border = departed + timedelta(days=3, hours=20)  # a quick run to Khorgos
    append(database_url, EventType.TRAIN_AT_BORDER, "train", TRAIN, border, "khorgos")
    at_border = _eta(hub, border)
    assert at_border["stage"] == "at_border"
    assert float(str(at_border["spread_h"])) < float(str(leaving["spread_h"])) / 3
    assert _when(at_border["p50"]) < _when(leaving["p50"])  # fast first leg: earlier arrival

    gauge = border + timedelta(hours=2)
    append(database_url, EventType.CONTAINER_GAUGE_TRANSFER, "container", OURS, gauge, "khorgos", {"train": TRAIN})
    after_gauge = _eta(hub, gauge)
    assert after_gauge["stage"] == "after_gauge_change" and _when(after_gauge["p10"]) > gauge

    arrived = gauge + timedelta(hours=20)
    append(database_url, EventType.TRAIN_ARRIVED, "train", TRAIN, arrived, "almaty")
    final = hub.get(f"/api/v1/tracking/{OURS}").json()
    assert final["eta"]["stage"] == "arrived" and final["eta"]["spread_h"] == 0
    assert _when(final["eta"]["p50"]) == arrived
    assert final["train"] == TRAIN
    assert [e.get("equipmentEventTypeCode") or e["transportEventTypeCode"] for e in final["timeline"]] == [
        "LOAD",
        "DEPA",
        "ARRI",
        "DISC",
        "LOAD",
        "ARRI",
    ]
    assert final["last_event"]["transportEventTypeCode"] == "ARRI"
    # The estimate made as each milestone came in, kept so the shipper sees how the ETA moved.
    history = final["eta_history"]
    assert [h["stage"] for h in history] == ["to_border", "at_border", "after_gauge_change", "arrived"]
    assert history[0]["spread_h"] > history[1]["spread_h"] > history[3]["spread_h"] == 0
    assert _when(history[1]["p50"]) == _when(at_border["p50"])  # same inputs, same estimate


def test_unknown_and_malformed_numbers_answer_404(hub: TestClient) -> None:
    assert hub.get("/api/v1/tracking/CSQU3054384").status_code == 404  # bad check digit
    assert hub.get("/api/v1/tracking/TGHU1234560").status_code == 404  # valid, not at the hub
    naive = hub.get(f"/api/v1/tracking/{OURS}", params={"as_of": "2026-01-10T02:00:00"})
    assert naive.status_code == 422 and naive.json()["detail"][0]["loc"] == ["query", "as_of"]


def test_operations_shaped_journey_with_a_new_train_after_the_gauge_change(hub: TestClient, database_url: str) -> None:
    """As operations record it: movements per box and per train visit; the 1520 mm train departs the border."""
    broad = "TR-1520-0001"

    def movement(event_type: EventType, train: str, at: datetime, location: str) -> None:
        append(database_url, event_type, "container", OURS, at, location, {"train": train})
        append(database_url, event_type, "train_visit", train, at, location, {"status": "x"})

    append(database_url, EventType.CONTAINER_LOADED_WAGON, "container", OURS, T0, "T1", {"train": TRAIN})
    movement(EventType.TRAIN_DEPARTED, TRAIN, T0 + timedelta(hours=2), "T1")
    movement(EventType.TRAIN_AT_BORDER, TRAIN, T0 + timedelta(days=4), "khorgos")
    gauge = T0 + timedelta(days=4, hours=3)
    append(
        database_url,
        EventType.CONTAINER_GAUGE_TRANSFER,
        "container",
        OURS,
        gauge,
        "khorgos",
        {"train": broad, "from_train": TRAIN, "wagon": "42345678"},
    )
    movement(EventType.TRAIN_DEPARTED, broad, gauge + timedelta(hours=1), "khorgos")
    estimate = _eta(hub, gauge + timedelta(hours=1))
    assert estimate["stage"] == "after_gauge_change"  # the border departure is not the journey's departure
    movement(EventType.TRAIN_ARRIVED, broad, gauge + timedelta(hours=20), "Almaty")

    timeline = hub.get(f"/api/v1/tracking/{OURS}").json()["timeline"]
    assert [
        (
            e.get("equipmentEventTypeCode") or e["transportEventTypeCode"],
            e["transportCall"]["transportCallID"].split("@")[0],
        )
        for e in timeline
    ] == [
        ("LOAD", TRAIN),
        ("DEPA", TRAIN),
        ("ARRI", TRAIN),
        ("DISC", TRAIN),
        ("LOAD", broad),
        ("DEPA", broad),
        ("ARRI", broad),
    ]
    assert timeline[-1]["transportCall"]["location"]["UNLocationCode"] == "KZALA"
    final = hub.get(f"/api/v1/tracking/{OURS}").json()["eta"]
    assert final["stage"] == "arrived" and _when(final["p50"]) == gauge + timedelta(hours=20)
