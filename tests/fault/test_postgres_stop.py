"""PostgreSQL stopped with ``-m immediate`` under write load (issue #17): no 500, every acknowledged write kept.

A throwaway cluster of our own (the shared test server must not be stopped) behind the app on
uvicorn; eight clients register containers as fast as they can. Mid-load the cluster is killed
(``pg_ctl stop -m immediate``: no checkpoint, like a crash), kept down a few seconds and started
again (crash recovery replays the WAL). Promised: while it is down every answer is 503 with
``Retry-After`` and a JSON body, never 500; ``/api/health`` names the database as down; the app
serves again by itself once PostgreSQL is back; every container that was answered 2xx is there.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, select, text

from landbridge.api.app import create_app
from landbridge.api.throttle import Throttle
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork
from tests.e2e.support import container_number

CLIENTS = 8
BEFORE_S, DOWN_S, AFTER_S = 3.0, 4.0, 4.0


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster this test may kill."""

    bin: Path
    folder: Path
    port: int
    user: str

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run(
            "pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"), "-w", "-o", options, "start"
        )

    def stop_immediately(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/landbridge"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    pg_bin = _pg_bin()
    if pg_bin is None:
        if os.environ.get("LANDBRIDGE_REQUIRE_POSTGRES") == "1":
            pytest.fail("LANDBRIDGE_REQUIRE_POSTGRES=1 but Debian's PostgreSQL is not installed")
        pytest.skip("PostgreSQL binaries not installed")
    folder = Path(tempfile.mkdtemp(prefix="landbridge-fault-"))
    user = "postgres" if os.getuid() == 0 else os.environ.get("USER", "postgres")
    if os.getuid() == 0:
        shutil.chown(folder, "postgres")
    made = Cluster(pg_bin, folder, _free_port(), user)
    made._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", user, "-E", "UTF8")
    made.start()
    admin = create_engine(made.url.replace("/landbridge", "/postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE landbridge"))
    admin.dispose()
    try:
        yield made
    finally:
        engine_for(made.url).dispose()
        with_stop = ["pg_ctl", "-D", str(folder / "data"), "-m", "immediate", "stop"]
        subprocess.run(
            (["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else [])
            + [str(pg_bin / with_stop[0]), *with_stop[1:]],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Load:
    """What the clients saw: every answer by phase, and the numbers acknowledged with 2xx."""

    phase: str = "before"
    answers: list[tuple[str, int, str]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def _client(base_url: str, token: str, load: Load, first_serial: int) -> None:
    serial = first_serial
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while not load.stop.is_set():
            number = container_number(serial)
            serial += 1
            phase = load.phase
            try:
                response = client.post("/api/v1/containers", json={"number": number, "iso_type": "22G1"})
            except httpx.TransportError:
                continue  # no answer at all: nothing was promised
            with load.lock:
                load.answers.append((phase, response.status_code, response.headers.get("content-type", "")))
                if 200 <= response.status_code < 300:
                    load.acknowledged.append(number)
                elif response.status_code == 503:
                    assert response.headers.get("retry-after"), response.headers
            if response.status_code == 503:
                time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.postgres
def test_an_immediate_stop_loses_no_acknowledged_write_and_answers_503(cluster: Cluster) -> None:
    upgrade(cluster.url)
    seed_scenario(UnitOfWork.for_url(cluster.url), load_scenario())
    token = create_user(UnitOfWork.for_url(cluster.url), name="fault", role="admin")
    app = create_app(cluster.url)
    app.state.throttle = Throttle("0", "0")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    load = Load()
    clients = [
        threading.Thread(target=_client, args=(base_url, token, load, 100_000 * (i + 1)), daemon=True)
        for i in range(CLIENTS)
    ]
    try:
        for client in clients:
            client.start()
        time.sleep(BEFORE_S)
        cluster.stop_immediately()
        load.phase = "down"
        time.sleep(1.0)
        health = httpx.get(f"{base_url}/api/health", timeout=30)
        assert health.status_code == 503 and health.headers["retry-after"]
        assert health.json()["dependencies"]["database"]["status"] == "down"
        time.sleep(DOWN_S - 1.0)
        cluster.start()
        load.phase = "recovering"
        time.sleep(1.0)
        load.phase = "after"
        time.sleep(AFTER_S)
        assert httpx.get(f"{base_url}/api/health", timeout=30).json()["dependencies"]["database"]["status"] == "up"
    finally:
        load.stop.set()
        for client in clients:
            client.join(timeout=60)
        server.should_exit = True
        thread.join(timeout=15)

    by_phase = Counter((phase, status) for phase, status, _ in load.answers)
    assert not [a for a in load.answers if a[1] >= 500 and a[1] != 503], by_phase  # never a 500
    assert all(kind.startswith("application/json") for _, status, kind in load.answers if status == 503)
    assert by_phase[("down", 503)] > 0, by_phase  # the outage was seen, and answered 503
    assert by_phase[("after", 201)] > 0, by_phase  # the app came back by itself

    engine = create_engine(cluster.url)
    with engine.connect() as connection:
        stored = set(connection.scalars(select(tables.ContainerRow.number)))
    engine.dispose()
    lost = sorted(set(load.acknowledged) - stored)
    assert lost == [], f"{len(lost)} acknowledged containers missing after recovery: {lost[:5]}"
    assert len(load.acknowledged) > 50, by_phase
    print(f"answers by phase and status: {dict(sorted(by_phase.items()))}; acknowledged {len(load.acknowledged)}")
