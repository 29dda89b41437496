"""``landbridge users create`` prints a token the API accepts; a bad role is refused and names it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from landbridge.api.app import create_app
from landbridge.cli import app


def test_users_create_prints_a_working_token(database_url: str) -> None:
    runner = CliRunner()
    created = runner.invoke(
        app, ["users", "create", "--name", "ann", "--role", "auditor", "--database-url", database_url]
    )
    assert created.exit_code == 0, created.output
    token = created.output.strip().splitlines()[-1]
    with TestClient(create_app(database_url)) as client:
        listed = client.get("/api/v1/containers", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200 and listed.json() == []
        assert client.get("/api/v1/containers", headers={"Authorization": "Bearer nope"}).status_code == 401
    refused = runner.invoke(app, ["users", "create", "--name", "bob", "--role", "boss", "--database-url", database_url])
    assert refused.exit_code == 1 and "role" in refused.output
    shipper = runner.invoke(
        app, ["users", "create", "--name", "cy", "--role", "shipper", "--database-url", database_url]
    )
    assert shipper.exit_code == 1 and "party" in shipper.output
