"""Bounded planning work (issue #17): a berth plan request cannot make the server allocate gigabytes.

Before, the berth solver's arrays were sized to the hours between ``reference_time`` and the latest
ETA: ``reference_time`` 2016 took 1.4 GB, and one visit announced for a far year did the same to
every later plan. Now those requests are refused (422 naming the field) before any solver array
exists, and a far visit is left for a later plan instead of stretching this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from tests.e2e.support import bearer, seed, token

REFERENCE_TIME = "2026-12-01T00:00:00+00:00"


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    seed(database_url)
    with TestClient(create_app(database_url), headers=bearer(token(database_url, "admin", "admin"))) as client:
        for reference, eta in (("NEAR", "2026-12-01T06:00:00Z"), ("FAR", "2099-12-31T23:00:00-08:00")):
            body = {"reference": reference, "vessel_name": reference.title(), "eta": eta}
            assert client.post("/api/v1/vessel-visits", json=body).status_code == 201
        yield client


def _plan(client: TestClient, **body: Any) -> Any:
    return client.post("/api/v1/plans/berth", json={"time_limit_s": 2, **body})


def _refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == field


def test_a_far_visit_waits_for_a_later_plan(client: TestClient) -> None:
    response = _plan(client, reference_time=REFERENCE_TIME)
    assert response.status_code == 200, response.text
    assert [a["vessel"] for a in response.json()["assignments"]] == ["NEAR"]


@pytest.mark.parametrize("reference_time", ["2016-01-01T00:00:00Z", "2000-01-01T00:00:00Z"])
def test_an_old_reference_time_is_refused_before_solving(client: TestClient, reference_time: str) -> None:
    _refused(_plan(client, reference_time=reference_time), "reference_time")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reference_time": "1926-01-01T00:00:00Z"}, "reference_time"),
        ({"time_limit_s": 3600}, "time_limit_s"),
        ({"seed": 2**63}, "seed"),
        ({"berth_codes": ["30"] * 501}, "berth_codes"),
        ({"vessel_lengths_m": {"NEAR": 1e6}}, "NEAR"),  # metres: no ship is 1,000 km long
    ],
)
def test_request_sizes_are_capped(client: TestClient, body: dict[str, Any], field: str) -> None:
    _refused(_plan(client, **{"reference_time": REFERENCE_TIME, **body}), field)
