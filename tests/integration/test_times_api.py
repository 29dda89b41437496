"""Times over HTTP on both backends: one instant is one time whatever its offset, and far times are refused.

Each case was a bug (issue #17): SQLite kept wall-clock digits, so ``09:00Z`` fell into the
``09:00+08:00`` gate window; ``9999-12-31T23:00:00-08:00`` was stored on PostgreSQL as year 10000
and broke every later read; ``hour_start=0`` was read as 1970.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.domain.times import utc_now
from tests.e2e.support import bearer, container_number, seed, token


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    seed(database_url)
    with TestClient(create_app(database_url), headers=bearer(token(database_url, "admin", "admin"))) as client:
        yield client


def _tomorrow() -> str:
    """Tomorrow's date in UTC (appointments are booked from now up to the booking horizon)."""
    return (utc_now() + timedelta(days=1)).date().isoformat()


def _book(client: TestClient, reference: str, hour_start: str) -> Any:
    number = container_number(len(reference) * 100 + int(reference[1:]))
    registered = client.post("/api/v1/containers", json={"number": number, "iso_type": "22G1"})
    assert registered.status_code == 201, registered.text
    body = {
        "reference": reference,
        "hour_start": hour_start,
        "plate": "苏G12345",
        "kind": "drop_off",
        "container": number,
    }
    response = client.post("/api/v1/gate/appointments", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _window(client: TestClient, hour_start: str) -> Any:
    response = client.get("/api/v1/gate/appointments", params={"hour_start": hour_start})
    assert response.status_code == 200, response.text
    return response.json()


def test_one_instant_is_one_gate_window_whatever_the_offset(client: TestClient) -> None:
    day = _tomorrow()
    _book(client, "A1", f"{day}T09:00:00+08:00")
    _book(client, "A2", f"{day}T01:00:00Z")
    same = _window(client, f"{day}T01:00:00+00:00")
    assert same["booked"] == 2
    assert {a["reference"] for a in same["appointments"]} == {"A1", "A2"}
    assert _window(client, f"{day}T09:00:00Z")["booked"] == 0  # eight hours later: another window


def test_times_read_back_as_the_same_instant_with_an_offset(client: TestClient) -> None:
    body = {"reference": "V9", "vessel_name": "Offset", "eta": "2026-12-08T09:30:00+08:00"}
    assert client.post("/api/v1/vessel-visits", json=body).status_code == 201
    visit = client.get("/api/v1/vessel-visits/V9").json()
    assert visit["eta"] == "2026-12-08T01:30:00+00:00"


@pytest.mark.parametrize(
    "eta", ["9999-12-31T23:00:00-08:00", "0001-01-01T00:00:00Z", "1926-01-01T00:00:00Z", "2026-12-08T09:00:00", 0]
)
def test_far_naive_or_numeric_times_are_refused_and_reads_keep_working(client: TestClient, eta: object) -> None:
    response = client.post("/api/v1/vessel-visits", json={"reference": "VX", "vessel_name": "Far", "eta": eta})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "eta"]
    assert client.get("/api/v1/vessel-visits").status_code == 200
    assert client.get("/api/v1/vessel-visits/VX").status_code == 404


@pytest.mark.parametrize("hour_start", ["0", "1700000000", "9999-12-31T23:00:00Z"])
def test_query_times_are_checked_too(client: TestClient, hour_start: str) -> None:
    response = client.get("/api/v1/gate/appointments", params={"hour_start": hour_start})
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["query", "hour_start"]
