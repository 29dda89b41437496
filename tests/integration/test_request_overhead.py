"""What every API request pays before its command runs, made cheaper without weakening it (issue #19).

The token is still read from the database on every request — a command with a revoked token is
refused from the next request on — but on PostgreSQL in one autocommit statement; the pool no longer
pings PostgreSQL on every checkout, yet never hands out a connection the server has closed.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from landbridge.api.app import create_app
from landbridge.services.authz import authenticate, revoke_user
from landbridge.store.database import engine_for
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import bearer, container_number, token


def test_a_command_with_a_revoked_token_is_refused_from_the_next_request_on(database_url: str) -> None:
    secret = token(database_url, "yard-1", "yard_operator")
    move = {"container": container_number(1), "slot": "A-01-01-1"}
    with TestClient(create_app(database_url)) as client:
        known = client.post("/api/v1/yard/moves", json=move, headers=bearer(secret))
        assert known.status_code == 404, known.text  # past the token: the box is unknown
        revoke_user(UnitOfWork.for_url(database_url), "yard-1")
        refused = client.post("/api/v1/yard/moves", json=move, headers=bearer(secret))
        assert refused.status_code == 401, refused.text
        assert refused.json()["detail"][0]["loc"] == ["header", "authorization"]


@pytest.mark.postgres
def test_the_token_lookup_is_one_statement_and_leaves_no_transaction(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("autocommit lookup: PostgreSQL only (SQLite keeps its own transaction)")
    secret = token(database_url, "clerk", "gate_clerk")
    engine = engine_for(database_url)
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", record)
    try:
        actor = authenticate(UnitOfWork.for_url(database_url), secret)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert actor is not None and actor.name == "clerk"
    assert sent == ["SELECT"]
    with engine.connect() as connection:  # the pooled connection is back in transaction mode
        assert connection.connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]


@pytest.mark.postgres
def test_a_pooled_connection_the_server_closed_is_not_handed_out(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    engine = engine_for(database_url)
    engine.dispose()
    with engine.connect() as connection:
        first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    # The pool keeps it; the server ends it (as a restart or an administrator would).
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first}).scalar_one()
    time.sleep(0.5)  # the FATAL message and the end of the stream reach the idle socket
    with engine.connect() as connection:  # no pre-ping: the closed one is dropped at checkout
        again = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert again != first
