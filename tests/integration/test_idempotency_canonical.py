"""Idempotency compares canonical JSON (issue #17): the same JSON with keys reordered is the same request."""

from __future__ import annotations

from fastapi.testclient import TestClient

from landbridge.api.app import create_app
from tests.e2e.support import bearer, seed, token


def test_reordered_keys_replay_and_a_different_body_is_refused(database_url: str) -> None:
    seed(database_url)
    headers = {**bearer(token(database_url, "admin", "admin")), "Content-Type": "application/json"}
    first = '{"code": "ACME", "name": "Acme Grain", "role": "shipper"}'
    reordered = '{ "role":"shipper","name":"Acme Grain" ,"code":"ACME"}'
    other = '{"code": "ACME", "name": "Another", "role": "shipper"}'
    with TestClient(create_app(database_url), headers=headers) as client:
        key = {"Idempotency-Key": "party-acme-1"}
        created = client.post("/api/v1/parties", content=first, headers=key)
        assert created.status_code == 201, created.text
        again = client.post("/api/v1/parties", content=reordered, headers=key)
        assert again.status_code == 201 and again.json() == created.json()
        refused = client.post("/api/v1/parties", content=other, headers=key)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]
