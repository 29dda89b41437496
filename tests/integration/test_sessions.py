"""Sessions and limits (issue #17): tokens expire and can be revoked; wrong tokens lock an address out.

Before, tokens never expired and could not be revoked, and 1,000 wrong tokens in 1.8 s were all
answered 401 with no consequence.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from landbridge.api.app import create_app
from landbridge.cli import app as cli
from landbridge.domain.times import utc_now
from landbridge.store import tables
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, seed, token


def test_an_expired_token_is_refused(database_url: str) -> None:
    seed(database_url)
    secret = token(database_url, "planner-1", "planner")
    with TestClient(create_app(database_url)) as client:
        assert client.get("/api/v1/containers", headers=bearer(secret)).status_code == 200
        with UnitOfWork.for_url(database_url) as uow:
            uow.session.execute(update(tables.ApiUserRow).values(expires_at=utc_now() - timedelta(seconds=1)))
            uow.commit()
        refused = client.get("/api/v1/containers", headers=bearer(secret))
        assert refused.status_code == 401 and "expired" in refused.json()["detail"][0]["msg"]


def test_landbridge_users_revoke_stops_a_token_at_once(database_url: str) -> None:
    seed(database_url)
    runner = CliRunner()
    created = runner.invoke(
        cli,
        ["users", "create", "--name", "gate-7", "--role", "gate_clerk", "--days", "30", "--database-url", database_url],
    )
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    with UnitOfWork.for_url(database_url) as uow:
        row = uow.session.query(tables.ApiUserRow).filter_by(name="gate-7").one()
        assert row.expires_at is not None and timedelta(days=29) < row.expires_at - utc_now() <= timedelta(days=30)
    with TestClient(create_app(database_url)) as client:
        assert client.get("/api/v1/containers", headers=bearer(secret)).status_code == 200
        revoked = runner.invoke(cli, ["users", "revoke", "gate-7", "--database-url", database_url])
        assert revoked.exit_code == 0, revoked.output
        assert client.get("/api/v1/containers", headers=bearer(secret)).status_code == 401
    unknown = runner.invoke(cli, ["users", "revoke", "nobody", "--database-url", database_url])
    assert unknown.exit_code == 1 and "name" in unknown.output
    too_long = runner.invoke(
        cli, ["users", "create", "--name", "x", "--role", "admin", "--days", "9999", "--database-url", database_url]
    )
    assert too_long.exit_code == 1 and "days" in too_long.output


def test_wrong_tokens_lock_the_address_out(database_url: str) -> None:
    seed(database_url)
    secret = token(database_url, "auditor-1", "auditor")
    with TestClient(create_app(database_url)) as client:
        statuses = [client.get("/api/v1/containers", headers=bearer(f"lb_guess{i}")).status_code for i in range(25)]
        assert statuses[:20] == [401] * 20 and set(statuses[20:]) == {429}
        locked = client.get("/api/v1/containers", headers=bearer(secret))
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
        assert locked.json()["detail"][0]["type"] == "rate_limited"


def test_one_user_is_rate_limited(database_url: str) -> None:
    from landbridge.api.throttle import Throttle

    seed(database_url)
    secret = token(database_url, "busy", "auditor")
    app = create_app(database_url)
    app.state.throttle = Throttle("5/minute", "20/5minutes")
    with TestClient(app) as client:
        statuses = [client.get("/api/v1/containers", headers=bearer(secret)).status_code for _ in range(7)]
        assert statuses == [200] * 5 + [429, 429]
