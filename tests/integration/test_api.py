"""The API on SQLite and PostgreSQL: health, reference data, container registration and bad input."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from landbridge.services.authz import create_user
from landbridge.store.unit_of_work import UnitOfWork


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """The app with a planner's token (planners, yard operators, gate clerks, lines and admins register boxes)."""
    token = create_user(UnitOfWork.for_url(database_url), name="planner", role="planner")
    with TestClient(create_app(database_url), headers={"Authorization": f"Bearer {token}"}) as test_client:
        yield test_client


def _counts(url: str) -> tuple[int, int]:
    with UnitOfWork.for_url(url) as uow:
        return uow.containers.count(), uow.events.count()


def test_health_and_docs(client: TestClient) -> None:
    health = client.get("/api/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn." not in docs.text and "https://" not in docs.text  # served offline
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/containers" in paths and "/api/v1/berths" in paths


def test_reference_endpoints_serve_the_seeded_base(seeded_client: TestClient) -> None:
    berths = seeded_client.get("/api/v1/berths").json()
    assert {b["code"] for b in berths} >= {"29", "30", "32"}
    blocks = seeded_client.get("/api/v1/yard/blocks").json()
    assert sum(b["ground_slots"] for b in blocks) == 1763
    assert all(b["occupancy_pct"] == 0 for b in blocks)
    assert len(seeded_client.get("/api/v1/tracks").json()) == 4
    routes = seeded_client.get("/api/v1/routes").json()
    almaty = next(r for r in routes if r["destination"] == "Almaty")
    assert almaty["km"] == 4786 and almaty["crossing_code"] == "khorgos"
    silos = seeded_client.get("/api/v1/silos").json()
    assert sum(s["capacity_kg"] for s in silos) == 105_000_000


def test_register_container(client: TestClient, database_url: str) -> None:
    response = client.post("/api/v1/containers", json={"number": "CSQU3054383", "iso_type": "45G1"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["number"] == "CSQU3054383" and body["teu"] == 2 and body["length_ft"] == 40
    assert client.get("/api/v1/containers/CSQU3054383").json()["iso_type"] == "45G1"
    history = client.get("/api/v1/containers/CSQU3054383/history").json()
    assert [e["event_type"] for e in history] == ["container.registered"]
    assert history[0]["before"] is None and history[0]["after"]["number"] == "CSQU3054383"
    assert _counts(database_url) == (1, 1)


def test_wrong_check_digit_is_422_naming_the_field_and_writes_nothing(client: TestClient, database_url: str) -> None:
    response = client.post("/api/v1/containers", json={"number": "CSQU3054384", "iso_type": "45G1"})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "number"]
    assert "check digit should be 3" in detail["msg"]
    assert _counts(database_url) == (0, 0)


def test_duplicate_registration_is_409_and_writes_nothing(client: TestClient, database_url: str) -> None:
    assert client.post("/api/v1/containers", json={"number": "CSQU3054383", "iso_type": "45G1"}).status_code == 201
    again = client.post("/api/v1/containers", json={"number": "CSQU3054383", "iso_type": "22G1"})
    assert again.status_code == 409
    assert again.json()["detail"][0]["loc"] == ["body", "number"]
    assert _counts(database_url) == (1, 1)
    assert client.get("/api/v1/containers/CSQU3054383").json()["iso_type"] == "45G1"


def test_registration_needs_a_token_and_a_registering_role(client: TestClient, database_url: str) -> None:
    body = {"number": "CSQU3054383", "iso_type": "45G1"}
    anonymous = client.post("/api/v1/containers", json=body, headers={"Authorization": ""})
    assert anonymous.status_code == 401 and anonymous.json()["detail"][0]["loc"] == ["header", "authorization"]
    auditor = create_user(UnitOfWork.for_url(database_url), name="audit", role="auditor")
    refused = client.post("/api/v1/containers", json=body, headers={"Authorization": f"Bearer {auditor}"})
    assert refused.status_code == 403 and refused.json()["detail"][0]["loc"] == ["body", "role"]
    assert _counts(database_url) == (0, 0)


def test_other_bad_input(client: TestClient, database_url: str) -> None:
    unknown_type = client.post("/api/v1/containers", json={"number": "CSQU3054383", "iso_type": "99X9"})
    assert unknown_type.status_code == 422 and unknown_type.json()["detail"][0]["loc"] == ["body", "iso_type"]
    not_reefer = client.post(
        "/api/v1/containers", json={"number": "CSQU3054383", "iso_type": "45G1", "reefer_setpoint_c": -18}
    )
    assert not_reefer.status_code == 422 and "not a reefer" in not_reefer.json()["detail"][0]["msg"]
    malformed = client.post("/api/v1/containers", content=b"{not json", headers={"Content-Type": "application/json"})
    assert malformed.status_code == 422
    assert _counts(database_url) == (0, 0)
    missing = client.get("/api/v1/containers/CSQU3054383")
    assert missing.status_code == 404 and missing.json()["detail"][0]["loc"] == ["path", "number"]


def test_home_page_shows_the_base(seeded_client: TestClient) -> None:
    page = seeded_client.get("/")
    assert page.status_code == 200
    html = page.text
    assert "Lianyungang" in html and "1763" in html
    for name in ("Almaty", "Tashkent", "Duisburg", "Khorgos / Altynkol", "Alashankou / Dostyk", "NOICT"):
        assert name in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
