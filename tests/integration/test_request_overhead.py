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
from landbridge.domain.errors import Conflict
from landbridge.services.actor import Actor
from landbridge.services.authz import authenticate, revoke_user
from landbridge.services.idempotency import IdempotencyKey, request_digest
from landbridge.services.operations.common import execute
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


@pytest.mark.postgres
def test_on_postgresql_the_token_is_read_on_the_event_loop_and_a_lost_connection_is_replaced(database_url: str) -> None:
    """The API's token lookup runs on the server process's own connection, not the command's pool and thread;
    a backend the server ended is replaced at the next request (no 503), and revocation still holds."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (SQLite reads the token in a worker thread)")
    secret = token(database_url, "yard-2", "yard_operator")
    move = {"container": container_number(2), "slot": "A-01-01-1"}
    engine = engine_for(database_url)
    through_pool: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        through_pool.append(statement)

    admin = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with TestClient(create_app(database_url)) as client:
        event.listen(engine, "before_cursor_execute", record)
        try:
            known = client.post("/api/v1/yard/moves", json=move, headers=bearer(secret))
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert known.status_code == 404, known.text  # past the token: the box is unknown
        assert not [statement for statement in through_pool if "api_users" in statement]
        with admin.connect() as other:  # end every other backend on this database: the reader's among them
            ended = other.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
        assert ended >= 1
        time.sleep(0.3)
        again = client.post("/api/v1/yard/moves", json=move, headers=bearer(secret))
        assert again.status_code == 404, again.text
        revoke_user(UnitOfWork.for_url(database_url), "yard-2")
        refused = client.post("/api/v1/yard/moves", json=move, headers=bearer(secret))
        assert refused.status_code == 401, refused.text


@pytest.mark.postgres
def test_a_refused_repeat_answers_what_its_first_request_committed_meanwhile_in_one_transaction(
    database_url: str,
) -> None:
    """Most contested moves end in a 409: the repeat's stored answer is looked up in the refused
    command's own transaction (READ COMMITTED sees what committed while it waited), not a second one."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: on SQLite the refused command holds the write lock, nothing commits meanwhile")
    key = IdempotencyKey("move-1", request_digest("POST", "/api/v1/yard/moves", b"{}"))
    actor = Actor("yard-3", "yard_operator")

    def refused(_uow: UnitOfWork) -> None:
        # The first request with this key commits its answer while the repeat waits for the box's lock.
        execute(UnitOfWork.for_url(database_url), actor, lambda _uow: {"moved": True}, idempotency=key)
        raise Conflict("slot", "the slot was filled by a concurrent move")

    engine = engine_for(database_url)
    begun: list[object] = []

    def count(connection: object) -> None:
        begun.append(connection)

    event.listen(engine, "begin", count)
    try:
        outcome = execute(UnitOfWork.for_url(database_url), actor, refused, idempotency=key)
    finally:
        event.remove(engine, "begin", count)
    assert outcome.replayed and outcome.body == {"moved": True} and outcome.status_code == 200
    assert len(begun) == 2  # the repeat's one transaction and the first request's
