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
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from stdnum import iso6346

from harness import machine_load, percentile, scratch_database, served, server_url, write_result
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


async def fire(base: str, token: str, bodies: list[dict[str, Any]], concurrency: int) -> list[tuple[int, float, Any]]:
    """Send every move with at most ``concurrency`` in flight; (status, latency s, body) per request."""
    limit = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, limits=limits, timeout=120
    ) as client:

        async def one(index: int, body: dict[str, Any]) -> tuple[int, float, Any]:
            # Each move carries an Idempotency-Key, so a retry after a dropped connection is safe:
            # it replays the first answer instead of moving the box twice.
            headers = {"Idempotency-Key": f"bench-{index}"}
            async with limit:
                started = time.perf_counter()
                for attempt in range(3):
                    try:
                        response = await client.post("/api/v1/yard/moves", json=body, headers=headers)
                        break
                    except httpx.TransportError:
                        RETRIES.append(index)
                        if attempt == 2:
                            raise
                elapsed = time.perf_counter() - started
                return response.status_code, elapsed, response.json() if response.content else None

        return list(await asyncio.gather(*(one(index, body) for index, body in enumerate(bodies))))


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
        with served(url, workers=args.workers) as base:
            started = time.perf_counter()
            results = asyncio.run(fire(base, token, bodies, args.concurrency))
            wall_s = time.perf_counter() - started
        checks = verify(url, bodies, results)
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
        "backend": "postgresql",
        "workers": args.workers,
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
        "workers",
        "machine_load_before",
        "machine_load_after",
    ):
        table.add_row(key, str(figures[key]))
    console.print(table)
    write_result("ops_concurrency", figures)
    ok = figures["server_errors_5xx"] == 0 and checks["double_occupancy"] == 0 and checks["invisible_2xx"] == 0
    console.print("[green]all checks passed[/green]" if ok else "[red]CHECKS FAILED[/red]")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
