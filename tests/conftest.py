"""Fixtures shared by the suite: a fresh, migrated database per test on SQLite and on PostgreSQL.

PostgreSQL comes from ``LANDBRIDGE_TEST_POSTGRES_URL`` (``make test`` starts a throwaway cluster
and sets it). Without it the PostgreSQL half is skipped — unless ``LANDBRIDGE_REQUIRE_POSTGRES=1``,
as in ``make test`` and CI, where a missing server is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from landbridge.api.app import create_app
from landbridge.store.database import engine_for, read_engine
from landbridge.store.migrate import upgrade
from tests.support import Hub, open_hub

POSTGRES_URL = os.environ.get("LANDBRIDGE_TEST_POSTGRES_URL")
REQUIRE_POSTGRES = os.environ.get("LANDBRIDGE_REQUIRE_POSTGRES") == "1"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


def _admin_engine():  # type: ignore[no-untyped-def]
    assert POSTGRES_URL is not None
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def postgres_template(worker_id: str) -> Iterator[str]:
    """A PostgreSQL database migrated once per test worker (``worker_id`` from pytest-xdist)."""
    if POSTGRES_URL is None:
        if REQUIRE_POSTGRES:
            pytest.fail("LANDBRIDGE_REQUIRE_POSTGRES=1 but LANDBRIDGE_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL not configured (set LANDBRIDGE_TEST_POSTGRES_URL or run `make test`)")
    name = f"landbridge_template_{worker_id}_{os.getpid()}"  # unique per run: parallel runs share a server
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _dispose(url: str) -> None:
    """Close the pooled connections of both engines on a test database (API reads use the read-only one)."""
    engine_for(url).dispose()
    read_engine(url).dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database on each backend."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "landbridge.db"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        yield url
        _dispose(url)
        return
    template_name: str = request.getfixturevalue("postgres_template")
    name = f"lb_test_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    assert POSTGRES_URL is not None
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    yield url
    _dispose(url)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def make_hub(database_url: str) -> Iterator[Callable[..., Hub]]:
    """The hub factory: ``make_hub(users=("admin", "planner"), as_user="planner")`` → a seeded :class:`Hub`.

    Every hub in the suite is built here (see :func:`tests.support.open_hub`); its client is closed
    when the test ends.
    """
    with ExitStack() as stack:
        yield lambda **options: stack.enter_context(open_hub(database_url, **options))


@pytest.fixture
def client(database_url: str) -> Iterator[TestClient]:
    """An HTTP client on the app over a fresh database."""
    with TestClient(create_app(database_url)) as test_client:
        yield test_client


@pytest.fixture
def seeded_client(database_url: str) -> Iterator[TestClient]:
    """An HTTP client on the app over a database seeded with the Lianyungang scenario.

    Its dashboard is open without a login, as ``make run`` serves it (``LANDBRIDGE_OPEN_DASHBOARD=1``);
    tests of the login build their own app.
    """
    from landbridge.scenarios import load_scenario
    from landbridge.services.seeding import seed_scenario
    from landbridge.store.unit_of_work import UnitOfWork

    seed_scenario(UnitOfWork.for_url(database_url), load_scenario())
    with TestClient(create_app(database_url, open_dashboard=True)) as test_client:
        yield test_client
