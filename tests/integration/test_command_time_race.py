"""A command without ``occurred_at`` is never refused for being out of order (found merging ops into #17).

A command that gives no time is dated "now" when it starts. Two moves of one box sent together:
the one that waited for the box's lock had an earlier "now" than the event the other had just
committed, and was refused with 422 "earlier than the previous event" — for a time the caller never
gave (seen as a stray 422 in ``test_operations_concurrency`` on PostgreSQL). The same happened after
an event reported a minute ahead of the server's clock (the allowed skew). Now such an event is
dated when it is written; a reported time is still checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.domain.events import utc_now
from tests.e2e.support import bearer, container_number, seed, token


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    seed(database_url)
    with TestClient(create_app(database_url), headers=bearer(token(database_url, "admin", "admin"))) as client:
        yield client


def _history(client: TestClient, number: str) -> list[dict[str, str]]:
    response = client.get(f"/api/v1/containers/{number}/history")
    assert response.status_code == 200, response.text
    events: list[dict[str, str]] = response.json()
    return events


def test_a_command_without_a_time_follows_a_later_event_instead_of_failing(client: TestClient) -> None:
    number = container_number(5)
    ahead = (utc_now() + timedelta(minutes=2)).isoformat()  # within the 5 minutes of allowed clock skew
    body = {"number": number, "iso_type": "22G1", "occurred_at": ahead}
    assert client.post("/api/v1/containers", json=body).status_code == 201
    correction = {"reason": "typo in the seal", "seals": ["SEAL1"]}
    response = client.patch(f"/api/v1/containers/{number}", json=correction)
    assert response.status_code == 200, response.text
    times = [event["occurred_at"] for event in _history(client, number)]
    assert times == sorted(times) and len(times) == 2


def test_a_reported_time_before_the_latest_event_is_still_refused(client: TestClient) -> None:
    number = container_number(6)
    assert client.post("/api/v1/containers", json={"number": number, "iso_type": "22G1"}).status_code == 201
    earlier = (utc_now() - timedelta(hours=1)).isoformat()
    correction = {"reason": "typo in the seal", "seals": ["SEAL1"], "occurred_at": earlier}
    response = client.patch(f"/api/v1/containers/{number}", json=correction)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "occurred_at"
