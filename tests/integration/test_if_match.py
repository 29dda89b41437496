"""Optimistic concurrency that means what the docs say (issue #17): ETag on reads, If-Match on commands.

Before, a move noted the box's version when its handler started; requests queued behind a move
started later, read the newest version and won too (168 concurrent moves of one box: 149 answered
200 on SQLite, 10 on PostgreSQL). Now the version comes from the request and is compared inside
the command's transaction once it holds the box's lock: exactly one wins, the others get 412.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from tests.e2e.support import bearer, container_number, seed, token, uic_wagon

MOVES = 168


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    seed(database_url)
    with TestClient(create_app(database_url), headers=bearer(token(database_url, "admin", "admin"))) as client:
        yield client


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response


def _yard_box(client: TestClient, serial: int) -> str:
    number = container_number(serial)
    _ok(client.post("/api/v1/containers", json={"number": number, "iso_type": "22G1", "load_state": "empty"}), 201)
    body = {"reference": "V1", "vessel_name": "Race", "eta": "2026-12-08T00:00Z"}
    if client.get("/api/v1/vessel-visits/V1").status_code == 404:
        _ok(client.post("/api/v1/vessel-visits", json=body), 201)
        _ok(client.post("/api/v1/vessel-visits/V1/berth", json={"berth_code": "29", "etb": "2026-12-08T01:00Z"}))
    listed = {"entries": [{"container": number}], "reason": "on the manifest"}
    _ok(client.post("/api/v1/vessel-visits/V1/discharge-list/add", json=listed))
    _ok(client.post("/api/v1/vessel-visits/V1/discharge", json={"container": number, "slot": "B-01-01-1"}))
    return number


def test_of_many_concurrent_moves_with_one_etag_exactly_one_wins(client: TestClient) -> None:
    number = _yard_box(client, 1)
    etag = _ok(client.get(f"/api/v1/containers/{number}")).headers["ETag"]
    slots = [f"{block}-{bay:02d}-{row:02d}-1" for block in "ACDE" for bay in range(1, 22, 2) for row in (1, 2, 3, 4)]

    def move(slot: str) -> int:
        response = client.post(
            "/api/v1/yard/moves", json={"container": number, "slot": slot}, headers={"If-Match": etag}
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = Counter(pool.map(move, slots[:MOVES]))
    assert statuses == {200: 1, 412: MOVES - 1}, statuses
    after = _ok(client.get(f"/api/v1/containers/{number}"))
    assert after.headers["ETag"] == f'"{int(etag.strip(chr(34))) + 1}"'  # the version, one move later


def test_a_stale_etag_is_refused_and_a_fresh_one_accepted(client: TestClient) -> None:
    number = _yard_box(client, 2)
    etag = _ok(client.get(f"/api/v1/containers/{number}")).headers["ETag"]
    _ok(client.post("/api/v1/yard/moves", json={"container": number, "slot": "C-01-01-1"}))  # no If-Match: applies
    stale = client.post(
        "/api/v1/yard/moves", json={"container": number, "slot": "C-03-01-1"}, headers={"If-Match": etag}
    )
    assert stale.status_code == 412
    assert stale.json()["detail"][0]["loc"] == ["header", "If-Match"]
    fresh = _ok(client.get(f"/api/v1/containers/{number}")).headers["ETag"]
    _ok(client.post("/api/v1/yard/moves", json={"container": number, "slot": "C-03-01-1"}, headers={"If-Match": fresh}))


def test_vessel_visits_and_trains_carry_etags(client: TestClient) -> None:
    _ok(
        client.post("/api/v1/vessel-visits", json={"reference": "V2", "vessel_name": "E", "eta": "2026-12-08T00:00Z"}),
        201,
    )
    visit_tag = _ok(client.get("/api/v1/vessel-visits/V2")).headers["ETag"]
    berth = {"berth_code": "30", "etb": "2026-12-08T01:00Z"}
    assert client.post("/api/v1/vessel-visits/V2/berth", json=berth, headers={"If-Match": '"v-0"'}).status_code == 412
    _ok(client.post("/api/v1/vessel-visits/V2/berth", json=berth, headers={"If-Match": visit_tag}))
    assert _ok(client.get("/api/v1/vessel-visits/V2")).headers["ETag"] != visit_tag

    train = {
        "reference": "T1",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "track_code": "T2",
        "wagons": [{"number": uic_wagon(1), "wagon_type": "cn_flat_40ft"}],
    }
    _ok(client.post("/api/v1/train-visits", json=train), 201)
    number = _yard_box(client, 3)
    planned = {"entries": [{"container": number}], "reason": "booked on T1"}
    _ok(client.post("/api/v1/train-visits/T1/planned-boxes/add", json=planned))
    train_tag = _ok(client.get("/api/v1/train-visits/T1")).headers["ETag"]
    load = {"container": number, "wagon_number": uic_wagon(1)}
    _ok(client.post("/api/v1/train-visits/T1/load", json=load, headers={"If-Match": train_tag}))
    assert client.post("/api/v1/train-visits/T1/depart", headers={"If-Match": train_tag}).status_code == 412


@pytest.mark.parametrize("value", ['W/"1"', "1", "", '"a b"'])
def test_a_malformed_if_match_matches_nothing(client: TestClient, value: str) -> None:
    number = _yard_box(client, 4)
    body = {"container": number, "slot": "C-05-01-1"}
    response = client.post("/api/v1/yard/moves", json=body, headers={"If-Match": value})
    assert response.status_code == 412, response.text
    assert response.json()["detail"][0]["loc"] == ["header", "If-Match"]


def test_an_if_match_on_a_command_without_tagged_object_fails_unless_star(client: TestClient) -> None:
    body = {"code": "ACME", "name": "A", "role": "shipper"}
    response = client.post("/api/v1/parties", json=body, headers={"If-Match": '"1"'})
    assert response.status_code == 412, response.text  # RFC 9110: no current representation has that tag
    assert client.post("/api/v1/parties", json=body, headers={"If-Match": "*"}).status_code == 201


def test_corrections_check_if_match(client: TestClient) -> None:
    """PATCH (ops' corrections) honours If-Match on visits, trains and boxes: 412 when stale, 200 when fresh."""
    visit = {"reference": "V3", "vessel_name": "Fix", "eta": "2026-12-09T00:00Z"}
    _ok(client.post("/api/v1/vessel-visits", json=visit), 201)
    tag = _ok(client.get("/api/v1/vessel-visits/V3")).headers["ETag"]
    change = {"reason": "agent's new ETA", "eta": "2026-12-09T06:00Z"}
    assert client.patch("/api/v1/vessel-visits/V3", json=change, headers={"If-Match": '"v-0"'}).status_code == 412
    _ok(client.patch("/api/v1/vessel-visits/V3", json=change, headers={"If-Match": tag}))
    again = {"reason": "and again", "eta": "2026-12-09T07:00Z"}
    assert client.patch("/api/v1/vessel-visits/V3", json=again, headers={"If-Match": tag}).status_code == 412

    train = {
        "reference": "T3",
        "direction": "west",
        "route_code": "almaty",
        "gauge_mm": 1435,
        "train_type_code": "cn_1435",
        "track_code": "T2",
        "wagons": [{"number": uic_wagon(3), "wagon_type": "cn_flat_40ft"}],
    }
    _ok(client.post("/api/v1/train-visits", json=train), 201)
    train_tag = _ok(client.get("/api/v1/train-visits/T3")).headers["ETag"]
    move = {"reason": "track swap", "track_code": "T1"}
    assert client.patch("/api/v1/train-visits/T3", json=move, headers={"If-Match": '"t-0"'}).status_code == 412
    _ok(client.patch("/api/v1/train-visits/T3", json=move, headers={"If-Match": train_tag}))

    number = container_number(9)
    _ok(client.post("/api/v1/containers", json={"number": number, "iso_type": "22G1"}), 201)
    box_tag = _ok(client.get(f"/api/v1/containers/{number}")).headers["ETag"]
    seal = {"reason": "seal misread", "seals": ["S1"]}
    _ok(client.patch(f"/api/v1/containers/{number}", json=seal, headers={"If-Match": box_tag}))
    reseal = {"reason": "seal misread again", "seals": ["S2"]}
    assert client.patch(f"/api/v1/containers/{number}", json=reseal, headers={"If-Match": box_tag}).status_code == 412
