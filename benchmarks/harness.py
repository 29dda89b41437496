"""What the HTTP and database benchmarks share: a throwaway PostgreSQL cluster, a served app, percentiles.

Not a benchmark itself. ``throwaway_cluster`` starts Debian's PostgreSQL the way ``scripts/test.sh``
does (a private cluster on a free loopback port, always stopped); ``scratch_database`` makes and
drops a database on a server; ``served`` runs ``landbridge serve --workers N`` on a free port until
the block ends; ``machine_load`` is what ``uptime`` says, printed beside every figure because the
two cores are shared.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

RESULTS = Path(__file__).parent / "results"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_bin() -> Path:
    """The newest PostgreSQL server binaries Debian installed."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        sys.exit("no PostgreSQL found: install Debian's postgresql or set LANDBRIDGE_TEST_POSTGRES_URL")
    return versions[-1]


@contextlib.contextmanager
def throwaway_cluster(settings: Sequence[str] = ("fsync=off",)) -> Iterator[str]:
    """Start a private PostgreSQL cluster on a free loopback port; yield its URL; always stop it."""
    bin_dir, root = postgres_bin(), os.getuid() == 0
    home = Path(tempfile.mkdtemp(prefix="landbridge-bench-pg."))
    user = "postgres" if root else os.environ.get("USER", "postgres")
    run_as = ["runuser", "-u", "postgres", "--"] if root else []
    if root:
        shutil.chown(home, "postgres")
    port = free_port()
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(home / "data"), "-A", "trust", "-U", user, "-E", "UTF8"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c max_connections=300"
    options += "".join(f" -c {setting}" for setting in settings)
    pg_ctl = [*run_as, str(bin_dir / "pg_ctl"), "-D", str(home / "data")]
    subprocess.run(
        [*pg_ctl, "-l", str(home / "log"), "-w", "-o", options, "start"], check=True, stdout=subprocess.DEVNULL
    )
    try:
        yield f"postgresql+psycopg://{user}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], check=False, stdout=subprocess.DEVNULL)
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def server_url(settings: Sequence[str] = ("fsync=off",)) -> Iterator[str]:
    """``LANDBRIDGE_TEST_POSTGRES_URL`` when set, else a throwaway cluster of our own."""
    given = os.environ.get("LANDBRIDGE_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    with throwaway_cluster(settings) as own:
        yield own


@contextlib.contextmanager
def scratch_database(server: str, prefix: str = "lb_bench") -> Iterator[str]:
    """A new empty database on the server for the block; dropped afterwards whatever happens."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        from landbridge.store.database import engine_for

        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        engine_for(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def served(url: str, workers: int = 1, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """``landbridge serve --workers N`` on a free loopback port; yields the base URL; stopped afterwards."""
    with served_process(url, workers, extra_env) as (base, _process):
        yield base


@contextlib.contextmanager
def served_process(
    url: str, workers: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """:func:`served`, also yielding the server's process (its workers are its children: CPU, profiling)."""
    port = free_port()
    env = {**os.environ, "LANDBRIDGE_DATABASE_URL": url, **(extra_env or {})}
    command = [sys.executable, "-m", "landbridge.cli", "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--log-level", "warning", "--no-access-log"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # importing the app takes a minute on a busy two-core machine
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode} before answering")
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /api/health within 180 s")
            time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process and all its children have used so far (0 once it is gone)."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            times = process.cpu_times()
            total += times.user + times.system
    return total


def postgres_cpu_s(url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends connected to ``url``'s database.

    Read from ``/proc`` (the server runs on this machine); None when a backend is not visible (a
    server elsewhere). Backends that exit between two readings take their seconds with them, so
    read this while the pool's connections are still open.
    """
    from landbridge.store.database import engine_for

    with engine_for(url).connect() as connection:
        pids = list(
            connection.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")).scalars()
        )
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_sessions(url: str) -> int:
    """How many sessions (connections) ``url``'s database has had since its statistics began.

    Connections that open and close during a run (a pool's overflow) take their backends' CPU with
    them when they exit, so :func:`postgres_cpu_s` misses it; this count says how many did.
    """
    from landbridge.store.database import engine_for

    with engine_for(url).connect() as connection:
        return int(
            connection.execute(
                text("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
            ).scalar_one()
        )


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, math.ceil(share * len(sorted_values)) - 1))
    return float(sorted_values[index])


def machine_load() -> str:
    """The load averages ``uptime`` prints: other work on the shared cores."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def write_result(name: str, figures: dict[str, Any]) -> Path:
    """Write the figures as JSON under benchmarks/results/."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    return path


def print_figures(title: str, name: str, figures: dict[str, Any], console: Console | None = None) -> Path:
    """Print the figures as a two-column table and write them as JSON (``write_result``); the path."""
    console = console or Console()
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right", overflow="fold")
    for key, value in figures.items():
        table.add_row(key, str(value))
    console.print(table)
    return write_result(name, figures)
