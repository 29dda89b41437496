"""1,000 concurrent HTTP requests moving containers into contested yard slots, against PostgreSQL.

Usage::

    .venv/bin/python benchmarks/ops_concurrency.py [--requests 1000] [--concurrency 64] [--workers 2]

With ``LANDBRIDGE_TEST_POSTGRES_URL`` set it uses that server; otherwise it starts its own throwaway
cluster (Debian's PostgreSQL, as ``scripts/test.sh`` does) and always stops it. It creates a
throwaway database on the server, seeds it, stores 400 boxes in the yard, starts
``landbridge serve --workers N`` on a free loopback port and fires the moves with httpx (bounded
concurrency). Then it checks what the issue promises: zero double occupancy, zero 5xx, every 2xx
visible afterwards. Prints throughput, p50/p95/p99 latency and the machine load (the cores are
shared) as a table; writes JSON to benchmarks/results/.

CPU per request by part: the CPU seconds of the server's processes (``landbridge serve`` and its
workers), of PostgreSQL's backends for the benchmark's database and of this client are read before
and after the run, so the figures say what a request costs whatever else the shared machine is
doing; ``implied_req_per_s_2_cores`` is the rate two otherwise idle cores would carry at that cost
(client included), ``implied_req_per_s_2_cores_no_client`` with the client on another machine.
Each worker is sent a few requests before the clock starts (a worker builds FastAPI's route
tables and response schemas on its first requests). ``--profile FILE`` records the server's
workers with py-spy (``--py-spy PATH``, default from ``PATH``) as collapsed stacks for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from stdnum import iso6346

from harness import (
    machine_load,
    percentile,
    postgres_cpu_s,
    postgres_sessions,
    scratch_database,
    served_process,
    server_url,
    tree_cpu_s,
    write_result,
)
from landbridge.domain.identifiers import ContainerNumber
from landbridge.domain.manifests import ManifestEntry
from landbridge.scenarios import load_scenario
from landbridge.services.authz import create_user
from landbridge.services.containers import Actor, RegisterContainer, register_container
from landbridge.services.operations import manifests, vessel
from landbridge.services.seeding import seed_scenario
from landbridge.store import tables
from landbridge.store.database import engine_for
from landbridge.store.migrate import upgrade
from landbridge.store.unit_of_work import UnitOfWork

BOXES = 400
RETRIES: list[int] = []  # requests re-sent after a transport error (same Idempotency-Key)
CONTESTED = [f"A-{bay:02d}-{row:02d}-1" for bay in range(1, 26) for row in range(1, 5)]  # 100 ground slots


def _number(serial: int) -> str:
    base = f"BNCU{serial:06d}"
    return base + str(iso6346.calc_check_digit(base))


def prepare(url: str) -> tuple[list[str], str]:
    """Migrate, seed, store the boxes in blocks B-D (ground tier), return them and a yard operator's token."""
    upgrade(url)
    seed_scenario(UnitOfWork.for_url(url), load_scenario())
    actor = Actor("bench-setup", "admin")
    vessel.announce_vessel(
        UnitOfWork.for_url(url), actor, reference="BENCH", vessel_name="Bench", eta=datetime(2026, 11, 28, tzinfo=UTC)
    )
    vessel.berth_vessel(
        UnitOfWork.for_url(url), actor, reference="BENCH", berth_code="29", etb=datetime(2026, 11, 28, 1, tzinfo=UTC)
    )
    manifests.set_discharge_list(  # the line's discharge list: a box not on it is refused
        UnitOfWork.for_url(url), actor, visit="BENCH", entries=[ManifestEntry(_number(i)) for i in range(BOXES)]
    )
    numbers = []
    for i in range(BOXES):
        number = _number(i)
        register_container(UnitOfWork.for_url(url), RegisterContainer(ContainerNumber(number), "22G1"), actor)
        block, index = "BCD"[i // 328], i % 328
        slot = f"{block}-{1 + index // 8:02d}-{1 + index % 8:02d}-1"
        vessel.discharge_container(UnitOfWork.for_url(url), actor, reference="BENCH", container=number, slot=slot)
        numbers.append(number)
    token = create_user(UnitOfWork.for_url(url), name="bench-yard", role="yard_operator")
    return numbers, token


def warm_up(base: str, token: str, workers: int) -> None:
    """Send each worker moves of an unknown box (404, nothing changes) before the clock starts."""
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        for _ in range(16 * workers):
            client.post("/api/v1/yard/moves", json={"container": _number(999_999), "slot": CONTESTED[0]})


def start_profiler(py_spy: str, pid: int, output: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling the server's processes (non-blocking: it does not stop them to sample).

    Only threads holding the GIL are recorded (``--gil``): what the workers spend CPU on, not where
    their threads wait for PostgreSQL or for work.
    """
    command = [py_spy, "record", "--pid", str(pid), "--subprocesses", "--nonblocking", "--format", "raw"]
    command += ["--gil", "--rate", "500", "--output", str(output)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_profiler(profiler: subprocess.Popen[bytes]) -> None:
    """Stop py-spy so that it writes its file."""
    profiler.send_signal(signal.SIGINT)
    try:
        profiler.wait(timeout=60)
    except subprocess.TimeoutExpired:
        profiler.kill()


Post = Callable[[dict[str, Any], dict[str, str]], Awaitable[tuple[int, bytes]]]


async def send_all(
    post: Post, dropped: type[BaseException], bodies: list[dict[str, Any]], concurrency: int
) -> list[tuple[int, float, Any]]:
    """Send every move through ``post`` with at most ``concurrency`` in flight; (status, latency s, body)
    per request. Each move carries an Idempotency-Key, so a retry after a dropped connection (``dropped``)
    is safe: it replays the first answer instead of moving the box twice."""
    limit = asyncio.Semaphore(concurrency)

    async def one(index: int, body: dict[str, Any]) -> tuple[int, float, Any]:
        headers = {"Idempotency-Key": f"bench-{index}"}
        async with limit:
            started = time.perf_counter()
            for attempt in range(3):
                try:
                    status, content = await post(body, headers)
                    break
                except dropped:
                    RETRIES.append(index)
                    if attempt == 2:
                        raise
            elapsed = time.perf_counter() - started
            return status, elapsed, json.loads(content) if content else None

    return list(await asyncio.gather(*(one(index, body) for index, body in enumerate(bodies))))


async def fire_aiohttp(
    base: str, token: str, bodies: list[dict[str, Any]], concurrency: int
) -> list[tuple[int, float, Any]]:
    """:func:`fire` with aiohttp (its HTTP parser is in C: the client's CPU is a fraction of httpx's)."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(
        base_url=base,
        headers={"Authorization": f"Bearer {token}"},
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=120),
    ) as client:

        async def post(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, bytes]:
            async with client.post("/api/v1/yard/moves", json=body, headers=headers) as response:
                return response.status, await response.read()

        return await send_all(post, aiohttp.ClientConnectionError, bodies, concurrency)


async def fire(base: str, token: str, bodies: list[dict[str, Any]], concurrency: int) -> list[tuple[int, float, Any]]:
    """Send every move with at most ``concurrency`` in flight (httpx); (status, latency s, body) per request."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=120
    ) as client:

        async def post(body: dict[str, Any], headers: dict[str, str]) -> tuple[int, bytes]:
            response = await client.post("/api/v1/yard/moves", json=body, headers=headers)
            return response.status_code, response.content

        return await send_all(post, httpx.TransportError, bodies, concurrency)


def verify(url: str, bodies: list[dict[str, Any]], results: list[tuple[int, float, Any]]) -> dict[str, int]:
    """Double occupancy, and every 2xx visible: recorded as an event, and the box's last win is where it is."""
    engine = engine_for(url)
    with engine.connect() as connection:
        doubles = connection.execute(
            select(func.count()).select_from(
                select(
                    tables.YardCellRow.block, tables.YardCellRow.bay, tables.YardCellRow.row, tables.YardCellRow.tier
                )
                .group_by(
                    tables.YardCellRow.block, tables.YardCellRow.bay, tables.YardCellRow.row, tables.YardCellRow.tier
                )
                .having(func.count() > 1)
                .subquery()
            )
        ).scalar_one()
        positions = dict(
            connection.execute(select(tables.ContainerRow.number, tables.ContainerRow.position_reference)).all()
        )
        placed = {
            (subject, (after or {}).get("slot"))
            for subject, after in connection.execute(
                select(tables.EventRow.subject_id, tables.EventRow.after).where(
                    tables.EventRow.event_type == "container.placed"
                )
            ).all()
        }
    last_win: dict[str, tuple[int, str]] = {}
    invisible = 0
    for body, (status, _, answer) in zip(bodies, results, strict=True):
        if 200 <= status < 300:
            if (body["container"], body["slot"]) not in placed:
                invisible += 1
            version = int(answer["version"])
            if version > last_win.get(body["container"], (0, ""))[0]:
                last_win[body["container"]] = (version, body["slot"])
    invisible += sum(1 for number, (_, slot) in last_win.items() if positions.get(number) != slot)
    return {"double_occupancy": int(doubles), "invisible_2xx": invisible}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (landbridge serve --workers)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--client", choices=("aiohttp", "httpx"), default="aiohttp", help="the HTTP client firing the moves"
    )
    parser.add_argument("--profile", type=Path, help="write py-spy's collapsed stacks of the workers here")
    parser.add_argument("--py-spy", default=os.environ.get("PY_SPY") or shutil.which("py-spy") or "py-spy")
    args = parser.parse_args()
    with server_url() as server:
        run(server, args)


def run(server: str, args: argparse.Namespace) -> None:
    """The benchmark against one PostgreSQL server."""
    console = Console()
    with scratch_database(server) as url:
        console.print(f"preparing: seed, {BOXES} boxes in the yard …")
        numbers, token = prepare(url)
        rng = random.Random(args.seed)
        bodies = [{"container": rng.choice(numbers), "slot": rng.choice(CONTESTED)} for _ in range(args.requests)]
        load_before = machine_load()
        with served_process(url, workers=args.workers) as (base, process):
            warm_up(base, token, args.workers)
            profiler = start_profiler(args.py_spy, process.pid, args.profile) if args.profile else None
            sessions_before = postgres_sessions(url)
            server_before, database_before = tree_cpu_s(process.pid), postgres_cpu_s(url)
            client_before, started = time.process_time(), time.perf_counter()
            firing = fire_aiohttp if args.client == "aiohttp" else fire
            results = asyncio.run(firing(base, token, bodies, args.concurrency))
            wall_s = time.perf_counter() - started
            client_s = time.process_time() - client_before
            server_s, database_after = tree_cpu_s(process.pid) - server_before, postgres_cpu_s(url)
            sessions_opened = postgres_sessions(url) - sessions_before
            if profiler is not None:
                stop_profiler(profiler)
        database_s = None if database_before is None or database_after is None else database_after - database_before
        checks = verify(url, bodies, results)
    cpu = cpu_per_request(args.requests, server_s, database_s, client_s)
    cpu["postgres_sessions_opened"] = sessions_opened
    latencies_ms = sorted(1000 * latency for _, latency, _ in results)
    statuses: dict[str, int] = {}
    for status, _, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    figures: dict[str, Any] = {
        "requests": args.requests,
        "concurrency": args.concurrency,
        "contested_slots": len(CONTESTED),
        "boxes": BOXES,
        "statuses": statuses,
        "server_errors_5xx": sum(n for code, n in statuses.items() if code.startswith("5")),
        "transport_retries": len(RETRIES),
        **checks,
        "wall_s": round(wall_s, 3),
        "throughput_req_per_s": round(args.requests / wall_s, 1),
        "latency_p50_ms": round(statistics.median(latencies_ms), 1),
        "latency_p95_ms": round(percentile(latencies_ms, 0.95), 1),
        "latency_p99_ms": round(percentile(latencies_ms, 0.99), 1),
        **cpu,
        "backend": "postgresql",
        "workers": args.workers,
        "client": args.client,
        "server": f"landbridge serve --workers {args.workers}, loopback",
        "machine_load_before": load_before,
        "machine_load_after": machine_load(),
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    table = Table(title="ops concurrency: moves into contested yard slots (PostgreSQL)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in (
        "requests",
        "concurrency",
        "contested_slots",
        "statuses",
        "server_errors_5xx",
        "transport_retries",
        "double_occupancy",
        "invisible_2xx",
        "throughput_req_per_s",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "wall_s",
        *cpu,
        "workers",
        "client",
        "machine_load_before",
        "machine_load_after",
    ):
        table.add_row(key, str(figures[key]))
    console.print(table)
    console.print(f"JSON: {write_result('ops_concurrency', figures)}")
    ok = figures["server_errors_5xx"] == 0 and checks["double_occupancy"] == 0 and checks["invisible_2xx"] == 0
    console.print("[green]all checks passed[/green]" if ok else "[red]CHECKS FAILED[/red]")
    if not ok:
        sys.exit(1)


def cpu_per_request(requests: int, server_s: float, database_s: float | None, client_s: float) -> dict[str, Any]:
    """CPU milliseconds per request by part, and the rate two idle cores would carry at that cost."""
    database = database_s or 0.0
    total_ms = 1000 * (server_s + database + client_s) / requests
    serving_ms = 1000 * (server_s + database) / requests
    return {
        "server_cpu_ms_per_request": round(1000 * server_s / requests, 2),
        "postgres_cpu_ms_per_request": None if database_s is None else round(1000 * database / requests, 2),
        "client_cpu_ms_per_request": round(1000 * client_s / requests, 2),
        "total_cpu_ms_per_request": round(total_ms, 2),
        "implied_req_per_s_2_cores": round(2000 / total_ms, 1),
        "implied_req_per_s_2_cores_no_client": round(2000 / serving_ms, 1),
    }


if __name__ == "__main__":
    main()
